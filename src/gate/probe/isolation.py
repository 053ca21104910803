"""Keeps the probe off the app's databases and caches for the whole run, from before the
settings module is imported: the release phase runs against production (a check must not read
or write its data) and the build has no database at all, where a connect can hang for minutes.

Three guards, installed once by `install()`:

- Django's database wrapper refuses to connect (`connect`, `ensure_connection`: backends open
  their socket only inside them). Outside a simulated request the refusal is an
  `OperationalError`, what an app that tolerates an unreachable database already handles.
- Every cache alias that is not in-process answers from an empty in-process stand-in, so
  `cache.get()` in `AppConfig.ready()` or in a system check works as on an empty cache.
- Stream sockets refuse to connect to the database and cache servers the app is configured
  with (its `DATABASES` and `CACHES`, and the database and cache URLs among its config vars),
  for clients that bypass Django's wrappers (a redis-py client of the app's own). Drivers that
  connect in C (libpq, libmemcached, mysqlclient) are out of this guard's reach; Django's use
  of them is covered by the first guard.

Inside a simulated request a refusal raises `RequestStopped` instead, which ends the request at
once (see simulation.py). Every other refusal, and every use of a cache stand-in, is recorded
with the app's frame that made it: `blocked()` is part of the answer. Nothing here changes
settings: Django's checks still see the real DATABASES and CACHES.
"""

import errno
import functools
import os
import socket
import sys
import sysconfig
import threading
import urllib.parse

# Django's check registry runs 'database'-tagged checks only for the aliases it is given.
DATABASE_TAG = "database"
# Distinct blocked accesses kept for the answer; an app retrying in a loop adds no more.
MAX_BLOCKED = 20

DATABASE = "database"
CACHE = "cache"
CONNECTION = "connection"

# Default ports of the URL schemes and database engines the guard recognises.
DATABASE_URL_PORTS = {
    "postgres": 5432,
    "postgresql": 5432,
    "pgsql": 5432,
    "postgis": 5432,
    "mysql": 3306,
    "mysql2": 3306,
    "mysqlgis": 3306,
    "mariadb": 3306,
    "oracle": 1521,
    "mssql": 1433,
    "mongodb": 27017,
}
CACHE_URL_PORTS = {
    "redis": 6379,
    "rediss": 6379,
    "valkey": 6379,
    "valkeys": 6379,
    "memcache": 11211,
    "memcached": 11211,
    "pymemcache": 11211,
    "pylibmc": 11211,
}
# By a word in the ENGINE's dotted path (`django_tenants.postgresql_backend` too).
ENGINE_PORTS = {"postgres": 5432, "postgis": 5432, "mysql": 3306, "oracle": 1521}
IN_PROCESS_CACHES = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    }
)


class RequestStopped(BaseException):
    """Ends a simulated request the moment it reaches for a database or a cache server. A
    BaseException, so that neither Django's exception handling (convert_exception_to_response,
    exception middleware, got_request_exception receivers, the 500 handler and its template)
    nor the app's own `except Exception` turns it into an error page."""


class _State:
    """What the guards know and have seen, for the whole run."""

    def __init__(self):
        self.phase = None
        # The thread running a simulated request, and who to tell when it is stopped.
        self.request_thread = None
        self.on_request_stopped = None
        self.blocked = {}
        # Refused connections outside simulated requests (cache stand-ins answer, they refuse
        # none).
        self.refusals = 0
        # (host, port) pairs and Unix socket paths of the app's database and cache servers:
        # (DATABASE or CACHE, where it was configured).
        self.endpoints = {}
        self.app_dir = ""
        self.django_dir = ""
        self.probe_dir = (
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
        )
        self.stdlib_dirs = ()
        self.database_error = None


_state = _State()


def install(app_dir, environ):
    """Guards the whole run; called once, after `import django` and before the settings."""
    import django
    from django.db.utils import OperationalError

    class DatabaseAccessBlocked(OperationalError):
        """Raised when anything in the probe process tries to connect to a database."""

    _state.database_error = DatabaseAccessBlocked
    _state.app_dir = app_dir.rstrip(os.sep) + os.sep
    _state.django_dir = os.path.dirname(os.path.abspath(django.__file__)) + os.sep
    paths = sysconfig.get_paths()
    _state.stdlib_dirs = tuple(
        os.path.realpath(paths[key]) + os.sep for key in ("stdlib", "platstdlib")
    )
    for name, value in environ.items():
        kind, servers = url_servers(value)
        _designate(servers, kind, name)
    _guard_databases()
    _guard_caches()
    _guard_sockets()


