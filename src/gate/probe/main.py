"""Release Guard probe: loads the Django app once and reports what the release gate needs.

The Rust runner (src/gate/probe.rs) starts it through bootstrap.py with the app's Python, cwd = app dir, and
reads the answer from the file named by RELEASE_GUARD_PROBE_OUT. The answer's shape is the
contract in src/gate/snapshot.rs. Nothing is ever written to stdout: app code may print there.

Values are reported raw: the rules judge what the app really does. Settings are read through an
allowlist and SECRET_KEY becomes booleans; the secrets the probe knows (secrets.py) travel in the
answer's `secrets` field, and the guard hides them, and the text that comes from the app, at its
output boundary (src/redact.rs). The probe never lets Python print a traceback: one would quote
the app's source lines.
"""

import json
import math
import os
import sys
import threading
import time

from . import app_output, exempt, isolation, phases, provenance, simulation, watchdog
from .secrets import SecretCollector

# The directory holding this package and bootstrap.py: its frames are the probe's, not the app's.
PROBE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
OUT_ENV = "RELEASE_GUARD_PROBE_OUT"
# A bound on the app's text in the answer. The guard shortens it further, for the log, only
# after redaction: a secret cut here would no longer be recognised.
MAX_TEXT_LENGTH = 65536
MAX_REPR_LENGTH = 200
MAX_FRAMES = 5

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
)

class ProbeFailure(Exception):
    """Ends the probe with a structured error of the given kind."""

    def __init__(self, kind, error):
        super().__init__(kind)
        self.kind = kind
        self.error = error


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


def frames_of(error, app_dir):
    """The last frames of the traceback, innermost last, without import machinery or the probe.
    Source lines are left out: they can contain literal secrets."""
    frames = []
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        filename = code.co_filename
        module = tb.tb_frame.f_globals.get("__name__", "")
        if not (
            filename.startswith(("<frozen ", PROBE_DIR))
            or module.startswith("importlib")
        ):
            if filename.startswith(app_dir + os.sep):
                filename = filename[len(app_dir) + 1 :]
            frames.append(
                {"file": filename, "line": tb.tb_lineno or 0, "function": code.co_name}
            )
        tb = tb.tb_next
    return frames[-MAX_FRAMES:]


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


def failure(kind, error, collector, app_dir):
    collector.learn_traceback(error)
    return ProbeFailure(
        kind,
        {
            "kind": kind,
            "exception": type(error).__name__,
            "message": error_text(error),
            "frames": frames_of(error, app_dir),
            "phase": phases.of(kind),
            "cause": phases.cause_text(error),
        },
    )


def secret_key_facts(settings):
    try:
        key = settings.SECRET_KEY
    except Exception:  # noqa: BLE001 - Django raises ImproperlyConfigured for an empty key
        key = None
    if not key:
        return {
            "set": False,
            "long_enough": False,
            "enough_unique_characters": False,
            "insecure_prefix": False,
        }
    prefix = b"django-insecure-" if isinstance(key, bytes) else "django-insecure-"
    return {
        "set": True,
        "long_enough": len(key) >= 50,
        "enough_unique_characters": len(set(key)) >= 5,
        "insecure_prefix": key.startswith(prefix),
    }


def read_settings(settings):
    values = {}
    for name in ALLOWED_SETTINGS:
        if hasattr(settings, name):  # absent when neither Django nor the app defines it
            values[name] = describe_value(getattr(settings, name))
    return values


def optional_text(value):
    return None if value is None else str(value)


def run_checks_sorted():
    """Django's checks without the database, sorted; and the database checks not run."""
    messages, database_checks_skipped = isolation.run_checks_without_database()
    out = [
        {
            # Django accepts any int level and any ID object (a lazy translation, say).
            "id": optional_text(message.id),
            "level": clamp_level(message.level),
            "msg": str(message.msg),
            "hint": optional_text(message.hint),
            "obj": optional_text(message.obj),
            "silenced": bool(message.is_silenced()),
        }
        for message in messages
    ]
    out.sort(key=lambda item: (item["id"] or "", item["msg"]))
    return out, database_checks_skipped


# Far beyond CRITICAL (50) either way, and inside the runner's integer range.
LEVEL_LIMIT = 1_000_000


def clamp_level(level):
    """Django's level as an int in [-LEVEL_LIMIT, LEVEL_LIMIT]: its order against Django's
    levels is kept, and any int Django accepted fits the answer."""
    return max(-LEVEL_LIMIT, min(LEVEL_LIMIT, int(level)))


# --- proxy trust -----------------------------------------------------------------------------

