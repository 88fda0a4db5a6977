"""Web UI of the exchange: the generic bulletin pages plus the sharing actions as POST forms.

Every view fetches through the access engine (invisible: 404; visible but not allowed: 403) and
calls one service; a refused input comes back as a message naming the field, with nothing changed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from cbrnet import access
from cbrnet.core.generic import (
    ModelViews,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    restrict_form_fields,
)
from cbrnet.core.tables import Column
from cbrnet.exchange import filters, forms, selectors, services
from cbrnet.exchange.models import Bulletin, BulletinUpdate
from cbrnet.sharing import conf
from cbrnet.sharing import services as sharing
from cbrnet.sharing.choices import TLP
from cbrnet.sharing.models import Grant, ShareApproval, content_type_id


class PublicPortalMixin:
    """R3: with a public portal, anonymous visitors reach the list and detail pages; the engine then
    shows them published TLP:CLEAR bulletins only."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated and conf.public_portal():
            return View.dispatch(self, request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class BulletinListView(PublicPortalMixin, ObjectListView):
    pass


class BulletinDetailView(PublicPortalMixin, ObjectDetailView):
    template_name = "exchange/bulletin_detail.html"

    def extra_context(self, request, instance):
        sharing.shared_item_record_read(user=request.user, item=instance, channel="ui")  # R7, R11
        return selectors.bulletin_page(user=request.user, bulletin=instance)


class BulletinEditView(ObjectEditView):
    model = Bulletin
    form_class = forms.BulletinForm

    def get_form(self, request, instance, data=None, files=None):
        form = self.form_class(
            data=data,
            files=files,
            instance=instance,
            initial=self.initial(request, instance),
            user=request.user,
        )
        restrict_form_fields(form, request.user)
        return form

    def save(self, request, form):
        return services.bulletin_save(
            user=request.user, bulletin=form.save(commit=False), networks=form.cleaned_data.get("networks")
        )


bulletin = ModelViews(
    Bulletin,
    form=forms.BulletinForm,
    filterset=filters.BulletinFilterSet,
    list_class=BulletinListView,
    detail_class=BulletinDetailView,
    queryset=Bulletin.objects.select_related("owner_organisation", "author"),
    columns=[
        Column("title", link=True, order_by="title"),
        Column("tlp_badge", label=gettext_lazy("TLP")),
        Column("status", order_by="status"),
        Column("owner_organisation", order_by="owner_organisation__name"),
        Column("published_at", order_by="published_at"),
    ],
    fields=[],
    export_fields=[
        ("title", "title"),
        ("tlp", "tlp"),
        ("status", "status"),
        ("owner", "owner_organisation.name"),
        ("published", "published_at"),
        ("text", "body"),
    ],
    title=gettext_lazy("Bulletins"),
)
bulletin.edit = BulletinEditView.as_view()


# --- sharing actions --------------------------------------------------------------------------------
def _bulletin(request, pk, action="view"):
    return access.get_object_for(
        request.user, Bulletin.objects.select_related("owner_organisation"), action, pk=pk
    )


def _explain(error: ValidationError) -> str:
    """One message naming each field, e.g. "TLP: TLP:RED is shared with named people only…"."""
    if hasattr(error, "error_dict"):
        parts = []
        for field, field_errors in error.message_dict.items():
            label = "" if field == "__all__" else _field_label(field)
            parts.extend(f"{label}: {message}" if label else message for message in field_errors)
        return " ".join(parts)
    return " ".join(error.messages)


def _field_label(field: str) -> str:
    labels = {
        "tlp": "TLP",
        "scope": _("Share with"),
        "roles": _("Only these roles"),
        "reason": _("Reason"),
        "status": _("Status"),
        "networks": _("Networks"),
        "user": _("Person"),
        "person": _("Person"),
        "grant": _("Grant"),
        "body": _("Text"),
    }
    return str(labels.get(field, field.replace("_", " ").capitalize()))


def _form_error(form) -> str:
    return " ".join(
        f"{form.fields[field].label if field in form.fields else _field_label(field)}: {message}"
        if field != "__all__"
        else str(message)
        for field, errors in form.errors.items()
        for message in errors
    )


def _done(request, item, run, success: str):
    """Run a service; report its refusal by field, or its result (applied, or waiting for approval)."""
    try:
        result = run()
    except ValidationError as error:
        messages.error(request, _explain(error))
    else:
        if isinstance(result, ShareApproval):
            messages.info(
                request,
                _("Waiting for a second editor of %(owner)s to approve (four eyes).")
                % {"owner": item.owner_organisation},
            )
        else:
            messages.success(request, success)
    return redirect(item.get_absolute_url())


@require_POST
@login_required
def bulletin_publish_view(request, pk):
    item = _bulletin(request, pk)
    return _done(
        request, item, lambda: sharing.shared_item_publish(user=request.user, item=item), _("Published.")
    )


@require_POST
@login_required
def bulletin_withdraw_view(request, pk):
    item = _bulletin(request, pk)
    return _done(
        request, item, lambda: sharing.shared_item_withdraw(user=request.user, item=item), _("Withdrawn.")
    )


@require_POST
@login_required
def bulletin_change_tlp_view(request, pk):
    item = _bulletin(request, pk)
    form = forms.ChangeTlpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect(item.get_absolute_url())
    return _done(
        request,
        item,
        lambda: sharing.shared_item_change_tlp(user=request.user, item=item, tlp=form.cleaned_data["tlp"]),
        _("The label is now %(label)s.") % {"label": dict(TLP.choices)[form.cleaned_data["tlp"]]},
    )


@login_required
def bulletin_grant_add_view(request, pk):
    """The "Share with…" page: its choices come from the engine (only what the user may see)."""
    item = _bulletin(request, pk)
    form = forms.GrantForm(request.POST or None)
    restrict_form_fields(form, request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = sharing.shared_item_grant_add(
                user=request.user, item=item, scope=data["scope"], target=data["target"], roles=data["roles"]
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                name = {"user": "person"}.get(field, field)
                form.add_error(name if name in form.fields else None, field_errors)
        else:
            if isinstance(result, ShareApproval):
                messages.info(
                    request,
                    _("Waiting for a second editor of %(owner)s to approve (four eyes).")
                    % {"owner": item.owner_organisation},
                )
            else:
                messages.success(request, _("Shared with %(target)s.") % {"target": result.target})
            return redirect(item.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "exchange/bulletin_grant_form.html", {"form": form, "object": item}, status=status)


@require_POST
@login_required
def bulletin_grant_remove_view(request, pk, grant_pk):
    item = _bulletin(request, pk)
    grants = Grant.objects.filter(content_type_id=content_type_id(Bulletin), object_id=item.pk)
    grant = access.get_object_for(request.user, grants, "view", pk=grant_pk)
    return _done(
        request,
        item,
        lambda: sharing.shared_item_grant_remove(user=request.user, item=item, grant=grant),
        _("No longer shared with %(target)s.") % {"target": grant.target},
    )


@require_POST
@login_required
def bulletin_update_add_view(request, pk):
    item = _bulletin(request, pk)
    form = forms.BulletinUpdateForm(request.POST, bulletin=item)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect(item.get_absolute_url())
    return _done(
        request,
        item,
        lambda: services.bulletin_update_create(
            user=request.user, bulletin=item, body=form.cleaned_data["body"], tlp=form.cleaned_data["tlp"]
        ),
        _("Posted."),
    )


@require_POST
@login_required
def bulletinupdate_withdraw_view(request, pk):
    update = access.get_object_for(
        request.user, BulletinUpdate.objects.select_related("bulletin"), "view", pk=pk
    )
    return _done(
        request,
        update.bulletin,
        lambda: sharing.shared_item_withdraw(user=request.user, item=update),
        _("Update withdrawn."),
    )


@require_POST
@login_required
def approval_decide_view(request, pk, decision):
    approval = access.get_object_for(request.user, ShareApproval.objects.all(), "view", pk=pk)
    item = approval.item
    form = forms.DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if decision == "approve":
        return _done(
            request,
            item,
            lambda: sharing.shared_item_approve(user=request.user, approval=approval),
            _("Approved and applied."),
        )
    return _done(
        request,
        item,
        lambda: sharing.shared_item_reject(user=request.user, approval=approval, note=note),
        _("Rejected."),
    )


@login_required
def bulletin_break_glass_view(request, pk):
    """R11: a platform administrator opens a bulletin they cannot otherwise read, giving a reason.
    Anyone else gets 404, as for any bulletin they cannot see."""
    if not access.user_context(request.user).platform_admin:
        raise Http404
    item = Bulletin.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    form = forms.BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sharing.shared_item_break_glass(user=request.user, item=item, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, _explain(error))
        else:
            messages.warning(request, _("Break-glass access opened; every read is logged."))
            return redirect(item.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "exchange/bulletin_break_glass.html", {"form": form, "pk": pk}, status=status)


def bulletin_download_view(request, pk):
    """The attachment, only for those who may read the bulletin (R12); TLP:RED downloads are logged."""
    if not request.user.is_authenticated and not conf.public_portal():
        return redirect(f"{_login_url()}?next={request.path}")
    item = access.get_object_for(request.user, Bulletin.objects.all(), "view", pk=pk)
    if not item.attachment:
        raise Http404
    sharing.shared_item_record_read(user=request.user, item=item, channel="download")
    response = FileResponse(
        item.attachment.open("rb"), as_attachment=True, filename=item.attachment.name.rsplit("/", 1)[-1]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _login_url():
    from django.conf import settings
    from django.shortcuts import resolve_url

    return resolve_url(settings.LOGIN_URL)
