"""The probe package's modules import each other without a cycle: a cycle makes the order of
imports decide which names exist, the kind of breakage that shows only on some paths."""

import ast
import unittest

from probe_support import PACKAGE_DIR


def probe_imports(source):
    """The probe modules a module imports (`from . import x`, `from .x import y`)."""
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                imported.add(node.module.split(".")[0])
            else:
                imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "release_guard_probe"
        ):
            parts = node.module.split(".")
            imported.update(parts[1:2] or [alias.name for alias in node.names])
    return imported


def find_cycle(graph):
    """One import cycle as a list of modules, or None."""
    visiting, done = [], set()

    def visit(module):
        if module in visiting:
            return visiting[visiting.index(module) :] + [module]
        if module in done:
            return None
        visiting.append(module)
        for imported in sorted(graph.get(module, ())):
            cycle = visit(imported)
            if cycle:
                return cycle
        visiting.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        cycle = visit(module)
        if cycle:
            return cycle
    return None


class ImportGraphTest(unittest.TestCase):
    def test_the_probe_has_no_import_cycle(self):
        graph = {
            path.stem: probe_imports(path.read_text(encoding="utf-8"))
            for path in PACKAGE_DIR.glob("*.py")
        }
        self.assertIn("common", graph["provenance"])
        self.assertIsNone(find_cycle(graph))

    def test_a_cycle_is_found(self):
        graph = {
            "main": probe_imports("from . import phases\n"),
            "phases": probe_imports("from .main import error_text\n"),
        }
        self.assertEqual(find_cycle(graph), ["main", "phases", "main"])


if __name__ == "__main__":
    unittest.main()
