"""Runs the GitHub Actions recipe (docs/platforms.md) on this machine, the way a runner would.

Usage: python run_workflow_recipe.py RECIPES WORKSPACE [--unset NAME]...

The ```yaml block of RECIPES that uses github/codeql-action/upload-sarif is the workflow. Each
step of each job runs in order in WORKSPACE (the checkout): `run:` steps with bash -eo pipefail
and the workflow, job and step `env:` merged over this process's environment; `--unset NAME`
drops NAME from those `env:` blocks (to run the recipe against other config). The `uses:` steps
need the network or GitHub, so they have local stand-ins: checkout and setup-python are the
WORKSPACE and the Python on PATH; upload-sarif validates its `sarif_file` against the SARIF 2.1.0
schema instead of uploading it. As on GitHub, a failed step skips the later steps except those
with `if: always()`, and the run fails.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from validate_sarif import main as validate_sarif

STAND_INS = ("actions/checkout@", "actions/setup-python@")
UPLOAD_SARIF = "github/codeql-action/upload-sarif@"


def workflow_from(recipes: str) -> dict:
    for block in re.findall(r"```yaml\n(.*?)```", recipes, flags=re.DOTALL):
        if UPLOAD_SARIF in block:
            return yaml.safe_load(block)
    raise SystemExit(
        "run_workflow_recipe: no ```yaml block with upload-sarif in the recipes"
    )


def run_step(step: dict, env: dict[str, str], workspace: Path) -> int:
    uses = step.get("uses", "")
    if uses.startswith(STAND_INS):
        return 0
    if uses.startswith(UPLOAD_SARIF):
        return validate_sarif([str(workspace / step["with"]["sarif_file"])])
    if "run" not in step:
        raise SystemExit(f"run_workflow_recipe: no local stand-in for step {step}")
    cwd = workspace / step.get("working-directory", ".")
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=cwd,
        env=env,
        check=False,
    ).returncode


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("recipes", type=Path)
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--unset", action="append", default=[])
    args = parser.parse_args()
    workflow = workflow_from(args.recipes.read_text(encoding="utf-8"))

    def declared(block: dict) -> dict[str, str]:
        env = block.get("env") or {}
        return {
            name: str(value) for name, value in env.items() if name not in args.unset
        }

    failed = False
    for name, job in workflow["jobs"].items():
        for step in job["steps"]:
            label = (
                step.get("name")
                or step.get("uses")
                or step.get("run", "").splitlines()[0]
            )
            if failed and "always()" not in str(step.get("if", "")):
                print(f"[{name}] skipped: {label}", flush=True)
                continue
            env = {
                **os.environ,
                **declared(workflow),
                **declared(job),
                **declared(step),
            }
            print(f"[{name}] {label}", flush=True)
            code = run_step(step, env, args.workspace)
            if code != 0:
                print(f"[{name}] failed with exit code {code}: {label}", flush=True)
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
