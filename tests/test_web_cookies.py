"""Set-Cookie reading, the "close the browser" jar and the cookie explainer widget."""

from __future__ import annotations

import email.message
from http.cookiejar import CookieJar

import ipywidgets as widgets
import pytest
import requests
import urllib3
from requests.cookies import RequestsCookieJar, create_cookie
from werkzeug.wrappers import Response

from cloudlab.web.cookies import (
    DELETION,
    PERSISTENT,
    SESSION,
    close_browser,
    cookie_table,
    explain_set_cookie,
    human_duration,
    jar_table,
    parse_set_cookie,
    set_cookie_headers,
)
from cloudlab.widgets.cookies import make_cookie_explainer_ui

NOW = 1_800_000_000.0  # a fixed "now", in seconds since the epoch (15 January 2027)
DAY = 86400

# The two cookies the Flask lab sets, as it sends them (see labs/flask_app/flask_app/identity.py).
LAB_SESSION = "session=eyJzaWQiOiJhYmMifQ.awqkcQ.kYStJa; HttpOnly; Path=/; SameSite=Lax"
LAB_DEVICE = (
    "device_id=MjFM_MTxOBkgysTUfItAZA; Expires=Sun, 28 Nov 2027 09:52:49 GMT; "
    "Max-Age=31536000; HttpOnly; Path=/; SameSite=Lax"
)
LAB_DELETE = (
    "device_id=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax"
)

# ----------------------------------------------------------------- parse_set_cookie

PARSED = [
    (
        LAB_SESSION,
        {
            "name": "session",
            "kind": SESSION,
            "max_age": None,
            "expires": None,
            "lifetime": None,
            "httponly": True,
            "secure": False,
            "samesite": "Lax",
            "path": "/",
            "domain": None,
        },
    ),
    (
        LAB_DEVICE,
        {
            "name": "device_id",
            "value": "MjFM_MTxOBkgysTUfItAZA",
            "kind": PERSISTENT,
            "max_age": 31536000,
            "lifetime": 31536000.0,  # Max-Age wins over Expires (RFC 6265, 5.3)
            "lifetime_text": "365 days",
            "expires": "2027-11-28T09:52:49+00:00",
        },
    ),
    (LAB_DELETE, {"name": "device_id", "value": "", "kind": DELETION, "max_age": 0}),
    ("a=1; Max-Age=-5", {"kind": DELETION, "lifetime": -5.0}),
    (
        "a=1; Expires=Sun, 17 Jan 2027 08:40:00 GMT",  # 2 days and 40 minutes after NOW
        {"kind": PERSISTENT, "max_age": None, "lifetime": 2 * DAY + 2400.0},
    ),
    ("a=1; Expires=Thu, 01 Jan 2026 00:00:00 GMT", {"kind": DELETION}),  # in NOW's past
    ("Set-Cookie: tz=UTC", {"name": "tz", "value": "UTC", "kind": SESSION}),
    ("a=b=c", {"name": "a", "value": "b=c"}),
    ("empty=", {"name": "empty", "value": ""}),
    (
        "id=7; Domain=.Example.com; Secure; SameSite=none; Partitioned; Priority=High",
        {
            "domain": "Example.com",
            "secure": True,
            "samesite": "None",
            "partitioned": True,
            "other": {"priority": "High"},
        },
    ),
    ("a=1; samesite=STRICT; HTTPONLY; max-age=60", {"samesite": "Strict", "httponly": True}),
    ("a=1; Max-Age=60; Max-Age=120", {"max_age": 120}),  # the last one wins
]


@pytest.mark.parametrize(("header", "expected"), PARSED)
def test_parse_set_cookie(header: str, expected: dict) -> None:
    info = parse_set_cookie(header, now=NOW)
    assert {key: info[key] for key in expected} == expected


BAD = [
    ("", "empty Set-Cookie header"),
    ("   ", "empty Set-Cookie header"),
    ("Set-Cookie:", "empty Set-Cookie header"),
    ("justtext", "starts with name=value"),
    ("=value", "no name"),
    ("a=1; Max-Age=soon", "Max-Age='soon': must be a whole number"),
    ("a=1; Max-Age=1.5", "whole number"),
    ("a=1; Expires=tomorrow", "Expires='tomorrow': not an HTTP date"),
    ("a=1; SameSite=Sometimes", "SameSite='Sometimes': use Strict, Lax or None"),
    ("a=1\r\nLocation: https://example.com/", "line break"),
    (None, "is text"),
    (42, "is text"),
]


