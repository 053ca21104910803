"""How the tests reach the probe package (src/gate/probe/): imported directly for its helper
functions, and run exactly as the Rust runner runs it (the package as `probe/` beside
`bootstrap.py`, started with `python bootstrap.py <file>:<sha256>...` from the app directory,
the answer channel on file descriptor 3, marked as the child subreaper)."""

import contextlib
import ctypes
import hashlib
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE_DIR = REPO / "src" / "gate" / "probe"
FIXTURES = REPO / "fixtures"
PACKAGE_NAME = "release_guard_probe"
ANSWER_FD = 3
PR_SET_CHILD_SUBREAPER = 36

if str(PACKAGE_DIR.parent) not in sys.path:
    # Importable as `release_guard_probe` through a private alias directory.
    _alias = tempfile.mkdtemp(prefix="release-guard-probe-tests-")
    os.symlink(PACKAGE_DIR, os.path.join(_alias, PACKAGE_NAME))
    sys.path.append(_alias)


def probe_module(name="main"):
    """A module of the probe package, e.g. probe_module() for main.py."""
    return importlib.import_module(f"{PACKAGE_NAME}.{name}")


def package_files():
    """The files the runner writes into `probe/` (PROBE_PACKAGE in src/gate/probe.rs)."""
    return sorted(
        path for path in PACKAGE_DIR.glob("*.py") if path.name != "bootstrap.py"
    )


@contextlib.contextmanager
def probe_command():
    """The argv that starts the probe as the runner does, valid inside the `with`."""
    with tempfile.TemporaryDirectory() as private:
        package = os.path.join(private, "probe")
        os.mkdir(package)
        digests = []
        for path in package_files():
            shutil.copy(path, package)
            digests.append(f"{path.name}:{hashlib.sha256(path.read_bytes()).hexdigest()}")
        bootstrap = os.path.join(private, "bootstrap.py")
        shutil.copy(PACKAGE_DIR / "bootstrap.py", bootstrap)
        yield [sys.executable, bootstrap, *digests]


def start_with_channel(command, **popen):
    """Starts `command` as the runner does: the answer channel (a pipe) on file descriptor 3,
    marked as the child subreaper. Returns the process and the channel's reading end."""
    reader, writer = os.pipe()

    def as_the_runner_does():
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        os.dup2(writer, ANSWER_FD)

    process = subprocess.Popen(
        command,
        preexec_fn=as_the_runner_does,  # noqa: PLW1509 - the tests start no threads
        close_fds=False,
        **popen,
    )
    os.close(writer)
    return process, reader


def run_with_channel(command, **popen):
    """Runs `command` with `start_with_channel`. Returns (the bytes written to the channel,
    the completed process)."""
    process, reader = start_with_channel(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
    )
    with process, os.fdopen(reader, "rb") as channel:
        answer = channel.read()
        stdout, stderr = process.communicate(timeout=120)
    return answer, subprocess.CompletedProcess(
        command, process.returncode, stdout, stderr
    )
