"""Tests for cloudlab.sim.happy_eyeballs (RFC 8305 racing) and its widget."""

from __future__ import annotations

import math
from ipaddress import ip_address, ip_interface
from itertools import pairwise

import pytest
from matplotlib.figure import Figure

from cloudlab.net.selection import (
    SCOPE_GLOBAL,
    SCOPE_LINK_LOCAL,
    common_prefix_len,
    order_destinations,
    scope_of,
)
from cloudlab.sim.happy_eyeballs import (
    CONNECTION_ATTEMPT_DELAY_MS,
    MIN_CONNECTION_ATTEMPT_DELAY_MS,
    RESOLUTION_DELAY_MS,
    Conditions,
    Path,
    client_addresses,
    interleave,
    race,
    simulate,
)
from cloudlab.widgets.happy_eyeballs import make_happy_eyeballs_ui, race_figure


def test_interleave_alternates_families() -> None:
    ranked = order_destinations(
        ["2001:db8::1", "2001:db8::2", "2001:db8::3", "192.0.2.1", "192.0.2.2"],
        ["2001:db8::99/64", "192.0.2.99/24"],
    )
    assert [r.family for r in interleave(ranked)] == ["IPv6", "IPv4", "IPv6", "IPv4", "IPv6"]
    two = [r.family for r in interleave(ranked, 2)]
    assert two == ["IPv6", "IPv6", "IPv4", "IPv6", "IPv4"]
    assert interleave(()) == ()
    with pytest.raises(ValueError, match="at least 1"):
        interleave(ranked, 0)


# --- the chapter's conditions -> which family wins ------------------------------------

CONDITIONS = [
    pytest.param({}, "IPv6", id="everyone-does-IPv6"),
    pytest.param({"device_ipv6": False}, "IPv4", id="device-without-IPv6"),
    pytest.param({"router_ipv6": False}, "IPv4", id="router-without-IPv6"),
    pytest.param({"isp_ipv6": False}, "IPv4", id="ISP-without-IPv6"),
    pytest.param({"site_aaaa": False}, "IPv4", id="site-without-AAAA"),
    pytest.param({"site_a": False}, "IPv6", id="IPv6-only-site"),
    pytest.param({"device_ipv4": False}, "IPv6", id="IPv6-only-device"),
    pytest.param({"ipv6_state": "blackholed"}, "IPv4", id="IPv6-blackholed"),
    pytest.param({"ipv6_state": "refused"}, "IPv4", id="IPv6-refused"),
    pytest.param({"ipv6_latency_ms": 400}, "IPv4", id="IPv6-slower-by-more-than-250ms"),
    pytest.param({"ipv6_latency_ms": 200}, "IPv6", id="IPv6-slower-by-less-than-250ms"),
    pytest.param({"ipv4_state": "blackholed"}, "IPv6", id="IPv4-blackholed"),
    pytest.param({"aaaa_ms": 40, "a_ms": 10}, "IPv6", id="AAAA-within-resolution-delay"),
    pytest.param({"aaaa_ms": 100, "a_ms": 10}, "IPv4", id="AAAA-after-resolution-delay"),
    pytest.param({"ipv6_state": "blackholed", "ipv4_state": "blackholed"}, None, id="both-dead"),
    pytest.param({"site_aaaa": False, "site_a": False}, None, id="no-records"),
    pytest.param({"site_a": False, "isp_ipv6": False}, None, id="IPv6-only-site-no-IPv6"),
]


@pytest.mark.parametrize(("changes", "family"), CONDITIONS)
def test_conditions_decide_the_family(changes: dict[str, object], family: str | None) -> None:
    result = simulate(**changes)
    assert result.family == family
    if family is None:
        assert result.connected_ms is None
        assert result.summary.startswith("No connection")
    else:
        assert f"{family}" in result.summary


def test_device_gets_global_ipv6_only_when_device_router_and_isp_all_do_ipv6() -> None:
    for device in (True, False):
        for router in (True, False):
            for isp in (True, False):
                c = Conditions(device_ipv6=device, router_ipv6=router, isp_ipv6=isp)
                scopes = {scope_of(a.ip) for a in client_addresses(c) if a.version == 6}
                assert (SCOPE_GLOBAL in scopes) == (device and router and isp)
                assert (SCOPE_LINK_LOCAL in scopes) == device


