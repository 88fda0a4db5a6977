"""Settings come only from CBRNET_* variables: production passes `check --deploy` without a warning,
and a missing secret or a malformed value stops the start with a message naming the variable.

The settings module is read once per process, so each configuration runs in a subprocess.
"""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from cbrnet import env

DUMP = """
import json, django
from django.conf import settings as s
django.setup()
print(json.dumps({
    "DEBUG": s.DEBUG, "SECRET_KEY": s.SECRET_KEY, "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE, "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT, "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_PROXY_SSL_HEADER": s.SECURE_PROXY_SSL_HEADER, "MIDDLEWARE": s.MIDDLEWARE,
    "REQUIRE_2FA": s.REQUIRE_2FA, "CACHE": s.CACHES["default"]["BACKEND"],
    "STATICFILES": s.STORAGES["staticfiles"]["BACKEND"], "DATABASE": s.DATABASES["default"]["NAME"],
}))
"""


def production_env(tmp_path, **overrides) -> dict[str, str]:
    """The process environment without any CBRNET_* variable of the test run, plus a production set."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith("CBRNET_")}
    environ.update(
        DJANGO_SETTINGS_MODULE="cbrnet.settings",
        CBRNET_SECRET_KEY=secrets.token_urlsafe(64),
        CBRNET_ALLOWED_HOSTS="cbrnet.example.org",
        CBRNET_DATA_DIR=str(tmp_path),
        CBRNET_DATABASE_URL=os.environ.get("CBRNET_DATABASE_URL")
        or f"sqlite:///{tmp_path / 'cbrnet.sqlite3'}",
    )
    for key, value in overrides.items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    return environ


def cbrnet(environ, *args) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and command line
        [sys.executable, "-m", "cbrnet.cli", *args], env=environ, capture_output=True, text=True, timeout=120
    )


def settings_in(environ) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", DUMP], env=environ, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    result = cbrnet(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_defaults_are_secure(tmp_path):
    result = settings_in(production_env(tmp_path, CBRNET_BEHIND_PROXY="true"))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False and values["REQUIRE_2FA"] is True
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["ALLOWED_HOSTS"] == ["cbrnet.example.org"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["MIDDLEWARE"][0] == "cbrnet.accounts.middleware.ProxyClientAddressMiddleware"
    assert values["CACHE"].endswith("FileBasedCache")  # shared by every web worker (sign-in throttle)
    assert values["STATICFILES"].endswith("CompressedManifestStaticFilesStorage")


def test_without_the_proxy_setting_the_client_address_header_is_not_trusted(tmp_path):
    values = json.loads(settings_in(production_env(tmp_path)).stdout)
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert "cbrnet.accounts.middleware.ProxyClientAddressMiddleware" not in values["MIDDLEWARE"]


def test_debug_mode_runs_without_a_secret_and_relaxes_transport_security(tmp_path):
    result = settings_in(production_env(tmp_path, CBRNET_DEBUG="true", CBRNET_SECRET_KEY=None))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert (
        values["DEBUG"] is True
        and values["REQUIRE_2FA"] is False
        and values["SESSION_COOKIE_SECURE"] is False
    )


@pytest.mark.parametrize("secret", [None, ""])
def test_starting_without_a_secret_key_and_without_debug_fails_loudly(tmp_path, secret):
    result = cbrnet(production_env(tmp_path, CBRNET_SECRET_KEY=secret), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set CBRNET_SECRET_KEY (or CBRNET_SECRET_KEY_FILE); CBRNET_DEBUG is off." in result.stderr


def test_the_secret_key_can_come_from_a_file(tmp_path):
    key = secrets.token_urlsafe(64)
    secret_file = tmp_path / "secret_key"
    secret_file.write_text(key + "\n")
    environ = production_env(tmp_path, CBRNET_SECRET_KEY=None, CBRNET_SECRET_KEY_FILE=str(secret_file))
    result = settings_in(environ)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["SECRET_KEY"] == key  # trailing newline stripped
    assert cbrnet(environ, "check", "--deploy", "--fail-level", "WARNING").returncode == 0


def test_an_unreadable_secret_file_is_named(tmp_path):
    result = cbrnet(production_env(tmp_path, CBRNET_SECRET_KEY_FILE=str(tmp_path / "missing")), "check")
    assert result.returncode != 0
    assert f"CBRNET_SECRET_KEY_FILE='{tmp_path / 'missing'}' cannot be read" in result.stderr


def test_the_database_url_can_come_from_a_file(tmp_path):
    url_file = tmp_path / "database_url"
    url_file.write_text(f"sqlite:///{tmp_path / 'from-file.sqlite3'}\n")
    environ = production_env(tmp_path, CBRNET_DATABASE_URL=None, CBRNET_DATABASE_URL_FILE=str(url_file))
    assert json.loads(settings_in(environ).stdout)["DATABASE"] == str(tmp_path / "from-file.sqlite3")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CBRNET_DEBUG", "perhaps", "CBRNET_DEBUG='perhaps' is not a boolean"),
        ("CBRNET_REQUIRE_2FA", "ja", "CBRNET_REQUIRE_2FA='ja' is not a boolean"),
        ("CBRNET_SESSION_HOURS", "twelve", "CBRNET_SESSION_HOURS='twelve' is not a whole number"),
        ("CBRNET_LOGIN_FAILURE_LIMIT", "0", "CBRNET_LOGIN_FAILURE_LIMIT=0 is below the minimum of 1"),
        ("CBRNET_TASKS", "celery", "CBRNET_TASKS='celery' must be one of: database, rq, immediate"),
        ("CBRNET_CACHE", "memcached", "CBRNET_CACHE='memcached' must be one of: memory, file, redis"),
    ],
)
def test_a_malformed_value_stops_the_start_naming_the_variable(tmp_path, variable, value, message):
    result = cbrnet(production_env(tmp_path, **{variable: value}), "check")
    assert result.returncode != 0
    assert message in result.stderr


# --- the readers themselves (cbrnet.env), without a subprocess -----------------------------------


def test_env_bool_accepts_the_usual_words_and_nothing_else(monkeypatch):
    for word, expected in [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
    ]:
        monkeypatch.setenv("CBRNET_FLAG", word)
        assert env.env_bool("FLAG", not expected) is expected, word
    monkeypatch.delenv("CBRNET_FLAG")
    assert env.env_bool("FLAG", True) is True
    monkeypatch.setenv("CBRNET_FLAG", "2")
    with pytest.raises(ImproperlyConfigured, match="CBRNET_FLAG='2' is not a boolean"):
        env.env_bool("FLAG", False)


def test_env_int_checks_the_number_and_its_minimum(monkeypatch):
    monkeypatch.setenv("CBRNET_COUNT", " 7 ")
    assert env.env_int("COUNT", 1, minimum=1) == 7
    monkeypatch.setenv("CBRNET_COUNT", "7.5")
    with pytest.raises(ImproperlyConfigured, match="CBRNET_COUNT='7.5' is not a whole number"):
        env.env_int("COUNT", 1)
    monkeypatch.setenv("CBRNET_COUNT", "-1")
    with pytest.raises(ImproperlyConfigured, match="CBRNET_COUNT=-1 is below the minimum of 0"):
        env.env_int("COUNT", 1, minimum=0)


def test_env_list_and_choice(monkeypatch):
    monkeypatch.setenv("CBRNET_HOSTS", " a.example.org, ,b.example.org ")
    assert env.env_list("HOSTS", []) == ["a.example.org", "b.example.org"]
    monkeypatch.setenv("CBRNET_MODE", "fast")
    with pytest.raises(ImproperlyConfigured, match="CBRNET_MODE='fast' must be one of: slow, safe"):
        env.env_choice("MODE", "slow", ("slow", "safe"))


def test_env_secret_prefers_the_file(monkeypatch, tmp_path):
    (tmp_path / "token").write_text("from-file\n")
    monkeypatch.setenv("CBRNET_TOKEN", "from-variable")
    assert env.env_secret("TOKEN", None) == "from-variable"
    monkeypatch.setenv("CBRNET_TOKEN_FILE", str(tmp_path / "token"))
    assert env.env_secret("TOKEN", None) == "from-file"


@pytest.mark.django_db
def test_every_asset_a_page_loads_is_collected_from_the_project(client):
    """Production serves only what `collectstatic` gathers (nothing from a CDN), so every /static/
    file the pages load must be found by the static-file finders: the project's own CSS and JS and
    the vendored htmx live outside any app. (collectstatic itself takes a minute: it compresses.)"""
    import re

    from django.contrib.staticfiles import finders

    html = client.get("/accounts/login/").content.decode()
    assets = set(re.findall(r'(?:src|href)="/static/([^"?#]+)"', html))
    assert {"cbrnet/app.css", "cbrnet/app.js", "vendor/htmx.min.js", "cbrnet/favicon.svg"} <= assets
    for asset in assets:
        assert finders.find(asset), asset


def test_the_example_production_environment_passes_check_deploy(tmp_path):
    """deploy/env.example is what docs/deploy.md installs: it must start and pass `check --deploy`."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[3] / "deploy" / "env.example"
    values = {}
    for line in example.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip().strip('"')
    assert all(name.startswith("CBRNET_") for name in values)
    # Only the machine-specific paths change: secrets and data directory in tmp, the test database.
    (tmp_path / "secret_key").write_text(secrets.token_urlsafe(64) + "\n")
    (tmp_path / "smtp_password").write_text("smtp-secret\n")
    values.update(
        CBRNET_SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        CBRNET_EMAIL_HOST_PASSWORD_FILE=str(tmp_path / "smtp_password"),
        CBRNET_DATA_DIR=str(tmp_path),
        CBRNET_DATABASE_URL=os.environ.get("CBRNET_DATABASE_URL")
        or f"sqlite:///{tmp_path / 'cbrnet.sqlite3'}",
    )
    environ = {key: value for key, value in os.environ.items() if not key.startswith("CBRNET_")}
    environ.update(values, DJANGO_SETTINGS_MODULE="cbrnet.settings")
    result = cbrnet(environ, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    dumped = json.loads(settings_in(environ).stdout)
    assert dumped["REQUIRE_2FA"] is True and dumped["MIDDLEWARE"][0].endswith("ProxyClientAddressMiddleware")
