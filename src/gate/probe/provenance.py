"""Where each setting got its value: the assignment that won (file and line of the settings
module or the module it star-imports), and the config var it was read from, if any.

Static reading of the settings source (ast) does most of the work; conditions (`if env.USE_SSL:`)
are evaluated against the loaded module's globals when they are plain enough to be free of side
effects, and config-var reads are re-evaluated with candidate values ("true", "1", ...) to learn
which string gives which setting value. pydantic-settings reads the whole environment when the
model is built, so its fields are described from the model instead. When the reading is unsure
the answer says so (`certain: false`), and the guard falls back to the line.

Nothing here returns a config var's value: only names, and what the code does with them.
"""

import ast
import builtins
import io
import os
import sys

from .common import (
    ALLOWED_SETTINGS,
    NO_JSON_FORM,
    error_text,
    json_form,
    read_bounded_text,
)

# Candidate strings tried on a config-var read, to learn which one gives True, False or an int.
TRUE_STRINGS = ("true", "True", "1")
FALSE_STRINGS = ("false", "False", "0")
INT_PROBE = 3600
# str methods a settings expression may call on a config var's value.
STR_METHODS = frozenset({"lower", "upper", "strip", "casefold"})
# Builtins a settings expression may call: they only convert.
SAFE_BUILTINS = (int, bool, str, float)
# django-environ's readers: env("X"), env.bool("X"), ...
ENVIRON_METHODS = frozenset(
    {"__call__", "bool", "int", "str", "float", "list", "tuple", "json", "get_value"}
)

RAN, SKIPPED, UNKNOWN = "ran", "skipped", "unknown"


class EnvReads:
    """Records the names of config vars read while the settings load (os.environ[...],
    .get(), os.getenv(), `in`), by patching os.environ's class for that time."""

    def __init__(self):
        self.names = set()
        self._saved = None

    def __enter__(self):
        environ_class = type(os.environ)
        getitem, contains = environ_class.__getitem__, environ_class.__contains__
        names = self.names

        def recording_getitem(mapping, key):
            names.add(key)
            return getitem(mapping, key)

        def recording_contains(mapping, key):
            names.add(key)
            return contains(mapping, key)

        self._saved = (getitem, contains)
        environ_class.__getitem__ = recording_getitem
        environ_class.__contains__ = recording_contains
        return self

    def __exit__(self, *_exc):
        environ_class = type(os.environ)
        environ_class.__getitem__, environ_class.__contains__ = self._saved
        return False


class Assignment:
    """One module-level assignment of an upper-case name, in execution order."""

    def __init__(self, name, node, value, source, state, conditions):
        self.name = name
        self.node = node
        self.value = value
        self.source = source
        self.state = state
        # (If node, branch taken is the body?, source) from outermost to innermost.
        self.conditions = conditions


class Source:
    """One settings file: where it is shown, its module's globals, its package."""

    def __init__(self, module, path, shown):
        self.module = module
        self.path = path
        self.shown = shown
        self.namespace = vars(module)


def shown_path(path, app_dir):
    prefix = app_dir + os.sep
    return path[len(prefix) :] if path.startswith(prefix) else None


def module_source(module_name, app_dir):
    module = sys.modules.get(module_name)
    path = getattr(module, "__file__", None)
    if not path or not path.endswith(".py"):
        return None
    shown = shown_path(os.path.abspath(path), app_dir)
    return None if shown is None else Source(module, path, shown)