# --- Happy Eyeballs timing (simulated milliseconds, not wall-clock) --------------------


def test_healthy_dual_stack_connects_over_ipv6_after_dns_plus_handshake() -> None:
    result = simulate(aaaa_ms=20, a_ms=20, ipv6_latency_ms=30)
    assert result.family == "IPv6"
    assert result.first_attempt_ms == 20
    assert result.connected_ms == 50
    assert result.summary == "Connected over IPv6 after 50 ms."
    assert len(result.attempts) == 1


def test_blackholed_ipv6_falls_back_after_the_connection_attempt_delay() -> None:
    result = simulate(ipv6_state="blackholed", ipv4_latency_ms=30)
    first, second = result.attempts
    assert (first.family, second.family) == ("IPv6", "IPv4")
    assert second.start_ms - first.start_ms == CONNECTION_ATTEMPT_DELAY_MS
    assert second.trigger == "attempt delay"
    assert result.family == "IPv4"
    assert result.connected_ms == first.start_ms + 250 + 30
    assert first.result == "cancelled"
    assert first.would_answer_ms is None
    assert result.summary.startswith("IPv6 blackholed: fell back to IPv4")


@pytest.mark.parametrize("delay", [100, 250, 1000])
def test_fallback_time_follows_the_connection_attempt_delay(delay: int) -> None:
    result = simulate(ipv6_state="blackholed", connection_attempt_delay_ms=delay)
    assert result.attempts[1].start_ms == result.attempts[0].start_ms + delay


def test_slow_ipv6_loses_to_ipv4_that_started_later() -> None:
    result = simulate(ipv6_latency_ms=400, ipv4_latency_ms=30)
    v6, v4 = result.attempts
    assert result.family == "IPv4"
    assert v6.result == "cancelled"
    assert v6.would_answer_ms == v6.start_ms + 400
    assert result.connected_ms == v4.start_ms + 30 < v6.would_answer_ms


def test_slightly_slow_ipv6_still_wins_while_ipv4_is_in_flight() -> None:
    result = simulate(ipv6_latency_ms=260, ipv4_latency_ms=30)
    assert result.family == "IPv6"
    assert result.connected_ms == 20 + 260
    assert [a.result for a in result.attempts] == ["connected", "cancelled"]


def test_refused_ipv6_starts_ipv4_at_once() -> None:
    result = simulate(ipv6_state="refused", ipv6_latency_ms=30, ipv4_latency_ms=30)
    v6, v4 = result.attempts
    assert v6.result == "failed"
    assert v4.trigger == "previous attempt failed"
    assert v4.start_ms == v6.end_ms == 50
    assert result.connected_ms == 80


def test_resolution_delay_waits_for_a_late_aaaa() -> None:
    within = simulate(a_ms=10, aaaa_ms=40)
    assert within.first_attempt_ms == 40
    assert within.attempts[0].family == "IPv6"
    late = simulate(a_ms=10, aaaa_ms=100)
    assert late.first_attempt_ms == 10 + RESOLUTION_DELAY_MS
    assert late.attempts[0].family == "IPv4"
    assert any(e.kind == "wait" for e in late.events)


def test_late_aaaa_joins_the_race_when_ipv4_is_stuck() -> None:
    result = simulate(a_ms=10, aaaa_ms=100, ipv4_state="blackholed")
    v4, v6 = result.attempts
    assert (v4.family, v6.family) == ("IPv4", "IPv6")
    assert v6.start_ms == v4.start_ms + CONNECTION_ATTEMPT_DELAY_MS
    assert result.family == "IPv6"


def test_negative_aaaa_answer_first_starts_on_the_a_answer() -> None:
    result = simulate(site_aaaa=False, aaaa_ms=5, a_ms=60)
    assert result.first_attempt_ms == 60
    assert result.summary.endswith("(the name has no AAAA record).")


