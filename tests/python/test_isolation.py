"""The probe never opens a network connection to a database or a cache, from the settings
import to the last simulated request, evaluates SECURE_REDIRECT_EXEMPT with Python's own `re`,
and simulates past the view.

The database and the cache are real listeners on 127.0.0.1 that count every connection they
accept: PostgreSQL (psycopg) and Redis (redis-py) configured the way Heroku apps configure them
(DATABASE_URL, REDIS_URL), in test apps shaped like wagtail/bakerydemo, djangoproject.com and
Heroku's python-getting-started (fixtures/bakery, fixtures/djangoproject,
fixtures/getting-started), and in the edge app's start-up code (fixtures/edge/edge/connects.py).
"""

import json
import socket
import tempfile
import threading
import unittest
from pathlib import Path

from probe_support import FIXTURES, probe_module
from test_probe import run_edge, run_probe

exempt = probe_module("exempt")
isolation = probe_module("isolation")

BAKERY_KEY = "bakery-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMN"
# The longest a listener lives: the test is long over by then.
LISTENER_LIFETIME = 60.0


class Listener:
    """A TCP listener on 127.0.0.1 that accepts, counts and closes connections until the `with`
    block ends (or LISTENER_LIFETIME passes)."""

    def __enter__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()
        return self

    def _accept(self):
        stop_after = threading.Timer(LISTENER_LIFETIME, self.stop.set)
        stop_after.start()
        while not self.stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()
        stop_after.cancel()

    def __exit__(self, *_exc):
        self.stop.set()
        self.thread.join()
        self.socket.close()


def bakery(**env):
    answer, completed = run_probe(
        "bakery",
        "bakerydemo.settings.production",
        DJANGO_SECRET_KEY=BAKERY_KEY,
        DJANGO_ALLOWED_HOSTS="bakerydemo.herokuapp.com",
        **env,
    )
    if answer is None:
        raise AssertionError(f"no answer; stderr:\n{completed.stderr}")
    return answer


class NoConnectionTest(unittest.TestCase):
    def test_postgres_and_redis_on_loopback_see_no_connection(self):
        with Listener() as database, Listener() as cache:
            answer = bakery(
                DATABASE_URL=f"postgres://app:pw@127.0.0.1:{database.port}/pages",
                REDIS_URL=f"redis://127.0.0.1:{cache.port}/0",
            )
        self.assertEqual(answer["status"], "ok", answer)
        # Django 6.1's model checks connect when given every alias; nothing may.
        self.assertEqual((database.connections, cache.connections), (0, 0))
        self.assertEqual(
            answer["database_checks_skipped"],
            ["django.core.checks.database.check_database_backends"],
        )
        # The cache middleware ran against the in-process stand-in: HTTPS reached the view.
        https = answer["simulation"]["https"]
        self.assertEqual(
            (https["status"], https["error"], https["reached_view"]), (200, None, True)
        )
        self.assertEqual(
            https["hsts"], ["max-age=31536000; includeSubDomains; preload"]
        )

    def test_djangoproject_with_its_database_unreachable(self):
        with Listener() as database, tempfile.TemporaryDirectory() as conf:
            secrets = Path(conf, "secrets.json")
            secrets.write_text(
                json.dumps(
                    {
                        "secret_key": BAKERY_KEY,
                        "db_host": "127.0.0.1",
                        "db_port": str(database.port),
                        "db_password": "pw",
                    }
                )
            )
            answer, completed = run_probe(
                "djangoproject",
                "djangoproject.settings.prod",
                DJANGOPROJECT_SECRETS=str(secrets),
            )
        self.assertEqual(answer["status"], "ok", completed.stderr)
        self.assertEqual(database.connections, 0)
        # CurrentSiteMiddleware needs the database, after SecurityMiddleware: the plain-HTTP
        # request was redirected before it, the HTTPS one carries HSTS and names it.
        http, https = answer["simulation"]["http"], answer["simulation"]["https"]
        self.assertEqual(
            (http["status"], http["answered_by"]),
            (301, "django.middleware.security.SecurityMiddleware"),
        )
        self.assertEqual(
            https["database_needed_by"],
            "django.contrib.sites.middleware.CurrentSiteMiddleware",
        )
        self.assertEqual(
            https["hsts"], ["max-age=31536000; includeSubDomains; preload"]
        )

    def test_settings_are_left_as_configured(self):
        with Listener() as cache:
            answer = bakery(REDIS_URL=f"redis://127.0.0.1:{cache.port}/0")
        self.assertEqual(
            answer["settings"]["MIDDLEWARE"]["value"][0],
            "django.middleware.cache.UpdateCacheMiddleware",
        )
        self.assertEqual(cache.connections, 0)


