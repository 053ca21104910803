"""Where each setting got its value, and the config var that decides it, from what the settings
really did while they loaded.

While the settings module imports, `EnvReads` records every config-var read, whatever library
makes it: os.environ item access, `.get`, `in`, iteration and copies (os.getenv ends in `.get`).
Each read is attributed to the innermost frame that runs the module code of an app file (file
and line; files run by split-settings' include() or exec keep their names), together with the
functions that made it. Every app file executed meanwhile (imports, include(), exec) is recorded
with the line that ran it, and every file opened (a `.env` file, say).

After the import `ast` maps each recorded line to its statement: an assignment decides its
targets; an `if` whose test read a config var decides every setting assigned under it. The value
to set is learned by running the deciding statements again in a copy of the module's globals with
candidate values of the config var ("true", "3600", "a,b", ...), but only when every call in them
is a plain conversion or one of the functions that made the recorded read; otherwise the answer
says it is unsure. Source text is never matched against library patterns.

Nothing here returns a config var's value: only names, and what the code does with them.
"""

import ast
import json
import os
import sys

from .common import (
    ALLOWED_SETTINGS,
    NO_JSON_FORM,
    error_text,
    json_form,
    read_bounded,
    read_bounded_text,
)
from .recording import MISSING
from .rerun import (
    NOT_EVALUATED,
    Decision,
    evaluate,
    loaded_names,
    patched_environ,
    statement_reads,
)

# Candidate strings, tried in this order: the first that gives True (False) is advised.
BOOL_STRINGS = ("true", "false", "True", "False", "1", "0")
INT_PROBE = 7919  # no code holds it as a constant
SEQUENCE_PROBE = ("x-probe-one", "x-probe-two")
TEXT_PROBE = "x-probe-text"
# The settings whose values never leave the probe, not even as a literal or a default.
SECRET_SETTINGS = frozenset({"SECRET_KEY"})
PROVENANCE_SETTINGS = (*ALLOWED_SETTINGS, *sorted(SECRET_SETTINGS))
# The views' iteration reads every variable once more: part of the whole-environment read.
RAN, SKIPPED, UNKNOWN = "ran", "skipped", "unknown"
MAX_ENV_FILE_BYTES = 256 * 1024


# --- what ran: files, statements, assignments -----------------------------------------------


class Assignment:
    """One module-level binding of a name, in execution order."""

    __slots__ = ("conditions", "file", "name", "node", "order", "state")

    def __init__(self, name, node, file, state, conditions, order):
        self.name = name
        self.node = node
        self.file = file
        self.state = state
        # (If node, branch taken is the body?) from outermost to innermost, in `file`.
        self.conditions = conditions
        self.order = order


class File:
    """One app file that ran: its tree, the globals it ran in, the reads of each statement."""

    def __init__(self, path, namespace, shown):
        self.path = path
        self.shown = shown
        self.namespace = namespace
        self.text = read_bounded_text(path)
        self.tree = ast.parse(self.text, path)
        self.lines = self.text.count("\n") + (0 if self.text.endswith("\n") else 1)
        self.reads = {}  # id(statement or If test) -> [Read]


def statement_at(body, line):
    """The innermost module-level statement holding `line`, and whether it is in an `if` test."""
    for node in body:
        if not node.lineno <= line <= (node.end_lineno or node.lineno):
            continue
        if isinstance(node, ast.If):
            if node.test.lineno <= line <= node.test.end_lineno:
                return node, True
            return statement_at(node.body + node.orelse, line) or (node, False)
        if isinstance(node, (ast.Try, ast.With, ast.For, ast.While)):
            inner = (
                node.body + getattr(node, "orelse", []) + getattr(node, "finalbody", [])
            )
            for handler in getattr(node, "handlers", []):
                inner += handler.body
            return statement_at(inner, line) or (node, False)
        return node, False
    return None


def bound_names(node):
    if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    else:
        return []
    names = []
    for target in targets:
        for child in ast.walk(target):
            if isinstance(child, ast.Name):
                names.append(child.id)
    return names


