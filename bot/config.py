"""Settings: ``config.yaml`` validated with pydantic, ``${ENV}`` expanded, ``WXBOT_*`` overrides.

Order of precedence (highest first): ``WXBOT_A__B`` environment variables, then the YAML
file named by ``WXBOT_CONFIG`` (default ``./config.yaml``, else the one shipped beside the
package), then the defaults below.
"""

from __future__ import annotations

import ipaddress
import os
import re
import zoneinfo
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(Exception):
    """A configuration that cannot start the service; ``problems`` holds one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MenuButton(_Section):
    name: str
    key: str | None = None
    url: str | None = None
    intent: str | None = None
    sub: list[MenuButton] = Field(default_factory=list)


class MpSettings(_Section):
    app_id: str
    app_secret: str
    token: str
    encoding_aes_key: str | None = None
    api_base_url: str = "https://api.weixin.qq.com"
    reply_budget_s: float = Field(4.0, gt=0, le=4.8)
    transfer_customer_service: bool = False
    template_ids: dict[str, str] = Field(default_factory=dict)
    menu: list[MenuButton] = Field(default_factory=list)
    # The account's 消息加解密方式: plain | compatible | safe (default: safe with a key).
    message_mode: Literal["plain", "compatible", "safe"] | None = None

    @field_validator("encoding_aes_key")
    @classmethod
    def _aes_key_len(cls, v: str | None) -> str | None:
        if v and len(v) != 43:
            raise ValueError("must be 43 characters (WeChat's EncodingAESKey)")
        return v

    @model_validator(mode="after")
    def _mode_needs_key(self) -> MpSettings:
        if self.message_mode in ("compatible", "safe") and not self.encoding_aes_key:
            raise ValueError(f"message_mode {self.message_mode} needs mp.encoding_aes_key")
        return self

    @property
    def mode(self) -> str:
        """The message mode in force: ``message_mode``, else safe with a key, else plain."""
        return self.message_mode or ("safe" if self.encoding_aes_key else "plain")


class WorkSettings(_Section):
    corp_id: str
    agent_id: int
    secret: str
    token: str
    encoding_aes_key: str
    api_base_url: str = "https://qyapi.weixin.qq.com"
    contact_secret: str | None = None
    group_admins: list[str] = Field(default_factory=list)
    robot_per_minute: int = Field(20, gt=0)
    # WeCom callbacks are always encrypted: both modes refuse a body without Encrypt.
    message_mode: Literal["compatible", "safe"] = "safe"

    @field_validator("encoding_aes_key")
    @classmethod
    def _aes_key_len(cls, v: str) -> str:
        if len(v) != 43:
            raise ValueError("must be 43 characters (WeCom's EncodingAESKey)")
        return v


class DatabaseSettings(_Section):
    url: str = "sqlite+aiosqlite:///var/wxbot.db"
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _supported(cls, v: str) -> str:
        if not (v.startswith("sqlite") or v.startswith("postgresql")):
            raise ValueError("must be a sqlite+aiosqlite:// or postgresql+asyncpg:// URL")
        return v


class RedisSettings(_Section):
    url: str | None = None


class SecuritySettings(_Section):
    max_clock_skew_s: int = Field(300, ge=0)
    max_body_bytes: int = Field(65536, gt=0)


class HealthSettings(_Section):
    min_free_disk_mb: int = Field(100, ge=0)


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, gt=0, lt=65536)
    # reverse proxies whose X-Forwarded-For is believed (IPs or CIDRs); see bot/web/client_ip.py
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip().startswith("["):
            v = yaml.safe_load(v)  # WXBOT_SERVER__TRUSTED_PROXIES='["10.0.0.1"]'
        elif isinstance(v, str):  # WXBOT_SERVER__TRUSTED_PROXIES="10.0.0.1, 10.1.0.0/16"
            v = [part.strip() for part in v.split(",") if part.strip()]
        for item in v or []:
            try:
                ipaddress.ip_network(str(item).strip(), strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network") from None
        return v

    # A connection must finish its request headers (and a webhook its body) within this.
    header_timeout_s: float = Field(15.0, gt=0)


class MetricsSettings(_Section):
    # Bearer token for GET /metrics; without one, only this machine may read it.
    token: str | None = None


class Settings(BaseSettings):
    """Every knob of the service. Sections beyond the contract's are free-form dicts that
    their own modules validate (``care``, ``catalog``, ``trade_in``, ``nlu``, ``dialog``…)."""

    model_config = SettingsConfigDict(
        env_prefix="WXBOT_",
        env_nested_delimiter="__",
        case_sensitive=False,
        extra="forbid",
    )

    mp: MpSettings
    work: WorkSettings
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    timezone: str = "Asia/Shanghai"
    sandbox: bool = True
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    service: dict[str, Any] = Field(default_factory=dict)
    nlu: dict[str, Any] = Field(default_factory=dict)
    dialog: dict[str, Any] = Field(default_factory=dict)
    catalog: dict[str, Any] = Field(default_factory=dict)
    trade_in: dict[str, Any] = Field(default_factory=dict)
    care: dict[str, Any] = Field(default_factory=dict)
    groups: list[dict[str, Any]] = Field(default_factory=list)
    admin: dict[str, Any] = Field(default_factory=dict)
    scrm: dict[str, Any] = Field(default_factory=dict)  # tags, campaigns (bot/scrm/settings.py)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r}") from exc
        return v

    @model_validator(mode="after")
    def _admin_session_store(self) -> Settings:
        store = str((self.admin or {}).get("session_store", "database"))
        if store not in ("database", "redis"):
            raise ValueError(f"admin.session_store must be database or redis, not {store!r}")
        if store == "redis" and not self.redis.url:
            raise ValueError("admin.session_store is redis but redis.url is not set")
        return self

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # init kwargs carry the YAML file; the environment wins over it.
        return (env_settings, init_settings)


def config_path() -> Path:
    named = os.environ.get("WXBOT_CONFIG")
    if named:
        return Path(named)
    local = Path.cwd() / "config.yaml"
    return local if local.exists() else REPO_ROOT / "config.yaml"


def _expand(value: Any, where: str, problems: list[str]) -> Any:
    if isinstance(value, dict):
        return {
            k: _expand(v, f"{where}.{k}" if where else str(k), problems) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_expand(v, f"{where}[{i}]", problems) for i, v in enumerate(value)]
    if isinstance(value, str):

        def sub(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            problems.append(f"{where}: environment variable {name} is not set")
            return ""

        return _ENV_REF.sub(sub, value)
    return value


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: config file not found"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read ({exc.strerror})"]) from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError([f"{path}: not valid YAML{at}: {getattr(exc, 'problem', exc)}"]) from None
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: the top level must be a mapping of keys"])
    return data


def load_settings(path: Path | str | None = None, **overrides: Any) -> Settings:
    """Load, expand and validate. Raises :class:`ConfigError` with one line per problem."""
    p = Path(path) if path else config_path()
    data = _read_yaml(p)
    problems: list[str] = []
    data = _expand(data, "", problems)
    if problems:
        raise ConfigError(problems)
    data = _deep_merge(data, overrides)
    try:
        return Settings(**data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = ".".join(str(part) for part in err["loc"]) or "(top level)"
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            elif err["type"] == "missing":
                msg = "required key is missing"
            lines.append(f"{key}: {msg}")
        raise ConfigError(lines) from None


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = v
    return out
