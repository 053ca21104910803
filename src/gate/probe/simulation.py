"""The router's two requests (X-Forwarded-Proto: http, then https), made in-process through the
app's real WSGI application and middleware chain, with the view answered by the probe itself.

Why a stand-in view: what the release gate judges (the HTTPS redirect, HSTS, cookies) is the
middleware's work. The app's URLconf, views and templates often need the database (a Wagtail
catch-all page, a 404 page rendered from templates), which the probe never touches, and they
are slow. Every layer a request enters is traced, so the report can name the middleware that
answered and the one that reached for the database.

A request that reaches for the database or a cache server ends there (isolation.RequestStopped):
the layer that reached is answered with a bare 500 by the probe, and the outer layers process
that response as Django would process its own 500, so SecurityMiddleware still adds HSTS.
Nothing the verdict does not need runs: no 500 handler or template (whose static files may load
a storage backend), no exception middleware, no got_request_exception receivers.
"""

import contextlib
import functools
import io
import logging
import os
import sys
import urllib.parse

from . import csp, isolation
from . import web as web_process

SIMULATION_PATH = "/.well-known/release-guard/"
# A documentation address (RFC 5737) standing in for the browser behind Heroku's router.
CLIENT_ADDRESS = "203.0.113.7"
ROUTER_ADDRESS = "10.0.0.1"
# The header, as `request.META` key and value, that the proxy in front of the app marks HTTPS
# requests with (`META_KEY:value`, from the guard's proxy-ssl-header setting).
PROXY_SSL_HEADER_ENV = "RELEASE_GUARD_PROBE_PROXY_SSL_HEADER"
ROUTER_HTTPS_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
MAX_BODY_BYTES = 1 << 20
STAND_IN_BODY = (
    b"Release Guard's stand-in view: the middleware let this request through.\n"
)
# The innermost layer of Django's chain: view middleware and the view.
VIEW_LAYER = "<view>"
# The headers a Content Security Policy is judged by, and their field in the answer.
CSP_HEADERS = {
    "content-security-policy": "enforced",
    "content-security-policy-report-only": "report_only",
    "x-frame-options": "x_frame_options",
    "reporting-endpoints": "reporting_endpoints",
    "report-to": "report_to",
}
STOPPED_BODY = (
    b"Release Guard stopped this request: it reached for a database or a cache.\n"
)

NOT_RUN = {
    "ran": False,
    "skipped_reason": None,
    "host": None,
    "path": None,
    "path_exempt": False,
    "traced": False,
    "http": None,
    "https": None,
    "https_nonce": None,
}


class MiddlewareTrace:
    """The layers of Django's middleware chain one request entered, outermost first."""

    def __init__(self, application_name):
        self.application_name = application_name
        self.traced = False
        # The stand-in view reads the CSP nonce as a template rendering it would.
        self.reads_csp_nonce = False
        self.reset()

    def reset(self):
        self.entered = []
        self.active = []
        self.reached_view = False
        self.database_needed_by = None
        self.refused = None
        self.stopped = None

    def enter(self, layer, handler, request):
        self.entered.append(layer)
        self.active.append(layer)
        try:
            return handler(request)
        except isolation.RequestStopped:
            # Where Django's own handler would have answered with its 500 page.
            from django.http import HttpResponseServerError

            return HttpResponseServerError(STOPPED_BODY, content_type="text/plain")
        finally:
            self.active.pop()

    def note_refusal(self, what, text):
        """Told when the request reaches for what the probe refuses ("the database"): blame the
        layer running right now (unknown when the chain was built before it could be
        traced). Only the first refusal counts: the outer layers' responses to the stand-in
        500 may reach again."""
        if self.refused is not None:
            return
        self.refused, self.stopped = what, text
        if self.traced:
            layer = self.active[-1] if self.active else self.application_name
            # Only the stand-in view runs inside the view layer, and it never queries: a
            # process_view middleware did.
            self.database_needed_by = (
                "a process_view middleware" if layer == VIEW_LAYER else layer
            )

    def answered_by(self):
        """The middleware that answered without passing the request on (None: the view did)."""
        if self.reached_view or not self.traced:
            return None
        layers = [layer for layer in self.entered if layer != VIEW_LAYER]
        return layers[-1] if layers else self.application_name


