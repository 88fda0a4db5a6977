from django.urls import path

from cbrnet.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", views.two_factor_view, name="two_factor"),
    path("me/", views.account_view, name="account"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
]
