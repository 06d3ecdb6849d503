"""Browser fingerprinting, shown from the inside: the page, the API, and "forget me".

``/fingerprint`` serves a page whose script (``static/fingerprint.js``) collects browser
attributes and posts ``{"attributes": {...}, "remember": bool}`` to ``/api/fingerprint``.
The answer holds a ``fingerprint_id`` (SHA-256 of the canonical JSON of the attributes),
``bits`` (published entropy per attribute and their sum, see :mod:`.entropy`) and
``returning`` (whether a browser with this fingerprint asked to be remembered before:
cookies play no part, so clearing them changes nothing). ``/api/fingerprint/forget``
deletes a remembered fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from . import db
from .entropy import estimate_bits
from .security import same_origin

bp = Blueprint("fingerprint", __name__)

MAX_ATTRIBUTES = 32
MAX_NAME = 40
MAX_STRING = 512
MAX_LIST = 32
NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
ID_RE = re.compile(r"[0-9a-f]{64}")

Scalar = str | int | float | bool | None


class PayloadError(ValueError):
    """The JSON body does not have the expected shape; the message says what is wrong."""


def _reject_constant(name: str) -> float:
    raise PayloadError(f"{name} is not a number JSON allows")


def parse_json(body: bytes) -> Any:
    """Decode a request body as strict JSON (no NaN or Infinity).

    Raises
    ------
    PayloadError
        When the body is not valid UTF-8 JSON or is nested absurdly deep.
    """
    if not body.strip():
        raise PayloadError("the body is empty; send a JSON object")
    try:
        return json.loads(body, parse_constant=_reject_constant)
    except PayloadError:
        raise
    except RecursionError:
        raise PayloadError("the JSON is nested too deeply") from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise PayloadError(f"the body is not valid JSON ({error})") from None


def _check_scalar(name: str, value: object) -> Scalar:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise PayloadError(f"attribute {name!r}: numbers must be finite")
        return value
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise PayloadError(
                f"attribute {name!r}: text of {len(value)} characters (limit {MAX_STRING})"
            )
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # JSON "\\ud800": a lone surrogate, not a character
                raise PayloadError(f"attribute {name!r}: text holds a lone surrogate") from None
        return value
    raise PayloadError(f"attribute {name!r}: expected text, a number, true/false or null")


def validate_attributes(attributes: object) -> dict[str, Scalar | list[Scalar]]:
    """Check the ``attributes`` object posted by the fingerprint page.

    Parameters
    ----------
    attributes : object
        Decoded JSON. Must be an object of at most :data:`MAX_ATTRIBUTES` entries whose
        names are lower-case identifiers of at most :data:`MAX_NAME` characters and whose
        values are text (at most :data:`MAX_STRING` characters), finite numbers,
        true/false, null, or lists of at most :data:`MAX_LIST` such values.

    Returns
    -------
    dict
        The same attributes.

    Raises
    ------
    PayloadError
        Naming the first problem found.
    """
    if not isinstance(attributes, dict):
        raise PayloadError('\'attributes\' must be a JSON object, e.g. {"timezone": "UTC"}')
    if not attributes:
        raise PayloadError("'attributes' is empty")
    if len(attributes) > MAX_ATTRIBUTES:
        raise PayloadError(f"{len(attributes)} attributes sent; at most {MAX_ATTRIBUTES}")
    checked: dict[str, Scalar | list[Scalar]] = {}
    for name, value in attributes.items():
        if len(name) > MAX_NAME or not NAME_RE.fullmatch(name):
            raise PayloadError(
                f"attribute name {name[:MAX_NAME]!r}: use lower-case letters, digits and '_', "
                f"at most {MAX_NAME} characters"
            )
        if isinstance(value, list):
            if len(value) > MAX_LIST:
                raise PayloadError(f"attribute {name!r}: {len(value)} items (limit {MAX_LIST})")
            checked[name] = [_check_scalar(name, item) for item in value]
        else:
            checked[name] = _check_scalar(name, value)
    return checked


def parse_payload(data: object) -> tuple[dict[str, Scalar | list[Scalar]], bool]:
    """Check the whole body: ``{"attributes": {...}, "remember": bool}``.

    Returns
    -------
    tuple
        The attributes and the ``remember`` flag (False when absent).

    Raises
    ------
    PayloadError
        For a wrong shape or type.
    """
    if not isinstance(data, dict):
        raise PayloadError(
            'the body must be a JSON object: {"attributes": {...}, "remember": false}'
        )
    unknown = sorted(set(data) - {"attributes", "remember"})
    if unknown:
        raise PayloadError(f"unexpected field(s) {', '.join(map(repr, unknown))[:200]}")
    if "attributes" not in data:
        raise PayloadError("missing field 'attributes'")
    remember = data.get("remember", False)
    if not isinstance(remember, bool):
        raise PayloadError("'remember' must be true or false")
    return validate_attributes(data["attributes"]), remember


def canonical_json(attributes: dict[str, Scalar | list[Scalar]]) -> str:
    """Serialise attributes the same way every time (sorted keys, no spaces)."""
    return json.dumps(attributes, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint_id(attributes: dict[str, Scalar | list[Scalar]]) -> str:
    """Return the stable id of a set of attributes: SHA-256 of :func:`canonical_json`, in hex."""
    return hashlib.sha256(canonical_json(attributes).encode("utf-8")).hexdigest()


def _json_body() -> object:
    if not request.is_json:
        raise UnsupportedMediaType("send the body as JSON with Content-Type: application/json")
    try:
        return parse_json(request.get_data(cache=False))
    except PayloadError as error:
        raise BadRequest(str(error)) from None


@bp.get("/fingerprint")
def page() -> str:
    """Serve the page whose script collects the attributes."""
    return render_template("fingerprint.html")


@bp.post("/api/fingerprint")
@same_origin
def analyse() -> Response:
    """Hash the posted attributes, estimate their bits, and say if this browser is back."""
    try:
        attributes, remember = parse_payload(_json_body())
    except PayloadError as error:
        raise BadRequest(str(error)) from None
    fid = fingerprint_id(attributes)
    returning = db.is_remembered(fid)
    if remember:
        db.remember(fid)
    return jsonify(
        fingerprint_id=fid,
        bits=estimate_bits(attributes).to_dict(),
        returning=returning,
        remembered=remember or returning,
    )


@bp.post("/api/fingerprint/forget")
@same_origin
def forget() -> Response:
    """Delete a remembered fingerprint: body ``{"fingerprint_id": "<64 hex digits>"}``."""
    data = _json_body()
    fid = data.get("fingerprint_id") if isinstance(data, dict) else None
    if not isinstance(fid, str) or not ID_RE.fullmatch(fid):
        raise BadRequest('send {"fingerprint_id": "<64 lower-case hex digits>"}')
    return jsonify(fingerprint_id=fid, forgotten=db.forget(fid))
