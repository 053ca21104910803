"""The probe cannot be replaced, and nothing it starts outlives it (bootstrap.py).

The probe is loaded by file location under a random name, so an app module named like the
probe's package or one of its modules is never imported in its place, and a file that is not the
runner's is refused. The run's reaper ends every process the app started, whatever its process
group or session, when the probe ends.
"""

import os
import shutil
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from probe_support import (
    FIXTURES,
    PACKAGE_DIR,
    probe_command,
    run_with_channel,
    start_with_channel,
)
from test_probe import SecretCollector, clean_environ, common, run_probe, web

# Every name the probe's package and modules go by.
SHADOWED_NAMES = ["release_guard_probe"] + [
    path.stem for path in PACKAGE_DIR.glob("*.py") if path.stem != "__init__"
]
SHADOW = (
    "import pathlib\n"
    "pathlib.Path(__file__).with_suffix('.imported').write_text('')\n"
    "raise SystemExit('the app module {name} was imported in place of the probe')\n"
)


def wait_until_gone(pid, seconds=5.0):
    """True once `pid` is gone or a zombie of someone else's."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                state = stat.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.02)
    return False


class ProbeLoadingTest(unittest.TestCase):
    def test_app_modules_named_like_the_probe_are_never_imported(self):
        with tempfile.TemporaryDirectory() as work:
            app = Path(work, "edge")
            shutil.copytree(FIXTURES / "edge", app)
            for name in SHADOWED_NAMES:
                if name == "secrets":
                    continue  # the standard library's; Django itself would load the app's
                package = app / name
                package.mkdir()
                (package / "__init__.py").write_text(SHADOW.format(name=name))
            with probe_command() as command:
                answer, completed = run_with_channel(
                    command,
                    cwd=app,
                    env=clean_environ({"DJANGO_SETTINGS_MODULE": "edge.settings.good"}),
                )
            self.assertEqual(completed.returncode, 0, completed.stderr)
            self.assertIn(b'"status": "ok"', answer)
            self.assertEqual(list(app.glob("*/__init__.imported")), [])

    def test_a_file_that_is_not_the_runners_is_refused(self):
        with probe_command() as command:
            common = Path(command[1]).parent / "probe" / "common.py"
            common.write_text(common.read_text() + "\nALTERED = True\n")
            answer, completed = run_with_channel(
                command, cwd=FIXTURES / "edge", env=clean_environ({})
            )
        self.assertEqual((completed.returncode, answer), (71, b""))
        self.assertEqual(
            completed.stderr,
            "release-guard probe: refused to start: common.py is not the file the runner wrote\n",
        )

    def test_without_the_runners_digests_nothing_loads(self):
        with probe_command() as command:
            answer, completed = run_with_channel(
                command[:2], cwd=FIXTURES / "edge", env=clean_environ({})
            )
        self.assertEqual((completed.returncode, answer), (71, b""))
        self.assertRegex(
            completed.stderr, r"refused to start: \S+ was loaded from outside the probe"
        )


class ReaperTest(unittest.TestCase):
    def test_helpers_in_new_sessions_and_groups_end_with_the_probe(self):
        with tempfile.TemporaryDirectory() as work:
            pid_file = os.path.join(work, "pids")
            answer, completed = run_probe(
                "edge", "edge.settings.leaves_helpers", EDGE_PID_FILE=pid_file
            )
            self.assertEqual(answer["status"], "ok", completed.stderr)
            pids = Path(pid_file).read_text().split()
        self.assertEqual(len(pids), 4, pids)
        for pid in pids:
            self.assertTrue(wait_until_gone(pid), f"process {pid} outlived the probe")

    def test_the_reaper_ends_the_way_the_probe_did(self):
        with tempfile.TemporaryDirectory() as app_dir:
            Path(app_dir, "killed.py").write_text(
                "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"
            )
            Path(app_dir, "exits.py").write_text("import os\nos._exit(5)\n")
            for module, code in (("killed", -9), ("exits", 5)):
                with probe_command() as command:
                    answer, completed = run_with_channel(
                        command,
                        cwd=app_dir,
                        env=clean_environ({"DJANGO_SETTINGS_MODULE": module}),
                    )
                self.assertEqual(
                    (completed.returncode, answer, completed.stderr), (code, b"", "")
                )

    def test_a_stopped_run_ends_every_helper_and_reports_the_signal(self):
        with tempfile.TemporaryDirectory() as work:
            pid_file = Path(work, "pids")
            env = clean_environ(
                {
                    "DJANGO_SETTINGS_MODULE": "edge.settings.leaves_helpers",
                    "EDGE_PID_FILE": str(pid_file),
                    "EDGE_HANG": "1",
                }
            )
            with probe_command() as command:
                reaper, channel = start_with_channel(
                    command, cwd=FIXTURES / "edge", env=env, stderr=subprocess.DEVNULL
                )
                os.close(channel)
                deadline = time.monotonic() + 60
                while not pid_file.exists() or not pid_file.read_text().endswith("\n"):
                    self.assertLess(
                        time.monotonic(), deadline, "the probe never started"
                    )
                    time.sleep(0.02)
                reaper.terminate()
                self.assertEqual(reaper.wait(timeout=10), -15)
            pids = pid_file.read_text().split()
        for pid in pids:
            self.assertTrue(wait_until_gone(pid), f"process {pid} outlived the probe")


class BoundedReadTest(unittest.TestCase):
    """Files the probe reads itself (Procfile, gunicorn.conf.py, settings sources) may be a FIFO,
    a device that never ends, or a link to either: refused at once, never a hang."""

    def special_files(self, directory):
        fifo = os.path.join(directory, "fifo")
        os.mkfifo(fifo)
        fifo_link = os.path.join(directory, "fifo-link")
        os.symlink(fifo, fifo_link)
        zero_link = os.path.join(directory, "zero-link")
        os.symlink("/dev/zero", zero_link)
        return [fifo, fifo_link, "/dev/zero", zero_link]

    def test_only_regular_files_within_the_cap_are_read(self):
        with tempfile.TemporaryDirectory() as directory:
            for path in self.special_files(directory):
                with self.assertRaisesRegex(OSError, "not a regular file"):
                    common.read_bounded(path)
            large = Path(directory, "large")
            large.write_bytes(b"#" * 11)
            with self.assertRaisesRegex(OSError, "larger than 10 bytes"):
                common.read_bounded(large, cap=10)
            self.assertEqual(common.read_bounded(large, cap=11), b"#" * 11)

    def test_a_special_gunicorn_config_is_not_read(self):
        # The Procfile is read by the runner's bounded reader (src/read.rs), not the probe.

        with tempfile.TemporaryDirectory() as directory:
            for special in self.special_files(directory):
                with tempfile.TemporaryDirectory() as app_dir:
                    os.symlink(special, os.path.join(app_dir, "gunicorn.conf.py"))
                    value = web.gunicorn_config_value(
                        app_dir, "gunicorn.conf.py", SecretCollector()
                    )
                    self.assertIsNone(value)


if __name__ == "__main__":
    unittest.main()
