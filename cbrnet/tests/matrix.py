"""The expectation table of the permission matrix (read by test_permission_matrix.py).

Written out by hand from the rules of docs/access-control.md (part 1, and for bulletins R2–R4 of
part 2) and the `access_policy` declarations, for the personas of `cbrnet.core.testing.build_world()`
and the objects that `test_permission_matrix.matrix_world` adds. Never computed with cbrnet.access:
when the engine answers differently, the engine or the document is wrong, not this table.

Each cell says what one persona may do with one object:

    V  view (detail page, API read, list pages, search) and export (CSV from the list page and the API);
       docs: "export follows view for every registry model" (bulletins: except TLP:RED, none here)
    C  change (edit page, API PATCH/PUT)
    D  delete (delete page, API DELETE)
    -  nothing: the object is invisible (404; anonymous: sign-in page / 401)

A visible object whose C or D is missing answers 403 for that action. Anonymous visitors are sent to
the sign-in page (UI) and get 401 (API) whatever the cell says, so their column is always "-".

Personas: the columns below, in this order. The add table says who is offered "add" per model
(docs: "add is offered to the roles that can change at least one record of that kind").

Readings of the document worth knowing (write them down when you add a row that depends on one):

- Region: "platform_admin; secretariat of that region (change)". The secretariat changes its region
  but does not delete it (Country, Membership… carry no such restriction).
- RoleAssignment: a role is "in" a country or region by its own `country` / `region` (what it was
  appointed for). Organisation-scoped roles (viewer, author, editor, partner_staff, org_admin) and
  expert/platform_admin roles have neither, so only platform_admin changes them. Both tables of the
  document agree on this reading: the per-role table gives focal points "national-team roles" only.
- Records about a person (ExpertProfile, Expertise, Certification, Availability) are all
  "sub-records": the person adds, changes and deletes their own; the Person row itself they only change.
"""

PERSONAS = (
    "anonymous",
    "outsider",
    "nfp_kz",
    "nfp_uz",
    "team_kz",
    "sec_ca",
    "nfp_ph",
    "nfp_th",
    "viewer_my",
    "jrc_user",
    "admin",
)

# Which actions each model offers through its own pages and endpoints. Jobs are checked for view only:
# they have no edit or delete page, and their commit is a service of the import machinery. So are
# notifications and outbox e-mails: marking read and sending again are checked in cbrnet/notifications/tests.
ACTIONS = {
    "job": ("view",), "notification": ("view",), "outboxmessage": ("view",),
    # Assessments and action plans: read and export here; their workflow steps in their services' tests.
    "assessment": ("view", "export"), "actionplan": ("view", "export"),
}
DEFAULT_ACTIONS = ("view", "export", "change", "delete")


def _row(*cells: str) -> dict[str, str]:
    if len(cells) != len(PERSONAS):
        raise ValueError(f"a row needs {len(PERSONAS)} cells, got {len(cells)}")
    return {persona: ("" if cell == "-" else cell) for persona, cell in zip(PERSONAS, cells, strict=True)}


