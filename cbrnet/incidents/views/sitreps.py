"""Situation reports: written by those who see the incident's details, published to its audience."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cbrnet import access
from cbrnet.core.generic import ModelViews, ObjectDetailView, ObjectEditView, restrict_form_fields
from cbrnet.core.tables import Column
from cbrnet.incidents import filters, forms, services
from cbrnet.incidents.models import Sitrep
from cbrnet.incidents.views.common import done
from cbrnet.sharing import services as sharing
from cbrnet.sharing.choices import Status


class SitrepDetailView(ObjectDetailView):
    template_name = "incidents/sitrep_detail.html"

    def extra_context(self, request, instance):
        sharing.shared_item_record_read(user=request.user, item=instance, channel="ui")
        can_change = access.can(request.user, "change", instance)
        return {
            "can_publish": can_change and instance.status != Status.PUBLISHED,
            "can_withdraw": can_change and instance.status == Status.PUBLISHED,
        }


class SitrepEditView(ObjectEditView):
    model = Sitrep
    form_class = forms.SitrepForm

    def get_form(self, request, instance, data=None, files=None):
        form = self.form_class(
            data=data, instance=instance, initial=self.initial(request, instance), user=request.user
        )
        restrict_form_fields(form, request.user)
        return form

    def save(self, request, form):
        return services.sitrep_save(user=request.user, sitrep=form.save(commit=False))


sitrep = ModelViews(
    Sitrep,
    form=forms.SitrepForm,
    filterset=filters.SitrepFilterSet,
    detail_class=SitrepDetailView,
    queryset=Sitrep.objects.select_related("incident", "owner_organisation"),
    columns=[
        Column("title", link=True, order_by="title"),
        Column("exercise_badge", label=gettext_lazy("Exercise")),
        Column("tlp_badge", label=gettext_lazy("TLP")),
        Column("incident", order_by="incident__title"),
        Column("situation_at", order_by="situation_at"),
        Column("status", order_by="status"),
        Column("owner_organisation", order_by="owner_organisation__name"),
    ],
    fields=[],
    export_fields=[
        ("title", "title"),
        ("incident", "incident.title"),
        ("exercise", "incident.is_exercise"),
        ("tlp", "tlp"),
        ("status", "status"),
        ("situation_at", "situation_at"),
        ("owner", "owner_organisation.name"),
        ("text", "body"),
    ],
    title=gettext_lazy("Situation reports"),
)
sitrep.edit = SitrepEditView.as_view()


def _sitrep(request, pk):
    return access.get_object_for(
        request.user, Sitrep.objects.select_related("incident", "owner_organisation"), "view", pk=pk
    )


@require_POST
@login_required
def sitrep_publish_view(request, pk):
    item = _sitrep(request, pk)
    return done(
        request,
        item.get_absolute_url(),
        lambda: services.sitrep_publish(user=request.user, sitrep=item),
        _("Published: the people concerned are being notified."),
        owner=item.owner_organisation,
    )


@require_POST
@login_required
def sitrep_withdraw_view(request, pk):
    item = _sitrep(request, pk)
    return done(
        request,
        item.get_absolute_url(),
        lambda: sharing.shared_item_withdraw(user=request.user, item=item),
        _("Withdrawn."),
    )
