"""All settings in one typed object: flags > environment > `$LOKI_HOME/config.yaml` > defaults.

`load_settings()` is the only way to build one; it turns every bad value into a `ConfigError`
whose message names the setting and where the value came from, so start-up can print one
clear line instead of a traceback.
"""

from __future__ import annotations

import ipaddress
import os
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEFAULT_PORT = 57374

# Environment name of each field; the YAML file accepts either this or the field name.
ENV_NAMES: dict[str, str] = {
    "home": "LOKI_HOME",
    "database_url": "LOKI_DATABASE_URL",
    "host": "LOKI_DASHBOARD_HOST",
    "port": "LOKI_DASHBOARD_PORT",
    "token": "LOKI_DASHBOARD_TOKEN",
    "log_level": "LOKI_LOG_LEVEL",
    "ws_heartbeat_seconds": "LOKI_WS_HEARTBEAT_SECONDS",
    "ws_max_connections": "LOKI_WS_MAX_CONNECTIONS",
    "ws_client_queue": "LOKI_WS_CLIENT_QUEUE",
    "ws_replay_size": "LOKI_WS_REPLAY_SIZE",
    "ws_implementation": "LOKI_WS_IMPLEMENTATION",
    "ws_per_message_deflate": "LOKI_WS_PER_MESSAGE_DEFLATE",
    "sse_max_connections": "LOKI_SSE_MAX_CONNECTIONS",
    "max_concurrent_requests": "LOKI_MAX_CONCURRENT_REQUESTS",
    "max_concurrent_writes": "LOKI_MAX_CONCURRENT_WRITES",
    "watcher_enabled": "LOKI_WATCHER_ENABLED",
    "import_registry": "LOKI_IMPORT_REGISTRY",
    "reconcile_seconds": "LOKI_RECONCILE_SECONDS",
    "runner_command": "LOKI_RUNNER_COMMAND",
    "runner_commands": "LOKI_RUNNER_COMMANDS",
    "require_token": "LOKI_REQUIRE_TOKEN",
    "max_body_bytes": "LOKI_MAX_BODY_BYTES",
    "log_retention_days": "LOKI_LOG_RETENTION_DAYS",
    "log_retention_lines": "LOKI_LOG_RETENTION_LINES",
    "retention_interval_seconds": "LOKI_RETENTION_INTERVAL_SECONDS",
    "trusted_proxies": "LOKI_TRUSTED_PROXIES",
    "cors_origins": "LOKI_CORS_ORIGINS",
}
# The command-line flag that sets a field, for error messages.
FLAG_NAMES: dict[str, str] = {"database_url": "--db", "host": "--host", "port": "--port"}

_yaml_values: ContextVar[dict[str, Any] | None] = ContextVar("_yaml_values", default=None)


class ConfigError(Exception):
    """A setting has a value the dashboard cannot run with; the message is one actionable line."""


