"""Two-factor enforcement: administrators and National Focal Points must verify a TOTP device."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from cbrnet.access import user_context

TWO_FACTOR_ROLES = frozenset({"platform_admin", "focal_point"})
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")


def requires_two_factor(user) -> bool:
    """Administrators and NFPs when CBRNET_REQUIRE_2FA is on; anyone who enrolled a device, always."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_cbrnet_requires_2fa", None)
    if cached is None:
        from django_otp import user_has_device

        cached = user_has_device(user, confirmed=True) or (
            settings.REQUIRE_2FA and (user.is_superuser or bool(user_context(user).roles & TWO_FACTOR_ROLES))
        )
        user._cbrnet_requires_2fa = cached
    return cached


class TwoFactorEnforcementMiddleware:
    """Send a signed-in user who must use 2FA to set it up or verify it before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and requires_two_factor(user)
            and not user.is_verified()
        ):
            return redirect(reverse("accounts:two_factor") + "?next=" + request.get_full_path())
        return self.get_response(request)
