from django.urls import path

from cbrnet.meetings import views

app_name = "meetings"

urlpatterns = [
    path("action-items/mine/", views.actionitem_mine_view, name="actionitem_mine"),
    path("action-items/<int:pk>/close/", views.actionitem_close_view, name="actionitem_close"),
    path("action-items/<int:pk>/reopen/", views.actionitem_reopen_view, name="actionitem_reopen"),
    path("presentations/<int:pk>/file/", views.presentation_download_view, name="presentation_download"),
    path("<int:pk>/invite-focal-points/", views.meeting_invite_focal_points_view, name="meeting_invite_focal_points"),
    path("calendar/", views.calendar_month_view, name="calendar_month"),
    path("calendar/upcoming/", views.calendar_upcoming_view, name="calendar_upcoming"),
    path("calendar/feeds/", views.calendar_feeds_view, name="calendar_feeds"),
    # Calendar applications cannot sign in: the secret in the address identifies the user (read-only).
    path("feeds/<str:key>/mine.ics", views.feed_personal_view, name="feed_personal"),
    path("feeds/<str:key>/regions/<int:region_pk>.ics", views.feed_region_view, name="feed_region"),
    *views.meeting.urls("", "meeting"),
    *views.participant.urls("participants", "participant"),
    *views.agenda_item.urls("agenda-items", "agendaitem"),
    *views.presentation.urls("presentations", "presentation"),
    *views.decision.urls("decisions", "decision"),
    *views.action_item.urls("action-items", "actionitem"),
]
