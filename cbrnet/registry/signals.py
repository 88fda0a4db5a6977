"""Cross-cutting reactions to registry writes: the expert directory's search text, and the version of
the registry's data that cached pages are keyed on."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from cbrnet.core import caching

DATA = "registry-data"


def data_version() -> str:
    """A token that changes whenever any registry record changes; part of every cached page's key."""
    return caching.version(DATA)


def data_changed() -> None:
    """Retire every cached registry page (now, and again when the transaction commits)."""
    caching.bump(DATA)


def _data_changed(sender, **kwargs):
    data_changed()


def _profile_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from cbrnet.registry.search import expert_search_text_refresh

    texts = expert_search_text_refresh(profile_ids=[instance.pk])
    instance.search_text = texts.get(instance.pk, instance.search_text)  # the instance matches its row


def _person_saved(sender, instance, raw=False, **kwargs):
    from cbrnet.registry.models import ExpertProfile
    from cbrnet.registry.search import expert_search_text_refresh

    # The directory's access rule reads these copies: refreshed even when loading fixtures.
    ExpertProfile.copy_person_columns([instance.pk])
    if not raw:
        expert_search_text_refresh(person_ids=[instance.pk])


def _organisation_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from cbrnet.registry.search import expert_search_text_refresh

    expert_search_text_refresh(organisation_ids=[instance.pk])


def _thematic_area_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from cbrnet.registry.search import expert_search_text_refresh

    expert_search_text_refresh(thematic_area_ids=[instance.pk])


def _expertise_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from cbrnet.registry.search import expert_search_text_refresh

    expert_search_text_refresh(profile_ids=[instance.profile_id])


def connect() -> None:
    from django.apps import apps

    registry = apps.get_app_config("registry")
    for model in registry.get_models():
        label = model._meta.label
        post_save.connect(_data_changed, sender=model, dispatch_uid=f"registry-version-{label}-save")
        post_delete.connect(_data_changed, sender=model, dispatch_uid=f"registry-version-{label}-delete")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(_data_changed, sender=through, dispatch_uid=f"registry-version-{through._meta.label}")
    models = registry.models_module
    post_save.connect(_profile_saved, sender=models.ExpertProfile, dispatch_uid="registry-search-profile")
    post_save.connect(_person_saved, sender=models.Person, dispatch_uid="registry-search-person")
    post_save.connect(_organisation_saved, sender=models.Organisation, dispatch_uid="registry-search-organisation")
    post_save.connect(_thematic_area_saved, sender=models.ThematicArea, dispatch_uid="registry-search-area")
    post_save.connect(_expertise_changed, sender=models.Expertise, dispatch_uid="registry-search-expertise-save")
    post_delete.connect(_expertise_changed, sender=models.Expertise, dispatch_uid="registry-search-expertise-delete")
