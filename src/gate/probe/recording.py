"""Records what the settings really do while they load: every config-var read (os.environ item
access, `.get`, `in`, iteration and copies; os.getenv ends in `.get`), attributed to the app file
and line that made it, every app file executed and every file opened. provenance.py turns the
record into advice."""

import collections.abc
import os
import sys

PROBE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
# What a read found when the variable was not set.
MISSING = object()
VIEW_CODES = frozenset(
    {
        collections.abc.KeysView.__iter__.__code__,
        collections.abc.ItemsView.__iter__.__code__,
        collections.abc.ValuesView.__iter__.__code__,
    }
)
NAMED_KINDS = {"__getitem__": "item", "get": "get", "__contains__": "contains"}
WHOLE_KINDS = ("__iter__", "keys", "items", "values", "copy")
# The one EnvReads recording now, for the audit hook (audit hooks cannot be removed).
_recording = None


# --- recording ------------------------------------------------------------------------------


class AppFiles:
    """Which file names are the app's own code: under the app directory, outside any Python
    installation (the classic buildpack installs Python inside it) and outside the probe."""

    def __init__(self, app_dir):
        self.prefix = app_dir.rstrip(os.sep) + os.sep
        installs = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix}
        self.excluded = tuple(
            sorted(path.rstrip(os.sep) + os.sep for path in installs if path)
        ) + (PROBE_DIR,)
        self.known = {}

    def __contains__(self, filename):
        known = self.known.get(filename)
        if known is None:
            path = os.path.abspath(filename) if filename[:1] != "<" else ""
            known = (
                path.startswith(self.prefix)
                and not path.startswith(self.excluded)
                and "site-packages" not in path
                and "dist-packages" not in path
            )
            self.known[filename] = known
        return known

    def shown(self, path):
        path = os.path.abspath(path)
        return path[len(self.prefix) :] if path.startswith(self.prefix) else path


class Read:
    """One config-var read: the name (None when the whole environment was read), the module
    statement that made it, and the functions between that statement and os.environ."""

    __slots__ = ("helper", "line", "name", "namespace", "packages", "path", "readers")

    def __init__(self, name, frame, readers, packages, helper):
        self.name = name
        self.path = os.path.abspath(frame.f_code.co_filename)
        self.line = frame.f_lineno
        self.readers = readers
        self.packages = packages
        self.helper = helper
        self.namespace = frame.f_globals


class EnvReads:
    """Records config-var reads, app files executed and files opened while the settings load,
    by patching os.environ's class (and listening to audit events) for that time."""

    def __init__(self, app_dir=None):
        # The probe runs from the app directory.
        self.files = AppFiles(app_dir or os.getcwd())
        self.reads = []
        self.executed = []
        self.opened = []
        self.initial_names = frozenset()
        self._saved = {}
        self._busy = False
        self._bulk_read = None

    def __enter__(self):
        global _recording
        self.initial_names = frozenset(os.environ)
        environ_class = type(os.environ)
        for name in (*NAMED_KINDS, *WHOLE_KINDS):
            self._saved[name] = environ_class.__dict__.get(name, MISSING)
            setattr(
                environ_class, name, self._recorder(getattr(environ_class, name), name)
            )
        _install_audit_hook()
        _recording = self
        return self

    def __exit__(self, *_exc):
        global _recording
        _recording = None
        environ_class = type(os.environ)
        for name, original in self._saved.items():
            if original is MISSING:
                delattr(environ_class, name)
            else:
                setattr(environ_class, name, original)
        return False

    def _recorder(self, original, method):
        reads = self

        def recording(mapping, *args, **kwargs):
            if reads._busy or mapping is not os.environ or _recording is not reads:
                return original(mapping, *args, **kwargs)
            reads._busy = True  # what the method itself reads is part of this read
            try:
                reads.note(method, args[0] if args else None, sys._getframe(1))
                return original(mapping, *args, **kwargs)
            finally:
                reads._busy = False

        recording.__name__ = getattr(original, "__name__", method)
        return recording

    def note(self, method, key, frame):
        if frame.f_code in VIEW_CODES:
            return
        whole = method in WHOLE_KINDS
        if not whole and (frame, frame.f_lineno) == self._bulk_read:
            return  # dict(os.environ): one key after another of a whole read
        caller = frame
        readers, packages, helper = [], set(), None
        while frame is not None:
            code = frame.f_code
            if code.co_filename in self.files:
                if code.co_name == "<module>":
                    name = None if whole or not isinstance(key, str) else key
                    self.reads.append(
                        Read(name, frame, frozenset(readers), packages, helper)
                    )
                    if whole:
                        self._bulk_read = (caller, caller.f_lineno)
                    return
                if helper is None:
                    helper = (
                        self.files.shown(code.co_filename),
                        frame.f_lineno,
                        code.co_name,
                    )
            elif not code.co_filename.startswith(PROBE_DIR):
                module = frame.f_globals.get("__name__") or ""
                packages.add(module.split(".")[0])
            readers.append(code)
            frame = frame.f_back

    def note_exec(self, code, frame):
        """An app file starts running: imported (its own globals) or run by exec() in globals
        it is given (split-settings' include()); and the app line that started it."""
        if (
            getattr(code, "co_name", None) != "<module>"
            or code.co_filename not in self.files
        ):
            return
        imported = frame is not None and frame.f_code.co_filename.startswith(
            "<frozen importlib"
        )
        while frame is not None and not (
            frame.f_code.co_name == "<module>"
            and frame.f_code.co_filename in self.files
        ):
            frame = frame.f_back
        parent = (
            None
            if frame is None
            else (os.path.abspath(frame.f_code.co_filename), frame.f_lineno)
        )
        self.executed.append((os.path.abspath(code.co_filename), parent, imported))

    def note_open(self, path):
        if isinstance(path, (str, os.PathLike)):
            path = os.fspath(path)
            if not path.endswith((".py", ".pyc")) and path in self.files:
                self.opened.append(os.path.abspath(path))


def _audit(event, args):
    reads = _recording
    if reads is None or reads._busy:
        return
    if event == "exec":
        reads.note_exec(args[0], sys._getframe(1))
    elif event == "open":
        reads.note_open(args[0])


_audit_installed = []


def _install_audit_hook():
    if not _audit_installed:
        sys.addaudithook(_audit)
        _audit_installed.append(True)
