from django.urls import path

from cbrnet.exchange import views

app_name = "exchange"

urlpatterns = [
    *views.bulletin.urls("bulletins", "bulletin"),
    path("bulletins/<int:pk>/publish/", views.bulletin_publish_view, name="bulletin_publish"),
    path("bulletins/<int:pk>/withdraw/", views.bulletin_withdraw_view, name="bulletin_withdraw"),
    path("bulletins/<int:pk>/tlp/", views.bulletin_change_tlp_view, name="bulletin_change_tlp"),
    path("bulletins/<int:pk>/grants/", views.bulletin_grant_add_view, name="bulletin_grant_add"),
    path(
        "bulletins/<int:pk>/grants/<int:grant_pk>/remove/",
        views.bulletin_grant_remove_view,
        name="bulletin_grant_remove",
    ),
    path("bulletins/<int:pk>/updates/", views.bulletin_update_add_view, name="bulletinupdate_add"),
    path("bulletins/<int:pk>/attachment/", views.bulletin_download_view, name="bulletin_download"),
    path("bulletins/<int:pk>/break-glass/", views.bulletin_break_glass_view, name="bulletin_break_glass"),
    path("updates/<int:pk>/withdraw/", views.bulletinupdate_withdraw_view, name="bulletinupdate_withdraw"),
    path(
        "approvals/<int:pk>/approve/",
        views.approval_decide_view,
        {"decision": "approve"},
        name="approval_approve",
    ),
    path(
        "approvals/<int:pk>/reject/",
        views.approval_decide_view,
        {"decision": "reject"},
        name="approval_reject",
    ),
]
