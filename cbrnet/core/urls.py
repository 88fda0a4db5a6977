from django.urls import path

from cbrnet.core import views

app_name = "core"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("search/", views.search_view, name="search"),
    path("health/", views.health_view, name="health"),
]
