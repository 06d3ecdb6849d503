"""The lab benchmark's helpers do what the report says (no timing is asserted here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_app.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_app_under_test", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_returning_cookie_brings_back_the_same_session(bench):
    lab = bench.lab_app()
    cookie = bench.returning_cookie(lab)
    # As the bench sends it: a raw Cookie header and no cookie jar (a test client's jar
    # would replace the header with its own cookies).
    client = lab.test_client(use_cookies=False)
    first = client.get("/api/whoami", headers={"Cookie": cookie}).get_json()
    again = client.get("/api/whoami", headers={"Cookie": cookie}).get_json()
    assert first["cookies"]["session"] == cookie.removeprefix("session=")
    assert first["session_id"] == again["session_id"]
    assert first["session_id"] is not None
    fresh = lab.test_client().get("/api/whoami").get_json()["session_id"]
    assert fresh is None  # a first visit to the JSON route starts no session


def test_in_app_time_is_measured_for_a_working_route(bench):
    route = bench.Route("health", bench.LAB_APP, "/healthz")
    assert bench.in_app_us(bench.lab_app(), route, repeat=1) > 0


def test_in_app_time_refuses_a_route_that_does_not_answer_200(bench):
    route = bench.Route("missing", bench.LAB_APP, "/nowhere")
    with pytest.raises(SystemExit, match="missing: HTTP 404"):
        bench.in_app_us(bench.lab_app(), route, repeat=1)


def test_slices_combine_into_one_rate(bench):
    parts = [bench.Result("r", 100, 1.0, 1.0, 3.0, 0), bench.Result("r", 300, 1.0, 2.0, 5.0, 1)]
    combined = bench.combine("r", parts)
    assert combined.rps == pytest.approx(200.0)
    assert combined.errors == 1


def test_proxy_cost_compares_like_with_like(bench):
    direct = bench.Result("lab", 2000, 1.0, 1.0, 4.0, 0)
    proxied = bench.Result("Caddy → lab", 1000, 1.0, 2.0, 9.0, 1, proxy_cpu_s=0.15)
    # Bursts of other work: one pair in three slowed on both sides alike, one in three on
    # the proxied side only. The paired median still finds the 0.3 ms hop, where the
    # difference of the medians (0.2 -> 5.3 ms) would say 5.1.
    latency = bench.Latency([0.2, 0.2, 5.0] * 30, [5.3, 0.5, 5.3] * 30, errors=2)
    cost = bench.proxy_cost(direct, proxied, latency)
    assert cost.rps_ratio == pytest.approx(0.5)
    assert cost.added_p50_ms == pytest.approx(0.3)
    assert cost.added_p99_ms == pytest.approx(0.3)
    assert cost.caddy_cpu_us == pytest.approx(150.0)
    assert cost.errors == 3


def test_paired_latency_alternates_on_kept_connections(bench):
    import http.server
    import threading

    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            seen.append((self.server.server_port, self.client_address[1]))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    servers = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        a, b = (server.server_port for server in servers)
        latency = bench.paired_latency(a, b, bench.Route("r", "x", "/"), pairs=20)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    assert len(latency.direct_ms) == len(latency.proxied_ms) == 20
    assert latency.errors == 0
    assert [port for port, _ in seen] == [a, b] * 20  # one request at a time, alternating
    assert len({client for _, client in seen}) == 2  # one kept connection per way


def test_the_worker_class_is_read_from_the_servers_own_log(bench, tmp_path):
    log = tmp_path / "gunicorn.log"
    log.write_text("[INFO] Using worker: flask_app.worker.ThreadWorker\n")
    assert bench.Server(1, 1, log).worker_class() == "flask_app.worker.ThreadWorker"
    log.write_text("[INFO] Booting\n")
    assert bench.Server(1, 1, log).worker_class() == "unknown"


def test_in_app_time_of_another_python_uses_the_same_timer(bench):
    route = bench.Route("health", bench.LAB_APP, "/healthz")
    timed = bench.in_app_elsewhere(sys.executable, [route])
    assert set(timed) == {"health"}
    assert timed["health"] > 0


def test_slice_ratios_pair_each_slice_with_its_neighbour(bench):
    mine = [bench.Result("a", n, 1.0, 1, 1, 0) for n in (100, 300)]
    peer = [bench.Result("b", n, 1.0, 1, 1, 0) for n in (200, 100)]
    assert bench.paired_ratios(mine, peer) == [0.5, 3.0]
