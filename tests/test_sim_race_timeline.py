"""The Happy Eyeballs timeline drawn as SVG by Python (cloudlab.sim.race_timeline)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from cloudlab.sim.happy_eyeballs import simulate
from cloudlab.sim.race_timeline import FAMILY_COLOURS, ms_text, race_alt, race_svg

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_blackholed_ipv6_draws_two_attempts_and_says_so() -> None:
    race = simulate(ipv6_state="blackholed")
    root = _parse(race_svg(race))
    assert root.get("role") == "img"
    label = root.get("aria-label")
    assert label == root.find(f"{SVG}title").text == race_alt(race)
    assert "IPv6 attempt to 2001:db8:80::10 started at 20 ms, was cancelled at 300 ms" in label
    assert "IPv4 attempt to 203.0.113.10 started at 270 ms, won at 300 ms" in label
    assert label.endswith(race.summary)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "16"]
    assert [b.get("fill") for b in bars] == [FAMILY_COLOURS["IPv6"], FAMILY_COLOURS["IPv4"]]
    assert bars[0].get("stroke-dasharray")  # cancelled
    assert not bars[1].get("stroke-dasharray")  # connected
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "won at 300 ms" in texts
    assert "was cancelled at 300 ms" in texts
    assert (
        race.summary not in texts
    )  # the page says it above the picture; the alt text ends with it


def test_the_dict_from_the_command_line_draws_the_same_picture() -> None:
    race = simulate(ipv6_state="refused", jitter_ms=20, seed=5)
    assert race_svg(race.to_dict()) == race_svg(race)


def test_a_failed_attempt_gets_a_cross_and_no_connection_no_line() -> None:
    refused = _parse(race_svg(simulate(ipv6_state="refused")))
    assert len(list(refused.iter(f"{SVG}path"))) == 1
    nothing = simulate(ipv6_state="blackholed", ipv4_state="blackholed", give_up_ms=1000)
    root = _parse(race_svg(nothing))
    assert "timed out at 1000 ms" in root.get("aria-label")
    assert nothing.connected_ms is None
    black = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke") == "#000000"]
    assert black == []


def test_no_records_and_the_resolution_delay() -> None:
    none = simulate(site_aaaa=False, site_a=False)
    assert "No connection attempt." in race_alt(none)
    _parse(race_svg(none))
    late = simulate(a_ms=10, aaaa_ms=100)
    root = _parse(race_svg(late))
    assert any(t.text == "Resolution Delay" for t in root.iter(f"{SVG}text"))
    assert "AAAA answer at 100 ms" in root.get("aria-label")


def test_markup_is_escaped_and_times_rounded() -> None:
    data = simulate().to_dict()
    data["summary"] = "<b>&</b>"
    svg = race_svg(data)
    assert "<b>" not in svg
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in svg
    assert ms_text(287.4321) == "287.4 ms"
    assert ms_text(50.0) == "50 ms"


@pytest.mark.parametrize("bad", [None, "race", {"summary": "x"}, 3])
def test_anything_else_is_one_clear_error(bad: object) -> None:
    with pytest.raises(ValueError, match="expected a Race"):
        race_svg(bad)  # type: ignore[arg-type]  # wrong types on purpose
