"""The recording behind the advice (src/gate/probe/provenance.py): config-var reads attributed
to the app line that made them, whatever made them, and the app files that ran."""

import os
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

from probe_support import probe_module

provenance = probe_module("provenance")
recording = probe_module("recording")

HELPER = """
import os

def envbool(name, default="false"):
    return os.getenv(name, default).lower() == "true"
"""

SETTINGS = """
import os
from recordapp.helper import envbool

DEBUG = envbool("RECORD_DEBUG")
COPY = dict(os.environ)
PRESENT = "RECORD_PRESENT" in os.environ
EXTRA_FILE = os.path.join(os.path.dirname(__file__), "extra.txt")
exec(compile(open(EXTRA_FILE).read(), EXTRA_FILE, "exec"))  # noqa: SIM115
"""

EXTRA = """
EXTRA = os.environ.get("RECORD_EXTRA")
"""


class RecordingTest(unittest.TestCase):
    def setUp(self):
        self.app = Path(tempfile.mkdtemp(prefix="release-guard-provenance-"))
        package = self.app / "recordapp"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "helper.py").write_text(textwrap.dedent(HELPER))
        (package / "settings.py").write_text(textwrap.dedent(SETTINGS))
        (package / "extra.txt").write_text(textwrap.dedent(EXTRA))
        sys.path.insert(0, str(self.app))
        self.addCleanup(sys.path.remove, str(self.app))
        self.addCleanup(
            lambda: [
                sys.modules.pop(name, None)
                for name in list(sys.modules)
                if name.startswith("recordapp")
            ]
        )

    def record(self):
        reads = recording.EnvReads(str(self.app))
        with reads:
            import recordapp.settings  # noqa: F401
        return reads

    def test_each_read_is_attributed_to_the_app_statement_that_made_it(self):
        reads = self.record()
        shown = [
            (read.name, reads.files.shown(read.path), read.line) for read in reads.reads
        ]
        self.assertIn(("RECORD_DEBUG", "recordapp/settings.py", 5), shown)
        self.assertIn((None, "recordapp/settings.py", 6), shown)
        self.assertIn(("RECORD_PRESENT", "recordapp/settings.py", 7), shown)
        # A file run by exec() keeps its name.
        self.assertIn(("RECORD_EXTRA", "recordapp/extra.txt", 2), shown)
        # dict(os.environ) is one read of the whole environment, not one per variable.
        self.assertEqual(sum(1 for item in shown if item[2] == 6), 1)
        helper = next(read for read in reads.reads if read.name == "RECORD_DEBUG")
        self.assertEqual(helper.helper, ("recordapp/helper.py", 5, "envbool"))

    def test_the_environment_is_restored_and_nothing_is_recorded_afterwards(self):
        reads = self.record()
        count = len(reads.reads)
        os.environ.get("RECORD_AFTER")
        self.assertEqual(len(reads.reads), count)
        self.assertNotIn("__contains__", type(os.environ).__dict__)

    def test_app_files_run_by_exec_are_recorded_with_the_line_that_ran_them(self):
        reads = self.record()
        executed = {
            reads.files.shown(path): (
                parent and (reads.files.shown(parent[0]), parent[1]),
                imported,
            )
            for path, parent, imported in reads.executed
        }
        self.assertEqual(
            executed["recordapp/extra.txt"], (("recordapp/settings.py", 9), False)
        )
        self.assertTrue(executed["recordapp/helper.py"][1])


if __name__ == "__main__":
    unittest.main()
