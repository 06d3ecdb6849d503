"""The fingerprint API: stable ids, bits, remember and forget."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from flask_app.fingerprint import canonical_json, fingerprint_id

ATTRIBUTES = {
    "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Test/1.0",
    "languages": ["en-GB", "en"],
    "timezone": "Europe/London",
    "screen": "1920x1080x24",
    "hardware_concurrency": 8,
    "pixel_ratio": 1.25,
    "cookies_enabled": True,
    "do_not_track": None,
}


def post(client, attributes=None, remember=False):
    payload = {"attributes": attributes or ATTRIBUTES, "remember": remember}
    response = client.post("/api/fingerprint", json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_id_is_stable_and_ignores_key_order():
    reordered = dict(reversed(list(ATTRIBUTES.items())))
    assert fingerprint_id(reordered) == fingerprint_id(ATTRIBUTES)
    assert len(fingerprint_id(ATTRIBUTES)) == 64
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


def test_any_change_changes_the_id():
    changed = ATTRIBUTES | {"timezone": "Europe/Paris"}
    assert fingerprint_id(changed) != fingerprint_id(ATTRIBUTES)


def test_answer_has_id_bits_and_returning(client):
    data = post(client)
    assert data["fingerprint_id"] == fingerprint_id(ATTRIBUTES)
    assert data["returning"] is False
    assert data["remembered"] is False
    bits = data["bits"]
    assert bits["attributes"]["user_agent"] == {"bits": 10.0, "source": "eckersley2010"}
    assert bits["attributes"]["hardware_concurrency"]["bits"] is None
    assert bits["total"] == pytest.approx(10.0 + 5.92 + 3.04 + 4.83 + 0.353 + 0.94)
    assert bits["total_is_upper_bound"] is True
    assert "independent" in bits["note"]


def test_not_remembered_without_opt_in(app):
    post(app.test_client(), remember=False)
    assert post(app.test_client())["returning"] is False


def test_remembered_browser_is_recognised_without_cookies(app):
    first = app.test_client()
    assert post(first, remember=True)["remembered"] is True
    stranger = app.test_client()  # fresh browser profile: no cookies at all
    assert not stranger.get_cookie("session")
    data = post(stranger)
    assert data["returning"] is True
    assert data["remembered"] is True


def test_forget_me(app):
    client = app.test_client()
    fid = post(client, remember=True)["fingerprint_id"]
    response = client.post("/api/fingerprint/forget", json={"fingerprint_id": fid})
    assert response.status_code == 200
    assert response.get_json() == {"fingerprint_id": fid, "forgotten": True}
    assert post(app.test_client())["returning"] is False
    again = client.post("/api/fingerprint/forget", json={"fingerprint_id": fid})
    assert again.get_json()["forgotten"] is False


def test_store_keeps_only_the_hash(app):
    post(app.test_client(), remember=True)
    with closing(sqlite3.connect(app.config["DATABASE"])) as connection:
        rows = connection.execute("SELECT * FROM remembered").fetchall()
    assert len(rows) == 1
    assert rows[0][0] == fingerprint_id(ATTRIBUTES)
    assert "Europe/London" not in repr(rows)


def test_fingerprint_posts_are_same_origin_only(client):
    response = client.post(
        "/api/fingerprint",
        json={"attributes": ATTRIBUTES},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert response.get_json()["status"] == 403