def line_of(path, text):
    """The 1-based number of the line of a fixture file that contains `text`."""
    lines = (FIXTURES / path).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


CONNECTS = "edge/edge/connects.py"


def at_startup(*connects):
    """Runs the `connects` scenario with the app's PostgreSQL and Redis listening on loopback;
    returns the answer and how many connections each saw."""
    with Listener() as database, Listener() as cache:
        answer, completed = run_probe(
            "edge",
            "edge.settings.connects",
            EDGE_DATABASE_PORT=str(database.port),
            EDGE_REDIS_URL=f"redis://127.0.0.1:{cache.port}/0",
            EDGE_CONNECTS=",".join(connects),
        )
    if answer is None:
        raise AssertionError(f"no answer; stderr:\n{completed.stderr}")
    return answer, (database.connections, cache.connections), cache.port


def connects_record(kind, target, at):
    """A blocked access in AppConfig.ready() from `at`: (function, text of its line) in
    edge/connects.py."""
    function, line_text = at
    return {
        "kind": kind,
        "target": target,
        "phase": "apps",
        "file": "edge/connects.py",
        "line": line_of(CONNECTS, line_text),
        "function": function,
        "in_app": True,
        "count": 1,
    }


def blocked_at(answer):
    return [
        (item["kind"], item["target"], item["phase"], item["file"], item["function"])
        for item in answer["blocked"]
    ]


class StartUpConnectionTest(unittest.TestCase):
    """Reaching for the database or the cache before any request: refused, reported with the
    app's line that did it, and the run goes on."""

    def test_a_cache_used_in_ready_answers_from_memory(self):
        answer, connections, _ = at_startup("cache_in_ready")
        self.assertEqual(connections, (0, 0))
        self.assertEqual(answer["status"], "ok", answer)
        self.assertEqual(
            answer["blocked"],
            [
                connects_record(
                    "cache",
                    "the cache 'default' (django.core.cache.backends.redis.RedisCache)",
                    ("cached_flags", 'cache.get("feature-flags")'),
                )
            ],
        )

    def test_a_cache_used_in_a_system_check_answers_from_memory(self):
        answer, connections, _ = at_startup("cache_in_check")
        self.assertEqual(connections, (0, 0))
        self.assertEqual(answer["status"], "ok", answer)
        self.assertEqual(
            blocked_at(answer),
            [
                (
                    "cache",
                    "the cache 'default' (django.core.cache.backends.redis.RedisCache)",
                    "checks",
                    "edge/connects.py",
                    "cached_flags",
                )
            ],
        )

    def test_a_query_in_ready_is_refused_like_an_unreachable_database(self):
        answer, connections, _ = at_startup("database_in_ready")
        self.assertEqual(connections, (0, 0))
        # The app tolerates a database that is not there, so the run goes on.
        self.assertEqual(answer["status"], "ok", answer)
        self.assertEqual(
            answer["blocked"],
            [
                connects_record(
                    "database",
                    "the database 'default' (django.db.backends.postgresql)",
                    ("count_users", "return User.objects.count()"),
                )
            ],
        )

    def test_a_check_that_needs_the_database_is_not_run(self):
        answer, connections, _ = at_startup("database_in_check")
        self.assertEqual(connections, (0, 0))
        self.assertEqual(answer["status"], "ok", answer)
        # Its message would be computed without the database: left out, the check listed.
        self.assertNotIn("edge.E010", [check["id"] for check in answer["checks"]])
        self.assertIn("edge.connects.users_check", answer["database_checks_skipped"])
        self.assertEqual(
            blocked_at(answer),
            [
                (
                    "database",
                    "the database 'default' (django.db.backends.postgresql)",
                    "checks",
                    "edge/connects.py",
                    "users_check",
                )
            ],
        )

    def test_the_apps_own_redis_client_is_refused_from_the_settings_on(self):
        answer, connections, port = at_startup(
            "redis_client_in_settings", "redis_client_in_ready"
        )
        self.assertEqual(connections, (0, 0))
        self.assertEqual(answer["status"], "ok", answer)
        server = f"127.0.0.1:{port} (EDGE_REDIS_URL)"
        self.assertEqual(
            blocked_at(answer),
            [
                ("connection", server, phase, "edge/connects.py", "ping_redis")
                for phase in ("settings", "apps")
            ],
        )