@pytest.mark.parametrize(("header", "message"), BAD)
def test_bad_headers_give_one_line_value_error(header: object, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        parse_set_cookie(header, now=NOW)  # type: ignore[arg-type]  # the wrong type is the test
    assert "\n" not in str(caught.value)


def test_expires_is_read_relative_to_now() -> None:
    header = "a=1; Expires=Fri, 15 Jan 2027 08:00:00 GMT"  # NOW is 08:00:00 on that day
    assert parse_set_cookie(header, now=NOW - 60)["lifetime"] == 60.0
    assert parse_set_cookie(header, now=NOW + 60)["kind"] == DELETION


# ----------------------------------------------------------------- human_duration


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 seconds"),
        (-3, "0 seconds"),
        (1, "1 second"),
        (59, "59 seconds"),
        (60, "1 minute"),
        (7200, "2 hours"),
        (DAY, "1 day"),
        (400 * DAY + 5, "400 days"),
    ],
)
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


# ----------------------------------------------------------------- explain_set_cookie


@pytest.mark.parametrize(
    ("header", "labels"),
    [
        (LAB_SESSION, ["no Expires / Max-Age", "HttpOnly", "SameSite=Lax", "no Domain", "Path=/"]),
        (LAB_DEVICE, ["Max-Age", "HttpOnly", "SameSite=Lax"]),
        (LAB_DELETE, ["lifetime over"]),
        ("a=1; Secure; SameSite=None; Partitioned", ["Secure", "SameSite=None", "Partitioned"]),
        ("a=1; Domain=example.com; Foo=bar", ["no SameSite", "Domain=example.com", "foo"]),
    ],
)
def test_explain_names_each_attribute(header: str, labels: list[str]) -> None:
    rows = explain_set_cookie(header, now=NOW)
    names = [label for label, _ in rows]
    for label in labels:
        assert label in names
    assert all(meaning.endswith(".") for _, meaning in rows)


def test_explain_mentions_the_400_day_cap() -> None:
    rows = dict(explain_set_cookie(f"a=1; Max-Age={500 * DAY}", now=NOW))
    assert "400 days" in rows["Max-Age"]
    assert "400 days" not in dict(explain_set_cookie(LAB_DEVICE, now=NOW))["Max-Age"]


def test_explain_says_a_deletion_forgets() -> None:
    first_meaning = explain_set_cookie(LAB_DELETE, now=NOW)[0][1]
    assert first_meaning.startswith("Asks the browser to forget")


# ----------------------------------------------------------------- set_cookie_headers


def lab_like_response() -> Response:
    response = Response("ok")
    response.set_cookie("session", "abc", httponly=True, samesite="Lax")
    response.set_cookie("device_id", "MjFM_MTxOBkgysTUfItAZA", max_age=DAY, httponly=True)
    return response


def requests_response(headers: list[tuple[str, str]]) -> requests.Response:
    raw = urllib3.HTTPResponse(
        body=b"", headers=urllib3.HTTPHeaderDict(headers), preload_content=False
    )
    response = requests.Response()
    response.raw = raw
    response.headers = requests.structures.CaseInsensitiveDict(raw.headers)
    return response


def test_headers_from_a_werkzeug_response() -> None:
    headers = set_cookie_headers(lab_like_response())
    assert [h.split("=", 1)[0] for h in headers] == ["session", "device_id"]


def test_headers_from_requests_are_not_merged_by_commas() -> None:
    response = requests_response([("Set-Cookie", LAB_SESSION), ("Set-Cookie", LAB_DEVICE)])
    merged = response.headers["Set-Cookie"]
    assert merged.count(", ") >= 2  # requests joins them, and Expires has a comma too
    assert set_cookie_headers(response) == [LAB_SESSION, LAB_DEVICE]


def test_headers_from_an_email_message_a_list_and_a_string() -> None:
    message = email.message.Message()
    message["Set-Cookie"] = LAB_SESSION
    message["Set-Cookie"] = LAB_DEVICE
    assert set_cookie_headers(message) == [LAB_SESSION, LAB_DEVICE]
    assert set_cookie_headers([LAB_SESSION]) == [LAB_SESSION]
    assert set_cookie_headers(LAB_DEVICE) == [LAB_DEVICE]
    assert set_cookie_headers(Response("no cookies")) == []


@pytest.mark.parametrize("thing", [42, b"bytes", {"Set-Cookie": "a=1"}, [1, 2]])
def test_headers_from_something_else_is_refused(thing: object) -> None:
    with pytest.raises(ValueError, match="no response headers"):
        set_cookie_headers(thing)


def test_cookie_table_reads_every_header_in_order() -> None:
    rows = cookie_table(lab_like_response(), now=NOW)
    assert [(row["name"], row["kind"]) for row in rows] == [
        ("session", SESSION),
        ("device_id", PERSISTENT),
    ]
    assert rows[1]["lifetime"] == DAY