class Run:
    """The settings import as it happened: the files in execution order and every binding."""

    def __init__(self, settings_module, env_reads):
        self.env_reads = env_reads
        self.app = env_reads.files
        self.files = {}
        self.assignments = []
        self.children = {}
        self.preparations = {}
        self.modules = None
        for path, parent, imported in env_reads.executed:
            self.children.setdefault(parent, []).append((path, imported))
        module = sys.modules.get(settings_module)
        path = getattr(module, "__file__", None)
        if not path or not path.endswith(".py") or path not in self.app:
            self.root = None
            return
        self.root = self.file(os.path.abspath(path), vars(module))
        for read in env_reads.reads:
            file = self.files.get(read.path) or self.file(read.path, read.namespace)
            if file is None:
                continue
            found = statement_at(file.tree.body, read.line)
            if found is not None:
                node, in_test = found
                key = id(node.test) if in_test else id(node)
                file.reads.setdefault(key, []).append(read)
        self.walk(self.root, self.root.tree.body, RAN, ())

    def file(self, path, namespace):
        if path not in self.files:
            try:
                self.files[path] = File(path, namespace, self.app.shown(path))
            except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
                return None
        return self.files[path]

    def walk(self, file, statements, state, conditions):
        for node in statements:
            self.statement(file, node, state, conditions)

    def statement(self, file, node, state, conditions):
        if isinstance(node, ast.If):
            test = evaluate(node.test, file.namespace, self.readers(file, node.test))
            if state == SKIPPED:
                body_state = else_state = SKIPPED
            elif test is NOT_EVALUATED:
                body_state = else_state = UNKNOWN
            else:
                body_state = state if test else SKIPPED
                else_state = SKIPPED if test else state
            self.walk(file, node.body, body_state, (*conditions, (node, True)))
            self.walk(file, node.orelse, else_state, (*conditions, (node, False)))
            return
        if isinstance(node, ast.Try):
            self.walk(file, node.body, state, conditions)
            for handler in node.handlers:
                self.walk(file, handler.body, _unsure(state), conditions)
            self.walk(file, node.orelse, _unsure(state), conditions)
            self.walk(file, node.finalbody, state, conditions)
            return
        if isinstance(node, ast.With):
            self.walk(file, node.body, state, conditions)
            return
        if isinstance(node, (ast.For, ast.While)):
            self.walk(file, node.body, _unsure(state), conditions)
            return
        for name in bound_names(node):
            self.assignments.append(
                Assignment(name, node, file, state, conditions, len(self.assignments))
            )
        if state == SKIPPED:
            return
        star = isinstance(node, ast.ImportFrom) and any(
            alias.name == "*" for alias in node.names
        )
        for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
            for path, imported in self.children.pop((file.path, line), ()):
                child = self.child(path, file, star, imported)
                if child is not None:
                    self.walk(child, child.tree.body, state, conditions)

    def child(self, path, parent, star, imported):
        """A file run by `parent` whose names become the parent's: a star-import, or a file
        executed in the parent's own globals (split-settings' include(), exec)."""
        if not imported:
            known = self.files.get(path)
            if known is not None and known.namespace is not parent.namespace:
                return None
            return self.file(path, parent.namespace)
        if not star:
            return None
        module = self.module_of(path)
        return None if module is None else self.file(path, vars(module))

    def module_of(self, path):
        """The imported app module whose file is `path`."""
        if self.modules is None:
            self.modules = {}
            for module in list(sys.modules.values()):
                filename = getattr(module, "__file__", None)
                if isinstance(filename, str) and filename in self.app:
                    self.modules.setdefault(os.path.abspath(filename), module)
        return self.modules.get(path)

    def readers(self, file, node):
        return file.reads.get(id(node), ())

    def preparation(self, file, nodes):
        """A function giving `file`'s globals after `nodes` (the bindings a decision depends
        on) ran again with a candidate environment; shared by every decision on the same
        bindings, so that `env = Settings()` runs once per candidate, not once per setting."""
        key = (id(file), tuple(id(node) for node in nodes))
        if key not in self.preparations:
            compiled = (
                compile(
                    ast.Module(body=list(nodes), type_ignores=[]), file.path, "exec"
                )
                if nodes
                else None
            )
            results = {}

            def prepare(environment):
                if environment == ((), None):
                    return file.namespace  # the environment as it is: what already ran
                if environment not in results:
                    namespace = dict(file.namespace)
                    try:
                        if compiled is not None:
                            with patched_environ(*environment):
                                exec(compiled, namespace)  # noqa: S102 - checked by safe()
                        results[environment] = namespace
                    except Exception:  # noqa: BLE001 - a candidate the code rejects
                        results[environment] = None
                return results[environment]

            self.preparations[key] = prepare
        return self.preparations[key]

    def last_binding(self, name, file, before):
        """The latest binding of `name` in `file`'s globals that ran before `before`."""
        for assignment in reversed(self.assignments[: before.order]):
            if (
                assignment.name == name
                and assignment.file.namespace is file.namespace
                and assignment.state != SKIPPED
            ):
                return assignment
        return None


