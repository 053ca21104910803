"""Content Security Policy facts: which middleware sends a policy (Django 6's own or
django-csp's, subclasses included), which django-csp is installed, and how the probe's stand-in
view reads the request's nonce the way a template does, so that the simulated response carries
the nonce exactly when a real page would."""

import contextlib

DJANGO_MIDDLEWARE = "django.middleware.csp.ContentSecurityPolicyMiddleware"
DJANGO_CSP_MIDDLEWARE = "csp.middleware.CSPMiddleware"
KINDS = (("django", DJANGO_MIDDLEWARE), ("django_csp", DJANGO_CSP_MIDDLEWARE))
# django-csp 4's settings (CONTENT_SECURITY_POLICY...) and version 3's (CSP_...).
DJANGO_CSP_SETTING_PREFIXES = ("CONTENT_SECURITY_POLICY", "CSP_")


def django_csp_version():
    """The installed django-csp's version, or None when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version("django-csp")
    except metadata.PackageNotFoundError:
        return None


def middleware_kind(path):
    """'django' or 'django_csp' when the MIDDLEWARE entry is (a subclass of) that middleware,
    recognised by the names in its class hierarchy: nothing new is imported (the app's WSGI
    handler imports the entries anyway)."""
    from django.utils.module_loading import import_string

    try:
        factory = import_string(path)
    except Exception:  # noqa: BLE001 - Django's own checks report a broken entry
        return None
    names = {
        f"{klass.__module__}.{klass.__qualname__}"
        for klass in getattr(factory, "__mro__", ())
    }
    for kind, base in KINDS:
        if base in names:
            return kind
    return None


def middleware(settings):
    """The MIDDLEWARE entries that send a policy, with their kind."""
    found = []
    for path in getattr(settings, "MIDDLEWARE", None) or ():
        kind = middleware_kind(path) if isinstance(path, str) else None
        if kind is not None:
            found.append({"path": path, "kind": kind})
    return found


def facts(settings):
    """The CSP middleware, and django-csp's version when the app uses django-csp (its
    middleware or settings): looking it up costs a scan of the installed packages."""
    found = middleware(settings)
    uses_django_csp = any(item["kind"] == "django_csp" for item in found) or any(
        name.startswith(DJANGO_CSP_SETTING_PREFIXES) for name in dir(settings)
    )
    return {
        "django_csp_version": django_csp_version() if uses_django_csp else None,
        "middleware": found,
    }


def read_nonce(request):
    """What `{{ csp_nonce }}` (Django 6's context processor) or `{{ request.csp_nonce }}`
    (django-csp) does in a template: turn the lazy nonce into text, which creates it."""
    with contextlib.suppress(Exception):
        from django.middleware.csp import get_nonce

        nonce = get_nonce(request)
        if nonce is not None:
            str(nonce)
    nonce = getattr(request, "csp_nonce", None)
    if nonce is not None:
        with contextlib.suppress(Exception):
            str(nonce)
