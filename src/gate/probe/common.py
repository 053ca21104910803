"""What every probe module needs, with no import of its own from the probe: the settings the
probe may read, and how values and errors become answer text. Kept apart from main.py so that no
probe module imports main (no import cycles; tests/python/test_probe_imports.py checks it)."""

import errno
import math
import os
import stat

# The largest app file the probe reads itself (Procfile, gunicorn.conf.py, settings sources for
# provenance), as the runner's reader (src/read.rs) caps manage.py and the Procfile.
MAX_SOURCE_BYTES = 1024 * 1024

# A bound on the app's text in the answer. The guard shortens it further, for the log, only
# after redaction: a secret cut here would no longer be recognised.
MAX_TEXT_LENGTH = 65536
MAX_REPR_LENGTH = 200

ALLOWED_SETTINGS = (
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_SSL_HOST",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_DOMAIN",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_USE_SESSIONS",
    "CSRF_TRUSTED_ORIGINS",
    "MIDDLEWARE",
    "INSTALLED_APPS",
    "SILENCED_SYSTEM_CHECKS",
    "X_FRAME_OPTIONS",
    "SECURE_BROWSER_XSS_FILTER",
    "LANGUAGE_COOKIE_SECURE",
    "WSGI_APPLICATION",
    # Content Security Policy: Django 6's settings, then django-csp 4's and 3's (directive
    # lists and switches: no secrets).
    "SECURE_CSP",
    "SECURE_CSP_REPORT_ONLY",
    "CONTENT_SECURITY_POLICY",
    "CONTENT_SECURITY_POLICY_REPORT_ONLY",
    "CSP_REPORT_ONLY",
    "CSP_INCLUDE_NONCE_IN",
    *(
        f"CSP_{directive}"
        for directive in (
            "DEFAULT_SRC",
            "SCRIPT_SRC",
            "SCRIPT_SRC_ATTR",
            "SCRIPT_SRC_ELEM",
            "OBJECT_SRC",
            "STYLE_SRC",
            "STYLE_SRC_ATTR",
            "STYLE_SRC_ELEM",
            "IMG_SRC",
            "MEDIA_SRC",
            "FRAME_SRC",
            "FONT_SRC",
            "CONNECT_SRC",
            "MANIFEST_SRC",
            "WORKER_SRC",
            "CHILD_SRC",
            "PREFETCH_SRC",
            "BASE_URI",
            "FORM_ACTION",
            "FRAME_ANCESTORS",
            "NAVIGATE_TO",
            "SANDBOX",
            "PLUGIN_TYPES",
            "REQUIRE_SRI_FOR",
            "REQUIRE_TRUSTED_TYPES_FOR",
            "TRUSTED_TYPES",
            "UPGRADE_INSECURE_REQUESTS",
            "BLOCK_ALL_MIXED_CONTENT",
            "REPORT_URI",
            "REPORT_TO",
        )
    ),
)


def shorten(text, limit):
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


NO_JSON_FORM = object()


def json_form(value):
    """The value as JSON (tuples become arrays), or NO_JSON_FORM when it has no faithful one."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else NO_JSON_FORM
    if isinstance(value, (list, tuple)):
        items = [json_form(item) for item in value]
        return NO_JSON_FORM if NO_JSON_FORM in items else items
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        items = {key: json_form(item) for key, item in value.items()}
        return NO_JSON_FORM if NO_JSON_FORM in items.values() else items
    return NO_JSON_FORM


def describe_value(value):
    form = json_form(value)
    return {
        "type": type(value).__name__,
        "value": None if form is NO_JSON_FORM else form,
        "repr": shorten(repr(value), MAX_REPR_LENGTH),
    }


def error_text(error):
    return shorten(describe_error(error), MAX_TEXT_LENGTH)


# pydantic error types whose message is the app's own text (a custom validator's), which may
# quote the value in any transformed form.
APP_WORDED_PYDANTIC_ERRORS = frozenset({"value_error", "assertion_error"})


def pydantic_message(item):
    kind = item.get("type")
    if kind in APP_WORDED_PYDANTIC_ERRORS or kind not in pydantic_error_types():
        label = str(kind).replace("_", " ").capitalize()
        return f"{label} (the validator's message is not shown: it may quote the value)"
    return item.get("msg")


def pydantic_error_types():
    """pydantic's own error types, whose messages never quote the input."""
    try:
        import typing

        from pydantic_core.core_schema import ErrorType

        return frozenset(typing.get_args(ErrorType))
    except Exception:  # noqa: BLE001 - older pydantic: trust no message
        return frozenset()


def describe_error(error):
    """str(error), except for pydantic's ValidationError, whose text quotes the config vars it
    was given, cut with "..." in the middle: a cut value is no longer recognisable, so its ends
    would leak. Its structured form can leave every input out, and the messages of custom
    validators (the app's words, which may quote the value) are left out too."""
    errors = getattr(error, "errors", None)
    title = getattr(error, "title", None)
    if not (
        type(error).__module__.startswith("pydantic") and callable(errors) and title
    ):
        return str(error)
    try:
        items = errors(include_input=False, include_url=False)
    except TypeError:  # pydantic 1 cannot leave the input out: say only what failed
        return f"validation failed for {title}"
    lines = [
        f"{len(items)} validation error{'s' if len(items) != 1 else ''} for {title}"
    ]
    for item in items:
        lines.append(".".join(str(part) for part in item.get("loc", ())) or title)
        lines.append(f"  {pydantic_message(item)} [type={item.get('type')}]")
    return "\n".join(lines)


def read_bounded(path, cap=MAX_SOURCE_BYTES):
    """The bytes of the regular file at `path` (symlinks followed), like the runner's reader
    (src/read.rs): opened without blocking, so a FIFO cannot hang the probe, and refused unless
    it is a regular file of at most `cap` bytes, so /dev/zero cannot exhaust memory. Raises
    OSError, as open() would."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        chunks = []
        left = cap + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise OSError(errno.EFBIG, f"larger than {cap} bytes", path)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_bounded_text(path, cap=MAX_SOURCE_BYTES):
    """`read_bounded` as UTF-8 text (UnicodeDecodeError when it is not)."""
    return read_bounded(path, cap).decode("utf-8")