def _unsure(state):
    return SKIPPED if state == SKIPPED else UNKNOWN


def describe_plain(value):
    """The value's type name and JSON form (None when it has none), as the rules compare them."""
    form = json_form(value)
    return {
        "type": type(value).__name__,
        "value": None if form is NO_JSON_FORM else form,
    }


# --- config vars ----------------------------------------------------------------------------


def uses_value_of(assignment):
    """Whether the assignment's value depends on the config var (not only whether it runs):
    the value reads it, or loads a name an enclosing test bound with `:=`."""
    if assignment.file.reads.get(id(assignment.node)):
        return True
    value_names = loaded_names(assignment.node)
    for if_node, _in_body in assignment.conditions:
        walrus = {
            child.target.id
            for child in ast.walk(if_node.test)
            if isinstance(child, ast.NamedExpr)
        }
        if walrus & value_names and assignment.file.reads.get(id(if_node.test)):
            return True
    return False


def declared_fields(owner):
    """The config var each field of an object that read the whole environment declares it
    reads (pydantic-settings models say so in their model_config and aliases)."""
    model = type(owner)
    fields = getattr(model, "model_fields", None)
    config = getattr(model, "model_config", None)
    if not isinstance(fields, dict) or not isinstance(config, dict):
        return None
    prefix = config.get("env_prefix", "") or ""
    case_sensitive = bool(config.get("case_sensitive", False))
    declared = {}
    for field_name, field in fields.items():
        alias = getattr(field, "validation_alias", None) or getattr(
            field, "alias", None
        )
        choices = getattr(alias, "choices", None)
        if choices:
            alias = next(
                (choice for choice in choices if isinstance(choice, str)), None
            )
        naming = [f"{model.__name__}.{field_name}"]
        if isinstance(alias, str):
            name = alias
            naming.append(f"alias {alias!r}")
        else:
            name = prefix + field_name
            if prefix:
                naming.append(f"env_prefix {prefix!r}")
        if not case_sensitive:
            name = name.upper()
            naming.append("case-insensitive")
        env_file = config.get("env_file")
        if env_file:
            naming.append(f"env_file {env_file!r}")
        declared[field_name] = (name, ", ".join(naming), case_sensitive)
    return declared


class Candidate:
    """A config var that may decide a setting, and where and how it was read. `names` are the
    environment names that carry it: every spelling of it set now when case does not matter."""

    def __init__(self, name, read, naming, initial_names, case_sensitive=True):
        self.name = name
        self.read = read
        self.naming = naming
        spelled = (
            []
            if case_sensitive
            else sorted(env for env in initial_names if env.upper() == name)
        )
        self.names = spelled or [name]
        self.is_set = any(env in initial_names for env in self.names)


def reader_naming(read):
    if read.helper is not None:
        file, line, function = read.helper
        return f"read by {function}() at {file}:{line}"
    outer = sorted(read.packages - {"os"})
    if outer:
        return f"read through {', '.join(outer)}"
    return "os.environ"