# fmt: off
# Object keys are "<model_name>:<name>"; the objects are built in test_permission_matrix.matrix_world.
#                                      anon  outsider nfp_kz nfp_uz team_kz sec_ca nfp_ph nfp_th viewer_my jrc_user admin
TABLE = {
    # Reference data: every signed-in user reads it (ScopedPolicy public_read).
    "network:coe":                 _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "VCD"),
    # Region: the secretariat of that region changes it (and only changes it).
    "region:ca":                   _row("-", "V",   "V",   "V",   "V",   "VC",  "V",   "V",   "V",   "V",   "VCD"),
    "region:sea":                  _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "VCD"),
    # Country: the secretariat whose region includes it; focal points do not manage countries.
    "country:kz":                  _row("-", "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "V",   "V",   "VCD"),
    "country:th":                  _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "VCD"),
    # Membership: the secretariat of the region or of the country.
    "membership:kz_ca":            _row("-", "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "V",   "V",   "VCD"),
    "membership:ph_sea":           _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "VCD"),
    # Secretariat and RegionalPriority: the secretariat of that region.
    "secretariat:ca":              _row("-", "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "V",   "V",   "VCD"),
    "secretariat:sea":             _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "VCD"),
    "regionalpriority:ca":         _row("-", "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "V",   "V",   "VCD"),
    "regionalpriority:sea":        _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "VCD"),
    # ThematicArea, Language: platform_admin only.
    "thematicarea:border":         _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "VCD"),
    "language:kk":                 _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "VCD"),
    # Organisation: secretariat (its countries: KZ, UZ), focal point (own country), org_admin (none here).
    "organisation:kz_ministry":    _row("-", "V",   "VCD", "V",   "V",   "VCD", "V",   "V",   "V",   "V",   "VCD"),
    "organisation:ca_sec":         _row("-", "V",   "V",   "VCD", "V",   "VCD", "V",   "V",   "V",   "V",   "VCD"),  # in UZ
    "organisation:ph_fp":          _row("-", "V",   "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "V",   "VCD"),
    "organisation:international":  _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "VCD"),  # no country
    # Person: listed people; people of the countries one manages or serves as national team; people of
    # one's organisation; oneself. Change: managers and oneself; delete: managers only.
    "person:hidden_kz":            _row("-", "-",   "VCD", "-",   "V",   "VCD", "-",   "-",   "-",   "-",   "VCD"),  # unlisted, KZ ministry
    "person:team_kz":              _row("-", "-",   "VCD", "-",   "VC",  "VCD", "-",   "-",   "-",   "-",   "VCD"),  # team_kz themself
    "person:listed_uz":            _row("-", "V",   "V",   "VCD", "V",   "VCD", "V",   "V",   "V",   "V",   "VCD"),
    "person:unlisted_th":          _row("-", "-",   "-",   "-",   "-",   "-",   "-",   "VCD", "-",   "-",   "VCD"),
    "person:expert_th":            _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "VCD"),  # listed
    "person:viewer_my":            _row("-", "-",   "-",   "-",   "-",   "-",   "-",   "-",   "VC",  "-",   "VCD"),  # viewer_my themself
    "person:jrc":                  _row("-", "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-",   "VC",  "VCD"),  # jrc_user themself; admin's org
    # RoleAssignment: visible with the person; written by platform_admin, the secretariat (roles for its
    # region or its countries) and the focal point (roles for its country, not focal_point/secretariat/admin).
    "roleassignment:fp_kz":        _row("-", "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "V",   "V",   "VCD"),
    "roleassignment:team_kz":      _row("-", "-",   "VCD", "-",   "V",   "VCD", "-",   "-",   "-",   "-",   "VCD"),
    "roleassignment:sec_ca":       _row("-", "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "V",   "V",   "VCD"),
    "roleassignment:fp_th":        _row("-", "-",   "-",   "-",   "-",   "-",   "-",   "V",   "-",   "-",   "VCD"),
    "roleassignment:viewer_my":    _row("-", "-",   "-",   "-",   "-",   "-",   "-",   "-",   "V",   "-",   "VCD"),
    "roleassignment:admin":        _row("-", "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-",   "V",   "VCD"),  # JRC colleague sees it
    "roleassignment:partner_jrc":  _row("-", "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-",   "V",   "VCD"),
    "roleassignment:team_th":      _row("-", "-",   "-",   "-",   "-",   "-",   "-",   "VCD", "-",   "-",   "VCD"),
    "roleassignment:editor_th":    _row("-", "-",   "-",   "-",   "-",   "-",   "-",   "V",   "-",   "-",   "VCD"),
    "roleassignment:org_admin_kz": _row("-", "-",   "V",   "-",   "V",   "V",   "-",   "-",   "-",   "-",   "VCD"),
    "roleassignment:expert_th":    _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "VCD"),
    "roleassignment:author_uz":    _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "VCD"),
    # Expert records follow the person (team_kz: unlisted KZ; expert_th: listed TH); the person manages
    # their own, sub-records included.
    "expertprofile:kz":            _row("-", "-",   "VCD", "-",   "VCD", "VCD", "-",   "-",   "-",   "-",   "VCD"),
    "expertprofile:th":            _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "VCD"),
    "expertise:kz":                _row("-", "-",   "VCD", "-",   "VCD", "VCD", "-",   "-",   "-",   "-",   "VCD"),
    "expertise:th":                _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "VCD"),
    "certification:kz":            _row("-", "-",   "VCD", "-",   "VCD", "VCD", "-",   "-",   "-",   "-",   "VCD"),
    "certification:th":            _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "VCD"),
    "availability:kz":             _row("-", "-",   "VCD", "-",   "VCD", "VCD", "-",   "-",   "-",   "-",   "VCD"),
    "availability:th":             _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "VCD"),
    # Project: every signed-in user reads; the secretariat of one of its regions writes.
    "project:ca":                  _row("-", "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "V",   "V",   "VCD"),
    "project:sea":                 _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "VCD"),
    "project:ca_sea":              _row("-", "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "V",   "V",   "VCD"),  # both regions
    # Activities (built by cbrnet/projects/tests/matrix_objects.py): public like their project; the
    # secretariat of the project's regions writes (and the lead implementer's org_admin: no persona here).
    "activity:ca":                 _row("-", "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "V",   "V",   "VCD"),
    "activity:sea":                _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "VCD"),
    # Participations carry personal data (ParticipantPolicy): the person themself, the focal point and
    # national team of the country recorded on the participation, the secretariat of that country's
    # region, and whoever may change the activity (who also writes). kz_at_ca: an unlisted KZ person at
    # the CA activity; th_at_ca: a TH person at the CA activity (the CA secretariat manages the activity);
    # uz_at_sea: a UZ person at the SEA activity (sec_ca reads it for UZ, does not manage the activity);
    # self_my: viewer_my's own participation.
    "participation:kz_at_ca":      _row("-", "-",   "V",   "-",   "V",   "VCD", "-",   "-",   "-",   "-",   "VCD"),
    "participation:th_at_ca":      _row("-", "-",   "-",   "-",   "-",   "VCD", "-",   "V",   "-",   "-",   "VCD"),
    "participation:uz_at_sea":     _row("-", "-",   "-",   "V",   "-",   "V",   "-",   "-",   "-",   "-",   "VCD"),
    "participation:self_my":       _row("-", "-",   "-",   "-",   "-",   "-",   "-",   "-",   "V",   "-",   "VCD"),
    # Job (OwnerPolicy): its owner only, not even platform_admin.
    "job:export_nfp_kz":           _row("-", "-",   "V",   "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-"),
    # Bulletins, generic HTTP behaviour only (the sharing rules have their own table in
    # docs/access-control.md part 3). Draft: author and owner editors (R2). GREEN published in ASEAN,
    # no grants: organisations of the network (R4). CLEAR published: every signed-in user (R3; no
    # public portal). Published items are withdrawn, never deleted.
    "bulletin:draft_ph":           _row("-", "-",   "-",   "-",   "-",   "-",   "VCD", "-",   "-",   "-",   "-"),
    "bulletin:green_ph":           _row("-", "-",   "-",   "-",   "-",   "-",   "VC",  "V",   "V",   "-",   "-"),
    "bulletin:clear_kz":           _row("-", "V",   "VC",  "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V"),
    # Surveillance triage (built by test_permission_matrix._populate_triage). Signals follow their
    # dataset (SharedParentPolicy): signal:kz is in a KZ dataset of nfp_kz (owner: KZ focal point
    # office), TLP:AMBER, published and shared with the UZ focal point office. Its author triages it
    # (C); UZ reads it; nobody deletes a signal (it is discarded with a reason: 403 with the reason).
    # Alerts are shared items: alert:draft_kz is a draft of nfp_kz (R2); alert:amber_kz was raised by
    # nfp_kz to the human-health authority of KZ (the KZ ministry: team_kz reads it). A published
    # alert is neither changed (only drafts are: 403 with the reason) nor deleted (it is withdrawn).
    "signal:kz":                   _row("-", "-",   "VC",  "V",   "-",   "-",   "-",   "-",   "-",   "-",   "-"),
    "alert:draft_kz":              _row("-", "-",   "VCD", "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-"),
    "alert:amber_kz":              _row("-", "-",   "V",   "-",   "V",   "-",   "-",   "-",   "-",   "-",   "-"),
    # Surveillance data (built by cbrnet/surveillance/tests/data_matrix_objects.py). Diseases: reference
    # data of the platform (platform_admin writes). Sector authorities: read by every signed-in user,
    # kept by the focal point of the country and the secretariat of its region. Datasets are shared
    # items (R2-R5): clear_uz published by nfp_uz (CLEAR: everyone signed in, admin included);
    # draft_kz a draft of nfp_kz; amber_kz published by nfp_kz, shared with the CA secretariat. Published
    # items are withdrawn, not deleted. Series follow their dataset (SharedParentPolicy): read with it;
    # added, changed and deleted by whoever may change it.
    "disease:anthrax":             _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "VCD"),
    "sectorauthority:kz":          _row("-", "V",   "VCD", "V",   "V",   "VCD", "V",   "V",   "V",   "V",   "VCD"),
    "sectorauthority:th":          _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "VCD", "V",   "V",   "VCD"),
    "dataset:clear_uz":            _row("-", "V",   "V",   "VC",  "V",   "V",   "V",   "V",   "V",   "V",   "V"),
    "dataset:draft_kz":            _row("-", "-",   "VCD", "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-"),
    "dataset:amber_kz":            _row("-", "-",   "VC",  "-",   "-",   "V",   "-",   "-",   "-",   "-",   "-"),
    "series:clear_uz":             _row("-", "V",   "V",   "VCD", "V",   "V",   "V",   "V",   "V",   "V",   "V"),
    "series:amber_kz":             _row("-", "-",   "VCD", "-",   "-",   "V",   "-",   "-",   "-",   "-",   "-"),
    # Meetings (NetworkPolicy; built by cbrnet/meetings/tests/matrix_objects.py): read by users whose
    # organisation is in the meeting's network, by its participants and chair, by the secretariat of its
    # region; written by that secretariat and platform_admin. meeting:ca has the JRC partner (no network)
    # as a participant; the ASEAN meeting's region has no secretariat among the personas. Records of a
    # meeting follow it; an action item is also read by its owner (actionitem:sea_jrc: the JRC partner).
    "meeting:ca":                  _row("-", "-",   "V",   "V",   "V",   "VCD", "V",   "V",   "-",   "V",   "VCD"),
    "meeting:sea":                 _row("-", "-",   "V",   "V",   "V",   "V",   "V",   "V",   "-",   "-",   "VCD"),
    "meeting:asean":               _row("-", "-",   "-",   "-",   "-",   "-",   "V",   "V",   "V",   "-",   "VCD"),
    "participant:ca_jrc":          _row("-", "-",   "V",   "V",   "V",   "VCD", "V",   "V",   "-",   "V",   "VCD"),
    "agendaitem:ca":               _row("-", "-",   "V",   "V",   "V",   "VCD", "V",   "V",   "-",   "V",   "VCD"),
    "presentation:ca":             _row("-", "-",   "V",   "V",   "V",   "VCD", "V",   "V",   "-",   "V",   "VCD"),
    "decision:ca":                 _row("-", "-",   "V",   "V",   "V",   "VCD", "V",   "V",   "-",   "V",   "VCD"),
    "actionitem:ca_uz":            _row("-", "-",   "V",   "V",   "V",   "VCD", "V",   "V",   "-",   "V",   "VCD"),
    "actionitem:sea_jrc":          _row("-", "-",   "V",   "V",   "V",   "V",   "V",   "V",   "-",   "V",   "VCD"),
    # Notifications (UserRecordPolicy; built by cbrnet/notifications/tests/matrix_objects.py): their
    # recipient only, not even platform_admin. Outbox e-mails: platform_admin only, not even the recipient.
    "notification:nfp_kz":         _row("-", "-",   "V",   "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-"),
    "outboxmessage:nfp_kz":        _row("-", "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-",   "V"),
    # Incidents and mutual assistance (built by cbrnet/incidents/tests/matrix_objects.py; docs/access-control.md
    # part 4). Capabilities are registry records: every signed-in user reads; the focal point of their
    # country and its secretariat write (capability:jrc has no country: platform_admin only).
    # incident:green_kz is published TLP:GREEN in the CoE network by nfp_kz (R4: the CoE organisations
    # read it; the owner side changes it; a published item is withdrawn, not deleted); incident:draft_kz
    # is nfp_kz's draft (R2). The request follows the green incident and is written by its responders
    # (the owner side and Kazakhstan's focal point and team). offer:uz (Uzbekistan's, waiting) is read
    # by the requesting side (responders and the CA secretariat, who see the details) and the offering
    # side (the UZ focal point; the CA secretariat also serves UZ); written by the UZ focal point.
    # sitrep:kz is a published GREEN sitrep of nfp_kz under the green incident (R10).
    "capability:uz":               _row("-", "V",   "V",   "VCD", "V",   "VCD", "V",   "V",   "V",   "V",   "VCD"),
    "capability:jrc":              _row("-", "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "V",   "VCD"),
    "incident:green_kz":           _row("-", "-",   "VC",  "V",   "V",   "V",   "V",   "V",   "-",   "-",   "-"),
    "incident:draft_kz":           _row("-", "-",   "VCD", "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-"),
    "assistancerequest:kz":        _row("-", "-",   "VCD", "V",   "VCD", "V",   "V",   "V",   "-",   "-",   "-"),
    "offer:uz":                    _row("-", "-",   "V",   "VCD", "V",   "V",   "-",   "-",   "-",   "-",   "-"),
    "sitrep:kz":                   _row("-", "-",   "VC",  "V",   "V",   "V",   "V",   "V",   "-",   "-",   "-"),
    # Needs assessments and National Action Plans (CountryCyclePolicy; built by
    # cbrnet/assessments/tests/matrix_objects.py; view and export only, see ACTIONS): the country's focal
    # point and national team, its region's secretariat and platform_admin read them; once published
    # (an assessment) or approved (a plan), so do users whose organisation is in the network — the CoE
    # here: not viewer_my (MY Ministry of Health: ASEAN only), not jrc_user (no network). Nobody else
    # sees an unpublished assessment of another country: kz_draft is KZ's own, ph_submitted PH's.
    "assessment:kz_draft":         _row("-", "-",   "V",   "-",   "V",   "V",   "-",   "-",   "-",   "-",   "V"),
    "assessment:kz_published":     _row("-", "-",   "V",   "V",   "V",   "V",   "V",   "V",   "-",   "-",   "V"),
    "assessment:ph_submitted":     _row("-", "-",   "-",   "-",   "-",   "-",   "V",   "-",   "-",   "-",   "V"),
    "actionplan:kz_draft":         _row("-", "-",   "V",   "-",   "V",   "V",   "-",   "-",   "-",   "-",   "V"),
    "actionplan:uz_approved":      _row("-", "-",   "V",   "V",   "V",   "V",   "V",   "V",   "-",   "-",   "V"),
}

