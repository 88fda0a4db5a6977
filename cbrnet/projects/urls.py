from cbrnet.projects import views

app_name = "projects"

urlpatterns = [*views.project.urls("", "project")]
