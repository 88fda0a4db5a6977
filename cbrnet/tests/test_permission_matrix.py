"""The permission matrix: every persona × every registry and projects object × every action, through
every entry point (web pages, JSON API with a session and with a token, search, CSV exports).

The expected answers are the table in cbrnet/tests/matrix.py, written from docs/access-control.md;
nothing here asks cbrnet.access what to expect. One case is one (object, action, persona) cell of that
table, checked through all its entry points at once; a failure lists every entry point that disagreed.

The world is built once per module inside a transaction that is rolled back at the end; each test
runs in a savepoint of its own (the module's `django_db` mark), so an allowed PATCH never leaks into
the next. List pages, exports and searches only read, so each is fetched once per persona and model.
"""

import csv
import datetime
import io
import json
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse

from cbrnet.tests.matrix import (
    ACTIONS,
    ADD,
    DEFAULT_ACTIONS,
    EXTRA_OPERATIONS,
    KNOWN_ENGINE_DISAGREEMENTS,
    PERSONAS,
    TABLE,
    allowed,
    may_add,
    model_of,
)

pytestmark = pytest.mark.django_db  # also tells pytest-django to create the test database for any subset

# The database the settings name before pytest-django switches to the test database: the world is
# never built there (see `matrix`).
CONFIGURED_DATABASE = str(settings.DATABASES["default"]["NAME"])

# Every operation of these routers must be exercised by the matrix (test_every_operation_of_the_…_is_covered).
MATRIX_API_PREFIXES = ("/api/registry/", "/api/projects/")
# The generic CRUD verbs, and where each is checked: operationId "<model_name>_<verb>".
COVERED_VERBS = {
    "list": "test_view (API list contains / omits the id)",
    "read": "test_view (200 / 404 / 401)",
    "export": "test_export (CSV contains / omits the row)",
    "partial_update": "test_change (PATCH a harmless value: 200 / 403 / 404 / 401)",
    "update": "test_put_answers_as_the_table_says (PUT {}: 422 past the permission check / 403 / 404 / 401)",
    "delete": "test_delete (403 / 404 / 401; allowed ones in test_allowed_deletes_through_the_api)",
    "create": "test_add (POST {}: 422 past the permission check / 403 / 401)",
}

# A harmless valid change per model, sent as PATCH by whoever may change the object.
HARMLESS_CHANGE = {
    "network": {"description": "Matrix check"},
    "region": {"description": "Matrix check"},
    "country": {"official_name": "Matrix check"},
    "membership": {"source": "Matrix check"},
    "secretariat": {"head_name": "Matrix check"},
    "thematicarea": {"description": "Matrix check"},
    "regionalpriority": {"description": "Matrix check"},
    "language": {"name": "Matrix check"},
    "organisation": {"source": "Matrix check"},
    "person": {"position": "Matrix check"},
    "roleassignment": {"note": "Matrix check"},
    "expertprofile": {"summary": "Matrix check"},
    "expertise": {"level": 5},
    "certification": {"issuer": "Matrix check"},
    "availability": {"note": "Matrix check"},
    "project": {"objectives": "Matrix check"},
    "activity": {"outcomes": "Matrix check"},
    "participation": {"note": "Matrix check"},
    "bulletin": {"body": "Matrix check"},
    # surveillance data
    "disease": {"source": "Matrix check"},
    "sectorauthority": {"sector": "food"},
    "dataset": {"description": "Matrix check"},
    "series": {"admin_area": "Matrix check"},
    "signal": {"reason": "Matrix check"},
    "alert": {"instruction": "Matrix check"},
    # meetings
    "meeting": {"minutes": "Matrix check"},
    "participant": {"attendance": "attended"},
    "agendaitem": {"notes": "Matrix check"},
    "presentation": {"link": "https://example.org/matrix-check.pdf"},
    "decision": {"text": "Matrix check"},
    "actionitem": {"description": "Matrix check"},
    # incidents
    "capability": {"description": "Matrix check"},
    "incident": {"place": "Matrix check"},
    "assistancerequest": {"location": "Matrix check"},
    "offer": {"conditions": "Matrix check"},
    "sitrep": {"body": "Matrix check"},
}