def middleware_paths(settings):
    """settings.MIDDLEWARE as {factory: dotted path}, for naming the layers of the chain."""
    from django.utils.module_loading import import_string

    paths = {}
    for path in settings.MIDDLEWARE:
        with contextlib.suppress(Exception):
            paths[import_string(path)] = path
    return paths


def layer_name(handler, paths):
    """The MIDDLEWARE entry a middleware instance came from (a class, or a function factory
    whose closure it is)."""
    if type(handler) in paths:
        return paths[type(handler)]
    qualname = getattr(handler, "__qualname__", "")
    for factory, path in paths.items():
        prefix = f"{getattr(factory, '__qualname__', '')}.<locals>."
        if qualname.startswith(prefix) and handler.__module__ == factory.__module__:
            return path
    return f"{type(handler).__module__}.{type(handler).__qualname__}"


@contextlib.contextmanager
def tracing_middleware(trace, settings):
    """While the app's WSGI application is built, wraps each layer of the middleware chain
    (django.core.handlers.base builds it with convert_exception_to_response) to trace it."""
    from asgiref.sync import iscoroutinefunction
    from django.core.handlers import base

    original = base.convert_exception_to_response
    paths = middleware_paths(settings)

    def traced_layer(handler):
        converted = original(handler)
        if iscoroutinefunction(converted):
            return converted  # WSGI runs sync layers; an async one is adapted around it
        trace.traced = True
        view = getattr(handler, "__name__", "") == "_get_response"
        layer = VIEW_LAYER if view else layer_name(handler, paths)
        return functools.wraps(converted)(
            lambda request: trace.enter(layer, converted, request)
        )

    base.convert_exception_to_response = traced_layer
    try:
        yield
    finally:
        base.convert_exception_to_response = original


def issue_cookies(request):
    """Uses the session and a CSRF token, as a login page does, so that the app's middleware
    sets (and whatever rewrites them rewrites) the session and CSRF cookies the guard judges.
    The session is never saved: its store may be a database or a cache."""
    from django.conf import settings
    from django.middleware.csrf import get_token

    session = getattr(request, "session", None)
    if session is not None:
        try:
            session.save = functools.partial(keep_unsaved, session)
        except (AttributeError, TypeError):  # a session object that cannot be given one
            session = None
        else:
            session[SESSION_MARKER] = True
    # With CSRF_USE_SESSIONS the token is kept in the session, which then must exist.
    if not settings.CSRF_USE_SESSIONS or session is not None:
        get_token(request)


# What the stand-in view stores in the session, and the key the unsaved session is given.
SESSION_MARKER = "release-guard-simulated"
SIMULATED_SESSION_KEY = "releaseguardsimulatedsession0000"


def keep_unsaved(session, must_create=False):
    session._session_key = SIMULATED_SESSION_KEY


@contextlib.contextmanager
def stand_in_view(trace):
    """Every request resolves to the probe's own view, whatever the URLconf says."""
    from django.core.handlers.base import BaseHandler
    from django.db import connections
    from django.http import HttpResponse
    from django.urls import ResolverMatch

    def view(request):
        trace.reached_view = True
        issue_cookies(request)
        if trace.reads_csp_nonce:
            csp.read_nonce(request)
        return HttpResponse(STAND_IN_BODY, content_type="text/plain")

    view.login_required = False  # Django 5.1's LoginRequiredMiddleware would redirect
    # ATOMIC_REQUESTS wraps the view in a transaction, which needs the database: this view
    # needs none.
    view._non_atomic_requests = frozenset(connections)

    def resolve_request(handler, request):
        match = ResolverMatch(view, (), {}, url_name="release-guard-stand-in")
        request.resolver_match = match
        return match

    original = BaseHandler.resolve_request
    BaseHandler.resolve_request = resolve_request
    try:
        yield
    finally:
        BaseHandler.resolve_request = original


