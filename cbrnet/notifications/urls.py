from django.urls import path

from cbrnet.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list_view, name="notification_list"),
    path("badge/", views.notification_badge_view, name="notification_badge"),
    path("read-all/", views.notification_mark_all_read_view, name="notification_mark_all_read"),
    path("<int:pk>/", views.notification_detail_view, name="notification_detail"),
    path("<int:pk>/read/", views.notification_mark_read_view, name="notification_mark_read"),
    path("<int:pk>/open/", views.notification_open_view, name="notification_open"),
    path("outbox/", views.outboxmessage_list_view, name="outboxmessage_list"),
    path("outbox/<int:pk>/", views.outboxmessage_detail_view, name="outboxmessage_detail"),
    path("outbox/<int:pk>/retry/", views.outboxmessage_retry_view, name="outboxmessage_retry"),
]
