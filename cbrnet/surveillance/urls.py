app_name = "surveillance"

urlpatterns = []