class during:
    """`with during(phase):` names the part of the run blocked accesses are reported in."""

    def __init__(self, phase):
        self.phase = phase

    def __enter__(self):
        self.previous, _state.phase = _state.phase, self.phase

    def __exit__(self, *_exc):
        _state.phase = self.previous
        return False


class stopping_requests:
    """Inside the block, a refusal on this thread raises RequestStopped after telling
    `on_stopped(what, text)`: what was refused ("the database") and the refusal's text."""

    def __init__(self, on_stopped):
        self.on_stopped = on_stopped

    def __enter__(self):
        _state.request_thread = threading.get_ident()
        _state.on_request_stopped = self.on_stopped

    def __exit__(self, *_exc):
        _state.request_thread = _state.on_request_stopped = None
        return False


def blocked():
    """Every blocked access outside the simulated requests, in the order first seen."""
    return list(_state.blocked.values())


def _in_request():
    return _state.request_thread == threading.get_ident()


def _refuse(kind, target, what, error):
    """Stops the simulated request running on this thread, or records the refusal and raises
    `error`."""
    if _in_request():
        text = f"{type(error).__name__}: {error}"
        _state.on_request_stopped(what, text)
        raise RequestStopped(text)
    _state.refusals += 1
    _record(kind, target)
    raise error


def _record(kind, target):
    origin = app_frame()
    key = (kind, target, _state.phase, origin["file"], origin["line"])
    record = _state.blocked.get(key)
    if record is not None:
        record["count"] += 1
    elif len(_state.blocked) < MAX_BLOCKED:
        _state.blocked[key] = {
            "kind": kind,
            "target": target,
            "phase": _state.phase,
            **origin,
            "count": 1,
        }


def app_frame():
    """Where the access came from: the innermost frame of the app's own code; failing that, the
    outermost one that is neither Django's, the standard library's nor the probe's (a
    third-party app's `ready()` or check)."""
    frame = sys._getframe(1)
    outermost = None
    while frame is not None:
        path = frame.f_code.co_filename
        if not path.startswith((_state.probe_dir, _state.django_dir, "<")):
            real = os.path.realpath(path)
            if _installed(real) or not real.startswith(_state.stdlib_dirs):
                if path.startswith(_state.app_dir) and not _installed(path):
                    return _described(frame, path[len(_state.app_dir) :], in_app=True)
                outermost = frame
        frame = frame.f_back
    if outermost is None:
        return {"file": None, "line": None, "function": None, "in_app": False}
    path = _package_path(outermost.f_code.co_filename)
    return _described(outermost, path, in_app=False)


def _installed(path):
    parts = path.split(os.sep)
    return "site-packages" in parts or "dist-packages" in parts


def _package_path(path):
    """A third-party module's path from its package on (`allauth/account/apps.py`)."""
    for marker in (f"{os.sep}site-packages{os.sep}", f"{os.sep}dist-packages{os.sep}"):
        if marker in path:
            return path.rsplit(marker, 1)[1]
    return path


def _described(frame, path, in_app):
    return {
        "file": path,
        "line": frame.f_lineno,
        "function": frame.f_code.co_name,
        "in_app": in_app,
    }


# --- databases -------------------------------------------------------------------------------