class Reader:
    """Walks the settings module and the app modules it star-imports, in execution order."""

    def __init__(self, app_dir):
        self.app_dir = app_dir
        self.assignments = []
        self.visited = set()

    def read_module(self, module_name, state, conditions):
        source = module_source(module_name, self.app_dir)
        if source is None or source.path in self.visited:
            return
        self.visited.add(source.path)
        tree = ast.parse(read_bounded_text(source.path), source.path)
        self.walk(tree.body, source, state, conditions)

    def walk(self, statements, source, state, conditions):
        for statement in statements:
            self.statement(statement, source, state, conditions)

    def statement(self, node, source, state, conditions):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id.isupper():
                    value = None if isinstance(node, ast.AugAssign) else node.value
                    self.assignments.append(
                        Assignment(target.id, node, value, source, state, conditions)
                    )
        elif isinstance(node, ast.ImportFrom) and any(
            alias.name == "*" for alias in node.names
        ):
            package = source.namespace.get("__package__") or ""
            try:
                from importlib.util import resolve_name

                target = resolve_name("." * node.level + (node.module or ""), package)
            except (ImportError, ValueError):
                return
            self.read_module(target, state, conditions)
        elif isinstance(node, ast.If):
            test = evaluate(node.test, source.namespace)
            if state == SKIPPED:
                body_state = else_state = SKIPPED
            elif test is NOT_EVALUATED:
                body_state = else_state = UNKNOWN
            else:
                body_state = state if test else SKIPPED
                else_state = SKIPPED if test else state
            self.walk(
                node.body, source, body_state, [*conditions, (node, True, source)]
            )
            self.walk(
                node.orelse, source, else_state, [*conditions, (node, False, source)]
            )
        elif isinstance(node, ast.Try):
            self.walk(node.body, source, state, conditions)
            for handler in node.handlers:
                self.walk(handler.body, source, _unsure(state), conditions)
            self.walk(node.orelse, source, _unsure(state), conditions)
            self.walk(node.finalbody, source, state, conditions)
        elif isinstance(node, ast.With):
            self.walk(node.body, source, state, conditions)
        elif isinstance(node, (ast.For, ast.While)):
            self.walk(node.body, source, _unsure(state), conditions)


def _unsure(state):
    return SKIPPED if state == SKIPPED else UNKNOWN


def describe_plain(value):
    """The value's type name and JSON form (None when it has none), as the rules compare them."""
    form = json_form(value)
    return {
        "type": type(value).__name__,
        "value": None if form is NO_JSON_FORM else form,
    }


# --- evaluation of plain expressions ----------------------------------------------------------

NOT_EVALUATED = object()
PLAIN_NODES = (
    ast.Expression,
    ast.Name,
    ast.Load,
    ast.Attribute,
    ast.Constant,
    ast.Compare,
    ast.BoolOp,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.And,
    ast.Or,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Subscript,
    ast.IfExp,
    ast.keyword,
    ast.cmpop,
    ast.Call,
)


def resolve(node, namespace):
    """The object a Name or a chain of attributes names, without calling anything."""
    if isinstance(node, ast.Name):
        if node.id in namespace:
            return namespace[node.id]
        return getattr(builtins, node.id, NOT_EVALUATED)
    if isinstance(node, ast.Attribute):
        owner = resolve(node.value, namespace)
        if owner is NOT_EVALUATED:
            return NOT_EVALUATED
        try:
            return getattr(owner, node.attr)
        except Exception:  # noqa: BLE001 - an attribute that raises is simply not plain
            return NOT_EVALUATED
    return NOT_EVALUATED


def is_environ_get(function):
    return getattr(function, "__self__", None) is os.environ and (
        getattr(function, "__name__", "") == "get"
    )


def library_of(function):
    """Which config-var library a callable belongs to, or None."""
    if function is os.getenv or is_environ_get(function):
        return "os.environ"
    owner = getattr(function, "__self__", function)
    module = type(owner).__module__ or ""
    if module.startswith("environ"):
        name = getattr(function, "__name__", "__call__")
        return "django-environ" if name in ENVIRON_METHODS else None
    if module.startswith("decouple"):
        return "python-decouple"
    return None


def plain(node, namespace):
    """True when evaluating `node` can only read names and config vars and convert values."""
    for child in ast.walk(node):
        if not isinstance(child, PLAIN_NODES):
            return False
        if isinstance(child, ast.Call):
            function = child.func
            if isinstance(function, ast.Attribute) and function.attr in STR_METHODS:
                continue
            target = resolve(function, namespace)
            if target is NOT_EVALUATED:
                return False
            if not (
                any(target is safe for safe in SAFE_BUILTINS)
                or library_of(target) is not None
                or (type(target).__module__ or "").startswith("decouple")
            ):
                return False
    return True


def evaluate(node, namespace):
    """The expression's value in the module's final globals, or NOT_EVALUATED."""
    if not plain(node, namespace):
        return NOT_EVALUATED
    try:
        code = compile(ast.Expression(node), "<release-guard>", "eval")
        return eval(code, dict(namespace))  # only plain expressions: see plain()
    except Exception:  # noqa: BLE001 - e.g. int("") on an unset config var
        return NOT_EVALUATED


# --- config vars ------------------------------------------------------------------------------