# A search term per searchable object whose visibility differs between signed-in personas, and one
# object per searchable model that everyone signed in sees (a search costs as much as a page).
SEARCH_TERMS = {
    "country:kz": "Kazakhstan",
    "region:ca": "Central Asia",
    "organisation:kz_ministry": "KZ Ministry",
    "regionalpriority:ca": "Dual use goods",
    "person:hidden_kz": "Kazperson",
    "person:team_kz": "Kazteam",
    "person:unlisted_th": "Thunlisted",
    "person:viewer_my": "Mymoh",
    "person:jrc": "Jrcstaff",
    "expertprofile:kz": "Kazteam",
    "bulletin:draft_ph": "chlorine leak",
    "bulletin:green_ph": "Dengue outbreak",
    "bulletin:clear_kz": "detector maintenance",
}

SIGN_IN = "sign-in page"


# --- the world ------------------------------------------------------------------------------------
def _populate(w) -> dict:
    """Add the matrix objects to the personas' world; return them by table key."""
    from cbrnet.core.audit import audit_actor
    from cbrnet.jobs.models import Job, JobKind, JobPhase, JobStatus
    from cbrnet.projects.models import Project
    from cbrnet.registry import models as r
    from cbrnet.registry.choices import OrganisationKind, Role
    from cbrnet.sharing.choices import TLP, Status
    from cbrnet.sharing.tests.helpers import make_bulletin

    day = datetime.date(2020, 1, 1)
    with audit_actor(None, source="command"):
        th_lab = r.Organisation.objects.create(
            name="TH Department of Disease Control", kind=OrganisationKind.AGENCY, country=w.th
        )
        international = r.Organisation.objects.create(
            name="International Radiation Matrix Agency", kind=OrganisationKind.INTERNATIONAL, country=None
        )

        def person(given, family, organisation, *, listed):
            return r.Person.objects.create(
                given_name=given,
                family_name=family,
                organisation=organisation,
                country=organisation.country,
                directory_listed=listed,
            )

        listed_uz = person("Zarina", "Uzlisted", w.uz_fp, listed=True)
        unlisted_th = person("Niran", "Thunlisted", th_lab, listed=False)
        expert_th = person("Ploy", "Thexpert", th_lab, listed=True)

        def role(person_, role_, **scope):
            return r.RoleAssignment.objects.create(person=person_, role=role_, start_date=day, **scope)

        roles = {
            "team_th": role(unlisted_th, Role.NATIONAL_TEAM, country=w.th, organisation=th_lab),
            "editor_th": role(unlisted_th, Role.EDITOR, organisation=th_lab),
            "org_admin_kz": role(w.p_hidden_kz, Role.ORG_ADMIN, organisation=w.kz_ministry),
            "expert_th": role(expert_th, Role.EXPERT),
            "author_uz": role(listed_uz, Role.AUTHOR, organisation=w.uz_fp),
        }
        for name, holder in (
            ("fp_kz", w.p_nfp_kz),
            ("team_kz", w.p_team_kz),
            ("sec_ca", w.p_sec_ca),
            ("fp_th", w.p_nfp_th),
            ("viewer_my", w.p_viewer_my),
            ("admin", w.p_admin),
            ("partner_jrc", w.p_jrc),
        ):
            roles[name] = r.RoleAssignment.objects.get(person=holder)

        sea_secretariat = r.Secretariat.objects.create(
            region=w.sea, organisation=w.sea_sec, host_country=w.ph, city="Manila"
        )
        priority_ca = r.RegionalPriority.objects.create(region=w.ca, title="Dual use goods trade control")
        priority_sea = r.RegionalPriority.objects.create(
            region=w.sea, title="Laboratory biosafety and biosecurity"
        )
        kazakh = r.Language.objects.create(code="kk", name="Kazakh")

        profiles, expertise, certifications, availability = {}, {}, {}, {}
        for name, holder, start in (("kz", w.p_team_kz, 3), ("th", expert_th, 6)):
            profile = r.ExpertProfile.objects.create(person=holder, summary=f"Expert {name}")
            profiles[name] = profile
            expertise[name] = r.Expertise.objects.create(
                profile=profile, domain="C", thematic_area=w.area, level=3
            )
            certifications[name] = r.Certification.objects.create(
                profile=profile, name=f"OPCW inspector course {name}", issuer="OPCW", issued_on=day
            )
            availability[name] = r.Availability.objects.create(
                profile=profile,
                start_date=datetime.date(2030, start, 1),
                end_date=datetime.date(2030, start, 20),
            )

        projects = {}
        for name, code, regions in (
            ("ca", "MX-CA", [w.ca]),
            ("sea", "MX-SEA", [w.sea]),
            ("ca_sea", "MX-BOTH", [w.ca, w.sea]),
        ):
            projects[name] = Project.objects.create(network=w.coe, code=code, title=f"Matrix project {name}")
            projects[name].regions.set(regions)

    job = Job.objects.create(
        owner=w.nfp_kz,
        kind=JobKind.EXPORT,
        target="registry:person_list",
        phase=JobPhase.EXPORT,
        status=JobStatus.DONE,
        file_format="csv",
    )
    bulletins = {
        "draft_ph": make_bulletin(
            author=w.nfp_ph,
            tlp=TLP.GREEN,
            networks=[w.asean],
            status=Status.DRAFT,
            title="Port chlorine leak draft",
        ),
        "green_ph": make_bulletin(
            author=w.nfp_ph, tlp=TLP.GREEN, networks=[w.asean], title="Dengue outbreak situation report"
        ),
        "clear_kz": make_bulletin(
            author=w.nfp_kz, tlp=TLP.CLEAR, networks=[w.coe], title="Radiation detector maintenance notice"
        ),
    }

    membership = r.Membership.objects.get
    objects = {
        "network:coe": w.coe,
        "region:ca": w.ca,
        "region:sea": w.sea,
        "country:kz": w.kz,
        "country:th": w.th,
        "membership:kz_ca": membership(country=w.kz, region=w.ca),
        "membership:ph_sea": membership(country=w.ph, region=w.sea),
        "secretariat:ca": w.secretariat,
        "secretariat:sea": sea_secretariat,
        "regionalpriority:ca": priority_ca,
        "regionalpriority:sea": priority_sea,
        "thematicarea:border": w.area,
        "language:kk": kazakh,
        "organisation:kz_ministry": w.kz_ministry,
        "organisation:ca_sec": w.ca_sec,
        "organisation:ph_fp": w.ph_fp,
        "organisation:international": international,
        "person:hidden_kz": w.p_hidden_kz,
        "person:team_kz": w.p_team_kz,
        "person:listed_uz": listed_uz,
        "person:unlisted_th": unlisted_th,
        "person:expert_th": expert_th,
        "person:viewer_my": w.p_viewer_my,
        "person:jrc": w.p_jrc,
        "job:export_nfp_kz": job,
    }
    for prefix, group in (
        ("roleassignment", roles),
        ("expertprofile", profiles),
        ("expertise", expertise),
        ("certification", certifications),
        ("availability", availability),
        ("project", projects),
        ("bulletin", bulletins),
    ):
        objects.update({f"{prefix}:{name}": instance for name, instance in group.items()})
    from cbrnet.projects.tests.matrix_objects import project_matrix_objects

    objects.update(project_matrix_objects(w))
    from cbrnet.surveillance.tests.triage_matrix_objects import triage_matrix_objects

    objects.update(triage_matrix_objects(w))
    from cbrnet.surveillance.tests.data_matrix_objects import data_matrix_objects

    objects.update(data_matrix_objects(w))
    from cbrnet.meetings.tests.matrix_objects import meeting_matrix_objects

    objects.update(meeting_matrix_objects(w))
    from cbrnet.notifications.tests.matrix_objects import notification_matrix_objects

    objects.update(notification_matrix_objects(w))
    from cbrnet.incidents.tests.matrix_objects import incident_matrix_objects

    objects.update(incident_matrix_objects(w))
    from cbrnet.assessments.tests.matrix_objects import assessment_matrix_objects

    objects.update(assessment_matrix_objects(w))
    return objects


