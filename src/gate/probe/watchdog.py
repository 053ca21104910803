"""Ends the probe's whole process group when the guard that started it is gone.

The guard kills the group on every exit path it controls (timeout, signal, normal end). When
the guard itself is killed outright (SIGKILL, or a SIGHUP it never saw), nothing on its side
runs, and Linux's parent-death signal would reach only this process, not the helpers app code
started. So a daemon thread watches for the parent to change and kills the group itself. Out of
reach: a process that left the group (`setsid`) and a C extension that holds the GIL forever.
"""

import os
import signal
import threading
import time

POLL_SECONDS = 0.2


def start():
    parent = os.getppid()
    thread = threading.Thread(
        target=_watch, args=(parent,), name="release-guard-watchdog", daemon=True
    )
    thread.start()


def _watch(parent):
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    # The runner makes the probe its group's leader; started any other way (tests, by hand),
    # only this process is ours to end.
    if os.getpgrp() == os.getpid():
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