class _NoEntries:
    """What `os.scandir` returns for an unlisted directory: an iterator and a context manager."""

    def __iter__(self):
        return self

    def __next__(self):
        raise StopIteration

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        return False

    def close(self):
        pass


@contextlib.contextmanager
def static_files_unlisted(settings):
    """While the WSGI application is built, listing a directory under STATIC_ROOT finds it
    empty. A static-file middleware (WhiteNoise) indexes every collected file when it is
    constructed, some thousand stat calls after collectstatic, yet it serves them only under
    STATIC_URL, where the simulated path is not. Left listed when a file there could answer the
    simulated path: when it is under STATIC_URL, or when STATIC_ROOT has a `.well-known`
    entry (a root served as `/`)."""
    root = getattr(settings, "STATIC_ROOT", None)
    prefix = urllib.parse.urlsplit(str(getattr(settings, "STATIC_URL", "") or "")).path
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    if (
        not root
        or SIMULATION_PATH.startswith(prefix)
        or os.path.lexists(os.path.join(root, ".well-known"))
    ):
        yield
        return
    unlisted = os.path.realpath(root)
    original = os.scandir

    def scandir(path="."):
        if not isinstance(path, int):
            real = os.path.realpath(os.fsdecode(path))
            if real == unlisted or real.startswith(unlisted + os.sep):
                return _NoEntries()
        return original(path)

    os.scandir = scandir
    try:
        yield
    finally:
        os.scandir = original


def simulation_host(settings):
    """A Host header the app accepts, preferring the first concrete ALLOWED_HOSTS entry."""
    from django.http.request import validate_host

    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]  # what Django itself allows then
    for entry in allowed:
        host = entry.lstrip(".") if isinstance(entry, str) else ""
        if host and host != "*" and validate_host(host, allowed):
            return host
    if "*" in allowed:
        return "example.com"
    return None


def wsgi_application(settings):
    if settings.WSGI_APPLICATION:
        from django.utils.module_loading import import_string

        return import_string(settings.WSGI_APPLICATION)
    from django.core.handlers.wsgi import WSGIHandler

    return WSGIHandler()


def proxy_ssl_header(environ):
    """The request.META key and value the proxy marks HTTPS requests with."""
    key, separator, value = environ.get(PROXY_SSL_HEADER_ENV, "").partition(":")
    return (key, value) if separator and key and value else ROUTER_HTTPS_HEADER


def request_environ(host, forwarded_proto, url_scheme):
    """One GET as Heroku's router forwards it (an HTTPS one also with the header the configured
    proxy sets, when that is another)."""
    port = "443" if forwarded_proto == "https" else "80"
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": SIMULATION_PATH,
        "QUERY_STRING": "",
        "SERVER_NAME": host,
        "SERVER_PORT": port,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": ROUTER_ADDRESS,
        "HTTP_HOST": host,
        "HTTP_X_FORWARDED_PROTO": forwarded_proto,
        "HTTP_X_FORWARDED_PORT": port,
        "HTTP_X_FORWARDED_FOR": CLIENT_ADDRESS,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": url_scheme,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if forwarded_proto == "https":
        https_key, https_value = proxy_ssl_header(os.environ)
        environ[https_key] = https_value
    return environ


def call_application(application, environ):
    """Runs one request to the end; returns (status line, headers, exceptions raised). A
    request stopped outside every traced layer has no status."""
    from django.core.signals import got_request_exception

    started = {}
    raised = []

    def start_response(status, headers, exc_info=None):
        started["status"] = status
        started["headers"] = headers

    def record_exception(**_kwargs):
        raised.append(sys.exc_info()[1])

    got_request_exception.connect(record_exception, dispatch_uid="release-guard-probe")
    try:
        body = application(environ, start_response)
        try:
            received = 0
            for chunk in body:
                received += len(chunk)
                if received > MAX_BODY_BYTES:
                    break
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
    except Exception as error:  # noqa: BLE001 - the app failing is a finding, not a probe error
        raised.append(error)
    except isolation.RequestStopped:
        started.clear()
    finally:
        got_request_exception.disconnect(dispatch_uid="release-guard-probe")
    return started.get("status"), started.get("headers", []), raised


