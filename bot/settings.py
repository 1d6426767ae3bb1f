"""One Settings object, built at start-up (in the CLI's main), never at import time."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.limits import IngestLimits

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"


def _default_data_dir() -> Path:
    return Path(user_data_dir("resbot", appauthor=False))


class Settings(BaseSettings):
    """Runtime configuration from the environment (``RESBOT_*``, ``SLACK_*``) and CLI flags."""

    model_config = SettingsConfigDict(env_prefix="RESBOT_", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default_factory=_default_data_dir)
    store: Path | None = Field(
        default=None, description="local Chroma store; default DATA_DIR/store"
    )
    chroma_url: str | None = Field(
        default=None, description="Chroma server, e.g. http://chroma:8000"
    )
    collection: str = "resbot"
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    # Small batches are faster on CPU (less padding); see eval/reports/bench.md.
    embedding_batch_size: int = 16
    k: int = 5

    # Optional LLM answerer: an OpenAI-compatible endpoint or Ollama.
    llm_provider: str | None = Field(default=None, description="openai | ollama | none")
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("RESBOT_LLM_API_KEY", "OPENAI_API_KEY")
    )
    llm_timeout_s: float = 60.0
    prompts_dir: Path | None = Field(default=None, description="folder with the prompt files")

    # Slack (names fixed by Slack convention, not prefixed).
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "slack_bot_token")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "slack_signing_secret")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "slack_app_token")
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        validation_alias=AliasChoices("SLACK_API_URL", "slack_api_url"),
    )
    slack_allowed_channels: str | None = Field(
        default=None,
        validation_alias=AliasChoices("RESBOT_SLACK_ALLOWED_CHANNELS", "slack_allowed_channels"),
    )
    # Seconds a question may spend bringing the mandate table up to date before it answers from
    # the table as it stands (the rest is read by the following questions).
    mandate_sync_seconds: float = 5.0
    slack_max_question_chars: int = 2000
    slack_rate_per_minute: int = 10
    slack_channel_rate_per_minute: int = 30
    slack_allow_dm: bool = True

    # Per-file budgets of the ingest (see ingest/limits.py); a file over one fails alone.
    ingest_timeout_s: float = 60.0
    ingest_memory_mb: int = 1536
    ingest_max_pages: int = 400
    ingest_max_glyphs: int = 600_000
    ingest_max_inflated_mb: int = 64
    ingest_max_paragraphs: int = 10_000
    ingest_max_footnote_refs: int = 20_000
    ingest_max_footnote_chars: int = 2_000_000

    def ingest_limits(self) -> IngestLimits:
        return IngestLimits(
            seconds=self.ingest_timeout_s,
            memory_mb=self.ingest_memory_mb,
            pages=self.ingest_max_pages,
            glyphs=self.ingest_max_glyphs,
            inflated_mb=self.ingest_max_inflated_mb,
            paragraphs=self.ingest_max_paragraphs,
            footnote_refs=self.ingest_max_footnote_refs,
            footnote_total_chars=self.ingest_max_footnote_chars,
        )

    @property
    def store_path(self) -> Path:
        return self.store if self.store is not None else self.data_dir / "store"

    @property
    def server_mode(self) -> bool:
        return bool(self.chroma_url)