def test_no_route_attempts_fail_at_once_but_keep_the_10_ms_spacing() -> None:
    result = race(
        ["2001:db8::1", "2001:db8::2", "2001:db8::3"],
        ["203.0.113.10"],
        sources=["192.168.1.23/24"],
        paths={"IPv4": Path(30, "refused"), "IPv6": Path(30, "ok")},
    )
    starts = [a.start_ms for a in result.attempts]
    assert len(starts) == 4
    assert all(b - a >= MIN_CONNECTION_ATTEMPT_DELAY_MS for a, b in pairwise(starts))
    assert result.family is None
    assert {a.outcome for a in result.attempts} == {"refuse", "no route"}


def test_timeline_events_are_in_time_order_and_start_with_the_queries() -> None:
    result = simulate(ipv6_state="blackholed")
    times = [e.time_ms for e in result.events]
    assert times == sorted(times)
    assert result.events[0].kind == "query"
    kinds = [e.kind for e in result.events]
    assert kinds.count("answer") == 2
    assert kinds.count("attempt") == 2
    assert "connected" in kinds
    assert "cancelled" in kinds


def test_both_paths_dead_give_up_at_the_application_timeout() -> None:
    result = simulate(ipv6_state="blackholed", ipv4_state="blackholed", give_up_ms=3000)
    assert result.end_ms == 3000
    assert all(a.result == "timed out" for a in result.attempts)


def test_jitter_is_seeded_and_reproducible() -> None:
    a = simulate(jitter_ms=20, seed=7)
    b = simulate(jitter_ms=20, seed=7)
    assert a == b
    connected = {simulate(jitter_ms=20, seed=s).connected_ms for s in range(10)}
    assert len(connected) > 1
    assert all(20 + 10 <= t <= 20 + 50 for t in connected if t is not None)


def test_race_to_dict_is_plain_data() -> None:
    data = simulate(ipv6_state="blackholed").to_dict()
    assert data["family"] == "IPv4"
    assert isinstance(data["attempts"][0]["address"], str)
    assert data["order"][0]["address"] == "2001:db8:80::10"