def _guard_databases():
    """Both entry points of Django's database wrapper refuse: `ensure_connection` (queries,
    cursors, transactions) and `connect` (which some backends and apps call directly)."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    originals = {
        name: getattr(BaseDatabaseWrapper, name)
        for name in ("ensure_connection", "connect")
    }

    def guard(name):
        original = originals[name]

        def refuse(connection):
            if name == "ensure_connection" and connection.connection is not None:
                return original(connection)
            engine = connection.settings_dict.get("ENGINE", "")
            _refuse(
                DATABASE,
                f"the database {connection.alias!r} ({engine})",
                "the database",
                _state.database_error(
                    f"Release Guard never connects to a database ({connection.alias!r})"
                ),
            )

        return refuse

    for name in originals:
        setattr(BaseDatabaseWrapper, name, guard(name))


def run_checks_without_database():
    """Django's checks, deploy checks included, with no database alias: `databases=[]` means
    none on every Django (before 6.1 None did too; since 6.1 None means every alias). Returns
    the messages and the checks that were therefore not run: the 'database'-tagged ones, and
    any other that reached for the database or a cache server (its messages, computed without
    them, are dropped)."""
    from django.core.checks import run_checks
    from django.core.checks.registry import registry

    skipped = {
        name_of(check)
        for check in registry.get_checks(include_deployment_checks=True)
        if DATABASE_TAG in getattr(check, "tags", ())
    }

    def contained(check):
        @functools.wraps(check)  # its name, and the tags Django 6.1 filters on
        def run(**kwargs):
            before = _state.refusals
            try:
                messages = check(**kwargs)
            except Exception:
                if _state.refusals == before:
                    raise
            if _state.refusals != before:
                skipped.add(name_of(check))
                return []
            return messages

        return run

    original = registry.get_checks
    registry.get_checks = lambda *args, **kwargs: [
        contained(check) for check in original(*args, **kwargs)
    ]
    try:
        messages = run_checks(include_deployment_checks=True, databases=[])
    finally:
        del registry.get_checks
    return messages, sorted(skipped)


def name_of(check):
    """`module.function` of a check (any callable: a function, a method, an instance)."""
    module = getattr(check, "__module__", None) or type(check).__module__
    name = getattr(check, "__qualname__", None) or type(check).__qualname__
    return f"{module}.{name}"


# --- caches ----------------------------------------------------------------------------------


def _guard_caches():
    """The cache handler hands out an in-process stand-in for every alias whose backend is not
    in-process, whenever it is first used: the app's cache middleware, sessions, `cache` proxy
    and its own `caches[...]` all get it. File-based, local-memory and dummy caches stay real,
    so Django's checks of file-based caches still see them."""
    from django.core.cache import CacheHandler
    from django.core.cache.backends.locmem import LocMemCache

    class StandInCache(LocMemCache):
        """An empty local-memory cache in place of the alias' real backend, which is built
        (backends connect lazily) only to answer for attributes a local-memory cache lacks
        (django-redis' `client`): those reach the socket guard."""

        def __init__(self, alias, real):
            super().__init__(f"release-guard-probe-{alias}", {})
            self.alias = alias
            self.real = real
            self.real_name = f"{type(real).__module__}.{type(real).__qualname__}"

        def make_and_validate_key(self, key, version=None):
            self._note_use()
            return super().make_and_validate_key(key, version)

        def clear(self):
            self._note_use()
            super().clear()

        def _note_use(self):
            if not _in_request():
                _record(CACHE, f"the cache {self.alias!r} ({self.real_name})")

        def __getattr__(self, name):
            real = self.__dict__.get("real")
            if real is None:
                raise AttributeError(name)
            return getattr(real, name)

    original = CacheHandler.create_connection

    def create_connection(handler, alias):
        backend = handler.settings[alias].get("BACKEND", "")
        real = original(handler, alias)
        return real if backend in IN_PROCESS_CACHES else StandInCache(alias, real)

    CacheHandler.create_connection = create_connection


# --- sockets ---------------------------------------------------------------------------------


def designate_servers(settings):
    """Adds the servers of the loaded settings' DATABASES and CACHES to those the socket guard
    refuses. Called before django.setup(); settings Django rejects are left to it."""
    try:
        databases = dict(settings.DATABASES)
        caches = dict(settings.CACHES)
    except Exception:  # noqa: BLE001 - django.setup() reports the same problem
        return
    for alias, database in databases.items():
        _designate(database_servers(database), DATABASE, f"DATABASES[{alias!r}]")
    for alias, cache in caches.items():
        _designate(cache_servers(cache), CACHE, f"CACHES[{alias!r}]")


def _designate(servers, kind, source):
    for server in servers:
        _state.endpoints.setdefault(server, (kind, source))


def _host(host):
    host = host.decode() if isinstance(host, bytes) else str(host)
    return host.strip("[]").lower()


def _with_loopback(host, port):
    """`localhost` is also reached by its addresses."""
    yield (host, port)
    if host == "localhost":
        yield ("127.0.0.1", port)
        yield ("::1", port)


