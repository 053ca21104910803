"""Runs the statements that decide a setting again, in a copy of the module's globals, with
candidate values of the config var: only statements whose every call is a plain conversion or
one of the functions that made the recorded read (`safe`)."""

import ast
import builtins
import json
import os

from .recording import MISSING

# Methods of the text a config var holds that a conversion may call.
STR_METHODS = frozenset(
    {
        "lower",
        "upper",
        "strip",
        "lstrip",
        "rstrip",
        "casefold",
        "split",
        "rsplit",
        "startswith",
        "endswith",
        "replace",
        "partition",
        "title",
        "isdigit",
    }
)

SAFE_CALLABLES = (
    int,
    bool,
    str,
    float,
    tuple,
    list,
    set,
    frozenset,
    dict,
    len,
    sorted,
    min,
    max,
    json.loads,
    ast.literal_eval,
)
# What a statement gives when it cannot be run again safely.
NOT_EVALUATED = object()

# --- running statements again ---------------------------------------------------------------


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


def code_of(target):
    """The code objects a call of `target` runs first."""
    codes = []
    for candidate in (
        target,
        getattr(target, "__func__", None),
        getattr(target, "__init__", None) if isinstance(target, type) else None,
        getattr(type(target), "__call__", None),  # noqa: B004 - the method, not callable()
    ):
        candidate = getattr(candidate, "__func__", candidate)
        code = getattr(candidate, "__code__", None)
        if code is not None:
            codes.append(code)
    return codes


def safe_call(call, namespace, reads):
    """A call is safe to repeat when it converts (int(), str methods, json.loads) or when it is
    one of the functions that made the recorded reads, or belongs to their libraries."""
    target = resolve(call.func, namespace)
    if isinstance(call.func, ast.Attribute) and call.func.attr in STR_METHODS:
        owner = resolve(call.func.value, namespace)
        if owner is NOT_EVALUATED or owner is None or isinstance(owner, str):
            return True  # a method of the text a config var holds (None: unset)
    if target is NOT_EVALUATED:
        return False
    if any(target is safe for safe in SAFE_CALLABLES):
        return True
    if getattr(target, "__self__", None) is os.environ or target is os.getenv:
        return True
    readers = set().union(*(read.readers for read in reads)) if reads else set()
    if any(code in readers for code in code_of(target)):
        return True
    module = getattr(target, "__module__", None) or type(target).__module__ or ""
    packages = set().union(*(read.packages for read in reads)) if reads else set()
    return module.split(".")[0] in packages - {"os", "builtins", "__main__"}


SAFE_STATEMENTS = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.If, ast.Pass, ast.Expr)


def safe(statements, namespace, reads):
    for statement in statements:
        for child in ast.walk(statement):
            if isinstance(child, ast.stmt) and not isinstance(child, SAFE_STATEMENTS):
                return False
            if isinstance(child, (ast.Await, ast.Yield, ast.YieldFrom, ast.Lambda)):
                return False
            if isinstance(child, ast.Call) and not safe_call(child, namespace, reads):
                return False
    return True


def evaluate(node, namespace, reads=()):
    """The expression's value in the module's final globals, or NOT_EVALUATED."""
    if not safe([ast.Expr(node)], namespace, reads):
        return NOT_EVALUATED
    try:
        code = compile(ast.Expression(node), "<release-guard>", "eval")
        return eval(code, dict(namespace))  # only safe calls: see safe()
    except Exception:  # noqa: BLE001 - e.g. int("") on an unset config var
        return NOT_EVALUATED


class patched_environ:
    """os.environ with `names` set to `value` (or removed), restored afterwards."""

    def __init__(self, names, value):
        self.names = names
        self.value = value
        self.saved = {}

    def __enter__(self):
        for name in self.names:
            self.saved[name] = os.environ.get(name)
            if self.value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = self.value

    def __exit__(self, *_exc):
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        return False


