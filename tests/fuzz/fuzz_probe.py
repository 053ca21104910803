"""Fuzzes the probe's own parsers of outside input: the server options proxy_trust reads from
the web process's words (which the guard reads from the Procfile in Rust, src/web_process/, and
hands over) and from GUNICORN_CMD_ARGS / FORWARDED_ALLOW_IPS. Any exception or an input running
over HANG_SECONDS is a finding, written to fuzz/crashes/probe_procfile/. Inputs are a pure
function of (seed, index), like the Rust fuzzer's; each is a `web:` line whose words (split on
whitespace, as any words could arrive) become the request. gunicorn.conf.py is not fuzzed: it is
Python code, which the probe executes as gunicorn does, not input it parses.

    python tests/fuzz/fuzz_probe.py [INPUTS] [SEED]
"""

import random
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
from probe_support import REPO, probe_module

web = probe_module("web")
CORPUS = REPO / "fuzz" / "corpus" / "probe_procfile"
CRASHES = REPO / "fuzz" / "crashes" / "probe_procfile"
HANG_SECONDS = 5
DICTIONARY = [
    "web:", "web: ", "WEB_1:", "release:", "gunicorn", "python -m uvicorn", "daphne",
    "--proxy-headers", "--no-proxy-headers", "--forwarded-allow-ips", "=", "'*'", '"',
    "'", "\\", "-c", "--config", "python:mod", "exec ", "#", "\n", " ", ",", "*",
    "127.0.0.1", "&&", ";", "$(", "`",
]


def seeds():
    return [path.read_text(encoding="utf-8", errors="replace") for path in sorted(CORPUS.iterdir())]


def mutated(kept, seed, index):
    rng = random.Random(seed * 1_000_003 + index)
    text = rng.choice(kept)
    for _ in range(rng.randint(1, 8)):
        at = rng.randint(0, len(text))
        choice = rng.randrange(6)
        if choice == 0:
            text = text[:at] + rng.choice(DICTIONARY) + text[at:]
        elif choice == 1:
            text = text[:at] + chr(rng.choice([0, 9, 10, 13, 27, 34, 39, 92, 0xFF, 0x2028])) + text[at:]
        elif choice == 2:
            text = text[:at] + text[at + rng.randint(1, 16):]
        elif choice == 3:
            text = text[:at] + rng.choice(DICTIONARY) * rng.randint(1, 400) + text[at:]
        elif choice == 4:
            text = text[:at] + rng.choice(kept)[rng.randint(0, 20):]
        else:
            text = text[:at]
    env_args = rng.choice(["", "--forwarded-allow-ips=*", text[-40:], "'"])
    return text, env_args


def run_one(app_dir, procfile, gunicorn_cmd_args):
    words = procfile.removeprefix("web:").split()
    request = {**web.UNKNOWN, "server": words[0] if words else None, "args": words[1:]}
    environ = {"GUNICORN_CMD_ARGS": gunicorn_cmd_args, "FORWARDED_ALLOW_IPS": gunicorn_cmd_args}
    trust = web.proxy_trust(app_dir, environ, request)
    assert isinstance(trust["trusted"], bool), trust


class Hang(Exception):
    pass


def on_alarm(_signum, _frame):
    raise Hang


def main():
    inputs = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    kept = seeds()
    signal.signal(signal.SIGALRM, on_alarm)
    findings = 0
    slowest = 0.0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as app_dir:
        for index in range(inputs):
            procfile, env_args = mutated(kept, seed, index)
            began = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
            try:
                run_one(app_dir, procfile, env_args)
            except BaseException as error:
                if isinstance(error, KeyboardInterrupt):
                    raise
                findings += 1
                CRASHES.mkdir(parents=True, exist_ok=True)
                kind = "hang" if isinstance(error, Hang) else type(error).__name__
                name = f"{kind}-seed{seed}-{index}"
                (CRASHES / name).write_text(f"{env_args}\n---\n{procfile}", encoding="utf-8", errors="surrogateescape")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            slowest = max(slowest, time.perf_counter() - began)
    seconds = time.perf_counter() - started
    print("target          inputs   seconds    inputs/s  slowest(ms)  findings")
    print(f"{'probe_procfile':<14} {inputs:>8} {seconds:>9.1f} {inputs / seconds:>11.0f} {slowest * 1000:>12.1f} {findings:>9}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