def is_settings_model(instance):
    return any(
        cls.__name__ == "BaseSettings"
        and (cls.__module__ or "").startswith("pydantic_settings")
        for cls in type(instance).__mro__
    )


def find_read(node, namespace):
    """The first config-var read in an expression: (node, name or None, library, reader)."""
    for child in ast.walk(node):
        if isinstance(child, ast.Attribute):
            owner = resolve(child.value, namespace)
            if (
                owner is not NOT_EVALUATED
                and is_settings_model(owner)
                and child.attr in type(owner).model_fields
            ):
                return child, None, "pydantic-settings", owner
        if (
            isinstance(child, ast.Subscript)
            and resolve(child.value, namespace) is os.environ
        ):
            return child, constant_text(child.slice), "os.environ", None
        if isinstance(child, ast.Call):
            target = resolve(child.func, namespace)
            library = None if target is NOT_EVALUATED else library_of(target)
            if library is not None:
                argument = child.args[0] if child.args else None
                for keyword in child.keywords:
                    if keyword.arg in ("var", "option", "key"):
                        argument = keyword.value
                name = constant_text(argument)
                if name is not None and library == "django-environ":
                    owner = getattr(target, "__self__", target)
                    name = f"{getattr(owner, 'prefix', '') or ''}{name}"
                return child, name, library, target
    return None


