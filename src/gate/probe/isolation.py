"""Keeps the probe off the network: no database connection for the whole run, and in-process
caches while the simulated requests run.

The release phase runs against production (a check must not read or write its data) and the
build has no database at all, where a connect can hang for minutes. Nothing here changes
settings: Django's checks still see the real DATABASES and CACHES.
"""

import contextlib

# Django's check registry runs 'database'-tagged checks only for the aliases it is given.
DATABASE_TAG = "database"


class DatabaseAccessBlocked(Exception):
    """Raised when anything in the probe process tries to connect to a database."""


def block_database_connections(on_refused=None):
    """Makes every database connection attempt raise DatabaseAccessBlocked until the returned
    function is called. `on_refused(alias)` is told about each attempt first.

    Both entry points are guarded: `ensure_connection` (queries, cursors) and `connect` (which
    some backends and apps call directly); backends open the socket only inside them."""
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
            if on_refused is not None:
                on_refused(connection.alias)
            raise DatabaseAccessBlocked(
                f"Release Guard never connects to a database ({connection.alias!r})"
            )

        return refuse

    for name in originals:
        setattr(BaseDatabaseWrapper, name, guard(name))

    def restore():
        for name, original in originals.items():
            setattr(BaseDatabaseWrapper, name, original)

    return restore


def run_checks_without_database():
    """Django's checks, deploy checks included, with no database alias: `databases=[]` means
    none on every Django (before 6.1 None did too; since 6.1 None means every alias). Returns
    the messages and the names of the 'database'-tagged checks that were therefore not run."""
    from django.core.checks import run_checks
    from django.core.checks.registry import registry

    skipped = sorted(
        f"{check.__module__}.{check.__qualname__}"
        for check in registry.get_checks(include_deployment_checks=True)
        if DATABASE_TAG in getattr(check, "tags", ())
    )
    return run_checks(include_deployment_checks=True, databases=[]), skipped


@contextlib.contextmanager
def in_process_caches():
    """Every configured cache alias answers from a private in-process cache inside the block.
    Swapped at the cache handler (django.core.cache.caches), so settings.CACHES is untouched and
    the app's cache middleware, sessions and `cache` proxy all get the stand-in."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    aliases = list(caches)
    missing = object()
    previous = {
        alias: getattr(caches._connections, alias, missing) for alias in aliases
    }
    for alias in aliases:
        caches[alias] = LocMemCache(f"release-guard-probe-{alias}", {})
    try:
        yield
    finally:
        for alias, cache in previous.items():
            if cache is missing:
                with contextlib.suppress(AttributeError):
                    del caches[alias]
            else:
                caches[alias] = cache