def candidates(decision, reads, searched):
    """The config vars that may decide the setting: each named read, then the fields that
    `searched` loads of objects built by a whole-environment read (a settings model)."""
    found = []
    initial_names = decision.run.env_reads.initial_names

    def named(reads):
        for read in reads:
            if read.name is not None and all(c.name != read.name for c in found):
                found.append(
                    Candidate(read.name, read, reader_naming(read), initial_names)
                )

    named(reads)
    for node, dependency_reads in decision.dependencies:
        whole = next((read for read in dependency_reads if read.name is None), None)
        if whole is None:
            continue
        for name in bound_names(node):
            owner = decision.file.namespace.get(name)
            fields = declared_fields(owner) if owner is not None else None
            for child in ast.walk(searched) if fields else ():
                if (
                    isinstance(child, ast.Attribute)
                    and isinstance(child.value, ast.Name)
                    and child.value.id == name
                    and child.attr in fields
                ):
                    var, naming, case_sensitive = fields[child.attr]
                    if all(c.name != var for c in found):
                        found.append(
                            Candidate(
                                var,
                                whole,
                                f"pydantic-settings {naming}",
                                initial_names,
                                case_sensitive,
                            )
                        )
    for _node, dependency_reads in decision.dependencies:
        named(dependency_reads)  # `v = os.getenv("X")` then `SETTING = v == "1"`
    return found


def same(left, right):
    if isinstance(left, (tuple, list)) and isinstance(right, (tuple, list)):
        return list(left) == list(right)
    return type(left) is type(right) and left == right


NO_CONVERSION = {
    "true_string": None,
    "false_string": None,
    "accepts_int": False,
    "sequence_form": None,
    "accepts_text": False,
    "presence": False,
    "when_set": None,
}


def conversion(decision, candidate, family):
    """How the decision turns the config var's text into the setting: which strings give True
    and False, whether a number, a comma list, a JSON list or plain text come through, or, when
    none does, whether only its presence counts. The probes are values no code holds as a
    constant, so a constant cannot pass for a conversion."""
    outcome = lambda value: decision.outcome(candidate.names, value)
    # A secret's default is never reported, so it is never computed.
    unset = MISSING if decision.setting in SECRET_SETTINGS else outcome(None)
    found = dict(NO_CONVERSION)
    if family == "bool":
        for text in BOOL_STRINGS:
            value = outcome(text)
            if found["true_string"] is None and value is True:
                found["true_string"] = text
            if found["false_string"] is None and value is False:
                found["false_string"] = text
            if found["true_string"] and found["false_string"]:
                return unset, found
    elif family == "int":
        found["accepts_int"] = same(outcome(str(INT_PROBE)), INT_PROBE)
    elif family == "sequence":
        # JSON first: deciding_var has run it already.
        if same(outcome(json.dumps(list(SEQUENCE_PROBE))), list(SEQUENCE_PROBE)):
            found["sequence_form"] = "json"
        elif same(outcome(",".join(SEQUENCE_PROBE)), list(SEQUENCE_PROBE)):
            found["sequence_form"] = "comma"
    else:
        found["accepts_text"] = same(outcome(TEXT_PROBE), TEXT_PROBE)
    if found["accepts_int"] or found["sequence_form"] or found["accepts_text"]:
        return unset, found
    when_set = [outcome(text) for text in ("true", "false", TEXT_PROBE)]
    found["presence"] = (
        unset is not NOT_EVALUATED
        and all(value is not NOT_EVALUATED for value in when_set)
        and all(same(value, when_set[0]) for value in when_set)
        and not same(when_set[0], unset)
    )
    if found["presence"] and when_set[0] is not MISSING:
        found["when_set"] = describe_plain(when_set[0])
    return unset, found


def family_of(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, (list, tuple)):
        return "sequence"
    return "text"


def env_files_setting(name, env_reads):
    """The files other than Python read during the import (`.env`) that set `name`."""
    shown = []
    for path in dict.fromkeys(env_reads.opened):
        try:
            text = read_bounded(path, MAX_ENV_FILE_BYTES).decode("utf-8", "replace")
        except OSError:
            continue
        for line in text.splitlines():
            words = line.strip().removeprefix("export ").split("=", 1)
            if len(words) == 2 and words[0].strip() == name:
                shown.append(env_reads.files.shown(path))
                break
    return shown


