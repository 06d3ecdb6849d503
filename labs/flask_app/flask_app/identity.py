"""Session ids and device ids: the two cookies this app sets, and how it checks them.

- The *session id* is a random value inside Flask's signed session cookie. It is a
  session cookie in the browser's sense: no ``Expires``/``Max-Age``, so it ends when the
  browser session ends. ``HttpOnly``, ``SameSite=Lax``, and ``Secure`` whenever the request
  arrived over HTTPS (directly, or through a trusted proxy that said so).
- The *device id* is a random value in a persistent cookie (with ``Max-Age``), set only
  after the reader accepts it on the consent form.

Cookies are input like any other: an oversized, malformed or forged one gets a 400 with
a message and an instruction to the browser to drop it, never a 500.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from flask import Flask, Request, Response, current_app, request, session
from flask import json as flask_json
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import (
    BadSignature,
    SignatureExpired,
    Signer,
    TimestampSigner,
    URLSafeTimedSerializer,
    want_bytes,
)
from itsdangerous.encoding import base64_encode
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, RequestHeaderFieldsTooLarge

DEVICE_COOKIE = "device_id"
#: ``secrets.token_urlsafe(16)`` gives 22 characters of the URL-safe base64 alphabet.
DEVICE_ID_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: Browsers keep cookies of at least 4096 bytes (RFC 6265, section 6.1); ours are far smaller.
MAX_OWN_COOKIE = 4096
#: Total ``Cookie`` header accepted by the app (gunicorn rejects header lines over 8190 bytes).
MAX_COOKIE_HEADER = 8192
#: Endpoints that never look at cookies (the load balancer's health check, static files).
COOKIE_FREE_ENDPOINTS = frozenset({"health.healthz", "static"})


class CookieRejected(BadRequest):
    """A cookie of ours was malformed, too large or forged; the response deletes it."""

    def __init__(self, description: str, names: tuple[str, ...]) -> None:
        super().__init__(description)
        self.cookie_names = names


class CookieHeaderTooLarge(RequestHeaderFieldsTooLarge):
    """The whole ``Cookie`` header is larger than the app accepts."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.cookie_names = (current_app.config["SESSION_COOKIE_NAME"], DEVICE_COOKIE)


#: The cookies of a request that has no ``Cookie`` header.
NO_COOKIES: ImmutableMultiDict[str, str] = ImmutableMultiDict()


def cookies_of(req: Request | None = None) -> ImmutableMultiDict[str, str]:
    """The cookies of this request (or of ``req``).

    A request without a ``Cookie`` header (a first visit) has none, and nothing is parsed.
    """
    req = request if req is None else req
    return req.cookies if "HTTP_COOKIE" in req.environ else NO_COOKIES


def cookie(name: str, req: Request | None = None) -> str | None:
    """The value of the cookie ``name`` in this request (or in ``req``), or None.

    Werkzeug's ``cookies.get`` builds and catches an exception for a missing name; a
    first visit misses every cookie, so this looks first.
    """
    jar = cookies_of(req)
    return jar[name] if name in jar else None  # noqa: SIM401 (see above)


#: Session payloads shorter than this (bytes of JSON) are not compressed.
COMPRESS_FROM = 128


class KeyedSigner(TimestampSigner):
    """itsdangerous's timestamp signer, deriving each key's signing key only once.

    Flask's session signer derives the signing key from ``SECRET_KEY`` (an HMAC of the
    salt) again for every cookie it signs or checks; the result depends only on the key
    and the salt, so it is kept. The signatures are the same bytes.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # itsdangerous' own arguments, passed on
        self._derived: dict[bytes, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        """Derive the signing key of ``secret_key`` (the newest by default), once."""
        key = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        derived = self._derived.get(key)
        if derived is None:
            derived = self._derived[key] = super().derive_key(key)
        return derived


class SessionSerializer(URLSafeTimedSerializer):
    """The session cookie's serializer, building its signer once per salt, not per cookie.

    It also leaves a short payload uncompressed (itsdangerous tries zlib on every one): a
    session of a few dozen bytes, such as ours (``{"sid": ...}``, 33 bytes), gains
    nothing from it, and setting up zlib costs more than signing the cookie. Reading
    accepts both forms, so cookies written either way keep working.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # itsdangerous' own arguments, passed on
        self._signers: dict[bytes, Signer] = {}

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        """The signer for ``salt`` (the session's own by default), made on first use."""
        key = want_bytes(self.salt if salt is None else salt)
        signer = self._signers.get(key)
        if signer is None:
            signer = self._signers[key] = super().make_signer(salt)
        return signer

    def dump_payload(self, obj: object) -> bytes:
        """The payload as URL-safe base64; compressed (itsdangerous' way) only when long."""
        data = want_bytes(self.serializer.dumps(obj, **self.serializer_kwargs))
        if len(data) < COMPRESS_FROM:
            return base64_encode(data)
        return super().dump_payload(obj)  # serializes again: only for long sessions