class Decision:
    """The statements that decide one setting: the bindings it depends on, then its assignment
    inside the `if`s around it. Run again in a copy of the globals, they tell which value of a
    config var gives which setting value."""

    def __init__(self, run, assignment, setting):
        self.run = run
        self.setting = setting
        self.file = assignment.file
        self.assignment = assignment
        self.statement = sliced(assignment)
        self.dependencies = dependencies(run, assignment, self.statement)
        self.reads = [read for _node, reads in self.dependencies for read in reads]
        self.reads += statement_reads(assignment)
        nodes = [node for node, _reads in self.dependencies]
        self.compiled = None
        if safe([*nodes, self.statement], self.file.namespace, self.reads):
            try:
                self.prepare = run.preparation(self.file, nodes)
                self.compiled = compile(
                    ast.Module(body=[self.statement], type_ignores=[]),
                    self.file.path,
                    "exec",
                )
            except (SyntaxError, ValueError):
                self.compiled = None
        self.cache = {}

    def outcome(self, names, candidate):
        """The setting after the statements ran with `names` set to `candidate` (None: unset;
        no names: the environment as it is): MISSING when they do not assign it, NOT_EVALUATED
        when they fail or cannot run."""
        if self.compiled is None:
            return NOT_EVALUATED
        key = (tuple(names), candidate)
        if key not in self.cache:
            namespace = self.prepare(key)
            if namespace is None:
                self.cache[key] = NOT_EVALUATED
                return NOT_EVALUATED
            namespace = dict(namespace)
            namespace.pop(self.setting, None)
            try:
                with patched_environ(names, candidate):
                    exec(self.compiled, namespace)  # noqa: S102 - only safe calls: see safe()
                self.cache[key] = namespace.get(self.setting, MISSING)
            except Exception:  # noqa: BLE001 - a candidate the code rejects
                self.cache[key] = NOT_EVALUATED
        return self.cache[key]


def sliced(assignment):
    """The assignment alone, inside copies of the `if`s that hold it."""
    inner = assignment.node
    for if_node, in_body in reversed(assignment.conditions):
        body = [inner] if in_body else [ast.Pass()]
        orelse = [] if in_body else [inner]
        inner = ast.copy_location(
            ast.If(test=if_node.test, body=body, orelse=orelse), if_node
        )
    return ast.fix_missing_locations(inner)


def statement_reads(assignment):
    reads = list(assignment.file.reads.get(id(assignment.node), ()))
    for if_node, _in_body in assignment.conditions:
        reads += assignment.file.reads.get(id(if_node.test), ())
    return reads


_loaded = {}


def loaded_names(node):
    """The names an AST node loads (memoised: the same statements are asked about often)."""
    key = id(node)
    if key not in _loaded or _loaded[key][0] is not node:
        names = {
            child.id
            for child in ast.walk(node)
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load)
        }
        _loaded[key] = (node, names)
    return _loaded[key][1]


# Statements that bind a value a later statement may depend on (not class or function defs).
BINDINGS = (ast.Assign, ast.AnnAssign, ast.AugAssign)


def dependencies(run, assignment, statement, depth=3):
    """Earlier bindings with recorded reads whose names the statement loads (`env = Env()`,
    `v = os.getenv(...)`), outermost first: re-running them lets a candidate value reach it."""
    found = []
    for name in sorted(loaded_names(statement)):
        binding = run.last_binding(name, assignment.file, assignment)
        if (
            binding is None
            or binding.conditions
            or not isinstance(binding.node, BINDINGS)
        ):
            continue
        reads = binding.file.reads.get(id(binding.node), [])
        if not reads:
            continue
        if depth > 1:
            found += [
                item
                for item in dependencies(run, binding, binding.node, depth - 1)
                if item not in found
            ]
        found.append((binding.node, reads))
    unique = []
    for item in found:
        if all(item[0] is not other[0] for other in unique):
            unique.append(item)
    return unique
