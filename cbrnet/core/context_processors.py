from django.conf import settings


def site(request):
    """Site name, portal mode, and whether to show the administrators' links (audit log)."""
    from cbrnet.access import user_context

    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "PUBLIC_PORTAL": settings.PUBLIC_PORTAL,
        "is_platform_admin": bool(user is not None and user.is_authenticated and user_context(user).platform_admin),
    }