class SessionJSON(TaggedJSONSerializer):
    """Flask's tagged JSON for sessions, skipping the tags for a session of plain strings.

    Flask tags every value (so that bytes, tuples or dates survive the round trip),
    trying each of its tags on each value. A dict whose values are all strings, like
    this app's ``{"sid": ...}``, needs none: it is written and read as plain JSON, the
    same text Flask writes for it. Anything else takes Flask's own path.
    """

    def _plain(self, value: object) -> bool:
        return (
            type(value) is dict
            and all(type(item) is str for item in value.values())
            and not (len(value) == 1 and next(iter(value)) in self.tags)  # a tag's own form
        )

    def dumps(self, value: object) -> str:
        """Compact JSON of the session, tagged only when it needs tags."""
        if self._plain(value):
            return flask_json.dumps(value, separators=(",", ":"))
        return super().dumps(value)

    def loads(self, value: str | bytes) -> object:
        """The session from its JSON, untagged only when it holds tags."""
        data = flask_json.loads(value)
        return data if self._plain(data) else self._untag_scan(data)


def vary_on_cookie(response: Response) -> None:
    """Add ``Vary: Cookie`` once (werkzeug's ``response.vary`` re-parses the header each use)."""
    if not response.headers.getlist("Vary"):  # getlist: no exception when there is none
        response.headers.add("Vary", "Cookie")
    else:
        response.vary.add("Cookie")


class CheckedSession(SecureCookieSession):
    """A session that remembers why the cookie it came from was rejected, if it was."""

    rejected: str | None = None


class CheckedSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, but a forged cookie is reported, not ignored.

    Flask's default quietly starts a new session when the signature is wrong. Here the
    session is marked so that :func:`check_cookies` can answer 400 with a reason. The
    ``Secure`` attribute follows the request's scheme instead of a fixed setting.
    """

    session_class = CheckedSession
    serializer = SessionJSON()
    #: SHA-1 as Flask uses it, but hashlib's own function: Flask's default is a Python
    #: wrapper around it, which sends every HMAC down the standard library's slower
    #: pure-Python path. The same digest, so the same signatures.
    digest_method = staticmethod(hashlib.sha1)

    def __init__(self) -> None:
        self._serializers: dict[tuple[object, ...], URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Build the serializer once per key (Flask builds a new one for every request).

        Flask's own arguments (its key order, salt, serializer and key derivation), with
        the signer and serializer above that keep what does not change.
        """
        fallbacks = tuple(app.config["SECRET_KEY_FALLBACKS"] or ())
        key = (app.secret_key, fallbacks)
        if key not in self._serializers:
            self._serializers[key] = (
                SessionSerializer(
                    [*fallbacks, app.secret_key],  # itsdangerous expects the current key last
                    salt=self.salt,
                    serializer=self.serializer,
                    signer=KeyedSigner,
                    signer_kwargs={
                        "key_derivation": self.key_derivation,
                        "digest_method": self.digest_method,
                    },
                )
                if app.secret_key
                else None
            )
        return self._serializers[key]

    def get_cookie_secure(self, app: Flask) -> bool:
        """Mark the cookie ``Secure`` when this request came over HTTPS."""
        return request.is_secure

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Flask's own decisions (its ``save_session``), with ``Vary: Cookie`` added once.

        ``Vary: Cookie`` when the session was read or changed; the cookie deleted when
        the session was emptied; set when it changed (or on every request for a permanent
        session with ``SESSION_REFRESH_EACH_REQUEST``). Flask adds ``Vary`` twice for a new
        session, parsing and rewriting the header each time.
        """
        name = self.get_cookie_name(app)
        attributes = {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "partitioned": self.get_cookie_partitioned(app),
            "samesite": self.get_cookie_samesite(app),
            "httponly": self.get_cookie_httponly(app),
        }
        vary = session.accessed
        if not session:
            if session.modified:
                response.delete_cookie(name, **attributes)
                vary = True
        elif self.should_set_cookie(app, session):
            value = self.get_signing_serializer(app).dumps(dict(session))  # type: ignore[union-attr]  # a session exists only with a key, so a serializer does
            expires = self.get_expiration_time(app, session)
            response.set_cookie(name, value, expires=expires, **attributes)
            vary = True
        if vary:
            vary_on_cookie(response)

    def open_session(self, app: Flask, req: Request) -> CheckedSession | None:
        """Load the session from its cookie, marking it when the cookie is bad."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = cookie(self.get_cookie_name(app), req)
        if not value:
            return self.session_class()
        if len(value) > MAX_OWN_COOKIE:
            return _rejected(f"is {len(value)} characters long (limit {MAX_OWN_COOKIE})")
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = serializer.loads(value, max_age=max_age)
        except SignatureExpired:
            return self.session_class()  # genuine but old: just start a new session
        except BadSignature:
            return _rejected(
                "failed its signature check: it was altered, forged, or signed with another "
                "SECRET_KEY (for example before a restart with a random development key)"
            )
        if not isinstance(data, dict):
            return _rejected("does not hold a session")
        return self.session_class(data)


