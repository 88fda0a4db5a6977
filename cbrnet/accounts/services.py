"""Writes about accounts: sign-in bookkeeping (throttling and lockout), API tokens, 2FA devices."""

import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cbrnet.accounts.models import ApiToken, User

IP_WINDOW_SECONDS = 15 * 60
IP_FAILURE_LIMIT = 30  # many accounts tried from one address


def _ip_key(address: str | None) -> str:
    return f"login-failures:{address or 'unknown'}"


def login_attempt(*, request, username: str, password: str) -> User:
    """Check a password sign-in; count failures, lock the account after too many, throttle addresses.

    Raises ValidationError with a message safe to show (it never says whether the account exists).
    """
    address = request.META.get("REMOTE_ADDR")
    if cache.get(_ip_key(address), 0) >= IP_FAILURE_LIMIT:
        raise ValidationError(_("Too many failed sign-ins from your address. Wait 15 minutes and try again."))
    account = User.objects.filter(username__iexact=username).first()
    if account is not None and account.is_locked():
        raise ValidationError(
            _("This account is locked after repeated failed sign-ins until %(time)s UTC.")
            % {"time": account.locked_until.strftime("%H:%M")}
        )
    user = authenticate(request, username=account.username if account else username, password=password)
    if user is None:
        cache.set(_ip_key(address), cache.get(_ip_key(address), 0) + 1, IP_WINDOW_SECONDS)
        if account is not None:
            _record_failure(account)
        raise ValidationError(_("The username or password is wrong."))
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    return user


def _record_failure(account: User) -> None:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=account.pk)
        failures = locked.failed_logins + 1
        until = None
        if failures >= settings.LOGIN_FAILURE_LIMIT:
            until = timezone.now() + datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            failures = 0
        # A plain update: lockout bookkeeping is not a change of the record worth auditing.
        User.objects.filter(pk=account.pk).update(failed_logins=failures, locked_until=until)


@transaction.atomic
def api_token_create(*, user: User, name: str, scope: str = ApiToken.Scope.READ, days: int | None = None,
                     acting_user: User | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the record and the key, which is shown once and never stored."""
    if acting_user is not None and acting_user != user and not acting_user.is_superuser:
        raise PermissionDenied(_("You may only create tokens for yourself."))
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": _("Use read or write.")})
    days = days or settings.API_TOKEN_DEFAULT_DAYS
    if not 1 <= days <= 366:
        raise ValidationError({"days": _("A token lives between 1 and 366 days.")})
    key = ApiToken.generate_key()
    token = ApiToken(
        user=user, name=name.strip() or "token", prefix=key[:12], key_hash=ApiToken.hash_key(key), scope=scope,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> None:
    """Revoke a token at once (it is kept, marked revoked, so its history stays readable)."""
    if token.user_id != user.pk and not user.is_superuser:
        raise PermissionDenied(_("You may only revoke your own tokens."))
    token.revoked = True
    token.save()


@transaction.atomic
def totp_device_create(*, user: User):
    """Start TOTP enrolment: an unconfirmed device whose secret the user scans as a QR code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: User, token: str) -> bool:
    """Confirm the pending device with a code it generated; False (nothing changes) if the code is wrong."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save()
    return True


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """Remember the interface language `user` chose for themselves; it is switched on at each sign-in."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    if user.language != language:
        user.language = language
        user.full_clean()
        user.save(update_fields=["language"])
    return user