def simulate_request(application, trace, environ, describe_error):
    trace.reset()
    with isolation.stopping_requests(trace.note_refusal):
        status, headers, raised = call_application(application, environ)
    result = {
        "status": None if status is None else int(status.split(" ", 1)[0]),
        "location": None,
        "hsts": [],
        "set_cookies": [],
        "error": None,
        "reached_view": trace.reached_view,
        "answered_by": trace.answered_by(),
        "database_needed_by": trace.database_needed_by,
        "csp": {field: [] for field in CSP_HEADERS.values()},
        "refused": trace.refused,
    }
    for name, value in headers:
        lower = name.lower()
        if lower == "location" and result["location"] is None:
            result["location"] = value
        elif lower == "strict-transport-security":
            result["hsts"].append(value)
        elif lower == "set-cookie":
            result["set_cookies"].append(value)
        elif lower in CSP_HEADERS:
            result["csp"][CSP_HEADERS[lower]].append(value)
    if raised:
        error = raised[0]
        result["error"] = f"{type(error).__name__}: {describe_error(error)}"
    elif trace.stopped is not None:
        result["error"] = trace.stopped
    return result


def simulation(settings, trust, describe_error, path_exempt, web):
    """Both requests, or why they could not be made. Values are raw (the guard redacts at its
    output); `describe_error(error)` is the text of an exception; `path_exempt` whether
    SECURE_REDIRECT_EXEMPT exempts the path; `web` the web process (web.py), whose module is
    loaded as the web process loads it."""
    skipped = dict(NOT_RUN)
    host = simulation_host(settings)
    if host is None:
        skipped["skipped_reason"] = (
            "ALLOWED_HOSTS accepts no host the simulated requests could use"
        )
        return skipped
    trace = MiddlewareTrace(settings.WSGI_APPLICATION or "Django's WSGIHandler")
    try:
        with tracing_middleware(trace, settings), static_files_unlisted(settings):
            application = web_process.load_application(web, settings, wsgi_application)
    except BaseException as error:  # noqa: BLE001 - reported as the reason for skipping
        skipped["skipped_reason"] = (
            f"{web_process.application_name(web, settings)} could not be loaded as a web "
            f"process loads it (with {web_process.describe_environment(web)} set): "
            f"{type(error).__name__}: {describe_error(error)}"
        )
        return skipped
    # Keep Django's loggers quiet: an error here must not e-mail ADMINS or fill the log.
    previous_disable = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with stand_in_view(trace):
            http = simulate_request(
                application,
                trace,
                request_environ(host, "http", "http"),
                describe_error,
            )
            # gunicorn/uvicorn rewrite wsgi.url_scheme only when they trust the router.
            https_scheme = "https" if trust["trusted"] else "http"
            https = simulate_request(
                application,
                trace,
                request_environ(host, "https", https_scheme),
                describe_error,
            )
            # The policy as a page that renders the nonce gets it (Django and django-csp
            # leave the nonce out when nothing read it): one more request, only for apps
            # with a CSP middleware.
            https_nonce = None
            if csp.middleware(settings):
                trace.reads_csp_nonce = True
                https_nonce = simulate_request(
                    application,
                    trace,
                    request_environ(host, "https", https_scheme),
                    describe_error,
                )
    finally:
        logging.disable(previous_disable)
    return {
        "ran": True,
        "skipped_reason": None,
        "host": host,
        "path": SIMULATION_PATH,
        "path_exempt": path_exempt,
        "traced": trace.traced,
        "http": http,
        "https": https,
        "https_nonce": https_nonce,
    }
