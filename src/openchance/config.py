"""Settings: every knob, from ``OPENCHANCE_*`` environment variables (and an optional ``.env``).

Settings are validated once at start; :func:`load_settings` turns pydantic's
errors into one :class:`~openchance.errors.ConfigurationError` whose message names
each offending environment variable.
"""

from __future__ import annotations

import ipaddress
import json
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self

from limits import parse_many
from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from openchance.errors import ConfigurationError

ENV_PREFIX = "OPENCHANCE_"
DEV_SECRET_KEY = "openchance-dev-secret-key-do-not-use-in-production"  # noqa: S105
MIN_SECRET_KEY_LENGTH = 32
OAUTH_PROVIDER_NAMES = ("google", "github", "linkedin")


class Mode(StrEnum):
    """How the process runs."""

    DEV = "dev"
    """Local development and the demo: a built-in secret is allowed, API docs are on."""
    PRODUCTION = "production"
    """A real deployment: a strong secret is required, HSTS is sent, docs are off unless enabled."""


class LogLevel(StrEnum):
    """Minimum level of log records written."""

    DEBUG = "DEBUG"
    """Everything, including SQL-level chatter from our own modules."""
    INFO = "INFO"
    """Normal operation: requests, jobs, starts and stops."""
    WARNING = "WARNING"
    """Only what needs a look."""
    ERROR = "ERROR"
    """Only failures."""


class EscrowFundingDeadline(StrEnum):
    """When a challenge's escrow must be funded."""

    BEFORE_PUBLISH = "before_publish"
    """The challenge opens to solvers only once its prize is in escrow."""
    BEFORE_ACCEPT = "before_accept"
    """The challenge may open unfunded; the challenger funds it before accepting a solver."""
    NOT_REQUIRED = "not_required"
    """Funding is the challenger's choice at any time (an installation whose money moves
    elsewhere); solvers still cannot deliver a milestone that is not funded."""


class MailBackend(StrEnum):
    """Where outgoing e-mail goes."""

    DATABASE = "database"
    """Kept in the database: read it with `openchance mail outbox` (embedded default)."""
    SMTP = "smtp"
    """Sent through an SMTP server."""


class SmtpSecurity(StrEnum):
    """How the SMTP connection is protected."""

    STARTTLS = "starttls"
    """Plain connection upgraded with STARTTLS (port 587)."""
    TLS = "tls"
    """TLS from the first byte (port 465)."""
    NONE = "none"
    """No encryption: only for a relay on the same machine or in tests."""


class FilesBackend(StrEnum):
    """Where uploaded files (avatars, attachments) are kept."""

    LOCAL = "local"
    """A local directory, served by the API through signed, expiring URLs (embedded default)."""
    S3 = "s3"
    """An S3-compatible bucket (AWS S3, Cloudflare R2, MinIO), served by presigned URLs."""


class SearchBackendKind(StrEnum):
    """Which engine answers challenge searches."""

    DATABASE = "database"
    """The database itself: SQLite FTS5 or PostgreSQL full text + pg_trgm (embedded default)."""
    MEILISEARCH = "meilisearch"
    """A Meilisearch server; searches fall back to the database while it is down."""


class PaymentProcessorKind(StrEnum):
    """Which payment processor takes payments."""

    LOCAL = "local"
    """The embedded test processor: simulated cards in the database, no network (default)."""
    STRIPE = "stripe"
    """Stripe: PaymentIntents, Connect payouts and signed webhooks."""


