"""Tests of the probe (src/gate/probe/) under the current interpreter's Django.

Run from the repository root under each venv:
    python -m unittest discover -s tests/python
The probe runs as a subprocess against the real fixture apps (fixtures/), exactly as the runner
starts it; its helper functions are also tested directly.
"""

import contextlib
import io
import json
import os
import py_compile
import shlex
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

import django
from probe_support import (
    FIXTURES,
    PACKAGE_DIR,
    probe_command,
    probe_module,
    run_with_channel,
)

probe = probe_module()
common = probe_module("common")
web = probe_module("web")
SecretCollector = probe_module("secrets").SecretCollector

TUTORIAL_SECRET_KEY = "tutorial-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
PLANTED_MARKERS = (
    "planted-secret-key-",
    "planted-db-password-4711",
    "planted-env-token-31337",
)
EDGE_SECRET_KEY = "edge-fixture-key-9f3a7c1e5b2d8f4a6c0e1b3d5f7a9c2e4b6d8f0a1c3e5"
LEAKY_SECRET_KEY = "planted-secret-key-2b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfe"
PLANTED_SECRETS = f"key={LEAKY_SECRET_KEY} password=planted-db-password-4711 token=planted-env-token-31337"

SNAPSHOT_FIELDS = {
    "status",
    "django_version",
    "python_version",
    "settings_module",
    "checks",
    "database_checks_skipped",
    "settings",
    "secret_key",
    "proxy_trust",
    "redirect_exempt",
    "simulation",
    "csp",
    "provenance",
    "app_output",
    "timings",
    "blocked",
    "secrets",
}
ERROR_FIELDS = {
    "status",
    "kind",
    "exception",
    "message",
    "frames",
    "settings_module",
    "django_version",
    "phase",
    "cause",
    "config_var_error",
    "app_output",
    "blocked",
    "secrets",
}