@dataclass
class Matrix:
    world: SimpleNamespace
    objects: dict
    clients: dict
    operations: dict  # operationId -> (HTTP method, path template), from the OpenAPI document
    cache: dict = field(default_factory=dict)

    def fresh(self, key):
        obj = self.objects[key]
        return type(obj)._base_manager.get(pk=obj.pk)

    def api(self, client, operation: str, *, pk=None, data=None, query=None):
        method, path = self.operations[operation]
        url = path.replace("{pk}", str(pk)) if pk is not None else path
        if method == "GET":
            return client.get(url, query or {})
        body = json.dumps(data if data is not None else {})
        return client.generic(method, url, body, content_type="application/json")

    def once(self, key, make):
        """List pages, exports and searches only read: fetch each one once per persona."""
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    import cbrnet.urls  # noqa: F401 - mounts the routers on the API
    from cbrnet.api import api
    from cbrnet.core.testing import build_world

    operations = {
        op["operationId"]: (method.upper(), path)
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method, op in methods.items()
    }
    with django_db_blocker.unblock(), transaction.atomic():
        assert str(connection.settings_dict["NAME"]) != CONFIGURED_DATABASE, "not on the test database"
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            world = build_world()
            objects = _populate(world)
        clients = {}
        for persona in PERSONAS:
            clients[persona] = Client()
            if persona != "anonymous":
                clients[persona].force_login(getattr(world, persona))
        yield Matrix(world, objects, clients, operations)
        transaction.set_rollback(True)


