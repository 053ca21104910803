"""The web process, as the guard read it from the Procfile (src/web_process/ in Rust; this
module parses no Procfile): whether its server trusts the router's forwarded headers, and how to
load its WSGI/ASGI module with the environment a web process has.

The request arrives as JSON in RELEASE_GUARD_PROBE_WEB (src/gate/web.rs): `server`, `args` (the
server's words after its program name), `module`, `attribute`, `import_root`, `environ` (what the
platform and the command set for the web process) and `unknown_because`.
"""

import contextlib
import json
import os
import sys

from .common import error_text, read_bounded
from .secrets import SecretCollector

WEB_ENV = "RELEASE_GUARD_PROBE_WEB"
FORWARDED_FLAG = "--forwarded-allow-ips"
UNKNOWN = {
    "server": None,
    "args": [],
    "module": None,
    "attribute": None,
    "import_root": None,
    "environ": {},
    "unknown_because": "the guard did not say",
}


def take_request(environ):
    """The web process from `environ`, removed from it before any app code runs."""
    try:
        request = json.loads(environ.pop(WEB_ENV, "") or "null")
    except ValueError:
        request = None
    if not isinstance(request, dict):
        return dict(UNKNOWN)
    return {**UNKNOWN, **request}


def add_import_root(app_dir, web):
    """Puts the directory the web process imports from (gunicorn's --chdir / --pythonpath) first
    on sys.path, as the server does, so the settings and the app module load from there."""
    root = web.get("import_root")
    if root:
        path = os.path.join(app_dir, root)
        if path not in sys.path:
            sys.path.insert(0, path)


# --- proxy trust -----------------------------------------------------------------------------


def option_value(words, flag):
    """The last value of `--flag=value` or `--flag value` in words."""
    found = None
    for index, word in enumerate(words):
        if word == flag and index + 1 < len(words):
            found = words[index + 1]
        elif word.startswith(flag + "="):
            found = word[len(flag) + 1 :]
    return found


def split_cmd_args(text):
    import shlex

    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def gunicorn_config_value(app_dir, config_path, collector):
    """Executes gunicorn's config file the way gunicorn does, in its own namespace, and returns
    its forwarded_allow_ips (None when unset or when the file fails, which is noted on stderr)."""
    path = os.path.join(app_dir, config_path)
    if not os.path.isfile(path):
        return None
    namespace = {"__file__": path, "__name__": "__config__"}
    try:
        source = read_bounded(path)
        exec(compile(source, path, "exec"), namespace)  # noqa: S102 - gunicorn does the same
    except (Exception, SystemExit) as error:  # noqa: BLE001 - a broken config must not end the probe
        print(
            f"release-guard probe: {config_path} could not be read: "
            f"{type(error).__name__}: {collector.scrub(error_text(error))}",
            file=sys.stderr,
        )
        return None
    value = namespace.get("forwarded_allow_ips")
    if isinstance(value, (list, tuple)):
        value = ",".join(str(item) for item in value)
    return None if value is None else str(value)


def config_option(words):
    return option_value(words, "--config") or option_value(words, "-c")


def forwarded_allow_ips_sources(app_dir, environ, words, server, collector):
    """(source, value) pairs in the server's own order of precedence, highest first. A generator,
    so that gunicorn's config file only runs when nothing above it decides."""
    if server in ("gunicorn", "uvicorn"):
        yield f"Procfile web: {FORWARDED_FLAG}", option_value(words, FORWARDED_FLAG)
    if server in ("gunicorn", None):
        env_words = split_cmd_args(environ.get("GUNICORN_CMD_ARGS", ""))
        yield (
            f"GUNICORN_CMD_ARGS {FORWARDED_FLAG}",
            option_value(env_words, FORWARDED_FLAG),
        )
        config_path = (
            config_option(words) or config_option(env_words) or "gunicorn.conf.py"
        )
        if not config_path.startswith("python:"):
            yield (
                f"{config_path} forwarded_allow_ips",
                gunicorn_config_value(app_dir, config_path, collector),
            )
    if server in ("gunicorn", "uvicorn", None):
        yield "FORWARDED_ALLOW_IPS", environ.get("FORWARDED_ALLOW_IPS")


def proxy_trust(app_dir, environ, web, collector=None):
    """Whether the web server itself trusts X-Forwarded-Proto from Heroku's router. The router
    connects from changing addresses, so only an allowlist containing `*` does. `collector`
    holds the secrets to keep off stderr if gunicorn's config file fails."""
    collector = collector or SecretCollector()
    server = web.get("server")
    words = [str(word) for word in web.get("args") or []]
    untrusted = {"trusted": False, "server": server, "source": None, "value": None}
    if server == "daphne":
        # daphne has no allowlist: --proxy-headers trusts every peer.
        if "--proxy-headers" in words:
            return {
                **untrusted,
                "trusted": True,
                "source": "Procfile web: --proxy-headers",
            }
        return untrusted
    if server == "uvicorn" and "--no-proxy-headers" in words:
        return {**untrusted, "source": "Procfile web: --no-proxy-headers"}
    for source, value in forwarded_allow_ips_sources(
        app_dir, environ, words, server, collector
    ):
        if value is not None:
            trusted = "*" in [ip.strip() for ip in value.split(",")]
            return {
                "trusted": trusted,
                "server": server,
                "source": source,
                "value": value,
            }
    return untrusted


# --- the web process's module ----------------------------------------------------------------


@contextlib.contextmanager
def web_environment(web):
    """The web process's environment (PORT, DYNO=web.1, what its command sets) while its module
    is imported, and the release's environment again afterwards, so nothing the rules judge
    afterwards sees it."""
    added = {str(name): str(value) for name, value in (web.get("environ") or {}).items()}
    saved = {name: os.environ.get(name) for name in added}
    os.environ.update(added)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def describe_environment(web):
    names = sorted((web.get("environ") or {}).keys())
    return ", ".join(names) if names else "nothing"


def application_name(web, settings):
    """What `load_application` loads, for messages."""
    module = web.get("module")
    if module:
        return f"the web process's module {module}:{web.get('attribute')}"
    return f"the WSGI application {settings.WSGI_APPLICATION!r}"


def is_asgi(application):
    from django.core.handlers.asgi import ASGIHandler

    return isinstance(application, ASGIHandler)


def load_application(web, settings, load_wsgi):
    """The application the web process serves, imported with the web process's environment:
    the Procfile's module:attribute, or (runserver, or a web process the guard could not read)
    `load_wsgi(settings)`, Django's WSGI_APPLICATION. An ASGI application is imported, so that
    its module is proven to load; the requests then go through `load_wsgi`, Django's WSGI
    handler, which runs the same settings and middleware."""
    module = web.get("module")
    with web_environment(web):
        if not module:
            return load_wsgi(settings)
        import importlib

        attribute = str(web.get("attribute") or "application")
        factory = attribute.endswith("()")
        application = getattr(
            importlib.import_module(module), attribute.removesuffix("()")
        )
        if factory:
            application = application()
        return load_wsgi(settings) if is_asgi(application) else application