def test_simulate_accepts_conditions_and_overrides() -> None:
    base = Conditions(ipv6_state="blackholed")
    assert simulate(base).family == "IPv4"
    assert simulate(base, ipv6_state="ok").family == "IPv6"


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ipv6_latency_ms": -5}, "IPv6 latency must be 0 ms or more"),
        ({"ipv4_latency_ms": math.nan}, "IPv4 latency must be 0 ms or more"),
        ({"ipv4_latency_ms": "fast"}, "IPv4 latency must be a number"),
        ({"aaaa_ms": -1}, "AAAA answer must be 0 ms or more"),
        ({"jitter_ms": math.inf}, "jitter must be 0 ms or more"),
        ({"device_ipv4": False, "device_ipv6": False}, "neither IPv4 nor IPv6"),
        ({"ipv6_state": "sleepy"}, "unknown IPv6 path state 'sleepy'"),
    ],
)
def test_impossible_conditions_are_explained(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Conditions(**changes)  # type: ignore[arg-type]  # the wrong type is the test


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"connection_attempt_delay_ms": 5}, "between 10 and 2000 ms"),
        ({"connection_attempt_delay_ms": 5000}, "between 10 and 2000 ms"),
        ({"resolution_delay_ms": -50}, "Resolution Delay must be 0 ms or more"),
        ({"give_up_ms": 0}, "more than 0 ms"),
    ],
)
def test_bad_race_settings(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        simulate(**kwargs)


def test_bad_addresses_and_paths() -> None:
    with pytest.raises(ValueError, match="'banana' is not an IPv4 or IPv6 address"):
        order_destinations(["banana"], [])
    with pytest.raises(ValueError, match="is not a source address"):
        order_destinations(["192.0.2.1"], ["192.0.2.0/33"])
    with pytest.raises(ValueError, match="AAAA records hold IPv6 addresses only"):
        race(["192.0.2.1"], [], sources=[], paths={})
    with pytest.raises(ValueError, match="A records hold IPv4 addresses only"):
        race([], ["2001:db8::1"], sources=[], paths={})
    with pytest.raises(ValueError, match="multicast"):
        scope_of("ff02::1")
    with pytest.raises(ValueError, match="unknown path state"):
        Path(10, "broken")  # type: ignore[arg-type]  # the wrong type is the test
    with pytest.raises(ValueError, match="latency must be 0 ms or more"):
        Path(-1)


def test_bare_source_address_gets_a_default_prefix() -> None:
    assert common_prefix_len(ip_address("2001:db8:1::2"), "2001:db8:1::1") == 64  # type: ignore[arg-type]  # the wrong type is the test
    ranked = order_destinations(["203.0.113.10"], ["192.168.1.23"])
    assert ranked[0].source == ip_interface("192.168.1.23/32")


# --- widget --------------------------------------------------------------------------


def test_widget_starts_on_a_healthy_network() -> None:
    ui = make_happy_eyeballs_ui()
    assert ui.result is not None
    assert ui.result.family == "IPv6"
    assert "Connected over IPv6 after 50 ms." in ui.outcome.value
    assert ui.error.value == ""


def test_widget_recomputes_when_a_control_changes() -> None:
    ui = make_happy_eyeballs_ui()
    ui.controls["ipv6_state"].value = "blackholed"
    assert ui.result is not None
    assert ui.result.family == "IPv4"
    assert "IPv6 blackholed: fell back to IPv4, connected after 300 ms." in ui.outcome.value
    ui.controls["connection_attempt_delay_ms"].value = 100
    assert "after 150 ms" in ui.outcome.value
    assert "<table>" in ui.details.value


def test_widget_follows_the_seed_notes_conditions() -> None:
    ui = make_happy_eyeballs_ui()
    ui.controls["isp_ipv6"].value = False
    assert ui.result is not None
    assert ui.result.family == "IPv4"
    assert "rule 1" in ui.outcome.value
    ui.controls["isp_ipv6"].value = True
    ui.controls["site_aaaa"].value = False
    assert ui.result.family == "IPv4"


def test_widget_shows_impossible_conditions_inline() -> None:
    ui = make_happy_eyeballs_ui()
    ui.controls["device_ipv4"].value = False
    ui.controls["device_ipv6"].value = False
    assert ui.result is None
    assert "neither IPv4 nor IPv6" in ui.error.value
    assert "Traceback" not in ui.error.value
    assert ui.outcome.value == ""
    ui.controls["device_ipv6"].value = True
    assert ui.error.value == ""
    assert ui.result is not None
    assert ui.result.family == "IPv6"


@pytest.mark.parametrize(
    "changes",
    [{}, {"ipv6_state": "blackholed"}, {"a_ms": 10, "aaaa_ms": 100}, {"site_a": False}],
)
def test_race_figure_draws_one_lane_per_answer_and_attempt(changes: dict[str, object]) -> None:
    result = simulate(**changes)
    fig = race_figure(result)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    answers = sum(1 for e in result.events if e.kind == "answer")
    assert len(ax.get_yticks()) == answers + len(result.attempts)
    assert ax.get_title(loc="left") == result.summary


def test_race_defaults_to_a_healthy_dual_stack_client() -> None:
    assert race(["2001:db8::1"], ["192.0.2.1"]).family == "IPv6"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: race(5), "the AAAA answer must be a list of addresses"),
        (lambda: race([], {"a": 1}), "the A answer must be a list of addresses"),
        (lambda: race([], [], paths=["IPv6"]), "paths must map 'IPv6' and 'IPv4' to a Path"),
        (lambda: race([], [], paths={"IPv6": 30}), "paths must map 'IPv6' and 'IPv4' to a Path"),
        (lambda: race([], [], seed="x"), "the seed='x': expected a whole number"),
        (lambda: interleave(["abc"]), "ranked must hold RankedDestination items"),
        (lambda: interleave(7), "ranked must be a list of RankedDestination"),
        (lambda: interleave((), 1.5), "First Address Family Count=1.5: expected a whole"),
        (lambda: simulate(3), "conditions must be a Conditions or None"),
        (lambda: client_addresses(None), "conditions must be a Conditions"),
    ],
)
def test_wrong_types_are_a_value_error_naming_the_argument(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
