"""How the tests reach the probe package (src/gate/probe/): imported directly for its helper
functions, and run exactly as the Rust runner runs it (the package as `release_guard_probe/`
beside `bootstrap.py`, started with `python bootstrap.py` from the app directory)."""

import contextlib
import importlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE_DIR = REPO / "src" / "gate" / "probe"
FIXTURES = REPO / "fixtures"
PACKAGE_NAME = "release_guard_probe"

if str(PACKAGE_DIR.parent) not in sys.path:
    # Importable as `release_guard_probe` through a private alias directory.
    _alias = tempfile.mkdtemp(prefix="release-guard-probe-tests-")
    os.symlink(PACKAGE_DIR, os.path.join(_alias, PACKAGE_NAME))
    sys.path.append(_alias)


def probe_module(name="main"):
    """A module of the probe package, e.g. probe_module() for main.py."""
    return importlib.import_module(f"{PACKAGE_NAME}.{name}")


@contextlib.contextmanager
def probe_command():
    """The argv that starts the probe as the runner does, valid inside the `with`."""
    with tempfile.TemporaryDirectory() as private:
        shutil.copytree(PACKAGE_DIR, os.path.join(private, PACKAGE_NAME))
        bootstrap = os.path.join(private, "bootstrap.py")
        shutil.copy(PACKAGE_DIR / "bootstrap.py", bootstrap)
        yield [sys.executable, bootstrap]
