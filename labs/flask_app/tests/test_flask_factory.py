"""The app factory: configuration, the development key, production checks, the CLI."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from flask_app import create_app
from flask_app.settings import ConfigError


def test_testing_config_is_applied(app):
    assert app.testing
    assert app.config["TRUSTED_PROXY_HOPS"] == 0
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["MAX_CONTENT_LENGTH"] == 16 * 1024


def test_blueprints_one_per_feature(app):
    assert {"pages", "consent", "fingerprint", "health"} <= set(app.blueprints)


def test_environment_configures_the_app(clean_env):
    clean_env.setenv("COLOR", "blue")
    clean_env.setenv("VERSION", "7")
    clean_env.setenv("SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["COLOR"] == "blue"
    assert app.config["VERSION"] == "7"
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_development_generates_a_key_and_warns(clean_env, caplog):
    with caplog.at_level(logging.WARNING):
        first = create_app()
        second = create_app()
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]
    assert "SECRET_KEY is not set" in caplog.text


def test_production_without_a_key_fails_at_start_up(clean_env):
    clean_env.setenv("APP_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY is not set") as caught:
        create_app()
    assert "\n" not in str(caught.value)


def test_production_with_a_key_starts_quietly(clean_env, caplog):
    clean_env.setenv("APP_ENV", "production")
    clean_env.setenv("SECRET_KEY", "k" * 32)
    with caplog.at_level(logging.WARNING):
        app = create_app()
    assert app.config["SECRET_KEY"] == "k" * 32
    assert "SECRET_KEY" not in caplog.text


@pytest.mark.parametrize(("hops", "wrapped"), [(0, False), (1, True), (2, True)])
def test_proxyfix_only_with_trusted_hops(make_app, hops, wrapped):
    app = make_app(TRUSTED_PROXY_HOPS=hops)
    assert isinstance(app.wsgi_app, ProxyFix) is wrapped
    if wrapped:
        assert app.wsgi_app.x_for == hops
        assert app.wsgi_app.x_proto == hops


def test_init_db_command(runner, app):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0
    assert "Fingerprint store ready" in result.output
    with closing(sqlite3.connect(app.config["DATABASE"])) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    assert ("remembered",) in tables


def test_init_db_reset_empties_the_store(runner, app):
    with closing(sqlite3.connect(app.config["DATABASE"])) as connection, connection:
        connection.execute(
            "CREATE TABLE remembered (fingerprint_id TEXT PRIMARY KEY, first_seen REAL NOT NULL,"
            " last_seen REAL NOT NULL, visits INTEGER NOT NULL DEFAULT 1)"
        )
        connection.execute("INSERT INTO remembered VALUES ('a', 0, 0, 1)")
    result = runner.invoke(args=["init-db", "--reset"])
    assert result.exit_code == 0
    with closing(sqlite3.connect(app.config["DATABASE"])) as connection:
        assert connection.execute("SELECT COUNT(*) FROM remembered").fetchone() == (0,)