KNOWN_SERVERS = ("gunicorn", "uvicorn", "daphne", "hypercorn", "waitress-serve")
FORWARDED_FLAG = "--forwarded-allow-ips"


def procfile_web_command(app_dir):
    """The `web:` command of ./Procfile, read with the Procfile buildpack's grammar."""
    try:
        with open(os.path.join(app_dir, "Procfile"), encoding="utf-8") as procfile:
            lines = procfile.read().splitlines()
    except OSError:
        return None
    command = None
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        key, value = line.split(":", 1)
        if key.strip().lower().replace("_", "-") == "web" and value.strip():
            command = value.strip()
    return command


def split_command(command):
    import shlex

    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def server_of(words):
    """The server a command starts: `gunicorn ...`, `python -m uvicorn ...`, `exec gunicorn`."""
    for index, word in enumerate(words):
        name = os.path.basename(word)
        if name in KNOWN_SERVERS:
            return name
        if (
            word == "-m"
            and index + 1 < len(words)
            and words[index + 1] in KNOWN_SERVERS
        ):
            return words[index + 1]
    return None


def option_value(words, flag):
    """The last value of `--flag=value` or `--flag value` in words."""
    found = None
    for index, word in enumerate(words):
        if word == flag and index + 1 < len(words):
            found = words[index + 1]
        elif word.startswith(flag + "="):
            found = word[len(flag) + 1 :]
    return found


def gunicorn_config_value(app_dir, config_path, collector):
    """Executes gunicorn's config file the way gunicorn does, in its own namespace, and returns
    its forwarded_allow_ips (None when unset or when the file fails, which is noted on stderr)."""
    path = os.path.join(app_dir, config_path)
    if not os.path.isfile(path):
        return None
    namespace = {"__file__": path, "__name__": "__config__"}
    try:
        with open(path, "rb") as config_file:
            exec(compile(config_file.read(), path, "exec"), namespace)  # noqa: S102 - gunicorn does the same
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


def forwarded_allow_ips_sources(app_dir, environ, words, server, collector):
    """(source, value) pairs in the server's own order of precedence, highest first. A generator,
    so that gunicorn's config file only runs when nothing above it decides."""
    if server in ("gunicorn", "uvicorn"):
        yield f"Procfile web: {FORWARDED_FLAG}", option_value(words, FORWARDED_FLAG)
    if server in ("gunicorn", None):
        env_words = split_command(environ.get("GUNICORN_CMD_ARGS", ""))
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


def config_option(words):
    return option_value(words, "--config") or option_value(words, "-c")


def proxy_trust(app_dir, environ, collector=None):
    """Whether the web server itself trusts X-Forwarded-Proto from Heroku's router. The router
    connects from changing addresses, so only an allowlist containing `*` does. `collector`
    holds the secrets to keep off stderr if gunicorn's config file fails."""
    collector = collector or SecretCollector()
    web = procfile_web_command(app_dir)
    words = split_command(web) if web else []
    server = server_of(words)
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


# --- main ------------------------------------------------------------------------------------


def elapsed_ms(start):
    return round((time.perf_counter() - start) * 1000, 1)


def load_django(settings_module, collector, app_dir, env_reads):
    try:
        import django
    except ImportError as error:
        raise failure("django_missing", error, collector, app_dir) from None
    if not settings_module:
        raise ProbeFailure(
            "no_settings_module",
            {
                "kind": "no_settings_module",
                "exception": None,
                "message": "DJANGO_SETTINGS_MODULE is not set",
                "frames": [],
                **dict.fromkeys(("phase", "cause")),
            },
        )
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    # From here on nothing may connect to a database or a cache server: not the settings
    # module, the app's ready(), the checks or the simulated requests.
    isolation.install(app_dir, os.environ)
    # BaseException: the app's code may end with anything (SystemExit, asyncio.CancelledError),
    # and whatever escapes the probe would be printed by Python with its source line.
    try:
        with env_reads, isolation.during(phases.SETTINGS):
            importlib.import_module(settings_module)
    except ImproperlyConfigured as error:
        raise failure("improperly_configured", error, collector, app_dir) from None
    except ImportError as error:
        raise failure("settings_import", error, collector, app_dir) from None
    except BaseException as error:  # noqa: BLE001 - any failure of user code
        raise failure("setup_failed", error, collector, app_dir) from None
    from django.conf import settings

    isolation.designate_servers(settings)
    try:
        with isolation.during(phases.APPS):
            django.setup()
    except ImproperlyConfigured as error:
        collector.learn_settings(settings)
        raise failure("improperly_configured", error, collector, app_dir) from None
    except BaseException as error:  # noqa: BLE001 - any failure of user code
        collector.learn_settings(settings)
        raise failure("setup_failed", error, collector, app_dir) from None
    collector.learn_settings(settings)
    return django, settings


