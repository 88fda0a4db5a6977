from django.urls import path

from cbrnet.projects import views

app_name = "projects"

urlpatterns = [
    path("pipeline/", views.pipeline_view, name="project_pipeline"),
    path("uncovered-priorities/", views.uncovered_view, name="project_uncovered"),
    path("ideas/new/", views.project_idea_view, name="project_idea"),
    path("training-totals/", views.training_totals_view, name="training_totals"),
    path("certificates/<str:code>/", views.certificate_verify_view, name="certificate_verify"),
    *views.activity.urls("activities", "activity"),
    *views.participation.urls("participants", "participation"),
    path("people/<int:pk>/training/", views.training_record_view, name="training_record"),
    path("participants/<int:pk>/certificate/", views.certificate_issue_view, name="participation_certificate_issue"),
    path("participants/<int:pk>/certificate.pdf", views.certificate_download_view, name="participation_certificate"),
    path("<int:pk>/advance/", views.project_advance_view, name="project_advance"),
    *views.project.urls("", "project"),
]
