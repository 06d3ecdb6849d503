"""Settings from the environment, the bind choice, and the gunicorn config file."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from flask_app.serving import choose_binds
from flask_app.settings import MAX_COOKIE_LIFETIME, ConfigError, Settings, load_settings, truthy

APP_DIR = Path(__file__).resolve().parents[1]


def test_defaults_are_safe_for_a_laptop():
    settings = load_settings({})
    assert settings == Settings()
    assert settings.app_env == "development"
    assert not settings.production
    assert settings.trusted_proxy_hops == 0
    assert settings.secret_key is None


def test_environment_values_are_read():
    settings = load_settings(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "x" * 32,
            "TRUSTED_PROXY_HOPS": "1",
            "COLOR": "green",
            "VERSION": "v1.2.3",
            "MAX_CONTENT_LENGTH": "2048",
            "DEVICE_COOKIE_MAX_AGE": "3600",
            "DATABASE": "/tmp/x.sqlite",
        }
    )
    assert settings.production
    config = settings.to_flask_config()
    assert config["TRUSTED_PROXY_HOPS"] == 1
    assert config["COLOR"] == "green"
    assert config["VERSION"] == "v1.2.3"
    assert config["MAX_CONTENT_LENGTH"] == 2048
    assert config["DEVICE_COOKIE_MAX_AGE"] == 3600
    assert config["SECRET_KEY"] == "x" * 32
    assert config["DATABASE"] == "/tmp/x.sqlite"


def test_flask_env_is_read_when_app_env_is_unset():
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_settings({"FLASK_ENV": "production"})


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"APP_ENV": "production"}, "SECRET_KEY is not set"),
        ({"APP_ENV": "production", "SECRET_KEY": "short"}, "too short"),
        ({"APP_ENV": "staging"}, "use 'development' or 'production'"),
        ({"TRUSTED_PROXY_HOPS": "one"}, "expected a whole number"),
        ({"TRUSTED_PROXY_HOPS": "-1"}, "between 0 and 10"),
        ({"COLOR": "<script>"}, "COLOR"),
        ({"VERSION": "has space"}, "VERSION"),
        ({"MAX_CONTENT_LENGTH": "10"}, "between 1024"),
        ({"DEVICE_COOKIE_MAX_AGE": str(MAX_COOKIE_LIFETIME + 1)}, "DEVICE_COOKIE_MAX_AGE"),
    ],
)
def test_bad_settings_fail_with_one_line(environ, message):
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(environ)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("ON", True), ("0", False), ("", False)]
)
def test_truthy(raw, expected):
    assert truthy("BIND_ALL", {"BIND_ALL": raw}) is expected


def test_truthy_rejects_other_words():
    with pytest.raises(ConfigError, match="BIND_ALL"):
        truthy("BIND_ALL", {"BIND_ALL": "maybe"})


@pytest.mark.parametrize(
    ("bind_all", "ipv6", "v6only", "expected"),
    [
        (False, True, False, ["127.0.0.1:5000", "[::1]:5000"]),
        (False, False, False, ["127.0.0.1:5000"]),
        (True, True, False, ["[::]:5000"]),
        (True, True, True, ["0.0.0.0:5000", "[::]:5000"]),
        (True, False, False, ["0.0.0.0:5000"]),
    ],
)
def test_choose_binds(bind_all, ipv6, v6only, expected):
    assert choose_binds(5000, bind_all=bind_all, ipv6=ipv6, v6only=v6only) == expected


def test_choose_binds_checks_the_port():
    with pytest.raises(ValueError, match="between 1 and 65535"):
        choose_binds(0, bind_all=False, ipv6=True, v6only=False)


def load_gunicorn_conf():
    spec = importlib.util.spec_from_file_location("lab_gunicorn_conf", APP_DIR / "gunicorn.conf.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_conf_reads_port_and_concurrency(clean_env):
    clean_env.setenv("PORT", "5055")
    clean_env.setenv("WEB_CONCURRENCY", "3")
    conf = load_gunicorn_conf()
    assert conf.workers == 3
    assert conf.bind[0] == "127.0.0.1:5055"
    assert all(":5055" in bind for bind in conf.bind)
    assert conf.control_socket_disable is True
    assert conf.preload_app is True
    assert conf.wsgi_app == "flask_app:create_app()"
    assert conf.forwarded_allow_ips == ""


def test_gunicorn_conf_defaults_to_port_5000_on_loopback(clean_env):
    conf = load_gunicorn_conf()
    assert conf.bind[0] == "127.0.0.1:5000"
    assert conf.workers == 2
    assert not any(bind.startswith(("0.0.0.0", "[::]")) for bind in conf.bind)


def test_gunicorn_conf_binds_all_interfaces_in_a_container(clean_env):
    clean_env.setenv("BIND_ALL", "1")
    conf = load_gunicorn_conf()
    assert any(bind.startswith(("0.0.0.0:", "[::]:")) for bind in conf.bind)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORT", "http", "PORT='http'"),
        ("WEB_CONCURRENCY", "0", "WEB_CONCURRENCY=0"),
        ("APP_ENV", "production", "SECRET_KEY"),
    ],
)
def test_gunicorn_conf_stops_with_one_line(clean_env, name, value, message):
    clean_env.setenv(name, value)
    with pytest.raises(SystemExit) as caught:
        load_gunicorn_conf()
    assert str(caught.value).startswith("flask_app: ")
    assert message in str(caught.value)
