"""Release Guard's probe: loads the Django app once, in the app's own Python, and reports what
the release gate needs. `bootstrap.py` starts it; `main.py` holds the flow.

The runner (src/gate/probe.rs) writes this package to a private directory as `probe/` and runs
`bootstrap.py` from beside it, which loads it by file location under a random name. Modules
import each other relatively, so the package works under any name (the tests import it as
`release_guard_probe`).
"""
