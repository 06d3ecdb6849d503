"""The lab app's fleet settings: SERVED_BY (X-Served-By, /api/whoami) and the fault knobs."""

from __future__ import annotations

import pytest
from flask_app import settings


def _app(monkeypatch, **env):
    from flask_app import create_app

    for name in ("SERVED_BY", "FAIL_RATE", "SLOW_MS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return create_app({"SECRET_KEY": "test-only-secret-key-0123456789", "TESTING": True})


def test_faults_are_off_by_default() -> None:
    loaded = settings.load_settings({})
    assert (loaded.fail_rate, loaded.slow_ms, loaded.served_by) == (0.0, 0, None)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FAIL_RATE": "1.5"}, "FAIL_RATE=1.5: must be a share from 0 to 1"),
        ({"FAIL_RATE": "-0.1"}, "FAIL_RATE"),
        ({"FAIL_RATE": "nan"}, "FAIL_RATE"),
        ({"FAIL_RATE": "lots"}, "expected a number from 0 to 1"),
        ({"SLOW_MS": "-5"}, "SLOW_MS=-5: must be between 0 and 60000"),
        ({"SLOW_MS": "1.5"}, "SLOW_MS='1.5': expected a whole number"),
        ({"SERVED_BY": "blue 1"}, "SERVED_BY"),
    ],
)
def test_bad_fault_settings_are_one_line(env: dict, message: str) -> None:
    with pytest.raises(settings.ConfigError, match=message.replace("(", r"\(")):
        settings.load_settings(env)


def test_served_by_header_and_whoami(monkeypatch) -> None:
    client = _app(monkeypatch, SERVED_BY="green-2").test_client()
    response = client.get("/api/whoami")
    assert response.headers["X-Served-By"] == "green-2"
    assert response.get_json()["served_by"] == "green-2"
    assert "X-Served-By" not in _app(monkeypatch).test_client().get("/healthz").headers


def test_fail_rate_fails_that_share_but_never_the_health_check(monkeypatch) -> None:
    client = _app(monkeypatch, FAIL_RATE="0.5").test_client()
    codes = [client.get("/api/whoami").status_code for _ in range(400)]
    assert set(codes) == {200, 500}
    assert 150 < codes.count(500) < 250  # 200 expected; p of leaving this band ~ 1e-5
    assert all(client.get("/healthz").status_code == 200 for _ in range(50))
    everything = _app(monkeypatch, FAIL_RATE="1").test_client()
    assert everything.get("/").status_code == 500


def test_slow_ms_adds_latency(monkeypatch) -> None:
    import time

    client = _app(monkeypatch, SLOW_MS="50").test_client()
    start = time.perf_counter()
    client.get("/api/whoami")
    assert time.perf_counter() - start >= 0.05