class RequestConnectionTest(unittest.TestCase):
    def test_a_middleware_with_its_own_redis_client_is_stopped_and_named(self):
        answer, connections, port = at_startup("redis_client_in_middleware")
        self.assertEqual(connections, (0, 0))
        https = answer["simulation"]["https"]
        self.assertEqual(
            (https["status"], https["database_needed_by"], https["refused"]),
            (
                500,
                "edge.middleware.RateLimitMiddleware",
                f"the cache server at 127.0.0.1:{port}",
            ),
        )
        self.assertEqual(
            https["hsts"], ["max-age=31536000; includeSubDomains; preload"]
        )
        # Refusals inside the requests are the simulation's findings, not start-up ones.
        self.assertEqual(answer["blocked"], [])


class ServersTest(unittest.TestCase):
    """The servers the socket guard refuses, read as the apps' own libraries read them."""

    def test_database_and_cache_urls(self):
        url = isolation.url_servers
        self.assertEqual(
            url("postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d"),
            ("database", [("ec2-1-2-3-4.compute-1.amazonaws.com", 5432)]),
        )
        self.assertEqual(
            url("postgresql://u@db1:5433,DB2/d"),
            ("database", [("db1", 5433), ("db2", 5432)]),
        )
        self.assertEqual(
            url("rediss://:secret@[::1]:6380/0"), ("cache", [("::1", 6380)])
        )
        self.assertEqual(
            url("redis://localhost/1"),
            (
                "cache",
                [("localhost", 6379), ("127.0.0.1", 6379), ("::1", 6379)],
            ),
        )
        self.assertEqual(url("unix:///run/redis.sock"), ("cache", ["/run/redis.sock"]))
        for other in (
            "https://api.example.com/",
            "not a url",
            "redis://",
            "http://[::1",
        ):
            self.assertEqual(url(other), (None, []), other)

    def test_databases_and_caches_settings(self):
        self.assertEqual(
            isolation.database_servers(
                {"ENGINE": "django_tenants.postgresql_backend", "HOST": "db"}
            ),
            [("db", 5432)],
        )
        self.assertEqual(
            isolation.database_servers(
                {"ENGINE": "django.db.backends.postgresql", "HOST": "/var/run/pg"}
            ),
            ["/var/run/pg/.s.PGSQL.5432"],
        )
        self.assertEqual(
            isolation.database_servers({"ENGINE": "django.db.backends.sqlite3"}), []
        )
        memcached = "django.core.cache.backends.memcached.PyMemcacheCache"
        self.assertEqual(
            isolation.cache_servers(
                {
                    "BACKEND": memcached,
                    "LOCATION": "mc1:11211;mc2:11212,unix:/tmp/mc.sock",
                }
            ),
            [("mc1", 11211), ("mc2", 11212), "/tmp/mc.sock"],
        )
        file_based = "django.core.cache.backends.filebased.FileBasedCache"
        self.assertEqual(
            isolation.cache_servers({"BACKEND": file_based, "LOCATION": "/tmp/c"}), []
        )


