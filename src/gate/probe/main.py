"""Release Guard probe: loads the Django app once and reports what the release gate needs.

The Rust runner (src/gate/probe.rs) starts it through bootstrap.py with the app's Python, cwd = app dir, and
reads the answer from the file named by RELEASE_GUARD_PROBE_OUT. The answer's shape is the
contract in src/gate/snapshot.rs. Nothing is ever written to stdout: app code may print there.

Secrets never leave this process: settings are read through an allowlist, SECRET_KEY becomes
booleans, and every string emitted is scrubbed of the secret key, database and cache values and
environment variable values.
"""

import json
import math
import os
import sys
import time

from . import app_output, exempt, isolation, phases, provenance, simulation, watchdog

# The directory holding this package and bootstrap.py: its frames are the probe's, not the app's.
PROBE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
OUT_ENV = "RELEASE_GUARD_PROBE_OUT"
# Comma-separated names of environment variables whose values are harmless (PATH, HOME...),
# passed by the runner so that the Rust and Python redaction rules have one source of truth.
KEEP_ENV_ENV = "RELEASE_GUARD_PROBE_KEEP_ENV"
REDACTED = "[redacted]"
# Shorter environment values ("true", "80") are too common to redact without mangling text.
MIN_ENV_SECRET_LENGTH = 6
# Shorter database/cache values ("db", "5432"...) carry no secret worth hiding.
MIN_SETTING_SECRET_LENGTH = 4
MAX_TEXT_LENGTH = 2000
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

SECRET_KEY_SETTINGS = ("SECRET_KEY", "SECRET_KEY_FALLBACKS")
# Settings whose every value is a secret (for DATABASES/CACHES: except the keys below).
SECRET_SETTINGS = (*SECRET_KEY_SETTINGS, "DATABASES", "CACHES")
# Keys of DATABASES/CACHES entries that name code, not credentials.
NON_SECRET_CONNECTION_KEYS = frozenset(
    {"ENGINE", "BACKEND", "KEY_FUNCTION", "TIME_ZONE"}
)


class ProbeFailure(Exception):
    """Ends the probe with a structured error of the given kind."""

    def __init__(self, kind, error):
        super().__init__(kind)
        self.kind = kind
        self.error = error