def describe_config_var(decision, candidate, setting, value, run, convert=True):
    """The config var as the advice needs it: its name, how it was read, whether it is set, and
    (with `convert`) how the code converts its text into `value`'s type."""
    env_reads = run.env_reads
    unset, found = MISSING, dict(NO_CONVERSION)
    if convert:
        unset, found = conversion(decision, candidate, family_of(value))
    return {
        "name": candidate.name,
        "naming": candidate.naming,
        "is_set": candidate.is_set,
        "when_unset": None
        if setting in SECRET_SETTINGS or unset in (MISSING, NOT_EVALUATED)
        else describe_plain(unset),
        **found,
        "env_files": env_files_setting(candidate.name, env_reads),
        "read_at": {
            "file": env_reads.files.shown(candidate.read.path),
            "line": candidate.read.line,
        },
    }


# Texts that tell whether a config var changes a decision at all, those of the setting's own
# type first: two that give different values settle it.
FAMILY_TEXTS = {
    "bool": BOOL_STRINGS,
    "int": (str(INT_PROBE),),
    "sequence": (json.dumps(list(SEQUENCE_PROBE)), ",".join(SEQUENCE_PROBE)),
    # A required text (SECRET_KEY) fails unset: another text tells first.
    "text": (TEXT_PROBE, "true"),
}


def deciding_var(decision, found, family):
    """Of the config vars a decision read, the first whose value changes the setting, and
    whether one does (False: none could be run with other values)."""
    texts = dict.fromkeys((*FAMILY_TEXTS[family], None, *BOOL_STRINGS, TEXT_PROBE))
    for candidate in found:
        first = NOT_EVALUATED
        for text in texts:
            outcome = decision.outcome(candidate.names, text)
            if outcome is NOT_EVALUATED:
                continue
            if first is NOT_EVALUATED:
                first = outcome
            elif not same(outcome, first):
                return candidate, True
    return (found[0], False) if found else (None, False)


# --- per setting ----------------------------------------------------------------------------


def location(assignment):
    return {"file": assignment.file.shown, "line": assignment.node.lineno}