def constant_text(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def pydantic_config_var(instance, field_name):
    """The env var a pydantic-settings field reads, and what decides that name."""
    model = type(instance)
    config = getattr(model, "model_config", {}) or {}
    field = model.model_fields[field_name]
    prefix = config.get("env_prefix", "") or ""
    case_sensitive = bool(config.get("case_sensitive", False))
    alias = field.validation_alias or field.alias
    choices = getattr(alias, "choices", None)
    if choices:
        alias = next((choice for choice in choices if isinstance(choice, str)), None)
    naming = [f"pydantic-settings {model.__name__}.{field_name}"]
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
    if case_sensitive:
        is_set = name in os.environ
    else:
        is_set = any(key.upper() == name for key in os.environ)
    annotation = field.annotation
    if field.is_required():
        when_unset = None
    else:
        when_unset = describe_plain(field.default)
    return {
        "name": name,
        "library": "pydantic-settings",
        "naming": ", ".join(naming),
        "is_set": is_set,
        "when_unset": when_unset,
        "true_string": "true" if annotation is bool else None,
        "false_string": "false" if annotation is bool else None,
        "accepts_int": annotation is int,
    }


def config_var_of(node, namespace, reads):
    """How a setting expression depends on a config var, or None when it reads none."""
    found = find_read(node, namespace)
    if found is None:
        return None
    read_node, name, library, reader = found
    if library == "pydantic-settings":
        return pydantic_config_var(reader, read_node.attr), True
    if name is None:
        return None
    outcomes = try_values(node, namespace, name)
    true_string = next((s for s in TRUE_STRINGS if outcomes[s] is True), None)
    false_string = next((s for s in FALSE_STRINGS if outcomes[s] is False), None)
    unset = outcomes[None]
    result = {
        "name": name,
        "library": library,
        "naming": library_naming(library, reader),
        "is_set": name in os.environ,
        "when_unset": None if unset is NOT_EVALUATED else describe_plain(unset),
        "true_string": true_string,
        "false_string": false_string,
        "accepts_int": outcomes[str(INT_PROBE)] == INT_PROBE
        and type(outcomes[str(INT_PROBE)]) is int,
    }
    return result, name in reads


def library_naming(library, reader):
    if library == "django-environ":
        owner = getattr(reader, "__self__", reader)
        prefix = getattr(owner, "prefix", "") or ""
        return f"django-environ, prefix {prefix!r}" if prefix else "django-environ"
    if library == "python-decouple":
        repository = getattr(getattr(reader, "config", None), "repository", None)
        path = getattr(repository, "path", None) or getattr(repository, "parser", None)
        if isinstance(path, str):
            return f"python-decouple (or {os.path.basename(path)})"
        return "python-decouple"
    return library


def try_values(node, namespace, name):
    """The expression's value with the config var unset and set to each candidate string."""
    saved = os.environ.get(name)
    outcomes = {}
    try:
        for candidate in (None, *TRUE_STRINGS, *FALSE_STRINGS, str(INT_PROBE)):
            if candidate is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = candidate
            outcomes[candidate] = evaluate(node, namespace)
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved
    return outcomes


# --- per setting ------------------------------------------------------------------------------


def location(assignment):
    return {"file": assignment.source.shown, "line": assignment.node.lineno}


def literal_of(node):
    """The JSON form of a literal value (True, 3600, ("A", "b")), or None."""
    if node is None:
        return None
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return describe_plain(value)


def switch_of(assignment, reads):
    """The config var whose condition left this assignment out, and the string that lets it
    run: `if env.USE_SSL:` needs USE_SSL=true."""
    for if_node, in_body, source in reversed(assignment.conditions):
        test = evaluate(if_node.test, source.namespace)
        if test is NOT_EVALUATED or bool(test) == in_body:
            continue
        found = config_var_of(if_node.test, source.namespace, reads)
        if found is None:
            return None
        config_var, _read = found
        config_var = dict(config_var)
        config_var["needed"] = (
            config_var["true_string"] if in_body else config_var["false_string"]
        )
        if config_var["needed"] is None:
            return None
        return {"config_var": config_var, "file": source.shown, "line": if_node.lineno}
    return None


def describe_setting(name, value, assignments, end, reads):
    mine = [assignment for assignment in assignments if assignment.name == name]
    ran = [index for index, assignment in enumerate(mine) if assignment.state == RAN]
    unknown = [
        index for index, assignment in enumerate(mine) if assignment.state == UNKNOWN
    ]
    if ran:
        winner = mine[ran[-1]]
        answer = {
            "origin": "assignment",
            **location(winner),
            "certain": not any(index > ran[-1] for index in unknown),
            "literal": literal_of(winner.value),
            "config_var": None,
            "switch": None,
        }
        if winner.value is not None:
            found = config_var_of(winner.value, winner.source.namespace, reads)
            if found is not None:
                answer["config_var"], read = found
                answer["certain"] = answer["certain"] and read
        literal = answer["literal"]
        if literal is not None and literal["value"] != describe_plain(value)["value"]:
            answer["certain"] = False  # something after this line changed the value
        return answer
    skipped = [assignment for assignment in mine if assignment.state == SKIPPED]
    answer = {
        "origin": "default",
        **end,
        "certain": not unknown and is_django_default(name, value),
        "literal": None,
        "config_var": None,
        "switch": None,
    }
    if skipped and not unknown:
        inactive = skipped[-1]
        switch = switch_of(inactive, reads)
        if switch is not None:
            answer.update(
                origin="switched_off",
                **location(inactive),
                literal=literal_of(inactive.value),
                switch=switch,
            )
    return answer


def loaded_lines(loaded):
    # Lines as a text file counts them (universal newlines), not str.splitlines().
    return sum(1 for _ in io.StringIO(read_bounded_text(loaded.path), newline=None))


def is_django_default(name, value):
    from django.conf import global_settings

    if not hasattr(global_settings, name):
        return not hasattr(sys.modules.get("django.conf").settings, name)
    default = getattr(global_settings, name)
    return describe_plain(default)["value"] == describe_plain(value)["value"]


def settings_provenance(settings, names, app_dir, reads):
    """The settings module's file and its end (where a line is added), and the provenance of
    each of `names` Django defines; None when the settings module is not app source."""
    loaded = module_source(settings.SETTINGS_MODULE, app_dir)
    if loaded is None:
        return None
    end = {"file": loaded.shown, "line": loaded_lines(loaded) + 1}
    reader = Reader(app_dir)
    reader.read_module(settings.SETTINGS_MODULE, RAN, [])
    return {
        "settings_file": end,
        "settings": {
            name: describe_setting(
                name, getattr(settings, name), reader.assignments, end, reads
            )
            for name in names
            if hasattr(settings, name)
        },
    }


def for_answer(settings, app_dir, env_reads, collector):
    """The allowlisted settings' provenance for the answer, raw like every value the probe
    reports (the guard redacts where it prints). Advice is a bonus: a failure here is noted on
    stderr (without the secrets `collector` knows) and the release is judged without it."""
    try:
        sources = settings_provenance(
            settings, ALLOWED_SETTINGS, app_dir, env_reads.names
        )
    except Exception as error:  # noqa: BLE001 - never fail a release over its advice
        print(
            "release-guard probe: settings provenance failed: "
            f"{type(error).__name__}: {collector.scrub(error_text(error))}",
            file=sys.stderr,
        )
        return None
    return sources
