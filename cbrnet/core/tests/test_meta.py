"""Meta-tests: every domain model has an access policy, a UI, an API, filters for its fields, and audit."""

import pytest
from django.apps import apps
from django.db import models

import cbrnet.urls  # noqa: F401 - loads every app's views, which register themselves
from cbrnet.api import api
from cbrnet.core.generic import REGISTERED
from cbrnet.core.models import AuditedModel, BaseModel

# Fields whose content is prose: reachable through the free-text search `q`, not a field filter.
PROSE = (models.TextField,)
NOT_FILTERED = {"id", "created", "updated"}


def domain_models():
    return [
        model for model in apps.get_models()
        if issubclass(model, BaseModel) and model.__module__.startswith("cbrnet.")
    ]


def test_there_are_domain_models():
    assert len(domain_models()) >= 15


@pytest.mark.parametrize("model", domain_models(), ids=lambda m: m._meta.label)
def test_every_domain_model_declares_an_access_policy(model):
    assert getattr(model, "access_policy", None) is not None


@pytest.mark.parametrize("model", domain_models(), ids=lambda m: m._meta.label)
def test_every_domain_model_is_audited(model):
    assert issubclass(model, AuditedModel)


@pytest.mark.parametrize("model", [m for m in domain_models() if m in REGISTERED], ids=lambda m: m._meta.label)
def test_every_model_field_has_a_filter(model):
    filterset = REGISTERED[model].filterset
    names = set(filterset.base_filters)
    searched = {field.split("__")[0] for field in filterset.search_fields}
    missing = []
    for field in model._meta.get_fields():
        if field.auto_created or not field.concrete or field.name in NOT_FILTERED:
            continue
        if isinstance(field, PROSE + (models.FileField,)) and field.name in searched:
            continue
        if isinstance(field, PROSE) and field.name in {"source", "address", "description", "note", "summary", "objectives"}:
            continue  # long prose: not a filter target; the detail page shows it
        if field.name in filterset.unfiltered:
            continue
        if field.name not in names and field.name not in searched:
            missing.append(field.name)
    assert not missing, f"{model._meta.label}: no filter for {missing}"


def test_every_model_with_a_ui_has_api_endpoints():
    paths = api.get_openapi_schema()["paths"]
    operations = {operation["operationId"] for item in paths.values() for operation in item.values()}
    for model in REGISTERED:
        name = model._meta.model_name
        for action in ("list", "read", "create", "update", "partial_update", "delete", "export"):
            assert f"{name}_{action}" in operations, f"{model._meta.label} has no {action} endpoint"


def test_every_domain_model_has_a_ui():
    missing = [model._meta.label for model in domain_models() if model not in REGISTERED and not getattr(model, "ui_elsewhere", False)]
    assert not missing, f"models without generic views: {missing}"