# ----------------------------------------------------------------- close_browser


def lab_jar(jar: CookieJar | None = None) -> CookieJar:
    """A jar holding the lab's session cookie, a consented device id and a short cookie."""
    jar = RequestsCookieJar() if jar is None else jar
    jar.set_cookie(create_cookie("session", "abc", domain="127.0.0.1"))  # expires=None
    jar.set_cookie(
        create_cookie(
            "device_id", "MjFM", domain="127.0.0.1", expires=int(NOW + 365 * DAY), discard=False
        )
    )
    jar.set_cookie(
        create_cookie("short", "1", domain="127.0.0.1", expires=int(NOW + 3600), discard=False)
    )
    return jar


@pytest.mark.parametrize(
    ("seconds_later", "left"),
    [
        (0, ["device_id", "short"]),  # closing and reopening at once
        (1800, ["device_id", "short"]),
        (DAY, ["device_id"]),  # "tomorrow": the one-hour cookie has expired
        (366 * DAY, []),  # after a year and a day nothing is left
    ],
)
def test_close_browser_keeps_only_live_persistent_cookies(seconds_later: float, left: list) -> None:
    jar = lab_jar()
    reopened = close_browser(jar, seconds_later=seconds_later, now=NOW)
    assert sorted(cookie.name for cookie in reopened) == left
    assert sorted(cookie.name for cookie in jar) == ["device_id", "session", "short"]  # unchanged


def test_close_browser_returns_the_same_kind_of_jar_with_copies() -> None:
    jar = lab_jar()
    reopened = close_browser(jar, now=NOW)
    assert isinstance(reopened, RequestsCookieJar)
    assert reopened.get("device_id") == "MjFM"
    next(iter(reopened)).value = "changed"
    assert jar.get("device_id") == "MjFM"
    plain = close_browser(lab_jar(CookieJar()), now=NOW)
    assert type(plain) is CookieJar


@pytest.mark.parametrize(
    ("jar", "seconds_later", "message"),
    [
        ({"session": "abc"}, 0, "not a cookie jar"),
        (None, 0, "not a cookie jar"),
        (RequestsCookieJar(), -1, "cannot reopen in the past"),
    ],
)
def test_close_browser_refuses_bad_input(jar: object, seconds_later: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        close_browser(jar, seconds_later=seconds_later, now=NOW)  # type: ignore[arg-type]  # the wrong type is the test


def test_jar_table_lists_kinds_and_lifetimes() -> None:
    rows = jar_table(lab_jar(), now=NOW)
    assert [(row["name"], row["kind"], row["lifetime_text"]) for row in rows] == [
        ("device_id", PERSISTENT, "365 days"),
        ("session", SESSION, "until the browser session ends"),
        ("short", PERSISTENT, "1 hour"),
    ]
    assert rows[1]["expires_in"] is None
    assert jar_table(lab_jar(), now=NOW + 7200)[2]["lifetime_text"] == "expired"
    with pytest.raises(ValueError, match="not a cookie jar"):
        jar_table([], now=NOW)  # type: ignore[arg-type]  # the wrong type is the test


# ----------------------------------------------------------------- the explainer widget


def test_explainer_is_returned_not_displayed_and_explains() -> None:
    ui = make_cookie_explainer_ui(now=NOW)
    assert isinstance(ui, widgets.VBox)
    assert ui.result is not None
    assert ui.result["name"] == "device_id"
    assert ui.result["kind"] == PERSISTENT
    assert "persistent cookie" in ui.table.value
    assert "HttpOnly" in ui.table.value
    assert ui.error.value == ""


def test_explainer_updates_when_the_text_changes() -> None:
    ui = make_cookie_explainer_ui(now=NOW)
    ui.text.value = LAB_SESSION
    assert ui.result["kind"] == SESSION
    assert "session cookie" in ui.table.value
    ui.text.value = LAB_DELETE
    assert "deletion cookie" in ui.table.value


def test_explainer_error_is_one_escaped_line_and_recovers() -> None:
    ui = make_cookie_explainer_ui(now=NOW)
    ui.text.value = "<script>alert(1)</script>"
    assert ui.result is None
    assert ui.table.value == ""
    assert "starts with name=value" in ui.error.value
    assert "<script>" not in ui.error.value
    assert "&lt;script&gt;" in ui.error.value
    assert "\n" not in ui.error.value
    assert "Traceback" not in ui.error.value
    ui.text.value = "a=<em>; Max-Age=60"
    assert ui.error.value == ""
    assert "<em>" not in ui.table.value
    assert "&lt;em&gt;" in ui.table.value
    assert ui.result["value"] == "<em>"
