"""Starts the probe in the app's Python, and ends everything the app started when the probe ends.

The runner (src/gate/probe.rs) writes this file and the probe's package (as `probe/`) into a
private directory and runs `python bootstrap.py <file>:<sha256>...` from the app directory, with
- file descriptor 3: the answer channel, a pipe to the runner (no name, no environment variable);
- the child-subreaper flag set, so that every process the app starts stays below this one,
  whatever its process group or session.

Before any app code runs, the package is loaded by file location under a random module name, so
no app module (`release_guard_probe`, `common`, `simulation`...) can stand in for it, and each
loaded module must be the runner's file with the runner's digest. Then this process forks:
- the child is the probe: it puts the app first on sys.path and runs `main`;
- the parent is the run's reaper, where no app code ever runs: when the probe ends, when the
  runner signals, or when the runner is gone, it kills every descendant and reaps it, then exits
  with the probe's status (the runner accepts an answer only from a probe that exited 0).
"""

import hashlib
import importlib.util
import os
import signal
import sys

ANSWER_FD = 3
# The runner's stop request (timeout), and the signals it forwards (shutdown, Ctrl-C, hang-up).
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
WATCHED = STOP_SIGNALS | {signal.SIGCHLD}
# How often the reaper checks that the runner is still there.
PARENT_POLL_SECONDS = 0.2
# Nothing the probe could print: the runner writes every file it lists.
REFUSED = 71


def load_probe(package_dir, expected):
    """The package's `main` module, loaded from `package_dir` under a name no app can provide;
    refuses any module that is not the runner's file with the runner's digest."""
    for file_name, digest in expected.items():
        path = os.path.join(package_dir, file_name)
        with open(path, "rb") as source:
            if hashlib.sha256(source.read()).hexdigest() != digest:
                raise ImportError(f"{file_name} is not the file the runner wrote")
    name = f"_release_guard_probe_{os.urandom(8).hex()}"
    spec = importlib.util.spec_from_file_location(
        name,
        os.path.join(package_dir, "__init__.py"),
        submodule_search_locations=[package_dir],
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    # Relative imports resolve against the package's own directory, never sys.path.
    main = importlib.import_module(f"{name}.main")
    for module_name, module in list(sys.modules.items()):
        if module_name == name or module_name.startswith(name + "."):
            origin = os.path.realpath(getattr(module.__spec__, "origin", "") or "")
            if os.path.dirname(origin) != package_dir or os.path.basename(origin) not in expected:
                raise ImportError(f"{module_name} was loaded from outside the probe")
    return main


def close_answer_channel():
    """In a process the app forks: the channel is the probe's alone."""
    try:
        os.close(ANSWER_FD)
    except OSError:
        pass


def run_probe(main):
    signal.pthread_sigmask(signal.SIG_UNBLOCK, WATCHED)
    # Exec'd children never inherit the channel, forked ones close it at once.
    os.set_inheritable(ANSWER_FD, False)
    os.register_at_fork(after_in_child=close_answer_channel)
    # As `python manage.py` starts Django: the app directory first on sys.path.
    sys.path[0] = os.getcwd()
    try:
        status = main.main(ANSWER_FD)
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


def own_children():
    """This process's children: the kernel's list, or a scan of /proc where it has none."""
    pid = os.getpid()
    try:
        with open(f"/proc/self/task/{pid}/children", encoding="ascii") as children:
            return [int(child) for child in children.read().split()]
    except OSError:
        pass
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


def end_descendants():
    """Kills every child and reaps one, until none is left. Being the subreaper, this process
    inherits the children of every descendant it kills, so nothing below it survives."""
    while True:
        for child in own_children():
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return
        except InterruptedError:
            pass


def wait_for_probe(probe_pid):
    """The probe's wait status, or the stop signal that came first (or SIGKILL when the runner
    is gone). Other children that end meanwhile are reaped."""
    runner = os.getppid()
    while True:
        received = signal.sigtimedwait(WATCHED, PARENT_POLL_SECONDS)
        if received is not None and received.si_signo in STOP_SIGNALS:
            return None, received.si_signo
        if os.getppid() != runner:
            return None, signal.SIGKILL
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid = 0
            if pid == 0:
                break
            if pid == probe_pid:
                return status, None


def exit_like(status, stop):
    """Ends this process the way the probe ended (or by the stop signal)."""
    sys.stderr.flush()
    signal_number = stop if status is None else None
    if status is not None and os.WIFSIGNALED(status):
        signal_number = os.WTERMSIG(status)
    if signal_number is None:
        os._exit(os.waitstatus_to_exitcode(status))
    if signal_number != signal.SIGKILL:  # whose action cannot be set, nor needs to be
        signal.signal(signal_number, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal_number})
    os.kill(os.getpid(), signal_number)
    os._exit(128 + signal_number)


def reap(probe_pid):
    os.close(ANSWER_FD)
    status, stop = wait_for_probe(probe_pid)
    end_descendants()
    exit_like(status, stop)


def start():
    try:
        os.fstat(ANSWER_FD)
    except OSError:
        print(
            f"release-guard probe: no answer channel on file descriptor {ANSWER_FD}",
            file=sys.stderr,
        )
        os._exit(2)
    here = os.path.dirname(os.path.realpath(__file__))
    expected = dict(argument.rsplit(":", 1) for argument in sys.argv[1:])
    try:
        main = load_probe(os.path.join(here, "probe"), expected)
    except Exception as error:  # noqa: BLE001 - a refusal is the answer; nothing else may run
        print(f"release-guard probe: refused to start: {error}", file=sys.stderr)
        os._exit(REFUSED)
    # Blocked before the fork, so no signal meant for the reaper is lost in between; the probe
    # unblocks them first thing.
    signal.pthread_sigmask(signal.SIG_BLOCK, WATCHED)
    probe_pid = os.fork()
    if probe_pid == 0:
        run_probe(main)
    reap(probe_pid)


start()
