"""Home dashboard, global search and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from cbrnet import access
from cbrnet.core.search import search
from cbrnet.meetings.selectors import open_action_item_count
from cbrnet.registry import models as registry
from cbrnet.registry import selectors


@login_required
def home_view(request):
    user = request.user
    memberships = access.restrict(registry.Membership.objects.current(), user)
    context = {
        "networks": access.restrict(registry.Network.objects.all(), user),
        "region_count": access.restrict(registry.Region.objects.all(), user).count(),
        "partner_count": memberships.filter(status="partner").values("country_id").distinct().count(),
        "organisation_count": access.restrict(registry.Organisation.objects.all(), user).count(),
        "people_count": access.restrict(registry.Person.objects.all(), user).count(),
        "expert_count": access.restrict(registry.ExpertProfile.objects.all(), user).count(),
        "todo_count": open_action_item_count(user=user),
        **selectors.network_map(user=user),
        "context": access.user_context(user),
    }
    return render(request, "core/home.html", context)


@login_required
def search_view(request):
    text = request.GET.get("q", "")
    return render(request, "core/search.html", {"q": text, "groups": search(user=request.user, text=text)})


def health_view(request):
    """For load balancers: 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
