from django.urls import path

from cbrnet.core import audit_views, import_views, views

app_name = "core"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("search/", views.search_view, name="search"),
    path("health/", views.health_view, name="health"),
    path("audit/", audit_views.audit_list_view, name="audit_list"),
    path("imports/<str:spec>/", import_views.import_upload_view, name="import_upload"),
    path("imports/<str:spec>/template.<str:file_format>", import_views.import_template_view,
         name="import_template"),
    path("jobs/", import_views.job_list_view, name="job_list"),
    path("jobs/<int:pk>/", import_views.job_detail_view, name="job_detail"),
    path("jobs/<int:pk>/progress/", import_views.job_progress_view, name="job_progress"),
    path("jobs/<int:pk>/commit/", import_views.job_commit_view, name="job_commit"),
    path("jobs/<int:pk>/download/", import_views.job_download_view, name="job_download"),
    path("jobs/<int:pk>/problems.csv", import_views.job_problems_view, name="job_problems"),
    path("exports/", import_views.export_start_view, name="export_start"),
]