# --- reading answers ------------------------------------------------------------------------------
def ui_status(response):
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return SIGN_IN
    return response.status_code


def want_ui(persona, visible, allowed_=True):
    if persona == "anonymous":
        return SIGN_IN
    if not visible:
        return 404
    return 200 if allowed_ else 403


def want_api(persona, visible, allowed_=True, ok=200):
    if persona == "anonymous":
        return 401
    if not visible:
        return 404
    return ok if allowed_ else 403


def detail_url(obj, action="detail"):
    if obj._meta.model_name == "job":
        return reverse("core:job_detail", args=[obj.pk])
    return reverse(f"{obj._meta.app_label}:{obj._meta.model_name}_{action}", args=[obj.pk])


def list_url(model):
    if model._meta.model_name == "job":
        return reverse("core:job_list")
    return reverse(f"{model._meta.app_label}:{model._meta.model_name}_list")


def link(obj) -> str:
    """How list pages and search results link to a row (sub-records link to their expert profile)."""
    return f'href="{obj.get_absolute_url()}"'


def answer(response) -> tuple:
    """(status, CSV rows) of an export response."""
    if response.status_code != 200:
        return ui_status(response), []
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return 200, list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def export_fields(model):
    from cbrnet.core.generic import REGISTERED

    return REGISTERED[model].list.view_class.export_fields


def export_key(obj) -> tuple[list[int], list[str]]:
    """The columns that identify `obj` in an export (contact details excluded: they may be blanked)."""
    from cbrnet.core.exports import neutralise
    from cbrnet.core.tables import Column

    contact = set(getattr(obj, "contact_fields", ()))
    fields = export_fields(type(obj))
    columns = [index for index, (_header, accessor) in enumerate(fields) if accessor not in contact]
    values = [neutralise(str(Column(fields[index][1]).value(obj))) for index in columns]
    return columns, values


def in_export(rows, obj) -> bool:
    columns, values = export_key(obj)
    return any(len(row) == len(rows[0]) and [row[i] for i in columns] == values for row in rows[1:])


class Checks:
    """Collects every entry point that disagrees with the table, so that one failure tells the whole story."""

    def __init__(self, persona, key, action):
        self.case = f"{persona} / {key} / {action}"
        self.problems = []

    def expect(self, where, got, want):
        if got != want:
            self.problems.append(f"{where}: got {got!r}, the table says {want!r}")

    def done(self):
        assert not self.problems, f"{self.case}:\n  " + "\n  ".join(self.problems)


def snapshot(obj):
    """The stored state of a record and the number of its audit entries (to prove a refusal changed nothing)."""
    from cbrnet.core.audit import serialize
    from cbrnet.core.testing import audit_entries_for

    fresh = type(obj)._base_manager.filter(pk=obj.pk).first()
    if fresh is None:
        return None
    m2m = {
        f.name: sorted(getattr(fresh, f.name).values_list("pk", flat=True)) for f in fresh._meta.many_to_many
    }
    return serialize(fresh), m2m, audit_entries_for(fresh).count()


# --- the cases ------------------------------------------------------------------------------------
def _cases(action):
    for key in TABLE:
        if action not in ACTIONS.get(model_of(key), DEFAULT_ACTIONS):
            continue
        for persona in PERSONAS:
            reason = KNOWN_ENGINE_DISAGREEMENTS.get((persona, key, action))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(persona, key, id=f"{key}-{persona}", marks=marks)


