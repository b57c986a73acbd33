"""Drive one page with wrk (a C client, so the load does not compete with the server for Python CPU).

`run()` writes the page's (path, cookie) pairs to a private temporary file, runs wrk with bench/rotate.lua
(each request as the next user) and returns the figures that the script's done() prints as one JSON line.
"""

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

LUA_SCRIPT = Path(__file__).with_name("rotate.lua")
MARKER = "PPDA-WRK "


class WrkError(RuntimeError):
    """wrk is missing, failed, or printed no figures."""


@dataclass(frozen=True)
class Load:
    """How hard and how long: wrk's -t, -c, -d and --timeout (wrk takes whole seconds only)."""

    threads: int = 2
    connections: int = 16
    duration_s: int = 8
    timeout_s: int = 10  # above any page's worst case, so slow answers count in the latency, not as lost

    def __post_init__(self):
        for name in ("threads", "connections", "duration_s", "timeout_s"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, not {getattr(self, name)!r}")
        if self.connections < self.threads:
            raise ValueError("wrk needs at least one connection a thread")

    @classmethod
    def from_env(cls, env=os.environ) -> "Load":
        names = {"BENCH_THREADS": 2, "BENCH_CONCURRENCY": 16, "BENCH_DURATION": 8, "BENCH_TIMEOUT": 10}
        values = {}
        for var, default in names.items():
            raw = env.get(var, str(default))
            try:
                values[var] = int(raw)
            except ValueError:
                raise ValueError(f"{var} must be a whole number (wrk takes whole seconds), not {raw!r}") from None
        return cls(
            threads=values["BENCH_THREADS"],
            connections=values["BENCH_CONCURRENCY"],
            duration_s=values["BENCH_DURATION"],
            timeout_s=values["BENCH_TIMEOUT"],
        )


def available() -> str | None:
    return shutil.which("wrk")


def parse(stdout: str) -> dict:
    """The figures of one run from wrk's output: req/s, p50/p75/p90/p95/p99/mean/max in ms, statuses, errors,
    and how many requests each user (target line) was sent."""
    lines = [line for line in stdout.splitlines() if line.startswith(MARKER)]
    if not lines:
        raise WrkError(f"wrk printed no {MARKER.strip()} line (is the Lua script's done() running?):\n{stdout}")
    raw = json.loads(lines[-1][len(MARKER) :])
    seconds = raw["duration_us"] / 1e6
    out = {
        "requests": raw["requests"],
        "duration_s": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "bytes": raw["bytes"],
    }
    for key in ("p50", "p75", "p90", "p95", "p99", "mean", "max"):
        out[f"{key}_ms"] = round(raw[f"{key}_us"] / 1000, 1)
    out["statuses"] = dict(sorted(raw["statuses"].items()))
    out["errors"] = {k: v for k, v in raw["errors"].items() if v}
    out["per_user"] = raw["used"]
    return out


def command(url: str, targets_file: Path, load: Load, *, duration_s: int | None = None) -> list[str]:
    return [
        available() or "wrk",
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{duration_s or load.duration_s}s",
        f"--timeout={load.timeout_s}s",
        "-s",
        str(LUA_SCRIPT),
        url,
        "--",
        str(targets_file),
    ]


def run(url: str, targets: list[tuple[str, str]], load: Load, *, duration_s: int | None = None) -> dict:
    """Load `url` (scheme, host and port) with wrk, each request the next (path, cookie) of `targets`."""
    if not available():
        raise WrkError("wrk is not installed: `make system` (bin/install-system) installs Debian's wrk.")
    if not targets:
        raise WrkError("no targets to request")
    # Session cookies are credentials, even of bench users: a file only we can read, removed after the run.
    with tempfile.TemporaryDirectory(prefix="ppda-bench-") as tmp:
        targets_file = Path(tmp) / "targets.tsv"
        fd = os.open(targets_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            for path, cookie in targets:
                if "\t" in path or "\n" in path + cookie:
                    raise WrkError(f"a target holds a tab or newline: {path!r}")
                f.write(f"{path}\t{cookie}\n")
        cmd = command(url, targets_file, load, duration_s=duration_s)
        wait = (duration_s or load.duration_s) + load.timeout_s + 30
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=wait, check=False)  # noqa: S603
    if done.returncode != 0:
        raise WrkError(f"wrk exited {done.returncode}: {done.stderr.strip() or done.stdout.strip()}")
    return parse(done.stdout)
