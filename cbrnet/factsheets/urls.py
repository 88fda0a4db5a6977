from django.urls import path

from cbrnet.factsheets import views

app_name = "factsheets"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("regions/<int:pk>/", views.region_factsheet_view, name="region_factsheet"),
    path("regions/<int:pk>/fact-sheet.pdf", views.region_factsheet_pdf_view, name="region_factsheet_pdf"),
    path("countries/<int:pk>/", views.country_factsheet_view, name="country_factsheet"),
    path("countries/<int:pk>/fact-sheet.pdf", views.country_factsheet_pdf_view, name="country_factsheet_pdf"),
    *views.achievement.urls("achievements", "achievement"),
]
