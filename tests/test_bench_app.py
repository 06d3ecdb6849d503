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
    client = lab.test_client()
    first = client.get("/api/whoami", headers={"Cookie": cookie}).get_json()["session_id"]
    again = client.get("/api/whoami", headers={"Cookie": cookie}).get_json()["session_id"]
    assert first == again
    fresh = lab.test_client().get("/api/whoami").get_json()["session_id"]
    assert fresh != first


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
