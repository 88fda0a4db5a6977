"""Requests for assistance (with their lines, versions and matching), offers and their decisions,
deployments and their timeline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cbrnet import access
from cbrnet.core.generic import (
    ModelViews,
    ObjectDetailView,
    ObjectEditView,
    add_validation_errors,
    restrict_form_fields,
)
from cbrnet.core.tables import Column
from cbrnet.incidents import filters, forms, selectors, services
from cbrnet.incidents.choices import OfferStatus
from cbrnet.incidents.models import AssistanceRequest, Deployment, Offer
from cbrnet.incidents.views.common import done, form_error

# --- requests for assistance -------------------------------------------------------------------------


class AssistanceRequestEditView(ObjectEditView):
    """Ask for assistance (the request and its lines) or amend it: a new version each time."""

    model = AssistanceRequest
    form_class = forms.AssistanceRequestForm
    template_name = "incidents/assistancerequest_edit.html"

    def get_form(self, request, instance, data=None, files=None):
        form = self.form_class(
            data=data, instance=instance, initial=self.initial(request, instance), user=request.user
        )
        restrict_form_fields(form, request.user)
        return form

    def get_formset(self, instance, data=None):
        initial = (
            [
                {"code": item.code, "quantity": item.quantity, "note": item.note}
                for item in instance.items.all()
            ]
            if instance.pk
            else []
        )
        return forms.RequestItemFormSet(data=data, initial=initial, prefix="items")

    def get(self, request, pk=None):
        instance = self.get_object(request, pk)
        return self.render(request, instance, self.get_form(request, instance), self.get_formset(instance))

    def post(self, request, pk=None):
        instance = self.get_object(request, pk)
        form = self.get_form(request, instance, request.POST)
        formset = self.get_formset(instance, request.POST)
        if form.is_valid() and formset.is_valid():
            items = [line.cleaned_data for line in formset if line.cleaned_data.get("code")]
            try:
                saved = self.save(request, form, items)
            except ValidationError as error:
                add_validation_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("%(name)s saved.") % {"name": saved})
                return redirect(saved.get_absolute_url())
        return self.render(request, instance, form, formset, status=400)

    def save(self, request, form, items):
        instance = form.save(commit=False)
        if instance._state.adding:
            return services.request_create(user=request.user, request=instance, items=items)
        return services.request_amend(
            user=request.user, request=instance, items=items, reason=form.cleaned_data.get("reason", "")
        )

    def render(self, request, instance, form, formset=None, status=200):
        adding = instance._state.adding
        context = {
            "form": form,
            "formset": formset,
            "object": None if adding else instance,
            "adding": adding,
            "verbose_name": self.model._meta.verbose_name,
            "cancel_url": instance.get_absolute_url()
            if not adding
            else reverse("incidents:assistancerequest_list"),
        }
        return render(request, self.template_name, context, status=status)


class AssistanceRequestDetailView(ObjectDetailView):
    template_name = "incidents/assistancerequest_detail.html"

    def extra_context(self, request, instance):
        incident = instance.incident
        offers = access.restrict(Offer.objects.filter(request=instance), request.user).select_related(
            "capability", "offering_organisation", "offering_country"
        )
        return {
            "items": list(instance.items.all()),
            "offers": list(offers.order_by("created", "pk")),
            "invitations": list(
                access.restrict(instance.invitations.all(), request.user).select_related(
                    "capability__organisation"
                )
            ),
            "can_match": instance.is_active
            and incident.is_open
            and selectors.incident_is_coordinator(request.user, incident),
            "can_offer": instance.is_active and incident.is_open and access.may_add(request.user, Offer),
            "responder": selectors.incident_is_responder(request.user, incident),
        }


assistance_request = ModelViews(
    AssistanceRequest,
    form=forms.AssistanceRequestForm,
    filterset=filters.AssistanceRequestFilterSet,
    detail_class=AssistanceRequestDetailView,
    queryset=AssistanceRequest.objects.select_related("incident__country").prefetch_related("items"),
    columns=[
        Column("title", link=True, order_by="title"),
        Column("exercise_badge", label=gettext_lazy("Exercise")),
        Column("incident", order_by="incident__title"),
        Column("items", label=gettext_lazy("Capabilities needed")),
        Column("needed_from", order_by="needed_from"),
        Column("status", order_by="status"),
        Column("version"),
    ],
    fields=[
        "incident",
        "title",
        "location",
        "needed_from",
        "duration_days",
        "entry_conditions",
        "customs_conditions",
        "liability_conditions",
        "cost_arrangement",
        "contact_name",
        "contact_email",
        "contact_phone",
        "status",
        "version",
        "requested_by",
    ],
    export_fields=[
        ("title", "title"),
        ("incident", "incident.title"),
        ("exercise", "incident.is_exercise"),
        ("country", "incident.country.iso2"),
        ("location", "location"),
        ("needed_from", "needed_from"),
        ("duration_days", "duration_days"),
        ("capabilities", "items"),
        ("costs", "cost_arrangement"),
        ("status", "status"),
        ("version", "version"),
    ],
    title=gettext_lazy("Requests for assistance"),
)
assistance_request.edit = AssistanceRequestEditView.as_view()


def _request(request, pk, action="view"):
    return access.get_object_for(
        request.user, AssistanceRequest.objects.select_related("incident__country"), action, pk=pk
    )


@login_required
def assistancerequest_versions_view(request, pk):
    """Every version of the request, with what changed each time."""
    item = _request(request, pk)
    return render(
        request,
        "incidents/assistancerequest_versions.html",
        {"object": item, "versions": selectors.request_versions(user=request.user, request=item)},
    )


@login_required
def assistancerequest_match_view(request, pk):
    """The registered capabilities that could meet the request, best first with their reasons; the
    selected ones are invited to offer in one step (POST)."""
    item = _request(request, pk)
    if not selectors.incident_is_coordinator(request.user, item.incident):
        raise PermissionDenied(
            _("Only the affected country, the incident's owners and the secretariat match requests.")
        )
    available_only = request.GET.get("available") == "1" or request.POST.get("available") == "1"
    result = selectors.request_matches(user=request.user, request=item, available_only=available_only)
    form = forms.InviteForm(request.POST or None, matches=result.matches)
    if request.method == "POST":
        if form.is_valid():
            chosen = set(form.cleaned_data["capabilities"])
            choices = [
                (match.capability.pk, match.score, match.reasons_json())
                for match in result.matches
                if match.capability.pk in chosen
            ]
            try:
                created = services.offers_invite(user=request.user, request=item, choices=choices)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("%(count)s invited to offer.") % {"count": len(created)})
                return redirect("incidents:assistancerequest_match", pk=item.pk)
    invited = set(item.invitations.values_list("capability_id", flat=True))
    context = {
        "object": item,
        "result": result,
        "form": form,
        "invited": invited,
        "criteria": selectors.CRITERIA,
        "available_only": available_only,
    }
    return render(
        request, "incidents/assistancerequest_match.html", context, status=400 if form.errors else 200
    )


# --- offers --------------------------------------------------------------------------------------------


class OfferEditView(ObjectEditView):
    model = Offer
    form_class = forms.OfferForm

    def get_form(self, request, instance, data=None, files=None):
        form = self.form_class(
            data=data, instance=instance, initial=self.initial(request, instance), user=request.user
        )
        restrict_form_fields(form, request.user)
        return form

    def save(self, request, form):
        offer = form.save(commit=False)
        if offer._state.adding:
            return services.offer_create(user=request.user, offer=offer)
        return services.offer_update(user=request.user, offer=offer)


class OfferDetailView(ObjectDetailView):
    template_name = "incidents/offer_detail.html"

    def extra_context(self, request, instance):
        incident = instance.request.incident
        return {
            "can_decide": instance.status == OfferStatus.OFFERED
            and selectors.incident_is_responder(request.user, incident),
            "decision_form": forms.DecisionForm(),
            "deployment": access.restrict(Deployment.objects.filter(offer=instance), request.user).first(),
        }


offer = ModelViews(
    Offer,
    form=forms.OfferForm,
    filterset=filters.OfferFilterSet,
    detail_class=OfferDetailView,
    queryset=Offer.objects.select_related(
        "request__incident", "capability", "offering_organisation", "offering_country"
    ),
    columns=[
        Column(
            "offering_organisation",
            link=True,
            label=gettext_lazy("Offered by"),
            order_by="offering_organisation__name",
        ),
        Column("exercise_badge", label=gettext_lazy("Exercise")),
        Column("request", order_by="request__title"),
        Column("code"),
        Column("capability"),
        Column("quantity"),
        Column("available_from", order_by="available_from"),
        Column("status", order_by="status"),
    ],
    fields=[
        "request",
        "code",
        "capability",
        "offering_organisation",
        "offering_country",
        "description",
        "quantity",
        "available_from",
        "duration_days",
        "conditions",
        "status",
        "offered_by",
        "decided_by",
        "decided_at",
        "decision_note",
    ],
    export_fields=[
        ("offered_by", "offering_organisation.name"),
        ("country", "offering_country.iso2"),
        ("request", "request.title"),
        ("exercise", "request.incident.is_exercise"),
        ("code", "code"),
        ("capability", "capability.name"),
        ("quantity", "quantity"),
        ("available_from", "available_from"),
        ("duration_days", "duration_days"),
        ("status", "status"),
        ("decided", "decided_at"),
    ],
    title=gettext_lazy("Offers of assistance"),
)
offer.edit = OfferEditView.as_view()


def _offer(request, pk, action="view"):
    return access.get_object_for(
        request.user, Offer.objects.select_related("request__incident"), action, pk=pk
    )


@require_POST
@login_required
def offer_decide_view(request, pk):
    item = _offer(request, pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error(form))
        return redirect(item.get_absolute_url())
    decision = form.cleaned_data["decision"]
    return done(
        request,
        item.get_absolute_url(),
        lambda: services.offer_decide(
            user=request.user, offer=item, decision=decision, note=form.cleaned_data["note"]
        ),
        _("Offer accepted: a deployment is planned.") if decision == "accept" else _("Offer declined."),
    )


@require_POST
@login_required
def offer_withdraw_view(request, pk):
    item = _offer(request, pk, "change")
    return done(
        request,
        item.get_absolute_url(),
        lambda: services.offer_withdraw(user=request.user, offer=item),
        _("Offer withdrawn."),
    )


# --- deployments ------------------------------------------------------------------------------------------


@login_required
def deployment_list_view(request):
    """Deployments the user may see, exercises marked; ?exclude_exercises=true leaves them out."""
    queryset = access.restrict(
        Deployment.objects.select_related(
            "offer__request__incident__country", "offer__offering_organisation", "offer__capability"
        ),
        request.user,
    ).order_by("-created", "pk")
    exclude = request.GET.get("exclude_exercises") in ("true", "1", "on")
    if exclude:
        queryset = queryset.filter(offer__request__incident__is_exercise=False)
    return render(
        request,
        "incidents/deployment_list.html",
        {"deployments": queryset[:500], "exclude_exercises": exclude},
    )


@login_required
def deployment_detail_view(request, pk):
    item = access.get_object_for(
        request.user,
        Deployment.objects.select_related(
            "offer__request__incident", "offer__capability", "offer__offering_organisation"
        ),
        "view",
        pk=pk,
    )
    context = {
        "object": item,
        "form": forms.DeploymentEventForm(),
        **selectors.deployment_page(user=request.user, deployment=item),
    }
    return render(request, "incidents/deployment_detail.html", context)


@require_POST
@login_required
def deployment_advance_view(request, pk):
    item = access.get_object_for(
        request.user, Deployment.objects.select_related("offer__capability"), "view", pk=pk
    )
    form = forms.DeploymentEventForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error(form))
        return redirect(item.get_absolute_url())
    data = form.cleaned_data
    return done(
        request,
        item.get_absolute_url(),
        lambda: services.deployment_advance(
            user=request.user, deployment=item, stage=data["stage"], at=data["at"], note=data["note"]
        ),
        _("Timeline updated."),
        labels={"at": _("When"), "stage": _("Stage")},
    )
