"""Typed readers for environment settings; every name read is recorded so a test can check it is documented."""

import os
from pathlib import Path

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


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    """An integer setting (at least `minimum`, when given)."""
    value = _raw(name, str(default)).strip()
    try:
        number = int(value)
    except ValueError:
        raise SettingError(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise SettingError(f"{name} must be at least {minimum}, not {number}")
    return number


def env_float(name: str, default: float) -> float:
    """A decimal number setting."""
    value = _raw(name, str(default)).strip()
    try:
        return float(value)
    except ValueError:
        raise SettingError(f"{name} must be a number, not {value!r}") from None


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
