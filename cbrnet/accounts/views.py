"""Sign-in (with throttling, lockout and TOTP), sign-out, two-factor enrolment, and API tokens."""

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login

from cbrnet.accounts import services
from cbrnet.accounts.forms import ApiTokenForm, LoginForm, OtpForm
from cbrnet.accounts.middleware import requires_two_factor, two_factor_url
from cbrnet.accounts.models import ApiToken
from cbrnet.core import audit


def _next_url(request, default="core:home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(default)


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_attempt(request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user)
            audit.set_actor(user)
            if user_has_device(user, confirmed=True) or requires_two_factor(user):
                return redirect(two_factor_url(_next_url(request)))
            return HttpResponseRedirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")},
                  status=400 if form.errors else 200)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("accounts:login")


@login_required
def two_factor_view(request):
    """Verify a TOTP code; users without a device enrol one here first (shown as a QR code)."""
    user = request.user
    if user.is_verified():
        return HttpResponseRedirect(_next_url(request))
    enrolled = user_has_device(user, confirmed=True)
    form = OtpForm(request.POST or None)
    device = None
    if not enrolled:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or services.totp_device_create(user=user)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        if not enrolled:
            if services.totp_device_confirm(user=user, token=token):
                device.refresh_from_db()
                otp_login(request, device)
                messages.success(request, _("Two-factor authentication is on for your account."))
                return HttpResponseRedirect(_next_url(request))
        else:
            for candidate in devices_for_user(user, confirmed=True):
                if candidate.verify_token(token):
                    otp_login(request, candidate)
                    return HttpResponseRedirect(_next_url(request))
        form.add_error("token", _("That code is not valid. Check your device's clock and try the current code."))
    context = {"form": form, "enrolled": enrolled, "next": _next_url(request)}
    if device is not None:
        context["secret_uri"] = device.config_url
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=False)
        context["secret"] = _base32(device)
    return render(request, "accounts/two_factor.html", context, status=400 if form.errors else 200)


def _base32(device) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode()


@login_required
def account_view(request):
    """The user's own account page: roles, two-factor status and personal API tokens."""
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(user=request.user, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = ApiTokenForm()
    from cbrnet.access import user_context

    context = {
        "form": form,
        "new_key": new_key,
        "tokens": request.user.api_tokens.all(),
        "two_factor": user_has_device(request.user, confirmed=True),
        "access": user_context(request.user),
    }
    return render(request, "accounts/account.html", context)


@login_required
@require_POST
def token_revoke_view(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("accounts:account")
