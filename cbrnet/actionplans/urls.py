from django.urls import path

from cbrnet.actionplans import views

app_name = "actionplans"

urlpatterns = [
    path("methodology/", views.methodology_view, name="methodology"),
    *views.objective.urls("objectives", "objective"),
    *views.action.urls("actions", "action"),
    path("actions/<int:pk>/projects/", views.action_link_view, name="action_link_project"),
    path(
        "actions/<int:pk>/projects/<int:project_pk>/unlink/",
        views.action_unlink_view,
        name="action_unlink_project",
    ),
    *views.indicator.urls("indicators", "indicator"),
    *views.progress_report.urls("progress-reports", "progressreport"),
    path("progress-reports/<int:pk>/evidence/", views.evidence_download_view, name="progressreport_evidence"),
    path("<int:pk>/timeline/", views.plan_timeline_view, name="actionplan_timeline"),
    path("<int:pk>/draft-from-gaps/", views.plan_draft_view, name="actionplan_draft"),
    *[
        path(f"<int:pk>/{step}/", views.plan_step_view, {"step": step}, name=f"actionplan_{step}")
        for step in ("submit", "approve", "adopt", "return")
    ],
    *views.actionplan.urls("", "actionplan"),
]
