"""Typed settings, read from the environment in this one place."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "dev-only-secret-change-me"
DEMO_HOTLINE = "1286"
DEMO_SMS_NUMBER = "1287"
# Every SMS carries a link to PUBLIC_BASE_URL; Khmer texts fit two parts up to this length.
MAX_BASE_URL = 36


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Config:
    """Everything the app can be told. Field names are the environment variable names."""

    ENV: str = "development"  # development | production | testing
    SECRET_KEY: str = DEFAULT_SECRET
    DATABASE_URL: str = ""  # empty: SQLite file under instance/
    REDIS_URL: str = ""  # empty: in-process jobs, memory rate limits
    INSTANCE_PATH: str = str(PROJECT_ROOT / "instance")
    TIMEZONE: str = "Asia/Phnom_Penh"
    WORKDAY_START: str = "07:30"
    WORKDAY_END: str = "17:30"
    DEFAULT_LOCALE: str = "km"
    SERVER_KEY: str = ""  # MAC and sealing key; grievance.keys.server_key falls back to SECRET_KEY
    SMS_BACKEND: str = "file"  # file | twilio
    # Production refuses the development backends (SMS and mail written to files under
    # instance/outbox/, with references, secrets and phone numbers) unless this says so.
    ALLOW_FILE_BACKENDS: bool = False
    TWILIO_ACCOUNT_SID: str = ""
    TWILIO_AUTH_TOKEN: str = ""
    TWILIO_FROM: str = ""
    TWILIO_API_BASE: str = "https://api.twilio.com"
    # Telegram bot: its token (from BotFather; empty: no Telegram), the secret Telegram sends
    # back in X-Telegram-Bot-Api-Secret-Token on every webhook call (`flask telegram
    # set-webhook` registers it), and the Bot API's address (a fake one in tests).
    TELEGRAM_BOT_TOKEN: str = ""
    TELEGRAM_WEBHOOK_SECRET: str = ""
    TELEGRAM_API_BASE: str = "https://api.telegram.org"
    TELEGRAM_LIMIT_PER_CHAT: str = "30/minute"  # webhook updates per chat
    MAIL_SERVER: str = ""
    MAIL_PORT: int = 25
    MAIL_FROM: str = "samleng@localhost"
    PUBLIC_BASE_URL: str = "http://127.0.0.1:5000"
    # Shown on every public page and in every SMS. The defaults are the demo's; production
    # refuses to start until the numbers the public really uses are set.
    HOTLINE_NUMBER: str = DEMO_HOTLINE
    SMS_NUMBER: str = DEMO_SMS_NUMBER
    MAX_CONTENT_LENGTH: int = 60 * 1024 * 1024
    SLA_SWEEP_SECONDS: int = 60
    SLA_TIMER: bool = False  # embedded mode: sweep on a timer inside the web process
    # K complaints about one employer or facility and category within the window make a
    # proposed systemic case.
    SYSTEMIC_CLUSTER_SIZE: int = 5
    SYSTEMIC_WINDOW_DAYS: int = 30
    TRUSTED_HOSTS: str = ""  # comma-separated; empty: any
    PROXY_COUNT: int = 0  # reverse proxies in front (ProxyFix)
    RATELIMIT_ENABLED: bool = True  # off only for benchmarks
    TRACK_LIMIT_PER_CLIENT: str = "10/minute"  # lookups on /track per client address
    TRACK_LIMIT_PER_REFERENCE: str = "5/15 minutes"  # failed lookups per typed reference
    LOGIN_LIMIT_PER_CLIENT: str = "20/minute"  # staff sign-in attempts per client address
    # Wrong passwords per username and client address pair (HMAC): after the n-th, the
    # pair's next try waits 2^n seconds, up to this many; the owner elsewhere is not slowed.
    LOGIN_BACKOFF_CAP: int = 900
    LOGIN_CODE_LIMIT_PER_CLIENT: str = "10/minute"  # one-time code tries per client address
    LOGIN_CODE_LIMIT_PER_ACCOUNT: str = "10/15 minutes"  # wrong one-time codes per account
    # Development only (refused in production): only administrators and oversight need the
    # second sign-in step, not every role that sees complainants' identities.
    SECOND_STEP_RELAXED: bool = False
    FILE_LIMIT_PER_CLIENT: str = "30/hour"  # public complaints per client (shared phones)
    SMS_LIMIT_PER_CLIENT: str = "120/minute"  # SMS webhook calls per client address
    API_LIMIT_PER_PARTNER: str = "300/minute"  # partner API calls per token
    # Voice notes: Debian's ffmpeg makes playable copies of AMR and M4A notes in a job
    # (empty or absent: officers get the original). A transcriber is a local program run
    # as `<command> <file> <language>` printing the text; empty (the default): none.
    FFMPEG_PATH: str = "ffmpeg"
    TRANSCRIBE_COMMAND: str = ""
    LOG_LEVEL: str = "INFO"
    LOG_FORMAT: str = "kv"  # kv (key=value) | json

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in env:
                continue
            raw = env[f.name]
            if f.type in ("int", int):
                values[f.name] = int(raw)
            elif f.type in ("bool", bool):
                values[f.name] = _bool(raw)
            else:
                values[f.name] = raw
        return cls(**values)

    def check(self) -> None:
        """Refuse to start with settings that would be unsafe in production."""
        if not self.production:
            return
        if self.SECRET_KEY == DEFAULT_SECRET or len(self.SECRET_KEY) < 32:
            raise RuntimeError("SECRET_KEY must be set to a long random value in production")
        if not self.SERVER_KEY or self.SERVER_KEY == self.SECRET_KEY or len(self.SERVER_KEY) < 32:
            raise RuntimeError("SERVER_KEY must be set to its own long random value in production")
        if not self.ALLOW_FILE_BACKENDS and self.SMS_BACKEND == "file":
            raise RuntimeError("SMS_BACKEND=file writes messages to files: set twilio")
        if not self.ALLOW_FILE_BACKENDS and not self.MAIL_SERVER:
            raise RuntimeError("MAIL_SERVER is unset: mail would be written to files")
        if self.SECOND_STEP_RELAXED:
            raise RuntimeError("SECOND_STEP_RELAXED is for development only")
        if self.HOTLINE_NUMBER.strip() in ("", DEMO_HOTLINE) or self.SMS_NUMBER.strip() in (
            "",
            DEMO_SMS_NUMBER,
        ):
            raise RuntimeError("set HOTLINE_NUMBER and SMS_NUMBER to the numbers the public uses")
        if len(self.PUBLIC_BASE_URL.rstrip("/")) > MAX_BASE_URL:
            raise RuntimeError(f"PUBLIC_BASE_URL must be at most {MAX_BASE_URL} characters")

    def use_local_secret(self) -> None:
        """Outside production, an unset SECRET_KEY becomes a random key kept in the instance
        folder (0600), so the well-known default never signs a session anyone could forge.
        Production refuses to start without its own keys (`check`)."""
        if self.production or self.SECRET_KEY != DEFAULT_SECRET:
            return
        path = Path(self.INSTANCE_PATH) / "secret_key"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
        key = path.read_text().strip()
        if len(key) < 32:  # a half-written file from a process that died: start again
            path.unlink(missing_ok=True)
            return self.use_local_secret()
        self.SECRET_KEY = key
        return None

    @property
    def production(self) -> bool:
        return self.ENV == "production"

    @property
    def database_uri(self) -> str:
        if self.DATABASE_URL:
            url = self.DATABASE_URL
            # psycopg 3 is the driver; accept the plain postgres:// forms people paste.
            for prefix in ("postgres://", "postgresql://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url[len(prefix) :]
            return url
        return "sqlite:///" + str(Path(self.INSTANCE_PATH) / "samleng.sqlite3")

    def flask_settings(self) -> dict[str, Any]:
        """The settings Flask and its extensions read, derived from the fields above."""
        secure = self.production
        return {
            "SECRET_KEY": self.SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": self.database_uri,
            # hide_parameters: a failed statement's error (and so any log line quoting it)
            # never carries its parameters, which can be a complainant's name or phone.
            # No pool_pre_ping: extensions.ping_after_idle pings only idle connections.
            "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
            "SESSION_COOKIE_SECURE": secure,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": secure,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "PREFERRED_URL_SCHEME": "https" if secure else "http",
            "MAX_CONTENT_LENGTH": self.MAX_CONTENT_LENGTH,
            "BABEL_DEFAULT_LOCALE": self.DEFAULT_LOCALE,
            "BABEL_DEFAULT_TIMEZONE": self.TIMEZONE,
            "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
            "WTF_CSRF_TIME_LIMIT": None,
            # WTForms ships no Khmer catalogue and every message of ours is our own gettext
            # string; loading its catalogue on each form request only costs time.
            "WTF_I18N_ENABLED": False,
            "TESTING": self.ENV == "testing",
            "TRUSTED_HOSTS": [h.strip() for h in self.TRUSTED_HOSTS.split(",") if h.strip()]
            or None,
            "SAMLENG": self,
        }