class SimulationPastTheViewTest(unittest.TestCase):
    def test_a_catch_all_url_that_needs_the_database_is_not_consulted(self):
        https = bakery()["simulation"]["https"]
        self.assertEqual(
            (https["status"], https["reached_view"], https["database_needed_by"]),
            (200, True, None),
        )

    def test_a_request_stopped_at_the_database_renders_no_error_page(self):
        with tempfile.TemporaryDirectory() as private:
            marker = Path(private, "error-pages-used")
            answer = run_edge(
                "database_middleware_error_pages", EDGE_MARKER_FILE=str(marker)
            )
            used = marker.read_text() if marker.exists() else ""
        self.assertEqual(used, "")
        https = answer["simulation"]["https"]
        self.assertEqual(
            (https["status"], https["database_needed_by"], https["refused"]),
            (500, "edge.middleware.SiteConfigurationMiddleware", "the database"),
        )
        # SecurityMiddleware still answered the stopped request on its way out.
        self.assertEqual(
            https["hsts"], ["max-age=31536000; includeSubDomains; preload"]
        )

    def test_atomic_requests_leave_the_stand_in_view_alone(self):
        https = run_edge("atomic_requests")["simulation"]["https"]
        self.assertEqual(
            (https["status"], https["reached_view"], https["database_needed_by"]),
            (200, True, None),
        )

    def test_collected_static_files_are_not_indexed(self):
        """They are served under STATIC_URL only: indexing them tells nothing about the
        simulated path. A `.well-known` among them could answer it: then they are."""
        indexed = []
        for well_known in (False, True):
            with tempfile.TemporaryDirectory() as private:
                root = Path(private, "staticfiles")
                for name in ("admin/css/base.css", "js/project.js", "css/project.css"):
                    Path(root, name).parent.mkdir(parents=True, exist_ok=True)
                    Path(root, name).write_text("/* collected */")
                if well_known:
                    Path(root, ".well-known").mkdir()
                marker = Path(private, "indexed")
                answer = run_edge(
                    "static_files_indexed",
                    EDGE_STATIC_ROOT=str(root),
                    EDGE_MARKER_FILE=str(marker),
                )
                indexed.append(marker.read_text())
            https = answer["simulation"]["https"]
            self.assertEqual((https["status"], https["reached_view"]), (200, True))
        self.assertEqual(indexed, ["0\n", "3\n"])

    def test_the_middleware_that_answered_is_named(self):
        simulation = run_edge("basic_auth_first")["simulation"]
        for response in (simulation["http"], simulation["https"]):
            self.assertEqual(
                (response["status"], response["answered_by"]),
                (401, "edge.middleware.BasicAuthMiddleware"),
            )

    def test_database_before_security_middleware_is_located(self):
        http = run_edge("database_before_security")["simulation"]["http"]
        self.assertEqual(
            http["database_needed_by"], "edge.middleware.SiteConfigurationMiddleware"
        )


class RedirectExemptTest(unittest.TestCase):
    def exempts(self, pattern):
        return exempt.evaluate([pattern], "/.well-known/release-guard/")["patterns"][0]

    def test_patterns_a_hand_written_matcher_misses(self):
        for pattern in (r"(?i).*", r"(?s).*", "", r".*", r"\w*"):
            self.assertEqual(
                self.exempts(pattern)["exempts"], list(exempt.SAMPLE_PATHS), pattern
            )
        self.assertEqual(
            self.exempts(r"^(?!admin/)")["exempts"],
            ["", "login/", "accounts/login/", "q7x2v9k4/any-page/"],
        )

    def test_narrow_exemptions_exempt_no_sample(self):
        for pattern in (r"^healthz/$", r"^\.well-known/acme-challenge/", r"^api/ping$"):
            self.assertEqual(
                self.exempts(pattern),
                {"pattern": pattern, "error": None, "exempts": []},
            )

    def test_uncompilable_and_deeply_nested_patterns_are_reported(self):
        self.assertEqual(
            self.exempts("(")["error"],
            "re.error: missing ), unterminated subpattern at position 0",
        )
        deep = self.exempts("(" * 20000 + "a" + ")" * 20000)
        self.assertEqual(deep["error"], "RecursionError: nested too deeply to compile")
        self.assertEqual(len(deep["pattern"]), exempt.MAX_PATTERN_CHARACTERS)

    def test_the_simulated_path_is_matched_as_django_does(self):
        evaluated = exempt.evaluate([r"^\.well-known/"], "/.well-known/release-guard/")
        self.assertTrue(evaluated["simulation_path_exempt"])
        self.assertFalse(
            exempt.evaluate([r"^/\.well-known/"], "/.well-known/release-guard/")[
                "simulation_path_exempt"
            ]
        )

    def test_a_probe_run_with_a_deep_pattern_answers(self):
        answer = run_edge("redirect_exempt_deep")
        self.assertEqual(answer["status"], "ok")
        self.assertEqual(
            answer["redirect_exempt"]["patterns"][0]["error"],
            "RecursionError: nested too deeply to compile",
        )


class AnswerChannelTest(unittest.TestCase):
    def test_app_code_cannot_see_the_answer_path(self):
        answer, completed = run_probe("edge", "edge.settings.sees_answer_path")
        self.assertEqual(answer["status"], "ok", completed.stderr)


if __name__ == "__main__":
    unittest.main()