class Redactor:
    """Replaces known secret values in text with [redacted], longest first."""

    def __init__(self, env_secrets):
        self.env_secrets = env_secrets
        self.setting_secrets = set()

    @classmethod
    def from_environment(cls, environ):
        keep = {name for name in environ.get(KEEP_ENV_ENV, "").split(",") if name}
        # The settings module is reported anyway; the runner's own variables carry no secret.
        keep.update((OUT_ENV, KEEP_ENV_ENV, "DJANGO_SETTINGS_MODULE"))
        return cls(
            {
                value
                for name, value in environ.items()
                if name not in keep and len(value) >= MIN_ENV_SECRET_LENGTH
            }
        )

    def learn_settings(self, settings):
        """Adds SECRET_KEY, SECRET_KEY_FALLBACKS and every DATABASES/CACHES value as secrets."""
        wrapped = getattr(settings, "_wrapped", None)
        if wrapped is None or not hasattr(wrapped, "SETTINGS_MODULE"):
            return  # settings never loaded: nothing to learn
        self._learn_names(vars(wrapped))

    def learn_traceback(self, error):
        """Adds the secret settings of every module whose import the error interrupted: a
        settings module that raises halfway never reaches Django, but its globals survive in
        the traceback."""
        tb = error.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_name == "<module>":
                self._learn_names(tb.tb_frame.f_globals)
            tb = tb.tb_next

    def _learn_names(self, namespace):
        for name in SECRET_SETTINGS:
            if name in namespace:
                self._collect(namespace[name], name in SECRET_KEY_SETTINGS)

    def _collect(self, value, is_key):
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str):
            if len(value) >= MIN_SETTING_SECRET_LENGTH:
                self.setting_secrets.add(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                if is_key or key not in NON_SECRET_CONNECTION_KEYS:
                    self._collect(item, is_key)
        elif isinstance(value, (list, tuple)):
            for item in value:
                self._collect(item, is_key)
        elif value is not None and not isinstance(value, (bool, int, float)):
            # Paths (sqlite NAME) and other objects are emitted through str().
            self._collect(str(value), is_key)

    def settings_only(self, text):
        """Scrubs values that are secret wherever they appear (not environment values, which
        legitimately reappear in allowlisted settings such as ALLOWED_HOSTS)."""
        return _replace_all(text, self.setting_secrets)

    def all(self, text):
        """Scrubs free text: exception messages, check messages, output."""
        return _replace_all(text, self.setting_secrets | self.env_secrets)


def _replace_all(text, secrets):
    if text is None:
        return None
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


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


def scrub_json(value, scrub):
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [scrub_json(item, scrub) for item in value]
    if isinstance(value, dict):
        return {key: scrub_json(item, scrub) for key, item in value.items()}
    return value


def describe_value(value, redactor):
    scrub = redactor.settings_only
    form = json_form(value)
    return {
        "type": type(value).__name__,
        "value": None if form is NO_JSON_FORM else scrub_json(form, scrub),
        "repr": shorten(scrub(repr(value)), MAX_REPR_LENGTH),
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


def error_text(error, redactor):
    return shorten(redactor.all(describe_error(error)), MAX_TEXT_LENGTH)


def describe_error(error):
    """str(error), except for pydantic's ValidationError, whose text quotes the config vars it
    was given, cut with "..." in the middle: a cut value no longer matches exact-value redaction,
    so its ends would leak. Its structured form can leave every input out."""
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
        lines.append(f"  {item.get('msg')} [type={item.get('type')}]")
    return "\n".join(lines)


def failure(kind, error, redactor, app_dir):
    redactor.learn_traceback(error)
    return ProbeFailure(
        kind,
        {
            "kind": kind,
            "exception": type(error).__name__,
            "message": error_text(error, redactor),
            "frames": frames_of(error, app_dir),
            "phase": phases.of(kind),
            "cause": phases.cause_text(error, redactor),
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


def read_settings(settings, redactor):
    values = {}
    for name in ALLOWED_SETTINGS:
        if hasattr(settings, name):  # absent when neither Django nor the app defines it
            values[name] = describe_value(getattr(settings, name), redactor)
    return values


def run_checks_sorted(redactor):
    """Django's checks without the database, sorted; and the database checks not run."""
    messages, database_checks_skipped = isolation.run_checks_without_database()
    out = [
        {
            # Django accepts any int level and any ID object (a lazy translation, say).
            "id": None if message.id is None else str(message.id),
            "level": clamp_level(message.level),
            "msg": redactor.all(str(message.msg)),
            "hint": redactor.all(None if message.hint is None else str(message.hint)),
            "obj": redactor.all(None if message.obj is None else str(message.obj)),
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


def gunicorn_config_value(app_dir, config_path, redactor):
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
            f"{type(error).__name__}: {error_text(error, redactor)}",
            file=sys.stderr,
        )
        return None
    value = namespace.get("forwarded_allow_ips")
    if isinstance(value, (list, tuple)):
        value = ",".join(str(item) for item in value)
    return None if value is None else str(value)


def forwarded_allow_ips_sources(app_dir, environ, words, server, redactor):
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
                gunicorn_config_value(app_dir, config_path, redactor),
            )
    if server in ("gunicorn", "uvicorn", None):
        yield "FORWARDED_ALLOW_IPS", environ.get("FORWARDED_ALLOW_IPS")


def config_option(words):
    return option_value(words, "--config") or option_value(words, "-c")


def proxy_trust(app_dir, environ, redactor):
    """Whether the web server itself trusts X-Forwarded-Proto from Heroku's router. The router
    connects from changing addresses, so only an allowlist containing `*` does."""
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
        app_dir, environ, words, server, redactor
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


def load_django(settings_module, redactor, app_dir, env_reads):
    try:
        import django
    except ImportError as error:
        raise failure("django_missing", error, redactor, app_dir) from None
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

    try:
        with env_reads:
            importlib.import_module(settings_module)
    except ImproperlyConfigured as error:
        raise failure("improperly_configured", error, redactor, app_dir) from None
    except ImportError as error:
        raise failure("settings_import", error, redactor, app_dir) from None
    except (Exception, SystemExit) as error:  # noqa: BLE001 - any failure of user code
        raise failure("setup_failed", error, redactor, app_dir) from None
    from django.conf import settings

    # From here on nothing may connect to a database: not the app's ready(), not the checks,
    # not the simulated requests.
    isolation.block_database_connections(simulation.note_database_attempt)
    try:
        django.setup()
    except ImproperlyConfigured as error:
        redactor.learn_settings(settings)
        raise failure("improperly_configured", error, redactor, app_dir) from None
    except (Exception, SystemExit) as error:  # noqa: BLE001 - any failure of user code
        redactor.learn_settings(settings)
        raise failure("setup_failed", error, redactor, app_dir) from None
    redactor.learn_settings(settings)
    return django, settings


def probe(app_dir, environ, redactor):
    settings_module = environ.get("DJANGO_SETTINGS_MODULE")
    timings = {}
    loading_output = app_output.AppOutput()
    try:
        start = time.perf_counter()
        env_reads = provenance.EnvReads()
        with loading_output:
            django, settings = load_django(
                settings_module, redactor, app_dir, env_reads
            )
        timings["setup_ms"] = elapsed_ms(start)

        start = time.perf_counter()
        sources = provenance.for_answer(settings, app_dir, env_reads, redactor)
        timings["provenance_ms"] = elapsed_ms(start)

        start = time.perf_counter()
        try:
            checks, database_checks_skipped = run_checks_sorted(redactor)
        except (Exception, SystemExit) as error:  # noqa: BLE001 - a check that crashes
            raise failure("checks_failed", error, redactor, app_dir) from None
        timings["checks_ms"] = elapsed_ms(start)

        trust = proxy_trust(app_dir, environ, redactor)
        redirect_exempt = exempt.evaluate(
            getattr(settings, "SECURE_REDIRECT_EXEMPT", []), simulation.SIMULATION_PATH
        )
        start = time.perf_counter()
        try:
            simulated = simulation.simulation(
                settings,
                trust,
                redactor,
                lambda error: error_text(error, redactor),
                redirect_exempt["simulation_path_exempt"],
            )
        except Exception as error:  # noqa: BLE001 - the snapshot is still worth having
            simulated = {
                **simulation.NOT_RUN,
                "skipped_reason": f"the simulation failed: {type(error).__name__}: "
                f"{error_text(error, redactor)}",
            }
        timings["simulation_ms"] = elapsed_ms(start)

        return {
            "status": "ok",
            "django_version": django.get_version(),
            "python_version": sys.version.split()[0],
            "settings_module": settings.SETTINGS_MODULE,
            "checks": checks,
            "database_checks_skipped": database_checks_skipped,
            "settings": read_settings(settings, redactor),
            "secret_key": secret_key_facts(settings),
            "proxy_trust": trust,
            "redirect_exempt": redirect_exempt,
            "simulation": simulated,
            "provenance": sources,
            "app_output": redactor.all(loading_output.text(app_dir)),
            "timings": timings,
        }
    except ProbeFailure as stop:
        answer = {
            "status": "error",
            "settings_module": settings_module,
            "django_version": None,
        }
        answer.update(stop.error)
    except Exception as error:  # noqa: BLE001 - a bug in the probe still gets a structured answer
        answer = {
            "status": "error",
            "settings_module": settings_module,
            "django_version": None,
        }
        answer.update(failure("internal", error, redactor, app_dir).error)
    if "django" in sys.modules:
        answer["django_version"] = sys.modules["django"].get_version()
    answer["app_output"] = redactor.all(loading_output.text(app_dir))
    return answer


def write_answer(path, answer):
    """Writes atomically, so the runner never reads half an answer."""
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as out:
        json.dump(answer, out, allow_nan=False)
    os.replace(temporary, path)


def main():
    watchdog.start()
    # Out of the environment before any app code runs: only the probe writes the answer.
    out_path = os.environ.pop(OUT_ENV, None)
    if not out_path:
        print(f"release-guard probe: {OUT_ENV} is not set", file=sys.stderr)
        return 2
    app_dir = os.getcwd()
    environ = dict(os.environ)
    redactor = Redactor.from_environment(environ)
    # App code may print; stdout stays out of the answer channel.
    sys.stdout = sys.stderr
    answer = probe(app_dir, environ, redactor)
    write_answer(out_path, answer)
    return 0