# Who is offered "add" (add page 200, API create gets past the permission check) per model.
#                                      anon  outsider nfp_kz nfp_uz team_kz sec_ca nfp_ph nfp_th viewer_my jrc_user admin
ADD = {
    "network":                     _row("-", "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-",   "A"),
    "region":                      _row("-", "-",   "-",   "-",   "-",   "A",   "-",   "-",   "-",   "-",   "A"),
    "country":                     _row("-", "-",   "-",   "-",   "-",   "A",   "-",   "-",   "-",   "-",   "A"),
    "membership":                  _row("-", "-",   "-",   "-",   "-",   "A",   "-",   "-",   "-",   "-",   "A"),
    "secretariat":                 _row("-", "-",   "-",   "-",   "-",   "A",   "-",   "-",   "-",   "-",   "A"),
    "thematicarea":                _row("-", "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-",   "A"),
    "regionalpriority":            _row("-", "-",   "-",   "-",   "-",   "A",   "-",   "-",   "-",   "-",   "A"),
    "language":                    _row("-", "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-",   "A"),
    "organisation":                _row("-", "-",   "A",   "A",   "-",   "A",   "A",   "A",   "-",   "-",   "A"),
    "person":                      _row("-", "-",   "A",   "A",   "-",   "A",   "A",   "A",   "-",   "-",   "A"),
    "roleassignment":              _row("-", "-",   "A",   "A",   "-",   "A",   "A",   "A",   "-",   "-",   "A"),
    # Anyone with a person record adds their own expert records; managers add those of their scope.
    "expertprofile":               _row("-", "-",   "A",   "A",   "A",   "A",   "A",   "A",   "A",   "A",   "A"),
    "expertise":                   _row("-", "-",   "A",   "A",   "A",   "A",   "A",   "A",   "A",   "A",   "A"),
    "certification":               _row("-", "-",   "A",   "A",   "A",   "A",   "A",   "A",   "A",   "A",   "A"),
    "availability":                _row("-", "-",   "A",   "A",   "A",   "A",   "A",   "A",   "A",   "A",   "A"),
    "project":                     _row("-", "-",   "-",   "-",   "-",   "A",   "-",   "-",   "-",   "-",   "A"),
    "activity":                    _row("-", "-",   "-",   "-",   "-",   "A",   "-",   "-",   "-",   "-",   "A"),
    "participation":               _row("-", "-",   "-",   "-",   "-",   "A",   "-",   "-",   "-",   "-",   "A"),
    # Surveillance data: diseases by platform_admin; sector authorities by focal points and secretariats
    # (their country / region); datasets and their series by whoever may share (an organisation and a
    # role with a TLP limit, R15: not viewers, experts or platform_admin as such).
    "disease":                     _row("-", "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-",   "-",   "A"),
    "sectorauthority":             _row("-", "-",   "A",   "A",   "-",   "A",   "A",   "A",   "-",   "-",   "A"),
    "dataset":                     _row("-", "-",   "A",   "A",   "A",   "A",   "A",   "A",   "-",   "A",   "-"),
    "series":                      _row("-", "-",   "A",   "A",   "A",   "A",   "A",   "A",   "-",   "A",   "-"),
    # Meetings and their records: the secretariat of a region and platform_admin.
    "meeting":                     _row("-", "-",   "-",   "-",   "-",   "A",   "-",   "-",   "-",   "-",   "A"),
    "participant":                 _row("-", "-",   "-",   "-",   "-",   "A",   "-",   "-",   "-",   "-",   "A"),
    "agendaitem":                  _row("-", "-",   "-",   "-",   "-",   "A",   "-",   "-",   "-",   "-",   "A"),
    "presentation":                _row("-", "-",   "-",   "-",   "-",   "A",   "-",   "-",   "-",   "-",   "A"),
    "decision":                    _row("-", "-",   "-",   "-",   "-",   "A",   "-",   "-",   "-",   "-",   "A"),
    "actionitem":                  _row("-", "-",   "-",   "-",   "-",   "A",   "-",   "-",   "-",   "-",   "A"),
    # Incidents: capabilities by their managers (ScopedPolicy); incidents and sitreps by whoever may
    # share (R15); requests by focal points, national teams and editors (the service then requires the
    # incident's responders); offers by focal points, editors and org_admins.
    "capability":                  _row("-", "-",   "A",   "A",   "-",   "A",   "A",   "A",   "-",   "-",   "A"),
    "incident":                    _row("-", "-",   "A",   "A",   "A",   "A",   "A",   "A",   "-",   "A",   "-"),
    "assistancerequest":           _row("-", "-",   "A",   "A",   "A",   "A",   "A",   "A",   "-",   "-",   "-"),
    "offer":                       _row("-", "-",   "A",   "A",   "-",   "A",   "A",   "A",   "-",   "-",   "-"),
    "sitrep":                      _row("-", "-",   "A",   "A",   "A",   "A",   "A",   "A",   "-",   "A",   "-"),
}
# fmt: on

