"""Content Security Policy facts: which middleware sends a policy (Django 6's own or
django-csp's, subclasses included), which django-csp is installed, and how the probe's stand-in
view reads the request's nonce the way a template does, so that the simulated response carries
the nonce exactly when a real page would."""

import contextlib

DJANGO_MIDDLEWARE = "django.middleware.csp.ContentSecurityPolicyMiddleware"
DJANGO_CSP_MIDDLEWARE = "csp.middleware.CSPMiddleware"
KINDS = (("django", DJANGO_MIDDLEWARE), ("django_csp", DJANGO_CSP_MIDDLEWARE))


def django_csp_version():
    """The installed django-csp's version, or None when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version("django-csp")
    except metadata.PackageNotFoundError:
        return None


def middleware_kind(path, bases):
    """'django' or 'django_csp' when the MIDDLEWARE entry is (a subclass of) that middleware."""
    from django.utils.module_loading import import_string

    try:
        factory = import_string(path)
    except Exception:  # noqa: BLE001 - Django's own checks report a broken entry
        return None
    for kind, base in bases:
        if isinstance(factory, type) and issubclass(factory, base):
            return kind
    return None


def importable_bases():
    """The CSP middleware classes this environment has (Django 6's, django-csp's)."""
    from django.utils.module_loading import import_string

    bases = []
    for kind, path in KINDS:
        with contextlib.suppress(Exception):
            bases.append((kind, import_string(path)))
    return bases


def middleware(settings):
    """The MIDDLEWARE entries that send a policy, with their kind."""
    bases = importable_bases()
    found = []
    for path in getattr(settings, "MIDDLEWARE", None) or ():
        kind = middleware_kind(path, bases) if isinstance(path, str) else None
        if kind is not None:
            found.append({"path": path, "kind": kind})
    return found


def facts(settings):
    return {
        "django_csp_version": django_csp_version(),
        "middleware": middleware(settings),
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