@pytest.mark.parametrize(("persona", "key"), list(_cases("view")))
def test_view(matrix, persona, key):
    """Detail page, API read, list page, API list and search all show the object exactly to its viewers."""
    obj = matrix.objects[key]
    model, name = type(obj), obj._meta.model_name
    client = matrix.clients[persona]
    visible = allowed(persona, key, "view")
    checks = Checks(persona, key, "view")

    checks.expect("UI detail", ui_status(client.get(detail_url(obj))), want_ui(persona, visible))
    response = matrix.api(client, f"{name}_read", pk=obj.pk)
    checks.expect("API read", response.status_code, want_api(persona, visible))
    if response.status_code == 200:
        checks.expect("API read id", response.json()["id"], obj.pk)

    page = matrix.once(("ui list", persona, name), lambda: client.get(list_url(model), {"per_page": 200}))
    if persona == "anonymous":
        checks.expect("UI list", ui_status(page), SIGN_IN)
    else:
        checks.expect("UI list status", page.status_code, 200)
        checks.expect("UI list links it", link(obj) in page.content.decode(), visible)

    listing = matrix.once(
        ("api list", persona, name), lambda: matrix.api(client, f"{name}_list", query={"limit": 500})
    )
    if persona == "anonymous":
        checks.expect("API list", listing.status_code, 401)
    else:
        checks.expect("API list status", listing.status_code, 200)
        body = listing.json()
        rows = body["results"] if isinstance(body, dict) else body
        checks.expect("API list has its id", obj.pk in {row["id"] for row in rows}, visible)

    term = SEARCH_TERMS.get(key)
    if term:
        found = matrix.once(
            ("search", persona, term), lambda: client.get(reverse("core:search"), {"q": term})
        )
        if persona == "anonymous":
            checks.expect("search", ui_status(found), SIGN_IN)
        else:
            checks.expect("search status", found.status_code, 200)
            checks.expect("search shows it", link(obj) in found.content.decode(), visible)
    checks.done()


@pytest.mark.parametrize(("persona", "key"), list(_cases("export")))
def test_export(matrix, persona, key):
    """The list page's CSV and the API export contain the row exactly for those who may export it."""
    obj = matrix.fresh(key)
    model, name = type(obj), obj._meta.model_name
    client = matrix.clients[persona]
    exported = allowed(persona, key, "export")
    checks = Checks(persona, key, "export")

    # The CSV is read once and kept with the status (a streamed response can only be read once).
    ui = matrix.once(
        ("ui export", persona, name), lambda: answer(client.get(list_url(model), {"export": "csv"}))
    )
    api = matrix.once(
        ("api export", persona, name),
        lambda: answer(matrix.api(client, f"{name}_export", query={"format": "csv"})),
    )
    if persona == "anonymous":
        checks.expect("UI export", ui[0], SIGN_IN)
        checks.expect("API export", api[0], 401)
    else:
        for where, (status, rows) in (("UI export", ui), ("API export", api)):
            checks.expect(f"{where} status", status, 200)
            if status == 200:
                checks.expect(f"{where} has the row", in_export(rows, obj), exported)
    checks.done()


@pytest.mark.parametrize(("persona", "key"), list(_cases("change")))
def test_change(matrix, persona, key):
    """Edit page and API PATCH: allowed, 403 (visible) or 404 (invisible); a refusal changes nothing."""
    obj = matrix.objects[key]
    name = obj._meta.model_name
    client = matrix.clients[persona]
    visible, permitted = allowed(persona, key, "view"), allowed(persona, key, "change")
    checks = Checks(persona, key, "change")
    before = snapshot(obj)

    checks.expect(
        "UI edit page", ui_status(client.get(detail_url(obj, "edit"))), want_ui(persona, visible, permitted)
    )
    change = HARMLESS_CHANGE[name]
    response = matrix.api(client, f"{name}_partial_update", pk=obj.pk, data=change)
    checks.expect("API PATCH", response.status_code, want_api(persona, visible, permitted))
    if permitted and response.status_code == 200:
        stored = matrix.fresh(key)
        checks.expect("PATCH stored", {f: getattr(stored, f) for f in change}, change)
    elif not permitted:
        checks.expect("nothing changed after the refused PATCH", snapshot(obj), before)
    checks.done()


