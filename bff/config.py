"""Settings from `BFF_*` environment variables, validated once at start-up."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789"
DEV_WEBANK_SECRET = "dev-only-webank-secret-0123456789"

HttpUrl = Annotated[str, Field(pattern=r"^https?://[^\s/]+(/\S*)?$")]


class ConfigError(Exception):
    """A missing or malformed setting; the message names the variable and what is expected."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BFF_", extra="ignore", frozen=True)

    database_url: str = "sqlite://bff.sqlite3"
    redis_url: str | None = None
    redis_channel_prefix: str = Field(
        default="bff:",
        min_length=1,
        description="prefix of the Redis pub/sub channels; deployments sharing one Redis need their own",
    )
    jwt_secret: str = Field(default=DEV_JWT_SECRET, min_length=32)
    jwt_audience: str | None = None
    webank_app_id: str = "xinrongbao-dev"
    webank_secret: str = Field(default=DEV_WEBANK_SECRET, min_length=16)
    mall_url: HttpUrl = "http://127.0.0.1:9100/mall"
    mro_url: HttpUrl = "http://127.0.0.1:9100/mro"
    webank_url: HttpUrl = "http://127.0.0.1:9100/webank"

    upstream_connect_timeout: float = Field(default=2.0, gt=0)
    upstream_read_timeout: float = Field(default=5.0, gt=0)
    upstream_total_timeout: float = Field(default=10.0, gt=0)

    ratio_pending_shipment: Decimal = Field(default=Decimal("0.5"), gt=0, le=1)
    ratio_processing: Decimal = Field(default=Decimal("0.8"), gt=0, le=1)
    ratio_pending_receipt: Decimal = Field(default=Decimal("0.8"), gt=0, le=1)

    application_ttl_hours: float = Field(
        default=72,
        gt=0,
        description="hours after which an order-financing application WeBank never turned into a loan expires",
    )
    outbox_interval: float = Field(default=1.0, gt=0, description="seconds between outbox delivery passes")
    reconcile_interval: float = Field(
        default=900,
        gt=0,
        description="seconds between reconciliations of every admitted supplier with WeBank (the first "
        "runs one interval after start)",
    )
    sms_url: HttpUrl | None = Field(
        default=None,
        description="the SMS gateway notices are sent through (POST {phone, text}); unset: no SMS is sent",
    )
    email_url: HttpUrl | None = Field(
        default=None,
        description="the e-mail gateway notices are sent through (POST {to, subject, body}); unset: no e-mail",
    )
    message_rate_per_hour: int = Field(
        default=10, gt=0, description="SMS (and, apart, e-mails) sent to one supplier's handler in any hour"
    )
    due_soon_interval: float = Field(
        default=3600,
        gt=0,
        description="seconds between passes of the DUE_SOON job (还款提醒, 5 days before each due date)",
    )
    push_give_up_hours: float = Field(
        default=24,
        gt=0,
        description="hours a push to WeBank is retried (from when it was written) before it fails as "
        "PUSH_GAVE_UP and the graph shows its pushError",
    )
    shutdown_timeout: int = Field(
        default=20,
        gt=0,
        description="seconds a stopping server waits for in-flight requests before closing them",
    )

    max_body_bytes: int = Field(
        default=262144, gt=0, description="larger request bodies are refused with 413 before they are read"
    )
    # Production defaults (`bff serve`): the schema and the IDE are not shown to anyone who asks, and
    # metrics only to the scraper holding the token. `bff demo` turns all three on.
    introspection: bool = False
    graphiql: bool = False
    demo_token: str | None = Field(
        default=None,
        description="bff demo only: the supplier token GraphiQL's headers editor and the portal start with",
    )
    portal: bool = Field(default=False, description="serve the reference portal at /portal (bff demo: on)")
    persisted_only: bool = Field(
        default=False,
        description="run only the documents of operations/ (by hash or text); others: PERSISTED_QUERY_NOT_IN_LIST",
    )
    metrics_token: str | None = Field(default=None, description="bearer token /metrics requires; unset: 404")
    metrics_public: bool = Field(default=False, description="serve /metrics without a token (bff demo)")
    database_timeout: float = Field(
        default=5.0,
        gt=0,
        description="seconds a PostgreSQL connect, pool acquisition or statement may take before it fails",
    )

    max_query_cost: int = Field(
        default=5000,
        gt=0,
        description="static cost above which an operation is refused (QUERY_TOO_COMPLEX) before it runs",
    )
    cost_budget: int = Field(
        default=20000, gt=0, description="points in each supplier's budget (THROTTLED when spent)"
    )
    cost_restore_per_second: float = Field(
        default=500, gt=0, description="points a spent budget gets back each second"
    )
    max_query_tokens: int = Field(
        default=5000, gt=0, description="lexical tokens above which a document is refused unparsed"
    )

    document_url_ttl: int = Field(
        default=300, gt=0, description="seconds a Document.downloadUrl stays valid (then 404)"
    )
    public_url: HttpUrl | None = Field(
        default=None,
        description="the BFF's public base URL (e.g. https://bff.example.com) that download links start with; "
        "unset: links are relative (/documents/…), never built from a request's Host header",
    )

    log_level: str = "INFO"

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgres://", "postgresql://")):
            raise ValueError("must start with sqlite:// or postgres://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _known_redis(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://")
        return value

    @field_validator("metrics_token")
    @classmethod
    def _usable_token(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if len(value) < 16 or value != value.strip():
            raise ValueError("must be at least 16 characters, without surrounding whitespace")
        return value

    @property
    def uses_dev_secrets(self) -> bool:
        return self.jwt_secret == DEV_JWT_SECRET or self.webank_secret == DEV_WEBANK_SECRET


def load_settings(**overrides: object) -> Settings:
    """Read the environment; a bad value becomes one `ConfigError` naming every offending variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "BFF_" + "_".join(str(part) for part in error["loc"]).upper()
            problems.append(f"{name}: {error['msg']}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems)) from None
