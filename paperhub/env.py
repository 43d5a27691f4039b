"""Typed readers for environment settings; every name read is recorded so a test can check it is documented."""

import os
import re
from datetime import time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Every environment variable the settings read, in the order they were read.
READ: dict[str, str] = {}


class SettingError(ValueError):
    """An environment variable holds a value of the wrong shape."""


def _raw(name: str, default: str) -> str:
    READ[name] = default
    return os.environ.get(name, default)


def env_str(name: str, default: str = "") -> str:
    """A string setting."""
    return _raw(name, default).strip()


def env_int(name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer setting (at least `minimum` and at most `maximum`, when given)."""
    value = _raw(name, str(default)).strip()
    try:
        number = int(value)
    except ValueError:
        raise SettingError(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise SettingError(f"{name} must be at least {minimum}, not {number}")
    if maximum is not None and number > maximum:
        raise SettingError(f"{name} must be at most {maximum}, not {number}")
    return number


def env_float(name: str, default: float, minimum: float | None = None) -> float:
    """A decimal number setting (at least `minimum`, when given)."""
    value = _raw(name, str(default)).strip()
    try:
        number = float(value)
    except ValueError:
        raise SettingError(f"{name} must be a number, not {value!r}") from None
    if minimum is not None and not number >= minimum:  # (not >=: a NaN is refused too)
        raise SettingError(f"{name} must be at least {minimum:g}, not {value}")
    return number


def env_choice(name: str, default: str, choices: list[str], pattern: str = "") -> str:
    """A setting that is one of `choices` (case ignored), or matches `pattern` when given."""
    value = _raw(name, default).strip()
    if value.lower() in choices or (pattern and re.fullmatch(pattern, value.lower())):
        return value.lower()
    raise SettingError(f"{name} must be one of {', '.join(choices)}{' (or like ' + pattern + ')' if pattern else ''}"
                       f", not {value!r}")


_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour|d|day)s?\s*$")
_UNIT = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400,
         "day": 86400}


def parse_rate(text: str) -> tuple[int, int] | None:
    """'60/min', '1000/hour', '10/5s' as (requests, seconds); '' or '0' means no limit (None)."""
    if not text.strip() or text.strip() == "0":
        return None
    match = _RATE.match(text.lower())
    if not match or int(match[2] or 1) == 0:
        raise ValueError(f"not a rate (like 60/min, 1000/hour or 10/5s; 0 or empty for none): {text!r}")
    return int(match[1]), int(match[2] or 1) * _UNIT[match[3]]


def env_rate(name: str, default: str) -> str:
    """A rate limit setting ('60/min', '1000/hour', '10/5s'; '' or '0': none), checked now and kept as text."""
    value = _raw(name, default).strip()
    try:
        parse_rate(value)
    except ValueError:
        raise SettingError(f"{name} must be a rate like 60/min, 1000/hour or 10/5s (0 or empty: no limit), "
                           f"not {value!r}") from None
    return value


def env_time(name: str, default: str) -> str:
    """A time of day setting (HH:MM), checked now and kept as text."""
    value = _raw(name, default).strip()
    try:
        time.fromisoformat(value)
    except ValueError:
        raise SettingError(f"{name} must be a time of day as HH:MM (00:00 to 23:59), not {value!r}") from None
    return value


def env_zone(name: str, default: str) -> str:
    """An IANA time zone name setting (UTC, Europe/Paris), checked now and kept as text."""
    value = _raw(name, default).strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingError(f"{name} must be an IANA time zone such as UTC or Europe/Paris, not {value!r}") from None
    return value


def env_address(name: str) -> str:
    """A web address setting (http:// or https://, a host, perhaps a path; no trailing slash), or '' when unset; as
    browsers write its origin (scheme and host in lower case, a non-ASCII host in IDNA, no default port), so that it
    matches the Origin of a form posted from it; no user or password in it (they would be in every link)."""
    value = _raw(name, "").strip().rstrip("/")
    if not value:
        return ""
    try:
        parts = urlsplit(value)
        port = parts.port  # (a port that is no number raises)
        host = (parts.hostname or "").encode("idna").decode("ascii")
        shaped = (parts.scheme.lower() in ("http", "https") and host and not parts.query and not parts.fragment
                  and parts.username is None)
    except (ValueError, UnicodeError):
        shaped = False
    if not shaped:
        raise SettingError(f"{name} must be an address such as https://papers.example.org (no user or password), "
                           f"not {value!r}")
    scheme = parts.scheme.lower()
    default = {"http": 80, "https": 443}[scheme]
    host = f"[{host}]" if ":" in host else host
    netloc = host if port in (None, default) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path}"


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting: 1/0, true/false, yes/no, on/off."""
    value = _raw(name, "true" if default else "false").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise SettingError(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list setting."""
    return [item.strip() for item in _raw(name, default).split(",") if item.strip()]


def env_path(name: str, default: str) -> Path:
    """A filesystem path setting, relative paths taken from the working directory."""
    return Path(_raw(name, default).strip() or default).expanduser().resolve()


def data_dir() -> Path:
    """The hub's data directory: PAPERHUB_DATA_DIR, by default ./var of the working directory."""
    return env_path("PAPERHUB_DATA_DIR", "./var")
