"""SECURE_REDIRECT_EXEMPT, evaluated the way SecurityMiddleware does: each entry compiled with
Python's own `re` and `.search()`ed in the request path without its leading slashes.

Whether a regular expression exempts "every path" cannot be decided in general, so it is
decided on sample paths every site has or could have: a pattern that exempts any of them
(`.*`, `(?i).*`, `^(?!admin/)`...) leaves real pages on plain HTTP, while a narrow exemption
such as `^healthz/$` exempts none.
"""

import re

# Without the leading slash, as SecurityMiddleware matches them. The last one is a path no app
# routes, standing for "any other page".
SAMPLE_PATHS = (
    "",
    "login/",
    "accounts/login/",
    "admin/",
    "admin/login/",
    "q7x2v9k4/any-page/",
)
MAX_PATTERN_CHARACTERS = 200


def middleware_path(path):
    """The path as SecurityMiddleware.process_request matches it."""
    return path.lstrip("/")


def evaluate(patterns, simulation_path):
    """What each entry of SECURE_REDIRECT_EXEMPT exempts, and whether the simulated requests'
    path is exempt. An entry Django could not compile carries the error instead."""
    request_path = middleware_path(simulation_path)
    entries = []
    simulation_path_exempt = False
    for pattern in patterns if isinstance(patterns, (list, tuple)) else [patterns]:
        shown = pattern if isinstance(pattern, str) else repr(pattern)
        if len(shown) > MAX_PATTERN_CHARACTERS:
            shown = shown[: MAX_PATTERN_CHARACTERS - 1] + "\u2026"
        entry = {"pattern": shown, "error": None, "exempts": []}
        try:
            # A pattern nested thousands of levels deep raises RecursionError here.
            regex = re.compile(pattern)
            entry["exempts"] = [path for path in SAMPLE_PATHS if regex.search(path)]
            simulation_path_exempt |= regex.search(request_path) is not None
        except RecursionError:  # its text differs between Python versions
            entry["error"] = "RecursionError: nested too deeply to compile"
        except Exception as error:  # noqa: BLE001 - reported, never fatal
            kind = "re.error" if isinstance(error, re.error) else type(error).__name__
            entry["error"] = f"{kind}: {error}"
        entries.append(entry)
    return {
        "sample_paths": list(SAMPLE_PATHS),
        "patterns": entries,
        "simulation_path_exempt": simulation_path_exempt,
    }