@pytest.mark.parametrize(("persona", "key"), list(_cases("delete")))
def test_delete(matrix, persona, key):
    """Delete page: allowed, 403 or 404; a refused API DELETE leaves the record as it was.

    Allowed deletes are not carried out on the shared objects (see test_allowed_deletes_through_the_api)."""
    obj = matrix.objects[key]
    name = obj._meta.model_name
    client = matrix.clients[persona]
    visible, permitted = allowed(persona, key, "view"), allowed(persona, key, "delete")
    checks = Checks(persona, key, "delete")

    checks.expect(
        "UI delete page",
        ui_status(client.get(detail_url(obj, "delete"))),
        want_ui(persona, visible, permitted),
    )
    if not permitted:
        before = snapshot(obj)
        response = matrix.api(client, f"{name}_delete", pk=obj.pk)
        checks.expect("API DELETE", response.status_code, want_api(persona, visible, False))
        checks.expect("the record is still there, unchanged", snapshot(obj), before)
    checks.done()


def _one_cell_of_each_kind(kinds):
    """Per model, the first cell of each kind: anonymous, invisible, visible but neither changeable nor
    deletable, changeable. For entry points that share their lookup with a GET or PATCH checked on
    every cell (a form post, PUT), so that the whole matrix does not pay for them twice."""
    seen = set()
    for key in TABLE:
        name = model_of(key)
        if "change" not in ACTIONS.get(name, DEFAULT_ACTIONS):
            continue
        for persona in PERSONAS:
            if persona == "anonymous":
                kind = "anonymous"
            elif not allowed(persona, key, "view"):
                kind = "invisible"
            elif allowed(persona, key, "change"):
                kind = "changeable"
            elif not allowed(persona, key, "delete"):
                kind = "visible"
            else:
                continue
            if kind in kinds and (name, kind) not in seen:
                seen.add((name, kind))
                reason = KNOWN_ENGINE_DISAGREEMENTS.get((persona, key, "change"))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                yield pytest.param(persona, key, id=f"{key}-{persona}", marks=marks)


@pytest.mark.parametrize(
    ("persona", "key"), list(_one_cell_of_each_kind({"anonymous", "invisible", "changeable", "visible"}))
)
def test_put_answers_as_the_table_says(matrix, persona, key):
    """An empty PUT: 422 (missing fields) once past the permission check, else 403/404/401; never saves."""
    obj = matrix.objects[key]
    visible, permitted = allowed(persona, key, "view"), allowed(persona, key, "change")
    before = snapshot(obj)
    response = matrix.api(matrix.clients[persona], f"{obj._meta.model_name}_update", pk=obj.pk, data={})
    checks = Checks(persona, key, "PUT")
    checks.expect("API PUT {}", response.status_code, want_api(persona, visible, permitted, ok=422))
    checks.expect("nothing changed", snapshot(obj), before)
    checks.done()


@pytest.mark.parametrize(
    ("persona", "key"), list(_one_cell_of_each_kind({"anonymous", "invisible", "visible"}))
)
def test_a_refused_edit_or_delete_form_post_changes_nothing(matrix, persona, key):
    obj = matrix.objects[key]
    client = matrix.clients[persona]
    want = want_ui(persona, allowed(persona, key, "view"), False)
    before = snapshot(obj)
    checks = Checks(persona, key, "UI posts")
    checks.expect("UI edit post", ui_status(client.post(detail_url(obj, "edit"), {})), want)
    checks.expect("UI delete post", ui_status(client.post(detail_url(obj, "delete"))), want)
    checks.expect("the record is unchanged", snapshot(obj), before)
    checks.done()


def _add_cases():
    for name in ADD:
        for persona in PERSONAS:
            yield pytest.param(persona, name, id=f"{name}-{persona}")


@pytest.mark.parametrize(("persona", "name"), list(_add_cases()))
def test_add(matrix, persona, name):
    """The add page and the API create answer as the add table says; an empty create saves nothing."""
    model = next(type(obj) for key, obj in matrix.objects.items() if model_of(key) == name)
    client = matrix.clients[persona]
    offered = may_add(persona, name)
    checks = Checks(persona, name, "add")
    count = model._base_manager.count()

    response = client.get(reverse(f"{model._meta.app_label}:{name}_add"))
    checks.expect("UI add page", ui_status(response), want_ui(persona, True, offered))
    response = matrix.api(client, f"{name}_create", data={})
    checks.expect("API POST {}", response.status_code, want_api(persona, True, offered, ok=422))
    checks.expect("nothing created", model._base_manager.count(), count)
    checks.done()


