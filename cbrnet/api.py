"""The JSON API: authentication (session or personal token), RFC 9457 problem details, and the
generic CRUD endpoints every registry model uses. OpenAPI at /api/openapi.json, docs at /api/docs.

Every endpoint reads through the access engine and writes through the same forms and services as
the web UI, so the rules and the audit trail never differ by entry point.
"""

from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import Field as PydanticField

from cbrnet import access
from cbrnet.core import audit, services
from cbrnet.core.exports import EXPORT_FORMATS, export_response

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# A record id in any input: positive, and within the databases' 64-bit integers (a bigger number
# overflowed SQLite inside a lookup: a 500 found by fuzzing).
RecordId = Annotated[int, PydanticField(ge=1, le=2**63 - 1)]


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cbr_…`: a personal token; read-scoped tokens may only read."""

    openapi_description = "Personal API token (create one on your account page or with `cbrnet token create`)."

    def authenticate(self, request, token):
        from cbrnet.accounts.models import ApiToken

        record = ApiToken.objects.usable().select_related("user").filter(key_hash=ApiToken.hash_key(token)).first()
        if record is None or not record.user.is_active:
            return None
        if request.method not in SAFE_METHODS and record.scope != ApiToken.Scope.WRITE:
            raise HttpError(403, "This token is read-only.")
        now = timezone.now()
        if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)  # at most once a minute
        request.user = record.user
        request.auth_token = record
        audit.set_actor(record.user)
        return record.user


class SessionAuth(APIKeyCookie):
    """The browser session of a signed-in user (CSRF-checked for writes)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # No session cookie: not a browser request. Skip ninja's CSRF check so that a client with a
        # dead token gets 401, not a misleading "CSRF check failed".
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from cbrnet.accounts.middleware import requires_two_factor

            if requires_two_factor(user) and not user.is_verified():
                raise HttpError(403, "Two-factor verification is required for this account.")
            return user
        return None


api = NinjaAPI(
    title="cbrnet API",
    version="1",
    description="JSON API of the cbrnet platform. Errors are RFC 9457 problem details naming the field.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
)

PROBLEM = "application/problem+json"


def problem(request, status: int, title: str, detail: str = "", errors: list[dict] | None = None):
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body["instance"] = request.path
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


@api.exception_handler(NinjaValidationError)
def _invalid_request(request, exc):
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", []) if part not in ("body", "payload", "query", "path")]
        errors.append({"field": ".".join(location) or None, "message": error.get("msg", "Invalid value.")})
    return problem(request, 422, "Invalid request", "Some fields are invalid.", errors)


@api.exception_handler(ValidationError)
def _invalid_data(request, exc):
    errors = []
    if hasattr(exc, "error_dict"):
        for field, field_errors in exc.message_dict.items():
            for message in field_errors:
                errors.append({"field": None if field == "__all__" else field, "message": message})
    else:
        errors = [{"field": None, "message": message} for message in exc.messages]
    return problem(request, 422, "Invalid data", "The record was not saved.", errors)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problem(request, 403, "Forbidden", str(exc) or "You may not do this.")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(request, 404, "Not found", "No such record, or you may not see it.")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = problem(request, 401, "Unauthorised", "Sign in or send a valid API token.")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem(request, exc.status_code, {403: "Forbidden", 400: "Bad request"}.get(exc.status_code, "Error"), str(exc))


class Page(Schema):
    count: int
    limit: int
    offset: int
    results: list[Any]


# Far beyond any table here; larger numbers overflow the databases' 64-bit integers (a 500).
API_MAX_OFFSET = 1_000_000_000


def page_params(request) -> tuple[int, int]:
    try:
        limit = int(request.GET.get("limit", settings.API_PAGE_SIZE))
        offset = int(request.GET.get("offset", 0))
    except ValueError:
        raise HttpError(400, "limit and offset must be whole numbers.") from None
    if limit < 1 or offset < 0:
        raise HttpError(400, "limit must be at least 1 and offset at least 0.")
    if offset > API_MAX_OFFSET:
        raise HttpError(400, f"offset must be at most {API_MAX_OFFSET}.")
    return min(limit, settings.API_MAX_PAGE_SIZE), offset


def form_errors(form) -> ValidationError:
    return ValidationError({field: [str(message) for message in messages] for field, messages in form.errors.items()})


def crud_router(*, model, schema_out, schema_in, form_class, filterset_class, ordering=(), export_fields=(),
                select_related=(), prefetch_related=(), tag=None, save=None, delete=None, may_add=None,
                delete_action="delete", files=None) -> Router:
    """List (filters, ordering, paginated with a hard maximum), read, create, update, partial update,
    delete and export of one model, all through the access engine and the model's form.

    Plain records are saved and deleted by the generic record services. A model whose writes have
    rules of their own passes its services instead: `save(request, form) -> instance` (the form is
    valid and restricted; create, replace and partial update), `delete(request, instance)`,
    `may_add(user) -> bool` (who may create), `delete_action` (the action checked before `delete`:
    "view" when the delete service checks the rest itself) and `files(payload) -> (payload, files)`
    (parts of a JSON payload that are uploaded files, e.g. base64-encoded evidence)."""
    router = Router(tags=[tag or str(model._meta.verbose_name_plural).capitalize()])
    name = model._meta.model_name
    contact_fields = set(getattr(model, "contact_fields", ()))

    def base_queryset():
        queryset = model.objects.all()
        if select_related:
            queryset = queryset.select_related(*select_related)
        if prefetch_related:
            queryset = queryset.prefetch_related(*prefetch_related)
        return queryset

    def filtered(request):
        filterset = filterset_class(request.GET, queryset=base_queryset(), request=request)
        if not filterset.is_valid():
            raise ValidationError(
                {field: [str(message) for message in messages] for field, messages in filterset.errors.items()}
            )
        return filterset.qs

    def shown(request, instance):
        if contact_fields and not access.contact_visible(request.user, instance):
            for field in contact_fields:
                setattr(instance, field, "")
        return instance

    @router.get("/", response=Page, operation_id=f"{name}_list", summary=f"List {model._meta.verbose_name_plural}",
                openapi_extra={"parameters": list_parameters(filterset_class, ordering)})
    def list_view(request):
        queryset = access.restrict(filtered(request), request.user, "view")
        if contact_fields:
            queryset = access.with_contact_visibility(queryset, request.user)
        order = request.GET.get("ordering", "")
        if order:
            if order.lstrip("-") not in ordering:
                raise ValidationError({"ordering": [f"Order by one of: {', '.join(ordering) or 'nothing'}."]})
            queryset = queryset.order_by(order, "pk")
        elif not queryset.ordered:
            queryset = queryset.order_by("pk")
        limit, offset = page_params(request)
        results = [shown(request, row) for row in queryset[offset:offset + limit]]
        return {"count": queryset.count(), "limit": limit, "offset": offset,
                "results": [schema_out.from_orm(row).model_dump() for row in results]}

    @router.get("/export", operation_id=f"{name}_export", summary=f"Export {model._meta.verbose_name_plural} as CSV or XLSX",
                openapi_extra={"parameters": list_parameters(filterset_class, ())})
    def export_view(request, format: str = "csv"):
        if format not in EXPORT_FORMATS or not export_fields:
            raise ValidationError({"format": [f"Use one of: {', '.join(EXPORT_FORMATS)}."]})
        return export_response(filtered(request), request.user, list(export_fields), basename=name, file_format=format)

    @router.get("/{int:pk}", response=schema_out, operation_id=f"{name}_read", summary=f"Read a {model._meta.verbose_name}")
    def read_view(request, pk: int):
        return shown(request, access.get_object_for(request.user, base_queryset(), "view", pk=pk))

    def write(request, instance, payload: dict, partial: bool):
        uploads = {}
        if files is not None:
            payload, uploads = files(payload)
        form = form_class(data=form_data(form_class, payload, instance if partial else None), files=uploads or None,
                          instance=instance)
        from cbrnet.core.generic import restrict_form_fields

        restrict_form_fields(form, request.user)
        if not form.is_valid():
            raise form_errors(form)
        if save is not None:
            record = save(request, form)
        else:
            record = form.save(commit=False)
            m2m = {field.name: form.cleaned_data[field.name] for field in model._meta.many_to_many
                   if field.name in form.cleaned_data}
            services.record_save(user=request.user, instance=record, m2m=m2m)
        return shown(request, base_queryset().get(pk=record.pk))

    @router.post("/", response={201: schema_out}, operation_id=f"{name}_create", summary=f"Create a {model._meta.verbose_name}")
    def create_view(request, payload: schema_in):
        if not (may_add(request.user) if may_add is not None else access.may_add(request.user, model)):
            raise PermissionDenied(f"You may not add a {model._meta.verbose_name}.")
        return Status(201, write(request, model(), payload.model_dump(exclude_unset=True), False))

    @router.put("/{int:pk}", response=schema_out, operation_id=f"{name}_update", summary=f"Replace a {model._meta.verbose_name}")
    def update_view(request, pk: int, payload: schema_in):
        instance = access.get_object_for(request.user, model.objects.all(), "change", pk=pk)
        return write(request, instance, payload.model_dump(), False)

    @router.patch("/{int:pk}", response=schema_out, operation_id=f"{name}_partial_update",
                  summary=f"Change some fields of a {model._meta.verbose_name}")
    def patch_view(request, pk: int, payload: schema_in):
        instance = access.get_object_for(request.user, model.objects.all(), "change", pk=pk)
        return write(request, instance, payload.model_dump(exclude_unset=True), True)

    @router.delete("/{int:pk}", response={204: None}, operation_id=f"{name}_delete", summary=f"Delete a {model._meta.verbose_name}")
    def delete_view(request, pk: int):
        instance = access.get_object_for(request.user, model.objects.all(), delete_action, pk=pk)
        if delete is not None:
            delete(request, instance)
        else:
            services.record_delete(user=request.user, instance=instance)
        return Status(204, None)

    return router


def form_data(form_class, payload: dict, instance) -> dict:
    """Turn an API payload into form data; for a partial update, start from the stored values."""
    fields = form_class._meta.fields
    if instance is not None:
        data = dict(model_to_dict(instance, fields=fields))
    else:
        # Fields left out of a create take the model's default, as they would in the database.
        model = form_class._meta.model
        data = {
            name: model._meta.get_field(name).get_default()
            for name in fields
            if model._meta.get_field(name).has_default()
        }
    for name, value in payload.items():
        key = name[:-3] if name.endswith("_id") and name[:-3] in fields else name
        data[key] = value
    for name, value in list(data.items()):
        if isinstance(value, list | tuple | set):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif hasattr(value, "pk"):
            data[name] = value.pk
        elif value is None:
            data[name] = ""
    return data


def list_parameters(filterset_class, ordering) -> list[dict]:
    parameters = [
        {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE}},
        {"name": "offset", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 0, "maximum": API_MAX_OFFSET}},
    ]
    if ordering:
        values = [*ordering, *(f"-{field}" for field in ordering)]
        parameters.append({"name": "ordering", "in": "query", "required": False, "schema": {"type": "string", "enum": values}})
    for name, filter_ in filterset_class.base_filters.items():
        parameters.append({"name": name, "in": "query", "required": False, "schema": {"type": "string"},
                           "description": str(filter_.label or name)})
    return parameters
