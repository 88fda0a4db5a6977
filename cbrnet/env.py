"""Typed readers for the CBRNET_* environment variables: the only source of configuration.

Each reader fails loudly on a malformed value instead of silently falling back, and every
reader of a secret also accepts NAME_FILE pointing at a file that holds it (Docker/systemd secrets).
"""

import os

from django.core.exceptions import ImproperlyConfigured

PREFIX = "CBRNET_"
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    return os.environ.get(PREFIX + name)


def env_str(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{PREFIX}{name}={value!r} is not a boolean (use true or false).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{PREFIX}{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{PREFIX}{name}={number} is below the minimum of {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{PREFIX}{name}={value!r} must be one of: {', '.join(choices)}.")
    return value


def env_secret(name: str, default: str | None) -> str | None:
    """Read NAME, or the content of the file named by NAME_FILE (trailing newline stripped)."""
    path = _raw(name + "_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                return handle.read().rstrip("\n")
        except OSError as error:
            raise ImproperlyConfigured(f"{PREFIX}{name}_FILE={path!r} cannot be read: {error}") from None
    value = _raw(name)
    return default if value is None else value