def literal_of(node):
    """The JSON form of a literal value (True, 3600, ("A", "b")), or None."""
    value_node = getattr(node, "value", None)
    if value_node is None or isinstance(node, ast.AugAssign):
        return None
    try:
        value = ast.literal_eval(value_node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return describe_plain(value)


def switch_of(run, inactive, setting):
    """The config var whose test left this assignment out, the string that lets it run, and
    the value the assignment then gives."""
    decision = Decision(run, inactive, setting)
    found = candidates(decision, statement_reads(inactive), decision.statement)
    candidate, decides = deciding_var(decision, found, "bool")
    if not decides:
        return None
    names = candidate.names
    for text in (*BOOL_STRINGS, str(INT_PROBE)):
        block_value = decision.outcome(names, text)
        if block_value not in (MISSING, NOT_EVALUATED):
            config_var = describe_config_var(
                decision, candidate, setting, block_value, run, convert=False
            )
            config_var["needed"] = text
            switch = {
                "config_var": config_var,
                "file": inactive.file.shown,
                "line": inactive.conditions[-1][0].lineno,
            }
            return switch, block_value
    return None


def describe_setting(run, name, value):
    mine = [assignment for assignment in run.assignments if assignment.name == name]
    ran = [index for index, assignment in enumerate(mine) if assignment.state == RAN]
    unknown = [
        index for index, assignment in enumerate(mine) if assignment.state == UNKNOWN
    ]
    secret = name in SECRET_SETTINGS
    if ran:
        return ran_setting(
            run, name, value, mine[ran[-1]], any(i > ran[-1] for i in unknown)
        )
    answer = {
        "origin": "default",
        **settings_end(run),
        "certain": not unknown and is_django_default(name, value),
        "literal": None,
        "config_var": None,
        "switch": None,
    }
    skipped = [assignment for assignment in mine if assignment.state == SKIPPED]
    if not skipped or unknown:
        return answer
    inactive = skipped[-1]
    if uses_value_of(inactive):
        # `if v := os.getenv("X"): SETTING = tuple(v.split(","))`: X gives the value too.
        decision = Decision(run, inactive, name)
        found = candidates(decision, statement_reads(inactive), inactive.node)
        candidate, decides = deciding_var(decision, found, family_of(value))
        texts = (*FAMILY_TEXTS[family_of(value)], TEXT_PROBE, *BOOL_STRINGS)
        outcomes = (decision.outcome(candidate.names, text) for text in texts)
        block = next(
            (o for o in outcomes if o not in (MISSING, NOT_EVALUATED)), MISSING
        )
        if decides and block is not MISSING:
            config_var = describe_config_var(decision, candidate, name, block, run)
            answer.update(
                origin="switched_off", **location(inactive), config_var=config_var
            )
            return answer
    switched = switch_of(run, inactive, name)
    if switched is not None:
        switch, block_value = switched
        answer.update(
            origin="switched_off",
            **location(inactive),
            literal=None if secret else describe_plain(block_value),
            switch=switch,
        )
    return answer


def ran_setting(run, name, value, winner, later_unknown):
    """The assignment that won, and the config var that decides its value, if any."""
    literal = None if name in SECRET_SETTINGS else literal_of(winner.node)
    answer = {
        "origin": "assignment",
        **location(winner),
        "certain": not later_unknown,
        "literal": literal,
        "config_var": None,
        "switch": None,
    }
    if literal is not None and literal["value"] != describe_plain(value)["value"]:
        answer["certain"] = False  # something after this line changed the value
    depends = any(
        binding_has_reads(run, winner, loaded) for loaded in loaded_names(winner.node)
    )
    if not (uses_value_of(winner) or depends):
        return answer
    decision = Decision(run, winner, name)
    reads = statement_reads(winner) if uses_value_of(winner) else []
    found = candidates(decision, reads, winner.node)
    candidate, decides = deciding_var(decision, found, family_of(value))
    if candidate is None:
        return answer
    answer["config_var"] = describe_config_var(decision, candidate, name, value, run)
    now = decision.outcome((), None)
    answer["certain"] = (
        answer["certain"] and decides and (now is NOT_EVALUATED or same(now, value))
    )
    return answer


def binding_has_reads(run, assignment, name):
    binding = run.last_binding(name, assignment.file, assignment)
    return binding is not None and bool(binding.file.reads.get(id(binding.node)))


def settings_end(run):
    return {"file": run.root.shown, "line": run.root.lines + 1}


def is_django_default(name, value):
    from django.conf import global_settings

    if not hasattr(global_settings, name):
        return not hasattr(sys.modules.get("django.conf").settings, name)
    default = getattr(global_settings, name)
    return describe_plain(default)["value"] == describe_plain(value)["value"]


def recorded_reads(env_reads):
    """Every read, for the answer: the name (None for the whole environment), file and line."""
    seen = []
    for read in env_reads.reads:
        item = {
            "name": read.name,
            "file": env_reads.files.shown(read.path),
            "line": read.line,
        }
        if item not in seen:
            seen.append(item)
    return seen


def settings_provenance(settings, env_reads):
    """The settings module's file and its end (where a line is added), the provenance of each
    setting the guard reads, and every config-var read; None when the settings module is not
    app source."""
    run = Run(settings.SETTINGS_MODULE, env_reads)
    if run.root is None:
        return None
    return {
        "settings_file": settings_end(run),
        "settings": {
            name: describe_setting(run, name, getattr(settings, name))
            for name in PROVENANCE_SETTINGS
            if hasattr(settings, name)
        },
        "reads": recorded_reads(env_reads),
    }


def for_answer(settings, app_dir, env_reads, collector):
    """The settings' provenance for the answer, raw like every value the probe reports (the
    guard redacts where it prints). Advice is a bonus: a failure here is noted on stderr
    (without the secrets `collector` knows) and the release is judged without it."""
    del app_dir  # the recording knows the app directory
    try:
        return settings_provenance(settings, env_reads)
    except Exception as error:  # noqa: BLE001 - never fail a release over its advice
        print(
            "release-guard probe: settings provenance failed: "
            f"{type(error).__name__}: {collector.scrub(error_text(error))}",
            file=sys.stderr,
        )
        return None