class _YamlSource(PydanticBaseSettingsSource):
    """Feeds the already-parsed `config.yaml` into pydantic-settings at the lowest precedence."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:  # noqa: ARG002
        values = _yaml_values.get() or {}
        return values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        values = _yaml_values.get() or {}
        return {ENV_NAMES[name]: value for name, value in values.items()}


class Settings(BaseSettings):
    """Runtime configuration of one dashboard process."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    home: Path = Field(default_factory=lambda: Path.home() / ".loki", alias="LOKI_HOME")
    database_url: str = Field(default="", alias="LOKI_DATABASE_URL")
    host: str = Field(default="127.0.0.1", alias="LOKI_DASHBOARD_HOST", min_length=1)
    port: int = Field(default=DEFAULT_PORT, alias="LOKI_DASHBOARD_PORT", ge=1, le=65535)
    token: SecretStr | None = Field(default=None, alias="LOKI_DASHBOARD_TOKEN")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", alias="LOKI_LOG_LEVEL"
    )
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    # Real-time delivery: heartbeat period, connection cap, per-client outgoing queue (messages
    # a client may fall behind before it is closed with 1013) and events kept per channel for
    # `subscribe {since}` replay.
    ws_heartbeat_seconds: float = Field(default=15.0, alias="LOKI_WS_HEARTBEAT_SECONDS", gt=0)
    ws_max_connections: int = Field(default=2000, alias="LOKI_WS_MAX_CONNECTIONS", ge=1)
    ws_client_queue: int = Field(default=2000, alias="LOKI_WS_CLIENT_QUEUE", ge=1)
    ws_replay_size: int = Field(default=5000, alias="LOKI_WS_REPLAY_SIZE", ge=1)
    # uvicorn's WebSocket implementation and compression. The defaults are the cheapest server
    # CPU per delivery measured by bench/realtime.py; deflate only pays on slow remote links.
    ws_implementation: Literal["websockets-sansio", "websockets", "wsproto"] = Field(
        default="websockets-sansio", alias="LOKI_WS_IMPLEMENTATION"
    )
    ws_per_message_deflate: bool = Field(default=False, alias="LOKI_WS_PER_MESSAGE_DEFLATE")
    # Open live log streams (server-sent events) per process; more are answered 503.
    sse_max_connections: int = Field(default=1000, alias="LOKI_SSE_MAX_CONNECTIONS", ge=1)
    # Load shedding, per process (see api/load_shed.py): HTTP requests handled at once, and
    # changes among them; one more gets 503 at once instead of a place in a growing queue.
    max_concurrent_requests: int = Field(default=256, alias="LOKI_MAX_CONCURRENT_REQUESTS", ge=1)
    max_concurrent_writes: int = Field(default=64, alias="LOKI_MAX_CONCURRENT_WRITES", ge=1)
    # Watch every project's .loki/ folder and mirror it into the database.
    watcher_enabled: bool = Field(default=True, alias="LOKI_WATCHER_ENABLED")
    # Import the projects runs registered in $LOKI_HOME/dashboard/projects.json.
    import_registry: bool = Field(default=True, alias="LOKI_IMPORT_REGISTRY")
    # Seconds between reconciliation scans, which catch events the kernel dropped.
    reconcile_seconds: float = Field(default=45.0, ge=1, le=3600, alias="LOKI_RECONCILE_SECONDS")
    # What `POST /api/sessions` runs in the project folder; {prd} is the PRD's absolute path
    # (left out when none is given), {provider} the provider. `--` ends the runner's options,
    # so nothing after it is ever read as one.
    runner_command: str = Field(default="loki start -- {prd}", alias="LOKI_RUNNER_COMMAND")
    # Other commands a project may choose as its config.runner_command (an admin sets it). The
    # runner command is operator configuration: nothing from a request can name a new one.
    runner_commands: list[str] = Field(default_factory=list, alias="LOKI_RUNNER_COMMANDS")
    # The largest request body accepted (413 beyond). Human input may be 1 MiB of text, which
    # JSON escaping can make up to six times longer: the default leaves room for that.
    max_body_bytes: int = Field(
        default=8 * 1024 * 1024, ge=2 * 1024 * 1024, le=1024**3, alias="LOKI_MAX_BODY_BYTES"
    )
    # Log lines (the run's events.jsonl records among them) kept: younger than so many days,
    # and at most so many per project (0: no limit of that kind); pruned every so many seconds.
    log_retention_days: float = Field(default=30.0, ge=0, alias="LOKI_LOG_RETENTION_DAYS")
    log_retention_lines: int = Field(default=1_000_000, ge=0, alias="LOKI_LOG_RETENTION_LINES")
    retention_interval_seconds: float = Field(
        default=600.0, ge=1, le=86_400, alias="LOKI_RETENTION_INTERVAL_SECONDS"
    )
    # Shared machines, where other users can reach 127.0.0.1: tokens even for loopback.
    require_token: bool = Field(default=False, alias="LOKI_REQUIRE_TOKEN")
    # Reverse proxies (addresses or networks) whose X-Forwarded-For is believed, comma-separated.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="LOKI_TRUSTED_PROXIES"
    )
    # Browser origins (scheme://host:port) allowed to call the API with a token; never "*".
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="LOKI_CORS_ORIGINS"
    )

    @field_validator("trusted_proxies", "cors_origins", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies", mode="after")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for proxy in value:
            ipaddress.ip_network(proxy, strict=False)  # ValueError names the bad entry
        return value

    @field_validator("cors_origins", mode="after")
    @classmethod
    def _no_wildcard(cls, value: list[str]) -> list[str]:
        if "*" in value:
            raise ValueError("'*' would let any website call the API; list the origins")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _YamlSource(settings_cls))

    @field_validator("home", mode="after")
    @classmethod
    def _absolute_home(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower_level(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("database_url", mode="after")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        return normalise_database_url(value) if value else ""

    @model_validator(mode="after")
    def _default_database_url(self) -> Settings:
        if not self.database_url:
            default = normalise_database_url(f"sqlite:///{self.home / 'dashboard.db'}")
            object.__setattr__(self, "database_url", default)
        return self

    @property
    def database_kind(self) -> Literal["sqlite", "postgresql"]:
        return "sqlite" if self.database_url.startswith("sqlite") else "postgresql"

    @property
    def sqlite_path(self) -> Path | None:
        if self.database_kind != "sqlite":
            return None
        return Path(self.database_url.split(":///", 1)[1])

    @property
    def allowed_runner_commands(self) -> tuple[str, ...]:
        """Every command a session may be started with: the default, then the listed ones."""
        return tuple(dict.fromkeys([self.runner_command, *self.runner_commands]))

    @property
    def is_loopback(self) -> bool:
        """Bound to a loopback address only: `localhost` or a literal loopback IP. A DNS name is
        never taken on trust (`127.evil.example` resolves wherever its owner likes)."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host.strip("[]")).is_loopback
        except ValueError:
            return False


def normalise_database_url(url: str) -> str:
    """Map the URL forms people type onto the async drivers we ship; refuse anything else."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"'{url}' is not a URL; use sqlite:///path/to/file.db or postgresql://…")
    scheme = scheme.lower()
    if scheme in {"sqlite", "sqlite+aiosqlite"}:
        path = rest[1:] if rest.startswith("/") else rest
        if not path or path == ":memory:" or path.startswith("file:"):
            raise ValueError(
                "an in-memory or URI SQLite database would lose everything; give a file path"
            )
        return f"sqlite+aiosqlite:///{Path(path).expanduser().resolve()}"
    if scheme in {"postgresql", "postgres", "postgresql+asyncpg"}:
        return f"postgresql+asyncpg://{rest}"
    raise ValueError(
        f"unknown scheme '{scheme}'; use sqlite:///path/to/file.db or postgresql://user@host/db"
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"{path}: malformed YAML{where}; fix or remove the file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of setting: value at the top level")
    values: dict[str, Any] = {}
    aliases = {env: name for name, env in ENV_NAMES.items()}
    for key, value in data.items():
        name = aliases.get(str(key), str(key))
        if name in ENV_NAMES:
            values[name] = value
    return values


def _origin(
    field: str, overrides: dict[str, Any], yaml_values: dict[str, Any], yaml_path: Path
) -> str:
    if field in overrides:
        return f"flag {FLAG_NAMES.get(field, field)}"
    env_name = ENV_NAMES.get(field)
    if env_name and env_name in os.environ:
        return f"environment variable {env_name}"
    if field in yaml_values:
        return str(yaml_path)
    return "the default"


def _check_writable_folder(folder: Path, setting: str, origin: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"{setting} (from {origin}): cannot create folder {folder} ({exc.strerror})"
        ) from None
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"{setting} (from {origin}): folder {folder} is not writable")


def load_settings(**overrides: Any) -> Settings:
    """Build validated settings; `overrides` are command-line flags (None means not given)."""
    overrides = {k: v for k, v in overrides.items() if v is not None}
    home_raw = overrides.get("home") or os.environ.get("LOKI_HOME") or Path.home() / ".loki"
    yaml_path = Path(home_raw).expanduser() / "config.yaml"
    yaml_values = _read_yaml(yaml_path)
    token = _yaml_values.set(yaml_values)
    try:
        settings = Settings(**{ENV_NAMES.get(k, k): v for k, v in overrides.items()})
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = str(error["loc"][0]) if error["loc"] else "settings"
        field = next((name for name, env in ENV_NAMES.items() if env == loc), loc)
        origin = _origin(field, overrides, yaml_values, yaml_path)
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{ENV_NAMES.get(field, field)} (from {origin}): {message}") from None
    finally:
        _yaml_values.reset(token)
    _check_writable_folder(
        settings.home, "LOKI_HOME", _origin("home", overrides, yaml_values, yaml_path)
    )
    if settings.sqlite_path is not None:
        _check_writable_folder(
            settings.sqlite_path.parent,
            "LOKI_DATABASE_URL",
            _origin("database_url", overrides, yaml_values, yaml_path),
        )
    return settings


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once; tests and the CLI build their own instead."""
    return load_settings()
