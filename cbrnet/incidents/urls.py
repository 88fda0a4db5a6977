from django.urls import path

from cbrnet.incidents import views

app_name = "incidents"

urlpatterns = [
    *views.incident.urls("incidents", "incident"),
    path("incidents/<int:pk>/live/", views.incident_live_view, name="incident_live"),
    path("incidents/<int:pk>/publish/", views.incident_publish_view, name="incident_publish"),
    path("incidents/<int:pk>/withdraw/", views.incident_withdraw_view, name="incident_withdraw"),
    path("incidents/<int:pk>/tlp/", views.incident_change_tlp_view, name="incident_change_tlp"),
    path("incidents/<int:pk>/grants/", views.incident_grant_add_view, name="incident_grant_add"),
    path(
        "incidents/<int:pk>/grants/<int:grant_pk>/remove/",
        views.incident_grant_remove_view,
        name="incident_grant_remove",
    ),
    path("incidents/<int:pk>/phase/", views.incident_phase_view, name="incident_phase"),
    path("incidents/<int:pk>/close/", views.incident_close_view, name="incident_close"),
    path("incidents/<int:pk>/details/", views.incident_details_share_view, name="incident_details_share"),
    path("incidents/<int:pk>/cap.xml", views.incident_cap_view, name="incident_cap"),
    *views.assistance_request.urls("requests", "assistancerequest"),
    path(
        "requests/<int:pk>/versions/",
        views.assistancerequest_versions_view,
        name="assistancerequest_versions",
    ),
    path("requests/<int:pk>/match/", views.assistancerequest_match_view, name="assistancerequest_match"),
    *views.offer.urls("offers", "offer"),
    path("offers/<int:pk>/decide/", views.offer_decide_view, name="offer_decide"),
    path("offers/<int:pk>/withdraw/", views.offer_withdraw_view, name="offer_withdraw"),
    path("deployments/", views.deployment_list_view, name="deployment_list"),
    path("deployments/<int:pk>/", views.deployment_detail_view, name="deployment_detail"),
    path("deployments/<int:pk>/advance/", views.deployment_advance_view, name="deployment_advance"),
    *views.sitrep.urls("sitreps", "sitrep"),
    path("sitreps/<int:pk>/publish/", views.sitrep_publish_view, name="sitrep_publish"),
    path("sitreps/<int:pk>/withdraw/", views.sitrep_withdraw_view, name="sitrep_withdraw"),
    *views.capability.urls("capabilities", "capability"),
    path("", views.incident.list, name="home"),
]
