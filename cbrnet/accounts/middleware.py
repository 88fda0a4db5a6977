"""Two-factor enforcement, the client's address behind the reverse proxy, and each user's language."""

import ipaddress
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import check_for_language

from cbrnet.access import user_context
from cbrnet.accounts.services import user_language_set
from cbrnet.core import caching

TWO_FACTOR_ROLES = frozenset({"platform_admin", "focal_point"})
# Only what an unverified user needs to finish (or abandon) signing in. The account page is not
# exempt: it creates API tokens, and a token made before verification would bypass the second factor.
EXEMPT_PATHS = ("/accounts/login/", "/accounts/logout/", "/accounts/two-factor/")
# /api/ answers for itself: SessionAuth refuses an unverified session with 403 (cbrnet.api).
EXEMPT_PREFIXES = ("/static/", "/i18n/", "/api/", "/health/")


DEVICES = "otp-devices"  # version of everyone's devices (cbrnet.core.caching), moved on by any device change
DEVICE_CACHE_SECONDS = 300


def has_confirmed_device(user) -> bool:
    """Whether the user enrolled a confirmed OTP device. Asked on every request, so the answer is
    cached across requests (django-otp asks one table per device kind); any device saved or deleted
    retires every cached answer, after its transaction commits too (`device_changed`)."""
    key = f"otp-has-device:{user.pk}:{caching.version(DEVICES)}"
    answer = cache.get(key)
    if answer is None:
        from django_otp import user_has_device

        answer = user_has_device(user, confirmed=True)
        cache.set(key, answer, DEVICE_CACHE_SECONDS)
    return answer


def device_changed(sender, instance, **kwargs) -> None:
    from django_otp.models import Device

    if isinstance(instance, Device):
        caching.bump(DEVICES)


def connect_device_signals() -> None:
    """Called from AccountsConfig.ready: every kind of device, whichever django-otp plugins are installed."""
    from django_otp import device_classes

    for model in device_classes():
        post_save.connect(device_changed, sender=model, dispatch_uid=f"otp-devices-{model._meta.label}-save")
        post_delete.connect(device_changed, sender=model, dispatch_uid=f"otp-devices-{model._meta.label}-delete")


def requires_two_factor(user) -> bool:
    """Administrators and NFPs when CBRNET_REQUIRE_2FA is on; anyone who enrolled a device, always."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_cbrnet_requires_2fa", None)
    if cached is None:
        cached = has_confirmed_device(user) or (
            settings.REQUIRE_2FA and (user.is_superuser or bool(user_context(user).roles & TWO_FACTOR_ROLES))
        )
        user._cbrnet_requires_2fa = cached
    return cached


def two_factor_url(next_url: str) -> str:
    """The verification page, returning to `next_url` afterwards (quoted: it may hold a query string)."""
    return reverse("accounts:two_factor") + "?" + urlencode({"next": next_url})


class TwoFactorEnforcementMiddleware:
    """Send a signed-in user who must use 2FA to set it up or verify it before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and request.path not in EXEMPT_PATHS
            and not request.path.startswith(EXEMPT_PREFIXES)
            and requires_two_factor(user)
            and not user.is_verified()
        ):
            if request.headers.get("HX-Request") == "true":
                return self.htmx_refusal(request)
            return redirect(two_factor_url(request.get_full_path()))
        return self.get_response(request)

    @staticmethod
    def htmx_refusal(request):
        """An htmx fragment request (the header's notification badge, a partial) must not swap the
        verification page into the page: send the whole browser there instead, and on the
        verification page itself answer 204 (htmx then swaps nothing, and the page does not loop)."""
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        if current.path == reverse("accounts:two_factor"):
            return HttpResponse(status=204)
        back = current.path + (f"?{current.query}" if current.query else "") if current.path else "/"
        response = HttpResponse(status=204)
        response["HX-Redirect"] = two_factor_url(back)
        return response


class ProxyClientAddressMiddleware:
    """Behind the reverse proxy (CBRNET_BEHIND_PROXY), take the client's address from X-Real-IP.

    gunicorn only ever talks to nginx, so REMOTE_ADDR would be 127.0.0.1 for every visitor: the
    per-address sign-in throttle would then lock everybody out at once, and the audit trail would
    record the proxy. nginx overwrites X-Real-IP with the address it saw (deploy/nginx.conf), so
    the header is trusted only when this middleware is installed, i.e. when BEHIND_PROXY is on and
    gunicorn listens on localhost only.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        if forwarded:
            try:
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(forwarded))
            except ValueError:
                pass  # not an address: keep the proxy's, never store client-controlled text
        return self.get_response(request)


class UserLanguageMiddleware:
    """Keep a signed-in user's interface language in User.language and switch it on at each sign-in.

    Django's set_language view remembers the choice in a cookie only, which a new browser or a shared
    training-room computer does not have. Listed last in MIDDLEWARE: the choice is then saved inside the
    request's audit context (AuditContextMiddleware), by the user who made it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The session, not request.user: API token authentication sets request.user on every call.
        session_user_before = request.session.get(SESSION_KEY)
        response = self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            return response
        if request.session.get(SESSION_KEY) not in (None, session_user_before):  # this request signed in
            if user.language in dict(settings.LANGUAGES) and check_for_language(user.language):
                set_language_cookie(response, user.language)
            return response
        chosen = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
        match = request.resolver_match
        # set_language sets the cookie only for a language it accepts. Before the second factor is
        # verified, the session may change nothing stored about the account.
        if (
            chosen is not None
            and match is not None
            and match.view_name == "set_language"
            and (not requires_two_factor(user) or user.is_verified())
        ):
            try:
                user_language_set(user=user, language=chosen.value)
            except ValidationError:
                pass  # not one of LANGUAGES: the cookie alone still applies it in this browser
        return response


def set_language_cookie(response, language: str) -> None:
    """Set the language cookie exactly as django.views.i18n.set_language does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
