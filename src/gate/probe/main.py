"""Release Guard probe: loads the Django app once and reports what the release gate needs.

The Rust runner (src/gate/probe.rs) starts it through bootstrap.py with the app's Python, cwd = app dir, and
reads the answer from the channel bootstrap.py hands to `main` (an inherited pipe, private to
this process). The answer's shape is the contract in src/gate/snapshot.rs. Nothing is ever written to stdout: app code may print there.

Values are reported raw: the rules judge what the app really does. Settings are read through an
allowlist and SECRET_KEY becomes booleans; the secrets the probe knows (secrets.py) travel in the
answer's `secrets` field, and the guard hides them, and the text that comes from the app, at its
output boundary (src/redact.rs). The probe never lets Python print a traceback: one would quote
the app's source lines.
"""

import json
import os
import sys
import threading
import time

from . import (
    app_output,
    config_var_error,
    csp,
    exempt,
    isolation,
    phases,
    provenance,
    recording,
    simulation,
)
from . import web as web_process
from .common import (
    ALLOWED_SETTINGS,
    describe_value,
    error_text,
)
from .secrets import SecretCollector

# The directory holding this package and bootstrap.py: its frames are the probe's, not the app's.
PROBE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
MAX_FRAMES = 5


class ProbeFailure(Exception):
    """Ends the probe with a structured error of the given kind."""

    def __init__(self, kind, error):
        super().__init__(kind)
        self.kind = kind
        self.error = error


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
            "config_var_error": config_var_error.config_var_error(
                error, frozenset(os.environ)
            ),
        },
    )


# Keys written as placeholders in templates and tutorials, compared with letters and digits only
# and case-folded ("Change-Me!" is "changeme"): a silenced W009 does not hold for them.
PLACEHOLDER_KEYS = frozenset(
    {
        "changeme",
        "changethis",
        "replaceme",
        "secret",
        "secretkey",
        "mysecretkey",
        "yoursecretkey",
        "yoursecretkeyhere",
        "insecure",
        "notsecret",
        "password",
        "django",
        "djangosecretkey",
    }
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
            "placeholder": False,
        }
    prefix = b"django-insecure-" if isinstance(key, bytes) else "django-insecure-"
    text = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
    letters_and_digits = "".join(filter(str.isalnum, text)).casefold()
    return {
        "set": True,
        "long_enough": len(key) >= 50,
        "enough_unique_characters": len(set(key)) >= 5,
        "insecure_prefix": key.startswith(prefix),
        "placeholder": letters_and_digits in PLACEHOLDER_KEYS,
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
                **dict.fromkeys(("phase", "cause", "config_var_error")),
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


def probe(app_dir, environ, collector, web=None):
    settings_module = environ.get("DJANGO_SETTINGS_MODULE")
    web = web or dict(web_process.UNKNOWN)
    web_process.add_import_root(app_dir, web)
    timings = {}
    loading_output = app_output.AppOutput()
    try:
        start = time.perf_counter()
        env_reads = recording.EnvReads()
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

        trust = web_process.proxy_trust(app_dir, environ, web, collector)
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
                    web,
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
            "csp": csp.facts(settings),
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


def write_answer(channel, answer):
    """Writes the whole answer, then closes the channel. (Half an answer is never read: the
    runner takes the answer only from a probe that exited 0.)"""
    data = memoryview(json.dumps(answer, allow_nan=False).encode("utf-8"))
    while data:
        data = data[os.write(channel, data) :]
    os.close(channel)


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


def main(channel):
    """Probes the app in the working directory and writes the answer to the file descriptor
    `channel`."""
    silence_tracebacks()
    # Out of the environment before any app code runs.
    web = web_process.take_request(os.environ)
    app_dir = os.getcwd()
    environ = dict(os.environ)
    # App code may print; stdout stays out of the answer channel.
    sys.stdout = sys.stderr
    answer = probe(app_dir, environ, SecretCollector(), web)
    write_answer(channel, answer)
    return 0
