"""Read ``Set-Cookie`` headers and play the browser's cookie jar: session vs persistent cookies.

The cookies chapter drives the Flask lab with ``requests`` and needs three small things a
browser does for us without asking:

- read a ``Set-Cookie`` header into its parts and say what kind of cookie it is
  (:func:`parse_set_cookie`, :func:`explain_set_cookie`, :func:`cookie_table`);
- "close the browser": forget the session cookies, keep the persistent ones
  (:func:`close_browser`), optionally "coming back tomorrow" (``seconds_later``);
- list what a jar holds (:func:`jar_table`).

The splitting and the date parsing are the standard library's (``http.cookiejar``); the
rules for what the attributes mean are those of RFC 6265, section 5, and of its revision
draft (RFC 6265bis) for ``SameSite`` and ``Partitioned``. Everything here is pure: no
network, the clock only through the ``now`` argument (seconds since the epoch).
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from http.cookiejar import (  # type: ignore[attr-defined]  # parse_ns_headers: undocumented, not in typeshed
    Cookie,
    CookieJar,
    parse_ns_headers,
)
from typing import Any

from cloudlab.checks import number

__all__ = [
    "DELETION",
    "PERSISTENT",
    "SESSION",
    "close_browser",
    "cookie_table",
    "explain_set_cookie",
    "human_duration",
    "jar_table",
    "parse_set_cookie",
    "set_cookie_headers",
]

#: Kinds of cookie a ``Set-Cookie`` header can describe.
SESSION = "session"
PERSISTENT = "persistent"
DELETION = "deletion"

#: Longest lifetime browsers keep, in seconds: 400 days (RFC 6265bis, "Max-Age" and "Expires").
MAX_LIFETIME = 400 * 24 * 3600

_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}
_KNOWN = ("expires", "max-age", "domain", "path", "secure", "httponly", "samesite", "partitioned")
_RAW_EXPIRES = re.compile(r";\s*expires\s*=\s*([^;]*)", re.IGNORECASE)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def human_duration(seconds: float) -> str:
    """Say how long ``seconds`` is in the largest whole unit that fits.

    Parameters
    ----------
    seconds : float
        A duration in seconds (negative or zero means "already over").

    Returns
    -------
    str
        For example ``"365 days"``, ``"2 hours"``, ``"45 seconds"`` or ``"0 seconds"``.
    """
    exact = isinstance(seconds, int) and not isinstance(seconds, bool)  # any size: no float
    whole = max(int(seconds if exact else number("seconds", seconds)), 0)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if whole >= size:
            count = whole // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{whole} second{'s' if whole != 1 else ''}"


def parse_set_cookie(header: str, *, now: float | None = None) -> dict[str, Any]:
    """Read one ``Set-Cookie`` header the way a browser would, into a plain dict.

    Parameters
    ----------
    header : str
        The header's value, e.g. ``"sid=abc; HttpOnly; Path=/; SameSite=Lax"``; a leading
        ``"Set-Cookie:"`` is allowed.
    now : float, optional
        The time the header arrived, in seconds since the epoch (default: the clock).
        Only needed to turn an ``Expires`` date into a lifetime.

    Returns
    -------
    dict
        ``name``, ``value``; ``kind`` (``"session"``, ``"persistent"`` or ``"deletion"``);
        ``max_age`` (seconds or None), ``expires`` (ISO 8601 UTC or None), ``lifetime``
        (seconds from ``now`` until the browser drops it, None for a session cookie; a
        positive ``Max-Age`` wins over ``Expires``, RFC 6265 section 5.3), ``lifetime_text``;
        ``domain``, ``path`` (None when absent), ``secure``, ``httponly``, ``partitioned``
        (bools), ``samesite`` (``"Strict"``, ``"Lax"``, ``"None"`` or None), and ``other``
        (attributes a browser ignores, name to value).

    Raises
    ------
    ValueError
        With one line saying what is wrong: an empty header, a line break, no
        ``name=value`` first, an empty name, a ``Max-Age`` that is not a whole number, an
        ``Expires`` that is not an HTTP date, or an unknown ``SameSite`` value.

    Examples
    --------
    >>> parse_set_cookie("sid=abc; HttpOnly; Path=/; SameSite=Lax")["kind"]
    'session'
    >>> parse_set_cookie("device_id=x1; Max-Age=86400")["lifetime_text"]
    '1 day'
    """
    if not isinstance(header, str):
        raise ValueError(f"{header!r}: a Set-Cookie header is text")
    text = header.strip()
    if text.lower().startswith("set-cookie:"):
        text = text[len("set-cookie:") :].strip()
    if not text:
        raise ValueError("an empty Set-Cookie header sets no cookie")
    if "\r" in text or "\n" in text:
        raise ValueError("a Set-Cookie header cannot contain a line break")
    first = text.split(";", 1)[0]
    if "=" not in first:
        raise ValueError(
            f"{_short(first)!r}: a cookie starts with name=value "
            "(a browser ignores this header, RFC 6265 section 5.2)"
        )
    parsed = parse_ns_headers([text])
    if not parsed or not parsed[0][0][0].strip():
        raise ValueError(f"{_short(first)!r}: the cookie has no name before '='")
    pairs = parsed[0]
    name, value = pairs[0][0].strip(), (pairs[0][1] or "").strip()
    attributes: dict[str, str | int | None] = {}
    for key, attr_value in pairs[1:]:
        lowered = key.lower()
        if lowered == "version":  # added by http.cookiejar, not part of RFC 6265
            continue
        attributes[lowered] = attr_value  # the last one of a name wins (RFC 6265, 5.3)

    max_age: int | None = None
    if "max-age" in attributes:
        raw = str(attributes["max-age"] or "").strip()
        if not re.fullmatch(r"-?\d+", raw):
            raise ValueError(f"Max-Age={_short(raw)!r}: must be a whole number of seconds")
        max_age = int(raw)

    expires_at: float | None = None
    if "expires" in attributes:
        expires_at = attributes["expires"]  # type: ignore[assignment]  # epoch or None
        if expires_at is None:
            raw_match = _RAW_EXPIRES.search(text)
            raw = raw_match.group(1).strip() if raw_match else ""
            raise ValueError(
                f"Expires={_short(raw)!r}: not an HTTP date such as 'Sun, 06 Nov 1994 08:49:37 GMT'"
            )

    samesite: str | None = None
    if "samesite" in attributes:
        raw = str(attributes["samesite"] or "").strip()
        if raw.lower() not in _SAMESITE:
            raise ValueError(f"SameSite={_short(raw)!r}: use Strict, Lax or None")
        samesite = _SAMESITE[raw.lower()]

    clock = time.time() if now is None else now
    if max_age is not None:
        lifetime: float | None = float(max_age)
    elif expires_at is not None:
        lifetime = float(expires_at) - clock
    else:
        lifetime = None
    if lifetime is None:
        kind, lifetime_text = SESSION, "until the browser session ends"
    elif lifetime <= 0:
        kind, lifetime_text = DELETION, "deleted now"
    else:
        kind, lifetime_text = PERSISTENT, human_duration(lifetime)

    return {
        "name": name,
        "value": value,
        "kind": kind,
        "max_age": max_age,
        "expires": (
            datetime.fromtimestamp(float(expires_at), UTC).isoformat()
            if expires_at is not None
            else None
        ),
        "lifetime": lifetime,
        "lifetime_text": lifetime_text,
        "domain": str(attributes.get("domain") or "").lstrip(".") or None,  # RFC 6265, 5.2.3
        "path": attributes.get("path") or None,
        "secure": "secure" in attributes,
        "httponly": "httponly" in attributes,
        "samesite": samesite,
        "partitioned": "partitioned" in attributes,
        "other": {k: v for k, v in attributes.items() if k not in _KNOWN},
    }


def explain_set_cookie(header: str, *, now: float | None = None) -> list[tuple[str, str]]:
    """Say in one sentence per attribute what a ``Set-Cookie`` header asks the browser to do.

    Parameters
    ----------
    header : str
        One ``Set-Cookie`` header value.
    now : float, optional
        Arrival time in seconds since the epoch (see :func:`parse_set_cookie`).

    Returns
    -------
    list of (str, str)
        ``(attribute, meaning)`` pairs, the cookie itself and its lifetime first.

    Raises
    ------
    ValueError
        When :func:`parse_set_cookie` does.
    """
    info = parse_set_cookie(header, now=now)
    name = info["name"]
    if info["kind"] == DELETION:
        first = f"Asks the browser to forget its cookie named {name!r}."
    else:
        first = (
            f"The browser stores a cookie named {name!r} and sends it back in the Cookie "
            "header of later requests to this site."
        )
    rows = [(f"{name}={_short(info['value'], 24)}", first)]
    if info["kind"] == SESSION:
        rows.append(
            (
                "no Expires / Max-Age",
                "Session cookie: the browser drops it when the browsing session ends "
                "(browsers that restore sessions may keep it).",
            )
        )
    elif info["kind"] == DELETION:
        rows.append(
            (
                "lifetime over",
                "Deletion: the browser removes its stored cookie with this name, domain and path.",
            )
        )
    else:
        capped = " (browsers cap this at 400 days)" if info["lifetime"] > MAX_LIFETIME else ""
        source = "Max-Age" if info["max_age"] is not None else "Expires"
        rows.append(
            (
                f"{source}",
                f"Persistent cookie: kept for {info['lifetime_text']}{capped}, across browser "
                "restarts, until it expires or is deleted.",
            )
        )
    if info["httponly"]:
        rows.append(
            ("HttpOnly", "Page scripts (document.cookie) cannot read it; it still travels.")
        )
    if info["secure"]:
        rows.append(("Secure", "Sent only over HTTPS."))
    samesite_meaning = {
        "Strict": "Sent only with requests that start on this same site, not even when a "
        "link on another site leads here.",
        "Lax": "Not sent with cross-site subrequests (images, frames, fetch); sent when "
        "the reader follows a link to this site.",
        "None": "Sent in cross-site requests too, i.e. usable as a third-party cookie; "
        "browsers require Secure with it.",
    }
    if info["samesite"] is not None:
        rows.append((f"SameSite={info['samesite']}", samesite_meaning[info["samesite"]]))
    else:
        rows.append(("no SameSite", "The browser applies its own default to cross-site requests."))
    if info["domain"]:
        rows.append((f"Domain={info['domain']}", "Sent to that domain and its subdomains."))
    else:
        rows.append(("no Domain", "Host-only: sent only to the exact host that set it."))
    if info["path"]:
        rows.append((f"Path={info['path']}", f"Sent only for URLs under {info['path']}."))
    if info["partitioned"]:
        rows.append(("Partitioned", "Kept in a separate jar for each top-level site (CHIPS)."))
    for key in info["other"]:
        rows.append((key, "Not a cookie attribute a browser knows: ignored."))
    return rows


def set_cookie_headers(response: Any) -> list[str]:
    """Return every ``Set-Cookie`` header of a response, one string each, in order.

    ``requests`` joins repeated headers with commas in ``response.headers``, which breaks
    on the commas inside ``Expires`` dates, so this reads the underlying header list.

    Parameters
    ----------
    response
        A ``requests`` or ``urllib3`` response, an ``http.client`` response, a Werkzeug
        response, an ``email.message.Message``, one header string, or an iterable of them.

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        When ``response`` has no headers to read.
    """
    if isinstance(response, str):
        return [response]
    raw = getattr(response, "raw", None)
    for holder in (getattr(raw, "headers", None), getattr(response, "headers", None), response):
        if holder is None:
            continue
        if callable(getattr(holder, "getlist", None)):
            return [str(v) for v in holder.getlist("Set-Cookie")]
        if callable(getattr(holder, "get_all", None)):
            return [str(v) for v in holder.get_all("Set-Cookie") or []]
    if isinstance(response, Iterable) and not isinstance(response, (bytes, dict)):
        items = list(response)
        if all(isinstance(item, str) for item in items):
            return items
    raise ValueError(f"{type(response).__name__}: no response headers to read Set-Cookie from")


def cookie_table(response: Any, *, now: float | None = None) -> list[dict[str, Any]]:
    """Parse every ``Set-Cookie`` header of a response (see :func:`parse_set_cookie`).

    Parameters
    ----------
    response
        Anything :func:`set_cookie_headers` accepts.
    now : float, optional
        Arrival time in seconds since the epoch.

    Returns
    -------
    list of dict
        One row per header, in the order the server sent them (empty when it set none).
    """
    return [parse_set_cookie(header, now=now) for header in set_cookie_headers(response)]


def _is_session(cookie: Cookie) -> bool:
    return bool(cookie.discard) or cookie.expires is None


def close_browser(
    jar: CookieJar, *, seconds_later: float = 0.0, now: float | None = None
) -> CookieJar:
    """Return the jar a browser would have after closing and reopening, maybe days later.

    Session cookies (no ``Expires``/``Max-Age``) are forgotten; persistent cookies stay
    unless their expiry time has passed by ``now + seconds_later``. The given jar is not
    changed.

    Parameters
    ----------
    jar : http.cookiejar.CookieJar
        For example ``requests.Session().cookies``.
    seconds_later : float, default 0
        How long the browser stays closed, in seconds (86400 for "tomorrow").
    now : float, optional
        The time the browser closes, in seconds since the epoch (default: the clock).

    Returns
    -------
    http.cookiejar.CookieJar
        A new jar of the same class when it can be built without arguments, holding copies
        of the surviving cookies.

    Raises
    ------
    ValueError
        If ``jar`` is not a cookie jar or ``seconds_later`` is negative.
    """
    if not isinstance(jar, CookieJar):
        raise ValueError(f"{type(jar).__name__}: not a cookie jar (http.cookiejar.CookieJar)")
    if seconds_later < 0:
        raise ValueError(f"seconds_later={seconds_later}: the browser cannot reopen in the past")
    reopened_at = (time.time() if now is None else now) + seconds_later
    try:
        reopened = type(jar)()
    except TypeError:
        reopened = CookieJar()
    for cookie in jar:
        if _is_session(cookie):
            continue
        if cookie.expires is not None and cookie.expires <= reopened_at:
            continue
        reopened.set_cookie(copy.copy(cookie))
    return reopened


def jar_table(jar: CookieJar, *, now: float | None = None) -> list[dict[str, Any]]:
    """List the cookies in a jar with their kind and remaining lifetime.

    Parameters
    ----------
    jar : http.cookiejar.CookieJar
        The jar to describe.
    now : float, optional
        The current time in seconds since the epoch (default: the clock).

    Returns
    -------
    list of dict
        ``name``, ``value``, ``domain``, ``path``, ``kind`` (``"session"`` or
        ``"persistent"``), ``expires_in`` (seconds or None) and ``lifetime_text``, sorted
        by domain, path and name.

    Raises
    ------
    ValueError
        If ``jar`` is not a cookie jar.
    """
    if not isinstance(jar, CookieJar):
        raise ValueError(f"{type(jar).__name__}: not a cookie jar (http.cookiejar.CookieJar)")
    clock = time.time() if now is None else now
    rows = []
    for cookie in jar:
        if _is_session(cookie):
            kind, left, text = SESSION, None, "until the browser session ends"
        else:
            left = float(cookie.expires) - clock  # type: ignore[arg-type]  # not a session cookie: expires is set
            kind, text = PERSISTENT, human_duration(left) if left > 0 else "expired"
        rows.append(
            {
                "name": cookie.name,
                "value": cookie.value,
                "domain": cookie.domain,
                "path": cookie.path,
                "kind": kind,
                "expires_in": left,
                "lifetime_text": text,
            }
        )
    return sorted(rows, key=lambda row: (row["domain"], row["path"], row["name"]))