# Cases where the engine answers differently from the table and the table follows the document: each
# is marked xfail(strict=True) with its reason until the fix lands (then the strict xfail fails: remove
# the entry). Keys: (persona, object key, action).
KNOWN_ENGINE_DISAGREEMENTS: dict = {}

# Operations under the matrix's API prefixes that are not generic CRUD verbs, and where their
# permissions are checked persona by persona (test_every_operation_of_the_… accepts them).
EXTRA_OPERATIONS = {
    # projects: the pipeline, training totals, certificates
    "project_advance": "cbrnet/projects/tests/test_api.py::test_extra_operations_answer_each_persona",
    "project_raise_idea": "cbrnet/projects/tests/test_api.py::test_extra_operations_answer_each_persona",
    "project_pipeline": "cbrnet/projects/tests/test_api.py::test_extra_operations_answer_each_persona",
    "project_uncovered_priorities": "cbrnet/projects/tests/test_api.py::test_extra_operations_answer_each_persona",
    "training_totals": "cbrnet/projects/tests/test_api.py::test_extra_operations_answer_each_persona",
    "training_totals_export": "cbrnet/projects/tests/test_api.py::test_extra_operations_answer_each_persona",
    "participation_certificate_issue": "cbrnet/projects/tests/test_api.py::test_extra_operations_answer_each_persona",
    "participation_certificate": "cbrnet/projects/tests/test_api.py::test_extra_operations_answer_each_persona",
}


def model_of(key: str) -> str:
    return key.split(":", 1)[0]


def allowed(persona: str, key: str, action: str) -> bool:
    """What the table says (export follows view)."""
    cell = TABLE[key][persona]
    letter = {"view": "V", "export": "V", "change": "C", "delete": "D"}[action]
    return letter in cell


def may_add(persona: str, model_name: str) -> bool:
    return "A" in ADD[model_name][persona]