# --- a token instead of a session -----------------------------------------------------------------
def _token_client(user, scope):
    from cbrnet.accounts.services import api_token_create

    _token, key = api_token_create(user=user, name="matrix", scope=scope)
    return Client(headers={"Authorization": f"Bearer {key}"})


def _first_key_per_model():
    seen = {}
    for key in TABLE:
        name = model_of(key)
        if name in ADD and name not in seen:
            seen[name] = key
    return list(seen.values())


@pytest.mark.parametrize("key", _first_key_per_model())
def test_a_read_token_reads_but_every_write_is_refused_even_for_a_platform_admin(matrix, key):
    obj = matrix.objects[key]
    name = obj._meta.model_name
    client = _token_client(matrix.world.admin, "read")
    # Shared items the administrator may not read (R11) answer 404; the writes are refused all the same.
    assert matrix.api(client, f"{name}_read", pk=obj.pk).status_code == (200 if allowed("admin", key, "view") else 404)
    before, count = snapshot(obj), type(obj)._base_manager.count()
    for operation, data in (
        ("create", {}),
        ("update", {}),
        ("partial_update", HARMLESS_CHANGE[name]),
        ("delete", None),
    ):
        pk = None if operation == "create" else obj.pk
        response = matrix.api(client, f"{name}_{operation}", pk=pk, data=data)
        assert response.status_code == 403, (operation, response.content)
        assert "read-only" in response.json()["detail"]
    assert snapshot(obj) == before and type(obj)._base_manager.count() == count


@pytest.mark.parametrize(
    "key", [key for key in TABLE if "change" in ACTIONS.get(model_of(key), DEFAULT_ACTIONS)]
)
def test_a_write_token_gets_the_same_answers_as_the_session(matrix, key):
    """The focal point of Kazakhstan, through a write-scoped bearer token: read and PATCH as in the table."""
    persona = "nfp_kz"
    obj = matrix.objects[key]
    name = obj._meta.model_name
    client = _token_client(matrix.world.nfp_kz, "write")
    visible, permitted = allowed(persona, key, "view"), allowed(persona, key, "change")
    checks = Checks(persona, key, "token")
    checks.expect(
        "API read", matrix.api(client, f"{name}_read", pk=obj.pk).status_code, want_api(persona, visible)
    )
    before = snapshot(obj)
    response = matrix.api(client, f"{name}_partial_update", pk=obj.pk, data=HARMLESS_CHANGE[name])
    checks.expect("API PATCH", response.status_code, want_api(persona, visible, permitted))
    if not permitted:
        checks.expect("nothing changed", snapshot(obj), before)
    checks.done()


# --- allowed deletes, on throwaway records ----------------------------------------------------------
def _throwaway(matrix, what):
    """A fresh record nothing refers to, and who may delete it by the table's rules."""
    from cbrnet.core.audit import audit_actor
    from cbrnet.projects.models import Project
    from cbrnet.registry import models as r
    from cbrnet.registry.choices import Role

    w = matrix.world
    with audit_actor(None, source="command"):
        if what == "person in KZ, by the KZ focal point":
            return "nfp_kz", r.Person.objects.create(
                given_name="Temp", family_name="Kz", organisation=w.kz_ministry, country=w.kz
            )
        if what == "organisation in UZ, by the CA secretariat":
            return "sec_ca", r.Organisation.objects.create(
                name="Temp UZ lab", kind="laboratory", country=w.uz
            )
        if what == "priority of CA, by the CA secretariat":
            return "sec_ca", r.RegionalPriority.objects.create(region=w.ca, title="Temporary priority")
        if what == "national-team role in TH, by the TH focal point":
            # Not for a persona's person: their access context would change within the test.
            return "nfp_th", r.RoleAssignment.objects.create(
                person=matrix.objects["person:unlisted_th"], role=Role.NATIONAL_TEAM, country=w.th
            )
        if what == "own certification, by the team member":
            profile = r.ExpertProfile.objects.get(person=w.p_team_kz)
            return "team_kz", r.Certification.objects.create(profile=profile, name="Temporary certificate")
        if what == "project of CA and SEA, by the CA secretariat":
            project = Project.objects.create(network=w.coe, code="TMP-1", title="Temporary project")
            project.regions.set([w.ca, w.sea])
            return "sec_ca", project
        if what == "language, by the platform admin":
            return "admin", r.Language.objects.create(code="tt", name="Tatar")
    raise ValueError(what)