class Settings(BaseSettings):
    """The effective configuration of one OpenChance process."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    mode: Mode = Field(default=Mode.DEV, description="`dev` or `production`.")
    database_url: str = Field(
        default="sqlite:///./openchance.db",
        description="SQLAlchemy URL: `sqlite:///PATH` (embedded) or `postgresql://…` (at scale).",
    )
    database_pool_size: int = Field(default=10, ge=1, le=200, description="PostgreSQL pool size.")
    database_echo: bool = Field(default=False, description="Log every SQL statement.")
    redis_url: str | None = Field(
        default=None,
        description="Redis URL (`redis://host:6379/0`). When set, the event bus, cache and "
        "rate limits use Redis, so several processes share them.",
    )
    redis_namespace: str = Field(
        default="openchance",
        pattern=r"^[A-Za-z0-9_.-]{1,64}$",
        description="Prefix of every Redis key and channel, so installations can share a Redis.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs tokens and URLs. Required in production (at least 32 characters).",
    )
    public_base_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1:8000"),
        description="The URL users reach the server at; used in links and e-mails.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (comma-separated or JSON).",
    )
    log_level: LogLevel = Field(default=LogLevel.INFO, description="Minimum log level.")
    docs_enabled: bool | None = Field(
        default=None,
        description="Serve interactive API docs. Default: on in dev, off in production.",
    )
    run_worker_in_process: bool = Field(
        default=True, description="`openchance serve` also runs a job worker in its own process."
    )
    jobs_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a claimed job stays reserved without a heartbeat before "
        "another worker may claim it again.",
    )
    jobs_poll_interval_seconds: float = Field(
        default=1.0, gt=0, description="How often an idle worker looks for due jobs."
    )
    jobs_backoff_base_seconds: float = Field(
        default=5.0, ge=0, description="First retry delay; doubles with every attempt (jittered)."
    )
    jobs_backoff_max_seconds: float = Field(
        default=3600.0, ge=0, description="Longest retry delay."
    )
    jobs_shutdown_timeout_seconds: float = Field(
        default=30.0,
        ge=0,
        description="On SIGTERM, how long running jobs may finish before they are released.",
    )
    session_idle_timeout_seconds: int = Field(
        default=24 * 3600,
        ge=60,
        description="A session unused for this long ends (the user signs in again).",
    )
    session_absolute_lifetime_seconds: int = Field(
        default=30 * 24 * 3600,
        ge=300,
        description="A session ends this long after sign-in, however active.",
    )
    email_verification_ttl_seconds: int = Field(
        default=48 * 3600, ge=300, description="How long an e-mail verification link works."
    )
    password_reset_ttl_seconds: int = Field(
        default=3600, ge=300, description="How long a password-reset link works."
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For "
        "is believed. Empty: the client address is the peer's.",
    )
    login_failures_per_account: str = Field(
        default="100/hour",
        description="Failed sign-ins allowed per account before it is locked for the rest "
        "of the window (the owner gets an e-mail).",
    )
    login_attempts_per_ip: str = Field(
        default="60/minute", description="Sign-in attempts allowed per client address."
    )
    signups_per_ip: str = Field(default="20/hour", description="Sign-ups per client address.")
    password_resets_per_ip: str = Field(
        default="20/hour", description="Password-reset requests per client address."
    )
    mail_backend: MailBackend = Field(
        default=MailBackend.DATABASE,
        description="`database` keeps outgoing mail in the database (`openchance mail "
        "outbox` shows it); `smtp` sends it through the SMTP server below.",
    )
    mail_from: str = Field(
        default="OpenChance <no-reply@openchance.invalid>",
        description="The From: of every e-mail.",
    )
    smtp_host: str = Field(default="localhost", description="SMTP server host.")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP server port.")
    smtp_security: SmtpSecurity = Field(
        default=SmtpSecurity.STARTTLS,
        description="`starttls`, `tls` (implicit TLS, usually port 465) or `none`.",
    )
    smtp_username: str | None = Field(default=None, description="SMTP user name, if any.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, description="SMTP timeout.")
    files_backend: FilesBackend = Field(
        default=FilesBackend.LOCAL,
        description="`local` keeps uploads in `files_directory`; `s3` in an S3-compatible bucket.",
    )
    files_directory: Path = Field(
        default=Path("./openchance-files"), description="Where the `local` backend keeps files."
    )
    files_url_ttl_seconds: int = Field(
        default=3600, ge=60, le=7 * 24 * 3600, description="How long a file's URL works."
    )
    s3_bucket: str | None = Field(default=None, description="The bucket of the `s3` backend.")
    s3_endpoint_url: str | None = Field(
        default=None, description="S3 endpoint for R2, MinIO, …; unset for AWS S3."
    )
    s3_region: str | None = Field(default=None, description="S3 region (`auto` for R2).")
    s3_access_key_id: str | None = Field(default=None, description="S3 access key id.")
    s3_secret_access_key: SecretStr | None = Field(default=None, description="S3 secret key.")
    oauth_state_ttl_seconds: int = Field(
        default=600,
        ge=60,
        le=3600,
        description="How long an OAuth sign-in may take between leaving for the provider and "
        "coming back (the attempt's state is single-use and forgotten after this).",
    )
    oauth_google_client_id: str | None = Field(
        default=None, description="Google OAuth client id; unset: Google sign-in is off."
    )
    oauth_google_client_secret: SecretStr | None = Field(
        default=None, description="Google OAuth client secret."
    )
    oauth_google_issuer: str = Field(
        default="https://accounts.google.com",
        description="Google's OpenID Connect issuer (its discovery document is read from "
        "`<issuer>/.well-known/openid-configuration`); change only for tests.",
    )
    oauth_github_client_id: str | None = Field(
        default=None, description="GitHub OAuth app client id; unset: GitHub sign-in is off."
    )
    oauth_github_client_secret: SecretStr | None = Field(
        default=None, description="GitHub OAuth app client secret."
    )
    oauth_github_base_url: str = Field(
        default="https://github.com",
        description="GitHub's web address (authorize and access-token endpoints).",
    )
    oauth_github_api_url: str = Field(
        default="https://api.github.com", description="GitHub's REST API address."
    )
    oauth_linkedin_client_id: str | None = Field(
        default=None, description="LinkedIn client id; unset: LinkedIn sign-in is off."
    )
    oauth_linkedin_client_secret: SecretStr | None = Field(
        default=None, description="LinkedIn client secret."
    )
    oauth_linkedin_issuer: str = Field(
        default="https://www.linkedin.com/oauth",
        description="LinkedIn's OpenID Connect issuer; change only for tests.",
    )
    fee_challenger_bps: int = Field(
        default=500,
        ge=0,
        le=5000,
        description="Platform fee charged to the challenger on top of the prize, in basis points.",
    )
    fee_solver_bps: int = Field(
        default=1000,
        ge=0,
        le=5000,
        description="Platform fee taken from each solver's prize, in basis points.",
    )
    fee_fixed_per_funding: Decimal = Field(
        default=Decimal(0),
        ge=0,
        le=1000,
        description="Fixed platform fee per funding, in major units of the challenge's currency.",
    )
    processor_fee_bps: int = Field(
        default=150,
        ge=0,
        le=2000,
        description="Estimated payment processor fee rate, in basis points (Stripe EU cards).",
    )
    processor_fee_fixed: Decimal = Field(
        default=Decimal("0.25"),
        ge=0,
        le=100,
        description="Estimated fixed processor fee per charge, in major units.",
    )
    refund_returns_processor_fee: bool = Field(
        default=False,
        description="Refunds give the challenger the processor fee back (the platform bears it).",
    )
    payment_processor: PaymentProcessorKind = Field(
        default=PaymentProcessorKind.LOCAL,
        description="`local` (simulated cards, no network) or `stripe`.",
    )
    stripe_api_key: SecretStr | None = Field(
        default=None, description="Stripe secret API key (`sk_…`); required with `stripe`."
    )
    stripe_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Signing secret (`whsec_…`) of the webhook endpoint "
        "`/api/v1/webhooks/stripe`; required with `stripe`.",
    )
    stripe_connect_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Signing secret of the Connect webhook endpoint (connected accounts' "
        "events: `account.updated`, `payout.*`) at the same URL; Stripe gives each endpoint "
        "its own secret.",
    )
    stripe_api_base: AnyHttpUrl | None = Field(
        default=None,
        description="Another Stripe API base URL (a local Stripe fake in tests); unset: Stripe's.",
    )
    escrow_auto_release_days: int = Field(
        default=14,
        ge=1,
        le=365,
        description="Days after delivery before escrow is released to the solver automatically.",
    )
    escrow_release_reminder_days: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [7, 2],
        description="Days before the auto-release when the challenger is reminded (comma list).",
    )
    payout_delay_hours: int = Field(
        default=48,
        ge=0,
        le=24 * 90,
        description="Hours a released payment waits before it is paid out (staff may hold it).",
    )
    payout_country: str = Field(
        default="DE",
        pattern="^[A-Z]{2}$",
        description="Country of new payout accounts when the solver gives none (ISO 3166).",
    )
    escrow_funding_deadline: EscrowFundingDeadline = Field(
        default=EscrowFundingDeadline.BEFORE_PUBLISH,
        description="When escrow must be funded: before_publish (also before accepting), "
        "before_accept, or not_required.",
    )
    challenge_review_required: bool = Field(
        default=True,
        description="Challenges wait for a moderator's approval before they open.",
    )
    challenge_attachment_max_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024, description="Largest challenge attachment, in bytes."
    )
    challenge_attachments_max: int = Field(
        default=10, ge=0, le=100, description="Attachments per challenge."
    )
    application_attachment_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="Largest application attachment, in bytes."
    )
    application_attachments_max: int = Field(
        default=5, ge=0, le=100, description="Attachments per application."
    )
    applications_per_solver_per_day: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="New applications one solver may send in any 24 hours.",
    )
    message_attachment_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="Largest file sent with a message, in bytes."
    )
    message_attachments_max: int = Field(
        default=5, ge=1, le=20, description="Files one message may carry."
    )
    search_backend: SearchBackendKind = Field(
        default=SearchBackendKind.DATABASE, description="`database` or `meilisearch`."
    )
    meilisearch_url: str | None = Field(
        default=None, description="Meilisearch server URL, for the `meilisearch` search backend."
    )
    meilisearch_api_key: SecretStr | None = Field(
        default=None, description="Meilisearch API key (the master key or an admin key)."
    )
    meilisearch_index: str = Field(
        default="openchance_challenges",
        pattern=r"^[A-Za-z0-9_-]{1,200}$",
        description="Name of the Meilisearch index holding the challenges.",
    )
    meilisearch_timeout_seconds: float = Field(
        default=2.0, gt=0, description="How long a Meilisearch call may take before falling back."
    )
    ws_ticket_ttl_seconds: float = Field(
        default=30.0,
        gt=0,
        le=300,
        description="How long a WebSocket ticket (`POST /api/v1/ws/ticket`) may wait before "
        "it is redeemed (once) by opening the socket.",
    )
    ws_send_queue_size: int = Field(
        default=256,
        ge=8,
        le=100_000,
        description="Frames queued for one WebSocket client; a client that lets the queue "
        "fill up is disconnected (close code 4408) and catches up on reconnect.",
    )
    ws_max_frame_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        le=16 * 1024 * 1024,
        description="Largest frame a WebSocket client may send; larger ones get an "
        "`error` frame `frame_too_large`.",
    )
    ws_message_rate: str = Field(
        default="20/10 seconds",
        description="Messages one user may send over WebSockets per window (all their "
        "connections together).",
    )
    ws_typing_interval_seconds: float = Field(
        default=2.0,
        gt=0,
        description="Typing indicators relayed per user and conversation at most once per this.",
    )
    ws_typing_expires_seconds: float = Field(
        default=5.0, gt=0, description="How long a relayed typing indicator is shown."
    )
    ws_ping_interval_seconds: float = Field(
        default=20.0,
        gt=0,
        description="The server pings every WebSocket client this often (protocol pings).",
    )
    ws_ping_timeout_seconds: float = Field(
        default=20.0,
        gt=0,
        description="A WebSocket client that does not answer a ping within this is dropped.",
    )
    ws_presence_ttl_seconds: float = Field(
        default=60.0,
        ge=1,
        description="How long a connection counts as present without a refresh (refreshed "
        "every third of this while connected).",
    )
    ws_compression: bool = Field(
        default=False,
        description="Offer permessage-deflate on WebSockets (saves bandwidth, costs CPU per "
        "connection and message).",
    )
    job_modules: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Extra Python modules (comma-separated) whose `register(registry)` adds "
        "job handlers and schedules.",
    )

    @field_validator("cors_origins", "job_modules", "trusted_proxies", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("escrow_release_reminder_days", mode="before")
    @classmethod
    def _split_days(cls, value: Any) -> Any:
        if isinstance(value, str):  # "7,2", or "[7, 2]" as a child process is handed it
            return [int(part) for part in value.strip("[] ").split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _check_reminders(self) -> Self:
        for day in self.escrow_release_reminder_days:
            if not 1 <= day < self.escrow_auto_release_days:
                raise ValueError(
                    "escrow_release_reminder_days must lie between 1 and "
                    "escrow_auto_release_days - 1"
                )
        return self

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "is not a database URL; expected sqlite:///PATH or postgresql://USER@HOST/DB"
            ) from None
        if url.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError(
                f"uses {url.get_backend_name()!r}; only sqlite and postgresql are supported"
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("is not a Redis URL; expected redis://HOST:PORT/DB")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network") from None
        return value

    @field_validator(
        "login_failures_per_account", "login_attempts_per_ip", "signups_per_ip",
        "password_resets_per_ip", "ws_message_rate",
    )  # fmt: skip
    @classmethod
    def _check_rate(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate such as 10/minute") from None
        return value

    @field_validator("cors_origins")
    @classmethod
    def _check_origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ValueError(f"{origin!r} is not an origin like https://example.org")
        return [origin.rstrip("/") for origin in value]

    @model_validator(mode="after")
    def _check_files(self) -> Self:
        if self.files_backend is FilesBackend.S3 and not self.s3_bucket:
            raise ValueError(f"{ENV_PREFIX}S3_BUCKET must be set when the files backend is s3")
        return self

    @field_validator(
        "oauth_google_issuer", "oauth_github_base_url", "oauth_github_api_url",
        "oauth_linkedin_issuer",
    )  # fmt: skip
    @classmethod
    def _check_oauth_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _check_stripe(self) -> Self:
        if self.payment_processor is PaymentProcessorKind.STRIPE:
            for name in ("stripe_api_key", "stripe_webhook_secret"):
                value: SecretStr | None = getattr(self, name)
                if value is None or not value.get_secret_value():
                    raise ValueError(
                        f"{ENV_PREFIX}{name.upper()} must be set when the payment processor "
                        "is stripe"
                    )
        return self

    @model_validator(mode="after")
    def _check_search(self) -> Self:
        if self.search_backend is SearchBackendKind.MEILISEARCH and not self.meilisearch_url:
            raise ValueError(
                f"{ENV_PREFIX}MEILISEARCH_URL must be set when the search backend is meilisearch"
            )
        return self

    @model_validator(mode="after")
    def _check_oauth_clients(self) -> Self:
        for provider in OAUTH_PROVIDER_NAMES:
            client_id = getattr(self, f"oauth_{provider}_client_id")
            if client_id and getattr(self, f"oauth_{provider}_client_secret") is None:
                raise ValueError(
                    f"{ENV_PREFIX}OAUTH_{provider.upper()}_CLIENT_SECRET must be set with "
                    f"{ENV_PREFIX}OAUTH_{provider.upper()}_CLIENT_ID"
                )
        return self

    @model_validator(mode="after")
    def _check_production(self) -> Self:
        if self.mode is Mode.PRODUCTION:
            secret = self.secret_key.get_secret_value() if self.secret_key else ""
            if not secret or secret == DEV_SECRET_KEY:
                raise ValueError(
                    f"{ENV_PREFIX}SECRET_KEY must be set to your own secret in production mode"
                )
            if len(secret) < MIN_SECRET_KEY_LENGTH:
                raise ValueError(
                    f"{ENV_PREFIX}SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters"
                )
        return self

    @property
    def effective_secret_key(self) -> str:
        """The secret in force: the configured one, or the built-in one in dev mode."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return DEV_SECRET_KEY

    @property
    def api_docs_enabled(self) -> bool:
        if self.docs_enabled is not None:
            return self.docs_enabled
        return self.mode is Mode.DEV

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.database_url).get_backend_name() == "sqlite"

    def masked(self) -> dict[str, Any]:
        """The effective settings as plain data, with secrets and passwords masked."""
        data = self.model_dump(mode="json")
        for name in (
            "secret_key", "smtp_password", "s3_secret_access_key", "stripe_api_key",
            "stripe_webhook_secret", "stripe_connect_webhook_secret",
        ):  # fmt: skip
            if data.get(name):
                data[name] = "********"
        for provider in OAUTH_PROVIDER_NAMES:
            if data.get(f"oauth_{provider}_client_secret"):
                data[f"oauth_{provider}_client_secret"] = "********"
        for name in ("database_url", "redis_url"):
            if data.get(name):
                data[name] = mask_url_password(data[name])
        return data


def mask_url_password(url: str) -> str:
    """``postgresql://u:pw@h/db`` → ``postgresql://u:***@h/db``."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "********"
    if parsed.password:
        return parsed.render_as_string(hide_password=True)
    return url


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment (and ``.env``); fail with one clear message.

    ``overrides`` take precedence over the environment (used by the CLI flags and tests).
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            location = [str(part) for part in error["loc"]]
            message = str(error["msg"]).removeprefix("Value error, ")
            if location:
                problems.append(f"{ENV_PREFIX}{location[0].upper()}: {message}")
            else:
                problems.append(message)
        raise ConfigurationError(
            "invalid settings:\n  " + "\n  ".join(problems), problems=problems
        ) from None
