"""JSON API of the registry: one CRUD router per model, declared with its schemas."""


from ninja import Field, ModelSchema, Router, Schema
from pydantic import create_model

from cbrnet.api import RecordId, crud_router
from cbrnet.registry import filters, forms, models, views


def _model_schema(name: str, meta: dict):
    # Built with type() so that each schema gets its own name in the OpenAPI document; pydantic
    # recognises the nested Meta by its qualified name.
    meta_class = type("Meta", (), {**meta, "__qualname__": f"{name}.Meta", "__module__": __name__})
    return type(name, (ModelSchema,), {"Meta": meta_class, "__qualname__": name, "__module__": __name__})


def schemas(model_class, field_names: list[str]):
    """The output schema (id + fields) and the input schema: the same fields, all optional (the form
    validates them and names what is missing); related records are given by id."""
    out_schema = _model_schema(f"{model_class.__name__}Out", {"model": model_class, "fields": ["id", *field_names]})
    in_fields = {
        name: (
            _input_type(model_class, name, out_schema) | None,
            Field(None, description=out_schema.model_fields[name].description),
        )
        for name in field_names
    }
    in_schema = create_model(f"{model_class.__name__}In", __base__=Schema, __module__=__name__, **in_fields)
    return out_schema, in_schema


def _input_type(model_class, name: str, out_schema):
    # Many-to-many values are lists of ids. django-ninja's own item type raises TypeError on an item
    # that is not an id (null, an object), which pydantic does not turn into a 422: it was a 500.
    field = model_class._meta.get_field(name)
    if field.many_to_many:
        return list[RecordId]
    if field.is_relation:
        return RecordId  # a bigger number overflows SQLite's integers inside the form's lookup
    return out_schema.model_fields[name].annotation


def router_for(model, form, filterset, model_views, ordering=(), select_related=(), prefetch_related=(), tag=None):
    out_schema, in_schema = schemas(model, list(form._meta.fields))
    return crud_router(
        model=model, schema_out=out_schema, schema_in=in_schema, form_class=form, filterset_class=filterset,
        ordering=ordering, export_fields=model_views.list.view_class.export_fields,
        select_related=select_related, prefetch_related=prefetch_related, tag=tag,
    )


router = Router()
router.add_router("/networks", router_for(models.Network, forms.NetworkForm, filters.NetworkFilterSet, views.network, ("name", "code")))
router.add_router("/regions", router_for(models.Region, forms.RegionForm, filters.RegionFilterSet, views.region, ("name", "code")))
router.add_router("/countries", router_for(models.Country, forms.CountryForm, filters.CountryFilterSet, views.country, ("name", "iso2")))
router.add_router("/memberships", router_for(
    models.Membership, forms.MembershipForm, filters.MembershipFilterSet, views.membership, ("since",)))
router.add_router("/secretariats", router_for(
    models.Secretariat, forms.SecretariatForm, filters.SecretariatFilterSet, views.secretariat, ("city", "established")))
router.add_router("/thematic-areas", router_for(
    models.ThematicArea, forms.ThematicAreaForm, filters.ThematicAreaFilterSet, views.thematic_area, ("name", "order")))
router.add_router("/priorities", router_for(
    models.RegionalPriority, forms.RegionalPriorityForm, filters.RegionalPriorityFilterSet, views.regional_priority,
    ("title", "order"), tag="Regional priorities"))
router.add_router("/languages", router_for(models.Language, forms.LanguageForm, filters.LanguageFilterSet, views.language, ("name", "code")))
router.add_router("/organisations", router_for(
    models.Organisation, forms.OrganisationForm, filters.OrganisationFilterSet, views.organisation, ("name", "acronym"),
    prefetch_related=("networks", "client_of")))
router.add_router("/people", router_for(
    models.Person, forms.PersonForm, filters.PersonFilterSet, views.person, ("family_name", "given_name"),
    prefetch_related=("languages",)))
router.add_router("/roles", router_for(
    models.RoleAssignment, forms.RoleAssignmentForm, filters.RoleAssignmentFilterSet, views.role_assignment,
    ("start_date", "end_date", "role"), tag="Roles"))
router.add_router("/experts", router_for(
    models.ExpertProfile, forms.ExpertProfileForm, filters.ExpertFilterSet, views.expert, ("years_of_experience",),
    tag="Experts"))
router.add_router("/expertise", router_for(
    models.Expertise, forms.ExpertiseForm, filters.ExpertiseFilterSet, views.expertise, ("level",), tag="Expertise"))
router.add_router("/certifications", router_for(
    models.Certification, forms.CertificationForm, filters.CertificationFilterSet, views.certification, ("issued_on",)))
router.add_router("/availability", router_for(
    models.Availability, forms.AvailabilityForm, filters.AvailabilityFilterSet, views.availability, ("start_date",),
    tag="Availability"))
