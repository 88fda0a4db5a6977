from django.contrib.auth.decorators import login_required
from django.urls import path

from cbrnet.registry import views

app_name = "registry"

urlpatterns = [
    *views.network.urls("networks", "network"),
    *views.region.urls("regions", "region"),
    *views.country.urls("countries", "country"),
    path("countries/<int:pk>/appoint-focal-point/", login_required(views.focal_point_appoint_view),
         name="focal_point_appoint"),
    *views.membership.urls("memberships", "membership"),
    *views.secretariat.urls("secretariats", "secretariat"),
    *views.thematic_area.urls("thematic-areas", "thematicarea"),
    *views.regional_priority.urls("priorities", "regionalpriority"),
    *views.language.urls("languages", "language"),
    *views.organisation.urls("organisations", "organisation"),
    *views.person.urls("people", "person"),
    *views.role_assignment.urls("roles", "roleassignment"),
    *views.expert.urls("experts", "expertprofile"),
    *views.expertise.urls("expertise", "expertise"),
    *views.certification.urls("certifications", "certification"),
    *views.availability.urls("availability", "availability"),
]