def _rejected(reason: str) -> CheckedSession:
    empty = CheckedSession()
    empty.rejected = reason
    return empty


def check_cookies() -> None:
    """Reject requests whose cookies of ours are oversized, malformed or forged.

    Registered with ``before_request``. Other cookies (a notebook server on the same host
    sends its own) are left alone.

    Raises
    ------
    CookieHeaderTooLarge
        431 when the whole ``Cookie`` header is over :data:`MAX_COOKIE_HEADER` bytes.
    CookieRejected
        400 for a bad session or device-id cookie; the response deletes it.
    """
    req = request._get_current_object()  # one context lookup instead of several
    header = req.environ.get("HTTP_COOKIE")
    if not header or req.endpoint in COOKIE_FREE_ENDPOINTS:
        return  # no cookie at all (a first visit), or a route that never reads one
    if len(header) > MAX_COOKIE_HEADER:
        raise CookieHeaderTooLarge(
            f"the Cookie header is {len(header)} bytes; this server accepts {MAX_COOKIE_HEADER}. "
            "Clear this site's cookies and try again."
        )
    name = current_app.config["SESSION_COOKIE_NAME"]
    reason = getattr(session, "rejected", None)
    if reason:
        raise CookieRejected(
            f"the {name!r} cookie {reason}. It has been deleted: reload the page.", (name,)
        )
    device = cookie(DEVICE_COOKIE, req)
    if device is not None and not DEVICE_ID_RE.fullmatch(device):
        shown = device if len(device) <= 40 else device[:40] + "..."
        raise CookieRejected(
            f"the {DEVICE_COOKIE!r} cookie is malformed ({shown!r}); expected 16-64 letters, "
            "digits, '-' or '_'. It has been deleted: reload the page.",
            (DEVICE_COOKIE,),
        )


def session_id() -> str:
    """Return this browser session's random id, creating it on first use."""
    sid = session.get("sid")
    if not isinstance(sid, str):
        sid = secrets.token_urlsafe(16)
        session["sid"] = sid
    return sid


def known_session_id() -> str | None:
    """Return this browser session's id if it has one, without starting a session."""
    sid = session.get("sid")
    return sid if isinstance(sid, str) else None


def device_id() -> str | None:
    """Return the consented device id from its cookie, or None without consent."""
    value = cookie(DEVICE_COOKIE)
    return value if value is not None and DEVICE_ID_RE.fullmatch(value) else None


def set_device_cookie(response: Response, value: str) -> None:
    """Store the device id in a persistent cookie (``Max-Age`` from the config)."""
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=current_app.config["DEVICE_COOKIE_MAX_AGE"],
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )


def delete_cookie(response: Response, name: str) -> None:
    """Tell the browser to drop one of our cookies (same path and attributes as set)."""
    response.delete_cookie(name, httponly=True, samesite="Lax", secure=request.is_secure)


def init_app(app: Flask) -> None:
    """Install the checked session interface and the cookie check on ``app``."""
    app.session_interface = CheckedSessionInterface()
    app.before_request(check_cookies)
