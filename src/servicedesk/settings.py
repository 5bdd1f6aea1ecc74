"""One Settings object, read from the environment."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

VAR_DIR = Path("var")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///var/servicedesk.db"
    queue_url: str = "sqlite:///var/queue.db"
    # Several desks (or test runs) can share one Redis when each has its own queue name.
    queue_name: str = "servicedesk"
    smtp_url: str = ""
    mail_from: str = "Support <support@desk.example>"
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "UTC"
    auto_close_days: int = Field(default=4, ge=1)
    repeat_contact_hours: int = Field(default=168, ge=1)
    csat_delay_minutes: int = Field(default=0, ge=0)
    csat_fatigue_days: int = Field(default=0, ge=0)
    max_body_bytes: int = 1_048_576
    mail_max_attempts: int = 5
    mail_retry_delay_seconds: int = 30
    login_attempts_per_minute: int = 10
    # Argon2id's cost for password hashes: argon2-cffi's defaults (RFC 9106's second
    # recommended profile: 3 passes over 64 MiB). Lower only where hashing time matters
    # more than the cost of guessing (the test suite sets the least). Hashes made with
    # other costs still verify: the cost is written in each hash.
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65536, ge=32)  # Argon2: >= 8 per lane, 4 lanes
    # Email in (servicedesk.channels, docs/channels.md).
    data_dir: Path = VAR_DIR  # attachments are stored under DATA_DIR/attachments
    inbound_addresses: str = ""  # comma-separated: the addresses `mail listen` accepts
    imap_mailboxes: str = ""  # space-separated imap://user:password@host:port/INBOX URLs
    imap_poll_seconds: int = Field(default=60, ge=1)
    mail_max_bytes: int = 30 * 1_048_576  # the largest raw message the HTTP door takes
    mail_attachment_max_bytes: int = 20 * 1_048_576  # larger files are listed, not stored
    mail_per_sender_per_hour: int = Field(default=30, ge=1)  # more is flagged as a loop
    mail_raw_keep_days: int = Field(default=30, ge=1)
    # Delivered domain events and webhook deliveries are deleted after this many days
    # (outbox.service.prune_delivered); emails are kept.
    outbox_keep_days: int = Field(default=30, ge=1)
    # The rules' run log is deleted after this many days (automation.rules.service.prune_runs),
    # but for the runs of an event that may still be delivered again.
    rule_run_keep_days: int = Field(default=180, ge=1)

    # The web form (docs/channels.md): the origins (scheme://host[:port], comma-separated)
    # whose pages may post it from a browser, besides BASE_URL's own; and the posts one
    # email address or one client IP may make in an hour.
    form_allowed_origins: str = ""
    form_per_address_per_hour: int = Field(default=10, ge=1)
    # Chat and social bridges sign their posts; a signature older (or newer) than this is
    # refused, so a captured request cannot be replayed later.
    channel_signature_tolerance_seconds: int = Field(default=300, ge=1)

    def form_origins(self) -> set[str]:
        origins = {o.strip().rstrip("/").lower() for o in self.form_allowed_origins.split(",")}
        parts = urlsplit(self.base_url)
        origins.add(f"{parts.scheme}://{parts.netloc}".lower())
        return {o for o in origins if o}

    def inbound_address_list(self) -> list[str]:
        return [a.strip().lower() for a in self.inbound_addresses.split(",") if a.strip()]

    # Webhooks to loopback, private or link-local addresses are refused unless this is set
    # (a test receiver on 127.0.0.1, or an intranet service on purpose).
    # Phone numbers written without a country code are read as national numbers of this
    # region (ISO 3166 code; empty: only international form is accepted).
    phone_region: str = "GB"
    # A CTI call.started continues the caller's open phone ticket updated within this many
    # hours; otherwise it opens a new ticket.
    phone_ticket_hours: int = Field(default=24, ge=0)
    webhook_allow_private: bool = False
    # A row a worker claimed this long ago and never finished was left by a dead worker.
    outbox_stale_claim_seconds: int = Field(default=600, ge=1)
    # Emails handed to SMTP in one connection before it is closed and a new one opened.
    smtp_batch_size: int = Field(default=100, ge=1)
    # SMTP connections a worker sends a batch's emails over at once (docs/email.md).
    smtp_connections: int = Field(default=4, ge=1, le=50)
    # Frequency cap of marketing email: at most N emails per D days (0: no cap).
    marketing_cap_emails: int = Field(default=0, ge=0)
    marketing_cap_days: int = Field(default=0, ge=0)
    # Sales leads (docs/sales.md): the pipeline's stages in order (comma-separated; must
    # include won and lost, the closed ones), the team whose agents own new leads in turn
    # (a name; empty: none), the currency of a lead that names none, and how many days
    # after a campaign email a new lead of its recipient counts for that campaign.
    lead_stages: str = "new,qualified,proposal,won,lost"
    sales_team: str = ""
    sales_currency: str = "EUR"
    lead_attribution_days: int = Field(default=30, ge=0)
    # The customer journey's stages, in funnel order, comma-separated (docs/journeys.md).
    journey_stages: str = (
        "awareness,consideration,purchase,onboarding,support,loyal,at risk,churned"
    )

    def journey_stage_list(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.strip() for s in self.journey_stages.split(",") if s.strip()))

    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated once into var/ (never committed)."""
        if self.secret_key:
            return self.secret_key
        path = VAR_DIR / "secret_key"
        if not path.exists():
            VAR_DIR.mkdir(exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
