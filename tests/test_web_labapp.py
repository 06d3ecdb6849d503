"""The notebook's lab-app runner: a real gunicorn on both families, nothing left behind."""

from __future__ import annotations

import json
import os
import urllib.request

import pytest

from cloudlab.web.labapp import LabApp, has_ipv6_loopback, port_is_open


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def test_serves_both_families_and_stops_cleanly() -> None:
    with LabApp(env={"COLOR": "blue"}) as app:
        pid = app._process.pid
        whoami = get_json(f"{app.url}/api/whoami")
        assert whoami["ip"] == "127.0.0.1"
        assert whoami["ip_version"] == 4
        assert whoami["color"] == "blue"
        if app.url6 is None:
            print("skipping the IPv6 half: this machine has no ::1")
        else:
            six = get_json(f"{app.url6}/api/whoami")
            assert six["ip"] == "::1"
            assert six["ip_version"] == 6
    assert not app.running
    assert not port_is_open("127.0.0.1", app.port)
    if has_ipv6_loopback():
        assert not port_is_open("::1", app.port)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_unknown_setting_is_refused_before_starting() -> None:
    with pytest.raises(ValueError, match="COLOUR: not a setting"):
        LabApp(env={"COLOUR": "green"}).start()


def test_bad_setting_stops_start_up_with_the_apps_one_line_reason() -> None:
    app = LabApp(env={"TRUSTED_PROXY_HOPS": "lots"}, start_timeout=15)
    with pytest.raises(RuntimeError, match=r"stopped at start-up: flask_app: .*TRUSTED_PROXY_HOPS"):
        app.start()
    assert not app.running
    assert not port_is_open("127.0.0.1", app.port)
