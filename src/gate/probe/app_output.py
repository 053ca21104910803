"""What the app itself prints while it loads (its own warnings, e.g. about an ephemeral
SECRET_KEY), kept so the release log can show it under its own heading.

The text still reaches the real stderr (the runner keeps its tail for a probe that dies), and
is app text: the guard's output boundary redacts it, then shortens it to 2000 characters (a
secret cut before redaction would no longer be recognised, so only whole lines are dropped
here).
"""

import os
import sys

MAX_LINES = 20
# Never hold more than this, whatever the app prints.
MAX_KEPT_CHARS = 64 * 1024


class Tee:
    """A text stream that writes through to `stream` and keeps a bounded copy."""

    def __init__(self, stream, kept):
        self.stream = stream
        self.kept = kept
        self.capturing = True

    def write(self, text):
        if self.capturing and sum(map(len, self.kept)) < MAX_KEPT_CHARS:
            self.kept.append(str(text))
        return self.stream.write(text)

    def __getattr__(self, name):
        return getattr(self.stream, name)


class AppOutput:
    """`with AppOutput() as output:` captures sys.stdout and sys.stderr; `output.text()` is
    the captured text, shortened, or None when the app printed nothing."""

    def __init__(self):
        self.kept = []
        self._saved = None
        self._tees = []

    def __enter__(self):
        self._saved = (sys.stdout, sys.stderr)
        self._tees = [Tee(stream, self.kept) for stream in self._saved]
        sys.stdout, sys.stderr = self._tees
        return self

    def __exit__(self, *_exc):
        # Loggers the app configured keep the tee as their stream: it only stops keeping.
        for tee in self._tees:
            tee.capturing = False
        sys.stdout, sys.stderr = self._saved
        return False

    def text(self, app_dir):
        """Paths inside the app are shown relative to it, as in tracebacks."""
        kept = "".join(self.kept).replace(app_dir + os.sep, "")
        lines = kept.strip("\n").splitlines()
        if not lines:
            return None
        shown = lines[:MAX_LINES]
        text = "\n".join(shown)
        if len(lines) > MAX_LINES:
            text += f"\n\u2026 ({len(lines) - MAX_LINES} more lines)"
        return text
