"""Read the app's settings from environment variables, with safe defaults.

Everything the app can be told lives here, so that the gunicorn config, the app factory
and the tests agree on names, defaults and error messages. The functions are pure: they
take a mapping (usually ``os.environ``) and return values or raise :class:`ConfigError`
with a one-line message that says what to change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

ENVIRONMENTS = ("development", "production")

#: Every environment variable the app (and its gunicorn config) reads.
VARIABLES = (
    "APP_ENV",
    "FLASK_ENV",
    "SECRET_KEY",
    "TRUSTED_PROXY_HOPS",
    "COLOR",
    "VERSION",
    "MAX_CONTENT_LENGTH",
    "DEVICE_COOKIE_MAX_AGE",
    "DATABASE",
    "PORT",
    "WEB_CONCURRENCY",
    "BIND_ALL",
    "ACCESS_LOG",
    "SERVED_BY",
    "FAIL_RATE",
    "SLOW_MS",
)

#: Browsers cap a cookie's lifetime at 400 days (RFC 6265bis, "Max-Age" and "Expires").
MAX_COOKIE_LIFETIME = 400 * 24 * 3600

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_COLOR_RE = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_VERSION_RE = re.compile(r"[\x21-\x7e]{1,64}")  # visible ASCII, no spaces


class ConfigError(ValueError):
    """A setting in the environment is missing or invalid."""


@dataclass(frozen=True)
class Settings:
    """The app's settings, already checked.

    Attributes
    ----------
    app_env : str
        ``"development"`` or ``"production"``.
    secret_key : str or None
        Key that signs the session cookie; required in production.
    trusted_proxy_hops : int
        Number of proxies in front of the app whose ``X-Forwarded-*`` headers are believed
        (0 on a laptop, 1 behind one load balancer).
    color, version : str or None
        Deployment colour (blue/green) and version label shown on the pages.
    max_content_length : int
        Largest request body accepted, in bytes.
    device_cookie_max_age : int
        Lifetime of the consented device-id cookie, in seconds.
    database : str or None
        Path of the SQLite file for remembered fingerprints; ``None`` means
        ``fingerprints.sqlite`` in the instance folder.
    served_by : str or None
        This copy's id, sent as ``X-Served-By`` and in ``/api/whoami`` (a fleet sets it).
    fail_rate : float
        Fault knob: the share of requests (0 to 1) that answer 500; 0 (off) by default.
    slow_ms : int
        Fault knob: milliseconds added to every request; 0 (off) by default.
    """

    app_env: str = "development"
    secret_key: str | None = None
    trusted_proxy_hops: int = 0
    color: str | None = None
    version: str | None = None
    max_content_length: int = 16 * 1024
    device_cookie_max_age: int = 365 * 24 * 3600
    database: str | None = None
    served_by: str | None = None
    fail_rate: float = 0.0
    slow_ms: int = 0

    @property
    def production(self) -> bool:
        """True when the app runs in production mode."""
        return self.app_env == "production"

    def to_flask_config(self) -> dict[str, object]:
        """Return the settings as Flask config keys (upper case)."""
        config: dict[str, object] = {
            "APP_ENV": self.app_env,
            "TRUSTED_PROXY_HOPS": self.trusted_proxy_hops,
            "COLOR": self.color,
            "VERSION": self.version,
            "MAX_CONTENT_LENGTH": self.max_content_length,
            "DEVICE_COOKIE_MAX_AGE": self.device_cookie_max_age,
            "SERVED_BY": self.served_by,
            "FAIL_RATE": self.fail_rate,
            "SLOW_MS": self.slow_ms,
        }
        if self.secret_key:
            config["SECRET_KEY"] = self.secret_key
        if self.database:
            config["DATABASE"] = self.database
        return config


def truthy(name: str, environ: Mapping[str, str], default: bool = False) -> bool:
    """Read a yes/no environment variable.

    Parameters
    ----------
    name : str
        Variable name, e.g. ``"BIND_ALL"``.
    environ : Mapping[str, str]
        Where to read it from.
    default : bool
        Value when the variable is not set.

    Raises
    ------
    ConfigError
        If the value is not one of 1/0, true/false, yes/no, on/off.
    """
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r}: use 1 or 0 (also true/false, yes/no, on/off)")


def env_int(name: str, environ: Mapping[str, str], default: int, low: int, high: int) -> int:
    """Read a whole number from the environment and check its range.

    Parameters
    ----------
    name : str
        Variable name, e.g. ``"PORT"``.
    environ : Mapping[str, str]
        Where to read it from.
    default : int
        Value when the variable is unset or empty.
    low, high : int
        Inclusive bounds.

    Raises
    ------
    ConfigError
        If the value is not a whole number between ``low`` and ``high``.
    """
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value}: must be between {low} and {high}")
    return value


def env_fraction(name: str, environ: Mapping[str, str], default: float = 0.0) -> float:
    """Read a number from 0 to 1 (a share, such as ``FAIL_RATE=0.2``) from the environment.

    Raises
    ------
    ConfigError
        If the value is not a number from 0 to 1.
    """
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a number from 0 to 1") from None
    if not 0.0 <= value <= 1.0:  # also refuses nan
        raise ConfigError(f"{name}={raw}: must be a share from 0 to 1 (0.2 = 20 %)")
    return value


def _optional_label(
    name: str, environ: Mapping[str, str], pattern: re.Pattern[str], rule: str
) -> str | None:
    raw = environ.get(name, "").strip()
    if not raw:
        return None
    if not pattern.fullmatch(raw):
        raise ConfigError(f"{name}={raw!r}: use {rule}")
    return raw


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build :class:`Settings` from environment variables.

    Parameters
    ----------
    environ : Mapping[str, str]
        Usually ``os.environ``. Variables read: ``APP_ENV`` (or ``FLASK_ENV``),
        ``SECRET_KEY``, ``TRUSTED_PROXY_HOPS``, ``COLOR``, ``VERSION``,
        ``MAX_CONTENT_LENGTH`` (bytes), ``DEVICE_COOKIE_MAX_AGE`` (seconds), ``DATABASE``,
        ``SERVED_BY`` (a copy's id) and the fault knobs ``FAIL_RATE`` and ``SLOW_MS``.

    Returns
    -------
    Settings
        The checked settings.

    Raises
    ------
    ConfigError
        With a one-line message, e.g. when ``APP_ENV=production`` and ``SECRET_KEY`` is
        unset, or a number is out of range.
    """
    env_name = "APP_ENV" if environ.get("APP_ENV", "").strip() else "FLASK_ENV"
    app_env = environ.get(env_name, "").strip().lower() or "development"
    if app_env not in ENVIRONMENTS:
        raise ConfigError(f"{env_name}={app_env!r}: use 'development' or 'production'")

    secret_key = environ.get("SECRET_KEY", "") or None
    if app_env == "production":
        if not secret_key:
            raise ConfigError(
                "SECRET_KEY is not set: it is required when APP_ENV=production "
                '(generate one with: python -c "import secrets; print(secrets.token_hex(32))")'
            )
        if len(secret_key) < 16:
            raise ConfigError("SECRET_KEY is too short for production: use at least 16 characters")

    return Settings(
        app_env=app_env,
        secret_key=secret_key,
        trusted_proxy_hops=env_int("TRUSTED_PROXY_HOPS", environ, 0, 0, 10),
        color=_optional_label(
            "COLOR", environ, _COLOR_RE, "up to 32 letters, digits, dots, dashes or underscores"
        ),
        version=_optional_label("VERSION", environ, _VERSION_RE, "up to 64 visible characters"),
        max_content_length=env_int("MAX_CONTENT_LENGTH", environ, 16 * 1024, 1024, 10 * 1024**2),
        device_cookie_max_age=env_int(
            "DEVICE_COOKIE_MAX_AGE", environ, 365 * 24 * 3600, 60, MAX_COOKIE_LIFETIME
        ),
        database=environ.get("DATABASE", "").strip() or None,
        served_by=_optional_label(
            "SERVED_BY", environ, _COLOR_RE, "up to 32 letters, digits, dots, dashes or underscores"
        ),
        fail_rate=env_fraction("FAIL_RATE", environ),
        slow_ms=env_int("SLOW_MS", environ, 0, 0, 60_000),
    )
