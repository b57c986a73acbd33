"""make bench's load client: bench/rotate.lua against a tiny live server, and the parsing of its figures."""

import http.server
import threading
from collections import Counter

import pytest

from bench import report, wrk

# One real line of rotate.lua's done(), from a run against the scale seed (two users, a 302 among the answers).
SAMPLE = """Running 8s test @ http://127.0.0.1:8011
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   130.50ms   40.20ms 612.01ms   80.00%
  1460 requests in 8.00s, 41.25MB read
Requests/sec:    182.48
PPDA-WRK {"requests":1460,"duration_us":8001234,"bytes":43253760,"p50_us":121034.0,"p75_us":150310.0,\
"p90_us":180220.0,"p95_us":201777.0,"p99_us":402118.0,"mean_us":130500.2,"max_us":612010.0,\
"errors":{"connect":0,"read":0,"write":0,"status":0,"timeout":2},"statuses":{"200":1459,"302":1},"used":[731,731]}
"""


def test_parse_reads_the_lua_summary_in_milliseconds():
    figures = wrk.parse(SAMPLE)
    assert figures["requests"] == 1460
    assert figures["rps"] == 182.5  # requests over wrk's own measured duration, not the nominal 8 s
    assert (figures["p50_ms"], figures["p95_ms"], figures["p99_ms"]) == (121.0, 201.8, 402.1)
    assert figures["max_ms"] == 612.0
    assert figures["statuses"] == {"200": 1459, "302": 1}
    assert figures["errors"] == {"timeout": 2}  # only the kinds that happened
    assert figures["per_user"] == [731, 731]


def test_parse_without_the_summary_line_says_so():
    with pytest.raises(wrk.WrkError, match="PPDA-WRK"):
        wrk.parse(SAMPLE.replace("PPDA-WRK", "SOMETHING"))


@pytest.mark.parametrize(
    ("env", "message"),
    [({"BENCH_DURATION": "0.5"}, "whole number"), ({"BENCH_CONCURRENCY": "0"}, "at least 1")],
)
def test_load_refuses_what_wrk_cannot_take(env, message):
    with pytest.raises(ValueError, match=message):
        wrk.Load.from_env(env)


def test_load_defaults_are_the_issues():
    load = wrk.Load.from_env({})
    assert (load.threads, load.connections, load.duration_s) == (2, 16, 8)
    assert wrk.command("http://h", "f", load)[1:4] == ["-t2", "-c16", "-d8s"]


class _Recorder(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as wrk expects
    seen: Counter

    def do_GET(self):
        self.seen[(self.path, self.headers.get("Cookie"), self.headers.get("X-Forwarded-Proto"))] += 1
        body = b"ok"
        self.send_response(302 if self.path == "/moved/" else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def live_server_recording():
    handler = type("Recorder", (_Recorder,), {"seen": Counter()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler.seen
    server.shutdown()
    server.server_close()


@pytest.mark.skipif(not wrk.available(), reason="wrk is not installed (bash bin/install-system installs it)")
def test_rotate_lua_sends_each_users_cookie_and_counts_statuses(live_server_recording):
    url, seen = live_server_recording
    users = [(f"/page/{i}/", f"sessionid=s{i:02d}") for i in range(16)]
    figures = wrk.run(url, [*users, ("/moved/", "")], wrk.Load(threads=2, connections=4, duration_s=1))
    # Every user's own path with every user's own cookie reached the server, as an https request.
    for path, cookie in users:
        assert seen[(path, cookie, "https")] > 0, (path, cookie)
    assert seen[("/moved/", None, "https")] > 0  # an empty cookie sends no Cookie header
    assert not {cookie for _, cookie, _ in seen} - {c for _, c in users} - {None}
    assert len(figures["per_user"]) == 17 and min(figures["per_user"]) > 0
    # The redirect is counted, so the bench reports it instead of timing a sign-in page.
    assert set(figures["statuses"]) == {"200", "302"}
    assert sum(figures["statuses"].values()) == figures["requests"]
    assert figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
    row = {"page": "p", "kind": None, "floor_target": None, **figures}
    assert any(m.startswith("statuses 302×") for m in report.missed(row))