def url_servers(value):
    """(DATABASE or CACHE, its servers) for a database or cache URL
    (`postgres://u:p@host:5432/db`, `redis://host:6379/0`, `unix:///path`); (None, [])
    for anything else."""
    if not isinstance(value, str) or "://" not in value:
        return None, []
    try:
        url = urllib.parse.urlsplit(value.strip())
        scheme = url.scheme.lower().split("+")[0]
        if scheme == "unix":
            return CACHE, [url.path] if url.path else []
        kind = DATABASE if scheme in DATABASE_URL_PORTS else CACHE
        default = DATABASE_URL_PORTS.get(scheme) or CACHE_URL_PORTS.get(scheme)
        if default is None or not url.hostname:
            return None, []
        servers = []
        for entry in url.netloc.rpartition("@")[2].split(","):
            part = urllib.parse.urlsplit(f"//{entry}")
            if part.hostname:
                servers += _with_loopback(_host(part.hostname), part.port or default)
        return kind, servers
    except ValueError:
        return None, []


def database_servers(database):
    """The server of one DATABASES entry: HOST and PORT (a HOST starting with / is the
    directory of PostgreSQL's Unix socket)."""
    if not isinstance(database, dict):
        return []
    engine = str(database.get("ENGINE", ""))
    host = database.get("HOST") or ""
    port = database.get("PORT") or next(
        (port for word, port in ENGINE_PORTS.items() if word in engine), None
    )
    if not isinstance(host, str) or not host or port is None:
        return []
    try:
        port = int(port)
    except (TypeError, ValueError):
        return []
    if host.startswith("/"):
        return [os.path.join(host, f".s.PGSQL.{port}")]
    return list(_with_loopback(_host(host), port))


def cache_servers(cache):
    """The servers of one CACHES entry that is not in-process: its LOCATION as URLs
    (`redis://...`, `unix://...`), `host:port`, `unix:/path` or a list of them."""
    if not isinstance(cache, dict) or cache.get("BACKEND") in IN_PROCESS_CACHES:
        return []
    location = cache.get("LOCATION") or ""
    entries = location if isinstance(location, (list, tuple)) else [location]
    servers = []
    for entry in entries:
        if not isinstance(entry, str):
            continue
        for part in entry.replace(";", ",").split(","):
            part = part.strip()
            if "://" in part:
                servers += url_servers(part)[1]
            elif part.startswith("unix:"):
                servers.append(part[len("unix:") :])
            elif part.startswith("/"):
                servers.append(part)
            else:
                host, _, port = part.rpartition(":")
                if host and port.isdigit():
                    servers += _with_loopback(_host(host), int(port))
    return servers


def _server(address):
    """The key a socket address has among the designated servers."""
    if isinstance(address, (str, bytes)):
        return os.fsdecode(address)
    if isinstance(address, tuple) and len(address) >= 2:
        try:
            return (_host(address[0]), int(address[1]))
        except (TypeError, ValueError):
            return None
    return None


def _refuse_connection(server):
    kind, source = _state.endpoints[server]
    where = server if isinstance(server, str) else f"{server[0]}:{server[1]}"
    _refuse(
        CONNECTION,
        f"{where} ({source})",
        f"the {kind} server at {where}",
        ConnectionRefusedError(
            errno.ECONNREFUSED,
            f"Release Guard never connects to a database or a cache ({where}, {source})",
        ),
    )


def _guard_sockets():
    """Name lookups and stream connects to a designated server fail at once, before any DNS
    query or packet: whatever the client library, it sees a refused connection."""
    original_getaddrinfo = socket.getaddrinfo
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host, port, *args, **kwargs):
        if host is not None and port is not None:
            server = _server((host, port))
            if server in _state.endpoints:
                _refuse_connection(server)
        return original_getaddrinfo(host, port, *args, **kwargs)

    def guarded(sock, address):
        if sock.type == socket.SOCK_STREAM:
            server = _server(address)
            if server in _state.endpoints:
                _refuse_connection(server)

    def connect(sock, address):
        guarded(sock, address)
        return original_connect(sock, address)

    def connect_ex(sock, address):
        try:
            guarded(sock, address)
        except ConnectionRefusedError:
            return errno.ECONNREFUSED
        return original_connect_ex(sock, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