def clean_environ(extra):
    """The test's environment without variables a fixture reads, plus `extra`."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if name
        not in (
            "DJANGO_SETTINGS_MODULE",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "USE_SSL",
            "DEBUG",
        )
        and not name.startswith(
            ("EDGE_", "RELEASE_GUARD_", "FORWARDED_ALLOW_IPS", "GUNICORN_CMD_ARGS")
        )
    }
    environ.update(extra)
    return environ


def fixture_web_request(app):
    """The web process of the fixture's Procfile, as the runner would hand it over (its server
    and words; the simulation loads WSGI_APPLICATION, as without a module)."""
    procfile = FIXTURES / app / "Procfile"
    lines = procfile.read_text().splitlines() if procfile.exists() else []
    for line in lines:
        if line.startswith("web:"):
            return web_request(line)
    return dict(web.UNKNOWN)


def run_probe(app, settings_module=None, web_process=None, **env):
    """Runs the probe like the runner does; returns (answer or None, completed process). As the
    runner does, only a probe that exited 0 answers."""
    request = web_process or fixture_web_request(app)
    extra = {web.WEB_ENV: json.dumps(request), **env}
    if settings_module is not None:
        extra["DJANGO_SETTINGS_MODULE"] = settings_module
    with probe_command() as command:
        answer, completed = run_with_channel(
            command, cwd=FIXTURES / app, env=clean_environ(extra)
        )
    if completed.returncode != 0 or not answer:
        return None, completed
    return json.loads(answer), completed


def run_edge(scenario, app="edge", **env):
    answer, completed = run_probe(
        app,
        f"edge.settings.{scenario}",
        EDGE_PLANTED_TOKEN="planted-env-token-31337",
        **env,
    )
    if answer is None:
        raise AssertionError(f"no answer; stderr:\n{completed.stderr}")
    return answer


class SnapshotTest(unittest.TestCase):
    def test_tutorial_snapshot_shape(self):
        answer, completed = run_probe(
            "tutorial",
            "mysite.settings",
            SECRET_KEY=TUTORIAL_SECRET_KEY,
            ALLOWED_HOSTS='["guard-demo.herokuapp.com"]',
            USE_SSL="true",
        )
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertEqual(completed.stdout, "")
        self.assertEqual(set(answer), SNAPSHOT_FIELDS)
        self.assertEqual(answer["status"], "ok")
        self.assertEqual(answer["settings_module"], "mysite.settings")
        self.assertEqual(answer["checks"], [])
        self.assertEqual(
            answer["secret_key"],
            {
                "set": True,
                "long_enough": True,
                "enough_unique_characters": True,
                "insecure_prefix": False,
                "placeholder": False,
            },
        )
        self.assertEqual(
            answer["settings"]["SECURE_PROXY_SSL_HEADER"],
            {
                "type": "tuple",
                "value": ["HTTP_X_FORWARDED_PROTO", "https"],
                "repr": "('HTTP_X_FORWARDED_PROTO', 'https')",
            },
        )
        self.assertEqual(
            answer["settings"]["SECURE_HSTS_SECONDS"],
            {"type": "int", "value": 3600, "repr": "3600"},
        )
        self.assertEqual(
            answer["proxy_trust"],
            {"trusted": False, "server": "gunicorn", "source": None, "value": None},
        )
        self.assertEqual(
            answer["simulation"]["http"],
            {
                "status": 301,
                "location": "https://guard-demo.herokuapp.com/.well-known/release-guard/",
                "hsts": [],
                "set_cookies": [],
                "error": None,
                "reached_view": False,
                "answered_by": "django.middleware.security.SecurityMiddleware",
                "database_needed_by": None,
                "csp": {
                    "enforced": [],
                    "report_only": [],
                    "x_frame_options": [],
                    "reporting_endpoints": [],
                    "report_to": [],
                },
                "refused": None,
            },
        )
        self.assertEqual(
            answer["database_checks_skipped"],
            ["django.core.checks.database.check_database_backends"],
        )
        self.assertEqual(
            answer["simulation"]["https"]["hsts"],
            ["max-age=3600; includeSubDomains; preload"],
        )
        self.assertEqual(
            set(answer["timings"]),
            {"setup_ms", "provenance_ms", "checks_ms", "simulation_ms"},
        )

    def test_tutorial_provenance_names_the_use_ssl_switch(self):
        answer, _completed = run_probe(
            "tutorial",
            "mysite.settings",
            SECRET_KEY=TUTORIAL_SECRET_KEY,
            ALLOWED_HOSTS='["guard-demo.herokuapp.com"]',
        )
        redirect = answer["provenance"]["settings"]["SECURE_SSL_REDIRECT"]
        self.assertEqual(redirect["origin"], "switched_off")
        self.assertEqual(
            (redirect["file"], redirect["line"]), ("mysite/settings.py", 34)
        )
        self.assertEqual(redirect["literal"], {"type": "bool", "value": True})
        switch = redirect["switch"]
        self.assertEqual((switch["file"], switch["line"]), ("mysite/settings.py", 32))
        self.assertEqual(switch["config_var"]["name"], "USE_SSL")
        self.assertEqual(switch["config_var"]["needed"], "true")
        self.assertEqual(
            answer["provenance"]["settings_file"],
            {"file": "mysite/settings.py", "line": 117},
        )
        # pydantic-settings copies the whole environment where the model is built.
        self.assertIn(
            {"name": None, "file": "mysite/settings.py", "line": 23},
            answer["provenance"]["reads"],
        )
        self.assertEqual(
            switch["config_var"]["read_at"], {"file": "mysite/settings.py", "line": 23}
        )

    def test_a_config_var_the_settings_model_cannot_parse_is_named_with_its_type(self):
        answer, _completed = run_probe(
            "tutorial",
            "mysite.settings",
            SECRET_KEY=TUTORIAL_SECRET_KEY,
            ALLOWED_HOSTS="example.com",
        )
        self.assertEqual(answer["status"], "error")
        self.assertEqual(
            answer["config_var_error"],
            {
                "name": "ALLOWED_HOSTS",
                "field": "Settings.ALLOWED_HOSTS",
                "field_type": "list[str]",
                "expects": "a JSON list",
                "example": '["example.com"]',
            },
        )

    def test_checks_are_sorted_and_carry_silencing(self):
        answer = run_edge("silenced")
        self.assertEqual(
            [
                (check["id"], check["level"], check["silenced"])
                for check in answer["checks"]
            ],
            [("security.W004", 30, True), ("security.W008", 30, True)],
        )
        self.assertEqual(
            set(answer["checks"][0]), {"id", "level", "msg", "hint", "obj", "silenced"}
        )
        self.assertEqual(
            answer["settings"]["SILENCED_SYSTEM_CHECKS"]["value"],
            ["security.W004", "security.W008"],
        )

    def test_settings_allowlist_never_contains_secrets(self):
        answer = run_edge("leaky")
        self.assertLessEqual(set(answer["settings"]), set(common.ALLOWED_SETTINGS))
        for name in ("SECRET_KEY", "SECRET_KEY_FALLBACKS", "DATABASES", "CACHES"):
            self.assertNotIn(name, answer["settings"])
        text = json.dumps(answer["settings"])
        for marker in PLANTED_MARKERS:
            self.assertNotIn(marker, text)

    def test_hsts_seconds_string_zero_keeps_its_type(self):
        answer = run_edge("hsts_string_zero")
        self.assertEqual(
            answer["settings"]["SECURE_HSTS_SECONDS"],
            {"type": "str", "value": "0", "repr": "'0'"},
        )
        self.assertEqual(answer["checks"], [])  # Django's truthiness test misses it
        self.assertEqual(
            answer["simulation"]["https"]["hsts"],
            ["max-age=0; includeSubDomains; preload"],
        )

    def test_stdout_printing_is_isolated(self):
        answer, completed = run_probe("edge", "edge.settings.prints")
        self.assertEqual(completed.stdout, "")
        self.assertIn("Loading edge settings...", completed.stderr)
        self.assertEqual(answer["status"], "ok")
        self.assertEqual(answer["checks"], [])

    def test_simulation_host_choice(self):
        self.assertEqual(run_edge("wildcard_host")["simulation"]["host"], "example.com")
        self.assertEqual(run_edge("debug_on")["simulation"]["host"], "localhost")
        skipped = run_edge("no_hosts")["simulation"]
        self.assertEqual(
            skipped,
            {
                "ran": False,
                "skipped_reason": "ALLOWED_HOSTS accepts no host the simulated requests could use",
                "host": None,
                "path": None,
                "path_exempt": False,
                "traced": False,
                "http": None,
                "https": None,
                "https_nonce": None,
            },
        )

    def test_csp_nonce_is_read_only_in_the_extra_response(self):
        answer, completed = run_probe("csp", "csp_site.settings.nonce_dropped")
        self.assertEqual(answer["status"], "ok", completed.stderr)
        simulation = answer["simulation"]
        plain = simulation["https"]["csp"]["enforced"]
        nonced = simulation["https_nonce"]["csp"]["enforced"]
        self.assertEqual(len(plain), 1)
        # django-csp sends its directives in no fixed order.
        self.assertRegex(plain[0], r"script-src 'self' 'unsafe-inline'(;|$)")
        self.assertNotIn("'nonce-", plain[0])
        self.assertRegex(nonced[0], r"script-src 'self' 'unsafe-inline' 'nonce-[^']+'")
        self.assertEqual(simulation["https"]["csp"]["x_frame_options"], ["DENY"])
        built_in = django.VERSION >= (6, 0)
        self.assertEqual(
            answer["csp"]["middleware"],
            [
                {
                    "path": "django.middleware.csp.ContentSecurityPolicyMiddleware"
                    if built_in
                    else "csp.middleware.CSPMiddleware",
                    "kind": "django" if built_in else "django_csp",
                }
            ],
        )
        self.assertEqual(answer["csp"]["django_csp_version"] is None, built_in)

    def test_no_csp_middleware_no_extra_request(self):
        answer = run_edge("good")
        self.assertIsNone(answer["simulation"]["https_nonce"])
        self.assertEqual(answer["csp"]["middleware"], [])

    def test_proxy_trust_from_gunicorn_config_changes_the_https_request(self):
        answer = run_edge("no_proxy_header", app="edge-proxy-trusted")
        self.assertEqual(
            answer["proxy_trust"],
            {
                "trusted": True,
                "server": "gunicorn",
                "source": "gunicorn.conf.py forwarded_allow_ips",
                "value": "*",
            },
        )
        self.assertEqual(answer["simulation"]["https"]["status"], 200)
        self.assertTrue(answer["simulation"]["https"]["reached_view"])
        plain = run_edge("no_proxy_header")
        self.assertEqual(plain["simulation"]["https"]["status"], 301)
        self.assertEqual(plain["simulation"]["https"]["hsts"], [])

    def test_simulated_requests_never_reach_the_database(self):
        database = FIXTURES / "edge" / "db.sqlite3"
        self.assertFalse(database.exists())
        answer = run_edge("database_middleware")
        self.assertFalse(database.exists())
        https = answer["simulation"]["https"]
        self.assertEqual(https["status"], 500)
        self.assertEqual(
            https["error"],
            "DatabaseAccessBlocked: Release Guard never connects to a database ('default')",
        )
        self.assertEqual(
            https["database_needed_by"], "edge.middleware.SiteConfigurationMiddleware"
        )
        self.assertEqual(
            https["hsts"], ["max-age=31536000; includeSubDomains; preload"]
        )


    def test_the_stand_in_view_makes_django_issue_its_cookies_without_saving(self):
        database = FIXTURES / "edge" / "db.sqlite3"
        answer = run_edge("good")
        self.assertFalse(database.exists())
        cookies = answer["simulation"]["https"]["set_cookies"]
        names = sorted(cookie.split("=", 1)[0].strip() for cookie in cookies)
        self.assertEqual(names, ["csrftoken", "sessionid"])
        session = next(cookie for cookie in cookies if "sessionid=" in cookie)
        self.assertIn("; Secure", session)
        self.assertIn("; HttpOnly", session)
        self.assertIn("SameSite=Lax", session)
        stripped = run_edge("cookies_secure_stripped")["simulation"]["https"]
        self.assertEqual(len(stripped["set_cookies"]), 2)
        self.assertFalse(any("Secure" in cookie for cookie in stripped["set_cookies"]))


class SecretsTest(unittest.TestCase):
    """The probe reports raw values (the rules judge them) and hands over, in the answer only,
    the secrets the Rust side hides at the output boundary."""

    def test_rules_see_values_equal_to_the_app_name(self):
        # bakerydemo: cache LOCATION, database NAME and USER are the app's name, the password
        # is "http". None of it may be scrubbed from what the rules compare.
        answer = run_edge("app_named_values")
        host = "bakerydemo.herokuapp.com"
        self.assertEqual(
            answer["simulation"]["http"]["location"],
            f"https://{host}/.well-known/release-guard/",
        )
        self.assertEqual(answer["settings"]["ALLOWED_HOSTS"]["value"], [host])
        self.assertEqual(answer["settings"]["SECURE_SSL_HOST"]["value"], host)
        self.assertEqual(
            sorted(answer["secrets"]),
            sorted(["http", EDGE_SECRET_KEY]),
        )

    def test_app_text_is_raw_and_its_secrets_are_handed_over(self):
        answer = run_edge("leaky")
        leaky = [check for check in answer["checks"] if check["id"] == "edge.W001"]
        self.assertEqual(leaky[0]["msg"], f"leaky check: {PLANTED_SECRETS}")
        self.assertEqual(
            answer["simulation"]["https"]["error"],
            f"RuntimeError: cannot reach the database: {PLANTED_SECRETS}",
        )
        self.assertEqual(
            sorted(answer["secrets"]),
            sorted([LEAKY_SECRET_KEY, "planted-db-password-4711"]),
        )

    def test_secrets_of_settings_that_raise_halfway(self):
        answer = run_edge("leaky_import")
        self.assertEqual(
            answer["message"], f"cannot configure storage: {PLANTED_SECRETS}"
        )
        self.assertEqual(
            sorted(answer["secrets"]),
            sorted([LEAKY_SECRET_KEY, "planted-db-password-4711"]),
        )

    def test_placeholder_keys_are_told_without_sending_the_key(self):
        def facts(key):
            return probe.secret_key_facts(type("Settings", (), {"SECRET_KEY": key}))

        for key in ("changeme", "Change-Me!", "your-secret-key-here", b"SECRET_KEY"):
            self.assertTrue(facts(key)["placeholder"], key)
        for key in ("a", "changeme-7f3k9q2x", TUTORIAL_SECRET_KEY, ""):
            self.assertFalse(facts(key)["placeholder"], key)
        self.assertEqual(
            facts("a"),
            {
                "set": True,
                "long_enough": False,
                "enough_unique_characters": False,
                "insecure_prefix": False,
                "placeholder": False,
            },
        )

    def test_only_keys_and_passwords_are_secrets(self):
        secrets = probe_module("secrets")
        found = secrets.settings_secrets(
            {
                "SECRET_KEY": b"bytes-key-value",
                "SECRET_KEY_FALLBACKS": ["old-key-1", "old-key-2"],
                "DATABASES": {
                    "default": {
                        "ENGINE": "django.db.backends.postgresql",
                        "NAME": "bakerydemo",
                        "USER": "bakerydemo",
                        "HOST": "db.internal",
                        "PASSWORD": "pw-9876",
                        "OPTIONS": {"password": "option-pw", "sslmode": "require"},
                    }
                },
                "CACHES": {
                    "default": {
                        "BACKEND": "x.RedisCache",
                        "LOCATION": ["redis://:cache-pw@cache:6379", "bakerydemo"],
                        "OPTIONS": {"PASSWORD": "redis-option-pw"},
                    }
                },
            }
        )
        self.assertEqual(
            found,
            {
                "bytes-key-value",
                "old-key-1",
                "old-key-2",
                "pw-9876",
                "option-pw",
                "cache-pw",
                "redis-option-pw",
            },
        )

    def test_the_probe_never_prints_a_traceback_of_its_own(self):
        answer, completed = run_probe("edge", "edge.settings.cancelled")
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertEqual(
            (answer["status"], answer["kind"], answer["exception"]),
            ("error", "setup_failed", "CancelledError"),
        )
        self.assertEqual(completed.stderr, "")
        self.assertNotIn("planted", json.dumps(answer))

    def test_pydantic_custom_validators_are_not_quoted(self):
        answer, completed = run_probe(
            "edge",
            "edge.settings.pydantic_validator",
            EDGE_PLANTED_TOKEN="planted-env-token-31337",
        )
        self.assertEqual(answer["kind"], "setup_failed", completed.stderr)
        self.assertEqual(
            answer["message"],
            "1 validation error for Environment\nEDGE_PLANTED_TOKEN\n"
            "  Value error (the validator's message is not shown: it may quote the value)"
            " [type=value_error]",
        )
        self.assertNotIn("73313", json.dumps(answer))


class ErrorTest(unittest.TestCase):
    def assert_error(self, answer, kind, exception):
        self.assertEqual(set(answer), ERROR_FIELDS)
        self.assertEqual(
            (answer["status"], answer["kind"], answer["exception"]),
            ("error", kind, exception),
        )

    def test_settings_that_raise(self):
        answer = run_edge("needs_config_var")
        self.assert_error(answer, "setup_failed", "KeyError")
        self.assertEqual(answer["message"], "'EDGE_API_TOKEN'")
        self.assertEqual(
            answer["frames"],
            [
                {
                    "file": "edge/settings/needs_config_var.py",
                    "line": 7,
                    "function": "<module>",
                }
            ],
        )

    def test_pydantic_errors_never_quote_config_vars(self):
        # pydantic shortens a long input repr with "..." in the middle, which exact-value
        # redaction cannot match: the error must be built without the input at all.
        database_url = (
            "postgres://admin:planted-db-password-4711@db.internal:5432/production"
        )
        answer, completed = run_probe(
            "tutorial", "mysite.settings", USE_SSL="true", DATABASE_URL=database_url
        )
        self.assert_error(answer, "setup_failed", "ValidationError")
        self.assertEqual(
            answer["message"],
            "1 validation error for Settings\nSECRET_KEY\n  Field required [type=missing]",
        )
        for fragment in ("planted", "db.internal", "5432/production", "admin:"):
            self.assertNotIn(fragment, json.dumps(answer))
            self.assertNotIn(fragment, completed.stderr)

    def test_missing_settings_module(self):
        answer = run_edge("does_not_exist")
        self.assert_error(answer, "settings_import", "ModuleNotFoundError")
        self.assertEqual(
            answer["message"], "No module named 'edge.settings.does_not_exist'"
        )

    def test_improperly_configured(self):
        answer = run_edge("improperly_configured")
        self.assert_error(answer, "improperly_configured", "ImproperlyConfigured")
        self.assertEqual(
            answer["message"], "Application labels aren't unique, duplicates: auth"
        )

    def test_crashing_check(self):
        answer = run_edge("leaky_checks_crash")
        self.assert_error(answer, "checks_failed", "RuntimeError")
        self.assertEqual(
            answer["frames"][-1],
            {"file": "edge/apps.py", "line": 17, "function": "leaky_check"},
        )

    def test_no_settings_module(self):
        answer, _ = run_probe("edge")
        self.assert_error(answer, "no_settings_module", None)
        self.assertEqual(answer["frames"], [])

    def test_no_answer_file_configured(self):
        with probe_command() as command:
            completed = subprocess.run(
                command,
                env=clean_environ({}),
                capture_output=True,
                text=True,
                check=False,
            )
        self.assertEqual(completed.returncode, 2)
        self.assertEqual(
            completed.stderr,
            "release-guard probe: no answer channel on file descriptor 3\n",
        )


def web_request(procfile_line):
    """The web process of a `web:` line as the guard hands it to the probe (the guard reads
    the Procfile in Rust: src/web_process/; these lines need only its simplest forms)."""
    words = shlex.split(procfile_line.removeprefix("web:"))
    if words[:2] == ["python", "-m"]:
        words = words[2:]
    return {**web.UNKNOWN, "server": words[0], "args": words[1:]}


class ProxyTrustTest(unittest.TestCase):
    def trust(self, procfile=None, gunicorn_conf=None, **environ):
        with tempfile.TemporaryDirectory() as app_dir:
            if gunicorn_conf is not None:
                Path(app_dir, "gunicorn.conf.py").write_text(gunicorn_conf)
            request = web_request(procfile) if procfile else dict(web.UNKNOWN)
            return web.proxy_trust(app_dir, environ, request, SecretCollector())

    def test_unknown_web_process_reads_only_gunicorns_own_sources(self):
        trust = self.trust(None, FORWARDED_ALLOW_IPS="*")
        self.assertEqual(
            trust,
            {"trusted": True, "server": None, "source": "FORWARDED_ALLOW_IPS", "value": "*"},
        )

    def test_default_gunicorn_trusts_nobody(self):
        self.assertEqual(
            self.trust("web: gunicorn mysite.wsgi\n"),
            {"trusted": False, "server": "gunicorn", "source": None, "value": None},
        )

    def test_procfile_flag_beats_config_file(self):
        trust = self.trust(
            "web: gunicorn mysite.wsgi --forwarded-allow-ips='*'\n",
            gunicorn_conf='forwarded_allow_ips = "10.0.0.1"\n',
        )
        self.assertEqual(
            trust,
            {
                "trusted": True,
                "server": "gunicorn",
                "source": "Procfile web: --forwarded-allow-ips",
                "value": "*",
            },
        )

    def test_gunicorn_cmd_args_and_env(self):
        trust = self.trust(
            "web: gunicorn mysite.wsgi",
            GUNICORN_CMD_ARGS="--workers 2 --forwarded-allow-ips=*",
        )
        self.assertEqual(
            (trust["trusted"], trust["source"]),
            (True, "GUNICORN_CMD_ARGS --forwarded-allow-ips"),
        )
        trust = self.trust("web: gunicorn mysite.wsgi", FORWARDED_ALLOW_IPS="192.0.2.1")
        self.assertEqual(
            (trust["trusted"], trust["source"], trust["value"]),
            (False, "FORWARDED_ALLOW_IPS", "192.0.2.1"),
        )

    def test_config_file_list_and_custom_path(self):
        with tempfile.TemporaryDirectory() as app_dir:
            request = web_request(
                "web: python -m gunicorn -c config/gunicorn.py mysite.wsgi"
            )
            Path(app_dir, "config").mkdir()
            Path(app_dir, "config", "gunicorn.py").write_text(
                'forwarded_allow_ips = ["127.0.0.1", "*"]\n'
            )
            trust = web.proxy_trust(app_dir, {}, request, SecretCollector())
        self.assertEqual(
            trust,
            {
                "trusted": True,
                "server": "gunicorn",
                "source": "config/gunicorn.py forwarded_allow_ips",
                "value": "127.0.0.1,*",
            },
        )

    def test_broken_config_file_is_not_fatal(self):
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            trust = self.trust(
                "web: gunicorn mysite.wsgi", gunicorn_conf="raise SystemExit(1)\n"
            )
        self.assertEqual(
            trust,
            {"trusted": False, "server": "gunicorn", "source": None, "value": None},
        )
        self.assertEqual(
            stderr.getvalue(),
            "release-guard probe: gunicorn.conf.py could not be read: SystemExit: 1\n",
        )

    def test_config_file_named_in_gunicorn_cmd_args(self):
        with tempfile.TemporaryDirectory() as app_dir:
            Path(app_dir, "prod.conf.py").write_text('forwarded_allow_ips = "*"\n')
            trust = web.proxy_trust(
                app_dir,
                {"GUNICORN_CMD_ARGS": "-c prod.conf.py"},
                web_request("web: gunicorn mysite.wsgi"),
                SecretCollector(),
            )
        self.assertEqual(
            (trust["trusted"], trust["source"]),
            (True, "prod.conf.py forwarded_allow_ips"),
        )

    def test_config_file_only_runs_when_needed(self):
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            trust = self.trust(
                "web: gunicorn mysite.wsgi --forwarded-allow-ips=*",
                gunicorn_conf='raise RuntimeError("ran")\n',
            )
        self.assertEqual((trust["trusted"], stderr.getvalue()), (True, ""))

    def test_daphne(self):
        trust = self.trust(
            "web: daphne mysite.asgi:application --proxy-headers -b 0.0.0.0 -p $PORT"
        )
        self.assertEqual(
            trust,
            {
                "trusted": True,
                "server": "daphne",
                "source": "Procfile web: --proxy-headers",
                "value": None,
            },
        )
        self.assertEqual(
            self.trust("web: daphne mysite.asgi:application", FORWARDED_ALLOW_IPS="*")[
                "trusted"
            ],
            False,
        )

    def test_uvicorn(self):
        trust = self.trust(
            "web: uvicorn mysite.asgi:application --forwarded-allow-ips '*'"
        )
        self.assertEqual((trust["server"], trust["trusted"]), ("uvicorn", True))
        trust = self.trust(
            "web: uvicorn mysite.asgi:application",
            gunicorn_conf='forwarded_allow_ips = "*"',
        )
        self.assertEqual((trust["server"], trust["trusted"]), ("uvicorn", False))
        trust = self.trust(
            "web: uvicorn mysite.asgi:application --no-proxy-headers",
            FORWARDED_ALLOW_IPS="*",
        )
        self.assertEqual(
            (trust["trusted"], trust["source"]),
            (False, "Procfile web: --no-proxy-headers"),
        )


class WebProcessTest(unittest.TestCase):
    """The web process the guard hands over: taken out of the environment before app code runs,
    and its module loaded with the web process's environment, which is restored afterwards."""

    def test_the_request_leaves_the_environment(self):
        environ = {web.WEB_ENV: json.dumps({"server": "gunicorn", "args": ["x.wsgi"]}), "A": "1"}
        request = web.take_request(environ)
        self.assertEqual(environ, {"A": "1"})
        self.assertEqual((request["server"], request["module"]), ("gunicorn", None))
        self.assertEqual(web.take_request({web.WEB_ENV: "not json"}), web.UNKNOWN)
        self.assertEqual(web.take_request({}), web.UNKNOWN)

    def test_the_web_environment_is_set_while_loading_and_restored(self):
        os.environ["RELEASE_GUARD_TEST_KEPT"] = "release"
        os.environ.pop("RELEASE_GUARD_TEST_ADDED", None)
        request = {
            "environ": {
                "RELEASE_GUARD_TEST_KEPT": "web",
                "RELEASE_GUARD_TEST_ADDED": "5000",
            }
        }
        with web.web_environment(request):
            seen = (
                os.environ["RELEASE_GUARD_TEST_KEPT"],
                os.environ["RELEASE_GUARD_TEST_ADDED"],
            )
        self.assertEqual(seen, ("web", "5000"))
        self.assertEqual(os.environ.pop("RELEASE_GUARD_TEST_KEPT"), "release")
        self.assertNotIn("RELEASE_GUARD_TEST_ADDED", os.environ)

    def test_a_wsgi_module_reading_port_loads_with_the_web_environment(self):
        wsgi = (
            "import os\n"
            "from django.core.wsgi import get_wsgi_application\n"
            'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")\n'
            'PORT = int(os.environ["PORT"])\n'
            "application = get_wsgi_application()\n"
        )
        request = {
            **web.UNKNOWN,
            "server": "gunicorn",
            "args": ["config.wsgi:application"],
            "module": "config.wsgi",
            "attribute": "application",
            "import_root": "",
            "environ": {"PORT": "5000", "DYNO": "web.1"},
        }
        production = {
            "DJANGO_SECRET_KEY": "web-process-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
            "DJANGO_ALLOWED_HOSTS": "web-process.herokuapp.com",
        }
        with tempfile.TemporaryDirectory() as scratch:
            app = Path(scratch, "app")
            shutil.copytree(FIXTURES / "web-process", app)
            (app / "config" / "wsgi.py").write_text(wsgi)
            loaded, completed = run_probe(
                app, "config.settings.production", request, **production
            )
            without_port = {**request, "environ": {}}
            failed, _ = run_probe(
                app, "config.settings.production", without_port, **production
            )
        self.assertIsNotNone(loaded, completed.stderr)
        self.assertTrue(loaded["simulation"]["ran"], loaded["simulation"])
        self.assertEqual(loaded["simulation"]["http"]["status"], 301)
        self.assertFalse(failed["simulation"]["ran"])
        self.assertEqual(
            failed["simulation"]["skipped_reason"],
            "the web process's module config.wsgi:application could not be loaded as a web "
            "process loads it (with nothing set): KeyError: 'PORT'",
        )


class ValueTest(unittest.TestCase):
    def test_json_forms(self):
        self.assertEqual(
            common.describe_value(("a", 1)),
            {"type": "tuple", "value": ["a", 1], "repr": "('a', 1)"},
        )
        self.assertEqual(common.describe_value({"a"})["value"], None)
        self.assertEqual(common.describe_value(float("nan"))["value"], None)
        self.assertEqual(
            common.describe_value(None),
            {"type": "NoneType", "value": None, "repr": "None"},
        )
        long_repr = common.describe_value("x" * 500)["repr"]
        self.assertEqual(len(long_repr), common.MAX_REPR_LENGTH)

    def test_probe_compiles(self):
        with tempfile.TemporaryDirectory() as out:
            for source in PACKAGE_DIR.glob("*.py"):
                py_compile.compile(
                    str(source), cfile=os.path.join(out, "probe.pyc"), doraise=True
                )


if __name__ == "__main__":
    unittest.main()
