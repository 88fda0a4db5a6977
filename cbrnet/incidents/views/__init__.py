"""Web UI of incidents and mutual assistance. Every view fetches through the access engine
(invisible: 404; visible but not allowed: 403) and calls one service or selector."""

from cbrnet.incidents.views.assistance import (  # noqa: F401 - the names urls.py wires
    assistance_request,
    assistancerequest_match_view,
    assistancerequest_versions_view,
    deployment_advance_view,
    deployment_detail_view,
    deployment_list_view,
    offer,
    offer_decide_view,
    offer_withdraw_view,
)
from cbrnet.incidents.views.capabilities import capability  # noqa: F401
from cbrnet.incidents.views.incidents import (  # noqa: F401
    incident,
    incident_cap_view,
    incident_change_tlp_view,
    incident_close_view,
    incident_details_share_view,
    incident_grant_add_view,
    incident_grant_remove_view,
    incident_live_view,
    incident_phase_view,
    incident_publish_view,
    incident_withdraw_view,
)
from cbrnet.incidents.views.sitreps import sitrep, sitrep_publish_view, sitrep_withdraw_view  # noqa: F401
