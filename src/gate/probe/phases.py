"""What the probe was doing when the app failed, as the release log names it, and the part of
the exception that explains it."""

import os
import sys

from .common import error_text

SETTINGS = "settings"  # importing the settings module
APPS = "apps"  # django.setup(): importing the apps' models and the database backends
CHECKS = "checks"
SIMULATION = "simulation"  # building the WSGI application and simulating the requests


def cause_text(error):
    """The exception this one was raised from, which Django's own message points to ("Check
    the above exception") but the release log would not otherwise show, as one line."""
    cause = error.__cause__ or (
        None if error.__suppress_context__ else error.__context__
    )
    if cause is None:
        return None
    return f"{type(cause).__name__}: {error_text(cause)}"


def of(kind):
    """The phase a failure of `kind` happened in. A settings module that failed to import is
    not in sys.modules, so a failure with it there happened in django.setup()."""
    if kind == "checks_failed":
        return CHECKS
    if kind in ("settings_import", "improperly_configured", "setup_failed"):
        loaded = os.environ.get("DJANGO_SETTINGS_MODULE") in sys.modules
        return APPS if loaded else SETTINGS
    return None
