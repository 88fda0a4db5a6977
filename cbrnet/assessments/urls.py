from cbrnet.assessments.views import assessments, questionnaires, scores

app_name = "assessments"

# Each module lists its own routes next to its views.
urlpatterns = [*questionnaires.urlpatterns, *assessments.urlpatterns, *scores.urlpatterns]