@pytest.mark.parametrize(
    "what",
    [
        "person in KZ, by the KZ focal point",
        "organisation in UZ, by the CA secretariat",
        "priority of CA, by the CA secretariat",
        "national-team role in TH, by the TH focal point",
        "own certification, by the team member",
        "project of CA and SEA, by the CA secretariat",
        "language, by the platform admin",
    ],
)
def test_allowed_deletes_through_the_api(matrix, what):
    from cbrnet.core.models import AuditEntry
    from cbrnet.core.testing import audit_entries_for

    persona, obj = _throwaway(matrix, what)
    response = matrix.api(matrix.clients[persona], f"{obj._meta.model_name}_delete", pk=obj.pk)
    assert response.status_code == 204, response.content
    assert not type(obj)._base_manager.filter(pk=obj.pk).exists()
    entry = audit_entries_for(obj, AuditEntry.Action.DELETE).get()
    assert entry.actor_id == getattr(matrix.world, persona).pk and entry.source == "api"


# --- the table covers everything -------------------------------------------------------------------
def test_every_operation_of_the_registry_and_projects_api_is_covered(matrix):
    """A new endpoint (or a new model) without a row in the table fails here."""
    table_models = {model_of(key) for key in TABLE}
    uncovered = []
    for operation, (_method, path) in matrix.operations.items():
        if not path.startswith(MATRIX_API_PREFIXES):
            continue
        if operation in EXTRA_OPERATIONS:
            continue  # checked where EXTRA_OPERATIONS says
        name, _, verb = operation.partition("_")
        if verb not in COVERED_VERBS or name not in table_models or name not in ADD:
            uncovered.append(f"{operation} ({path})")
    assert not uncovered, "operations the permission matrix does not check: " + ", ".join(uncovered)
    # And the other way round: the tests above only call operations that exist.
    assert set(EXTRA_OPERATIONS) <= set(matrix.operations), set(EXTRA_OPERATIONS) - set(matrix.operations)
    for name in ADD:
        for verb in COVERED_VERBS:
            assert f"{name}_{verb}" in matrix.operations, f"{name}_{verb}"


def test_every_registry_and_projects_model_has_rows_and_an_add_row():
    names = {
        model._meta.model_name
        for app in ("registry", "projects")
        for model in apps.get_app_config(app).get_models()
    }
    table_models = {model_of(key) for key in TABLE}
    assert names - table_models == set(), "models without objects in the matrix"
    assert names - set(ADD) == set(), "models without an add row"


def test_the_table_is_well_formed():
    for key, row in TABLE.items():
        assert set(row) == set(PERSONAS), key
        assert row["anonymous"] == "", f"{key}: anonymous visitors see no registry record"
        for persona, cell in row.items():
            assert set(cell) <= set("VCD"), (key, persona)
            assert not cell or "V" in cell, (
                f"{key}/{persona}: an action on an invisible record cannot be checked"
            )
    for (persona, key, action), reason in KNOWN_ENGINE_DISAGREEMENTS.items():
        assert persona in PERSONAS and key in TABLE and action in DEFAULT_ACTIONS and reason


def test_every_table_key_is_a_distinct_object_whose_list_link_and_export_row_are_unique(matrix):
    """Otherwise "the list contains / omits it" could be answered by another row."""
    assert set(matrix.objects) == set(TABLE)
    seen = set()
    for key, obj in matrix.objects.items():
        assert (type(obj), obj.pk) not in seen, key
        seen.add((type(obj), obj.pk))
        others = [other for other in type(obj)._base_manager.all() if other.pk != obj.pk]
        assert link(obj) not in {link(other) for other in others}, f"{key}: another row has the same link"
        if "export" in ACTIONS.get(model_of(key), DEFAULT_ACTIONS):
            assert export_key(obj) not in [export_key(other) for other in others], (
                f"{key}: export row not unique"
            )