def probe(app_dir, environ, collector):
    settings_module = environ.get("DJANGO_SETTINGS_MODULE")
    timings = {}
    loading_output = app_output.AppOutput()
    try:
        start = time.perf_counter()
        env_reads = provenance.EnvReads()
        with loading_output:
            django, settings = load_django(
                settings_module, collector, app_dir, env_reads
            )
        timings["setup_ms"] = elapsed_ms(start)

        start = time.perf_counter()
        sources = provenance.for_answer(settings, app_dir, env_reads, collector)
        timings["provenance_ms"] = elapsed_ms(start)

        start = time.perf_counter()
        try:
            with isolation.during(phases.CHECKS):
                checks, database_checks_skipped = run_checks_sorted()
        except BaseException as error:  # noqa: BLE001 - a check that crashes
            raise failure("checks_failed", error, collector, app_dir) from None
        timings["checks_ms"] = elapsed_ms(start)

        trust = proxy_trust(app_dir, environ, collector)
        redirect_exempt = exempt.evaluate(
            getattr(settings, "SECURE_REDIRECT_EXEMPT", []), simulation.SIMULATION_PATH
        )
        start = time.perf_counter()
        try:
            with isolation.during(phases.SIMULATION):
                simulated = simulation.simulation(
                    settings,
                    trust,
                    error_text,
                    redirect_exempt["simulation_path_exempt"],
                )
        except Exception as error:  # noqa: BLE001 - the snapshot is still worth having
            simulated = {
                **simulation.NOT_RUN,
                "skipped_reason": f"the simulation failed: {type(error).__name__}: "
                f"{error_text(error)}",
            }
        timings["simulation_ms"] = elapsed_ms(start)

        answer = {
            "status": "ok",
            "django_version": django.get_version(),
            "python_version": sys.version.split()[0],
            "settings_module": settings.SETTINGS_MODULE,
            "checks": checks,
            "database_checks_skipped": database_checks_skipped,
            "settings": read_settings(settings),
            "secret_key": secret_key_facts(settings),
            "proxy_trust": trust,
            "redirect_exempt": redirect_exempt,
            "simulation": simulated,
            "provenance": sources,
            "app_output": loading_output.text(app_dir),
            "timings": timings,
        }
    except ProbeFailure as stop:
        answer = {
            "status": "error",
            "settings_module": settings_module,
            "django_version": None,
        }
        answer.update(stop.error)
    except BaseException as error:  # noqa: BLE001 - a bug in the probe still gets a structured answer
        answer = {
            "status": "error",
            "settings_module": settings_module,
            "django_version": None,
        }
        answer.update(failure("internal", error, collector, app_dir).error)
    if answer["status"] == "error" and "django" in sys.modules:
        answer["django_version"] = sys.modules["django"].get_version()
    answer["blocked"] = isolation.blocked()
    answer["secrets"] = collector.as_list()
    answer["app_output"] = loading_output.text(app_dir)
    return answer


def write_answer(path, answer):
    """Writes atomically, so the runner never reads half an answer."""
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as out:
        json.dump(answer, out, allow_nan=False)
    os.replace(temporary, path)


def report_without_traceback(kind, error):
    """Python's own report of an exception nobody caught quotes the failing source line, which
    may hold a literal secret: say only what was raised, and where it was ignored."""
    print(
        f"release-guard probe: {type(error).__name__} {kind} (traceback not shown)",
        file=sys.stderr,
    )


def silence_tracebacks():
    """Uncaught exceptions in the main thread, in other threads and in __del__ methods."""
    sys.excepthook = lambda _type, error, _tb: report_without_traceback(
        "not caught", error
    )
    sys.unraisablehook = lambda unraisable: report_without_traceback(
        "ignored", unraisable.exc_value
    )
    threading.excepthook = lambda hook_args: report_without_traceback(
        "in a thread", hook_args.exc_value
    )


def main():
    silence_tracebacks()
    watchdog.start()
    # Out of the environment before any app code runs: only the probe writes the answer.
    out_path = os.environ.pop(OUT_ENV, None)
    if not out_path:
        print(f"release-guard probe: {OUT_ENV} is not set", file=sys.stderr)
        return 2
    app_dir = os.getcwd()
    environ = dict(os.environ)
    # App code may print; stdout stays out of the answer channel.
    sys.stdout = sys.stderr
    answer = probe(app_dir, environ, SecretCollector())
    write_answer(out_path, answer)
    return 0
