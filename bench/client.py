"""A small asyncio HTTP load generator for loopback benchmarks (bounded in count and time).

Each of `concurrency` workers sends GET requests back to back for `duration` seconds (or until
`max_requests`), with its own session cookie, and records latency and status.
"""

import asyncio
import contextlib
import statistics
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed_s: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[k]

    @property
    def rps(self) -> float:
        return self.count / self.elapsed_s if self.elapsed_s else 0.0

    def as_dict(self) -> dict:
        return {
            "page": self.name,
            "requests": self.count,
            "p50_ms": round(self.percentile(50), 1),
            "p95_ms": round(self.percentile(95), 1),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 1) if self.latencies_ms else None,
            "rps": round(self.rps, 1),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


async def _get(host: str, port: int, path: str, cookie: str) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
        "X-Forwarded-Proto: https\r\nConnection: close\r\nUser-Agent: ppda-bench\r\n\r\n"
    )
    writer.write(request.encode())
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()  # drain the body until the server closes
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
    parts = status_line.split()
    return int(parts[1]) if len(parts) > 1 else 0


async def run_page(
    name: str,
    targets: list[tuple[str, str]],
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    concurrency: int = 16,
    duration: float = 8.0,
    warmup: float = 1.0,
    max_requests: int = 20_000,
) -> Result:
    """targets: (path, cookie) pairs; worker i cycles through them starting at i."""
    result = Result(name)
    sent = 0
    stop_at = time.perf_counter() + warmup + duration
    measure_from = time.perf_counter() + warmup

    async def worker(i: int):
        nonlocal sent
        j = i
        while time.perf_counter() < stop_at and sent < max_requests:
            path, cookie = targets[j % len(targets)]
            j += concurrency
            t0 = time.perf_counter()
            try:
                status = await _get(host, port, path, cookie)
            except OSError:
                status = 0
            t1 = time.perf_counter()
            if t0 >= measure_from:
                sent += 1
                result.latencies_ms.append((t1 - t0) * 1000)
                result.statuses[status] = result.statuses.get(status, 0) + 1

    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    result.elapsed_s = time.perf_counter() - measure_from
    return result
