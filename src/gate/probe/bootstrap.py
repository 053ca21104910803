"""Starts the probe the way `python manage.py` starts Django: the app directory (the working
directory) first on sys.path. The probe's own package, written beside this file by the runner,
goes last, so it can never shadow an app module."""

import os
import sys

probe_dir = os.path.dirname(os.path.abspath(__file__))
sys.path[0] = os.getcwd()
sys.path.append(probe_dir)

try:
    from release_guard_probe.main import main  # sys.path must be set first

    status = main()
except BaseException as error:  # noqa: BLE001 - Python's own traceback could quote a secret
    print(
        f"release-guard probe: stopped by {type(error).__name__} (traceback not shown)",
        file=sys.stderr,
    )
    status = 70
sys.stderr.flush()
# Skip interpreter shutdown: threads or atexit hooks started by app code must not hold the
# release up once the answer is written, nor print tracebacks of their own.
os._exit(status)
