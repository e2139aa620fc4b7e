"""Load and validate the club's YAML config.

The config is validated on load with pydantic, and every error names the key (``meetings.weekday``)
and the line of the YAML file it sits on, because the organizer edits that file by hand. Relative
paths resolve against the config file's folder, so cron can run from anywhere.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sheetmentor.clock import FIRST_DAY, LAST_DAY
from sheetmentor.errors import ConfigError
from sheetmentor.i18n import ENGLISH, check_tag

CONFIG_ENV = "SHEETMENTOR_CONFIG"
DEFAULT_CONFIG_NAME = "sheetmentor.yaml"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_EVERY_WORDS = {"weekly": 1, "biweekly": 2, "fortnightly": 2, "every other week": 2}
_DURATION_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


MAX_WEEKS = 52
"""A club that meets less than once a year has no cadence to plan."""
MAX_DURATION = dt.timedelta(days=366)


def parse_every(value: Any) -> int:
    """Weeks between meetings from ``2 weeks``, ``1 week``, ``weekly``, ``biweekly`` or ``2``."""
    weeks: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        weeks = value
    else:
        text = str(value).strip().lower()
        match = re.fullmatch(r"(\d+)\s*(w|wk|wks|week|weeks)", text)
        weeks = _EVERY_WORDS.get(text) or (int(match.group(1)) if match else None)
    if weeks is None or weeks < 1:
        raise ValueError(
            f'"{value}" is not a cadence (try "1 week", "2 weeks", "weekly", "biweekly")'
        )
    if weeks > MAX_WEEKS:
        raise ValueError(f'"{value}" is more than {MAX_WEEKS} weeks between meetings')
    return weeks


def parse_duration(value: Any) -> dt.timedelta:
    """A duration: ``60m``, ``1h``, ``90 minutes``, ``1h30m``, ``2 days``, or minutes."""
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        if value > MAX_DURATION.total_seconds() // 60:
            raise ValueError(f'"{value}" minutes is longer than a year')
        return dt.timedelta(minutes=value)
    text = str(value).strip().lower()
    parts = re.findall(r"(\d+)\s*([a-z]+)", text)
    rebuilt = "".join(f"{n}{u}" for n, u in parts)
    if not parts or rebuilt != re.sub(r"\s+", "", text):
        raise ValueError(f'"{value}" is not a duration (try "60m", "1h", "2 days")')
    seconds = 0
    for number, unit in parts:
        key = unit.rstrip("s") if unit not in _DURATION_UNITS else unit
        key = {"minute": "m", "hour": "h", "day": "d", "week": "w", "second": "s", "hr": "h"}.get(
            key, key
        )
        if key not in _DURATION_UNITS:
            raise ValueError(f'"{value}" has an unknown unit "{unit}" (use s, m, h, d or w)')
        seconds += int(number) * _DURATION_UNITS[key]
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(f'"{value}" is longer than a year')
    return dt.timedelta(seconds=seconds)


def _weekday(value: Any) -> str:
    text = str(value).strip().lower()
    for day in WEEKDAYS:
        if text in (day, day[:3]):
            return day
    raise ValueError(f'"{value}" is not a weekday (expected monday … sunday)')


def _clock(value: Any) -> dt.time:
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value < 24:  # "time: 18" is six in the evening
            return dt.time(value, 0)
        raise ValueError(f'"{value}" is not an hour of the day (write "HH:MM", e.g. "18:00")')
    text = str(value).strip().lower()
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?", text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if match.group(3) == "pm" and hour < 12:
            hour += 12
        if match.group(3) == "am" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise ValueError(f'"{value}" is not a time of day (try "12:00" or "6:30pm")')


def _timezone(value: Any) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f'"{value}" is not a time zone (try "America/Toronto" or "UTC")') from None
    return str(value)


Weeks = Annotated[int, BeforeValidator(parse_every)]
Duration = Annotated[dt.timedelta, BeforeValidator(parse_duration)]
Weekday = Annotated[str, BeforeValidator(_weekday)]
Clock = Annotated[dt.time, BeforeValidator(_clock)]
TimeZoneName = Annotated[str, BeforeValidator(_timezone)]
LanguageTag = Annotated[str, BeforeValidator(check_tag)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


MAX_CAP = 1000
"""More members than a peer-mentoring club can hold in one meeting: a typo, not a club."""


class ClubConfig(_Section):
    name: str
    cap: int = Field(10, ge=1, le=MAX_CAP)
    language: LanguageTag = ENGLISH
    """The club's language (a BCP 47 tag: ``fr``, ``pt-BR``): the language of every output
    (``check`` stays English), and the sheet is read with its words as well as English."""


class AgendaConfig(_Section):
    """The agenda's time box: what is left of the meeting after the opening and the closing is
    shared equally by the speakers."""

    opening: Duration = dt.timedelta(minutes=5)
    closing: Duration = dt.timedelta(minutes=10)


class MeetingsConfig(_Section):
    every: Weeks = 2
    weekday: Weekday = "tuesday"
    time: Clock = dt.time(12, 0)
    duration: Duration = dt.timedelta(minutes=60)
    timezone: TimeZoneName = "UTC"
    first: dt.date
    location: str = ""
    recap_delay: Duration = dt.timedelta(minutes=30)
    """How long after a meeting ends its recap is due (time for notes to reach the sheet)."""
    recap_max_age: Duration = dt.timedelta(days=3)
    """A recap older than this is never sent by cron: a cron broken for a month must not spam."""
    nudge_before: Duration = dt.timedelta(days=2)
    """How long before a meeting starts each member is reminded to update their row; ``0``
    turns the nudge off."""
    nudge_updated: bool = False
    """Nudge members who already changed something since the last meeting too."""
    agenda: AgendaConfig = AgendaConfig()

    @field_validator("first")
    @classmethod
    def _first_is_on_weekday(cls, first: dt.date, info: ValidationInfo) -> dt.date:
        if not FIRST_DAY <= first <= LAST_DAY:  # every command refuses it, not only those
            raise ValueError(  # that build the schedule
                f"{first.isoformat()} is out of range; give the date of a meeting between "
                f"{FIRST_DAY.year} and {LAST_DAY.year} that the cadence counts from"
            )
        weekday = info.data.get("weekday")  # absent when weekday itself was invalid
        if weekday is not None and WEEKDAYS[first.weekday()] != weekday:
            raise ValueError(
                f"{first.isoformat()} is a {WEEKDAYS[first.weekday()]}, not a {weekday} "
                f"(meetings.weekday)"
            )
        return first

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class TabsConfig(_Section):
    members: str = "Members"
    goals: str = "Goals"
    meetings: str = "Meetings"


MemberField = Literal["name", "email", "active", "focus", "joined"]
GoalField = Literal[
    "member", "goal", "tier", "category", "status", "progress", "set", "due", "completed",
    "notes", "id",
]  # fmt: skip
MeetingField = Literal["date", "location", "facilitator", "attended", "notes", "status"]
"""The fields ``source.columns`` can map (``schema.FIELDS``' keys), checked on load so that a
typo gets its YAML line."""


class ColumnsConfig(_Section):
    """Field → header, only where a header is not recognized (``{goals: {member: Who}}``)."""

    members: dict[MemberField, str] = {}
    goals: dict[GoalField, str] = {}
    meetings: dict[MeetingField, str] = {}


class SourceConfig(_Section):
    google_sheet: str | None = None
    path: Path | None = None
    credentials: Path | None = None
    """A service-account key file (else ``GOOGLE_APPLICATION_CREDENTIALS``)."""
    oauth: bool = False
    """Use OAuth user credentials (gspread's flow) instead of a service account."""
    access: Literal["auto", "api", "link"] = "auto"
    """How to read a Google Sheet: ``api`` (the Sheets API with credentials), ``link`` (one
    .xlsx download of a sheet shared "Anyone with the link", no credentials), ``auto``: the API
    when credentials are set up, else the link."""
    keep_download: Path | None = None
    """Link access: also keep the downloaded .xlsx here (for debugging)."""
    url: str | None = None
    """The link recaps give members to update the sheet (default: the Google Sheet's own)."""
    tabs: TabsConfig = TabsConfig()
    columns: ColumnsConfig = ColumnsConfig()
    layout: Literal["goals-tab", "tab-per-member"] | None = None
    """How goals are kept: one Goals tab, or one tab per member; detected when not set."""
    day_first: bool = False
    encoding: str | None = None
    """A .csv file's text encoding (``utf-8``, ``cp1252``…); detected when not set."""
    delimiter: Literal[",", ";", "\t", "|"] | None = None
    """The character between a .csv file's columns; detected when not set."""
    timeout: Duration = dt.timedelta(seconds=30)
    retry_budget: Duration = dt.timedelta(seconds=60)

    @model_validator(mode="after")
    def _exactly_one_source(self) -> SourceConfig:
        if (self.google_sheet is None) == (self.path is None):
            raise ValueError("give exactly one of source.google_sheet or source.path")
        return self


class SmtpConfig(_Section):
    host: str
    port: int | None = Field(None, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = None
    timeout: Duration = dt.timedelta(seconds=30)
    ca_file: Path | None = None
    """PEM file of the CAs to trust for this server (a company's own CA); default: the system's."""
    plaintext_login: bool = False
    """Allow ``security: none`` with a login to a host that is not this machine (the password
    then crosses the network in clear)."""

    @model_validator(mode="after")
    def _no_password_in_clear(self) -> SmtpConfig:
        if (
            self.security == "none"
            and self.username is not None
            and not self.plaintext_login
            and not is_loopback(self.host)
        ):
            raise ValueError(
                f"security: none would send the password of {self.username} to {self.host} in "
                "clear; use starttls or ssl, or set email.smtp.plaintext_login: true if the "
                "network between this machine and the server is your own"
            )
        return self

    @field_validator("password_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
            raise ValueError("must be the NAME of an environment variable, not the password")
        return value

    @property
    def effective_port(self) -> int:
        return self.port or {"starttls": 587, "ssl": 465, "none": 25}[self.security]


class EmailConfig(_Section):
    sender: str = Field(alias="from")
    mode: Literal["personal", "group"] = "personal"
    to: str | None = None
    """Group mode: the list address to send to (else every active member with an email)."""
    reply_to: str | None = None
    smtp: SmtpConfig | None = None
    outbox: Path = Path("outbox")


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ChatWebhookConfig(_Section):
    """One chat platform's incoming webhook; the URL is a secret, so only its variable's name
    is in the config."""

    webhook_env: str

    @field_validator("webhook_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not _ENV_NAME.fullmatch(value):
            raise ValueError("must be the NAME of an environment variable, not the webhook URL")
        return value


ChatKind = Literal["agenda", "recap", "nudge"]


class ChatConfig(_Section):
    """Where club-level messages go besides e-mail (see :mod:`sheetmentor.outbound.chat`)."""

    slack: ChatWebhookConfig | None = None
    discord: ChatWebhookConfig | None = None
    teams: ChatWebhookConfig | None = None
    """A Microsoft Teams Workflows webhook ("When a Teams webhook request is received")."""
    post: list[ChatKind] = ["agenda", "recap", "nudge"]
    timeout: Duration = dt.timedelta(seconds=10)
    retry_budget: Duration = dt.timedelta(seconds=60)
    """Total time one run may wait on rate limits (429) and server errors (5xx)."""

    @model_validator(mode="after")
    def _some_platform(self) -> ChatConfig:
        if self.slack is None and self.discord is None and self.teams is None:
            raise ValueError("give at least one of chat.slack, chat.discord or chat.teams")
        return self


def _words(value: Any) -> list[str]:
    """One word or a list of words, each a non-blank text."""
    words = [value] if isinstance(value, str | bool) else value
    if not isinstance(words, list) or not words:
        raise ValueError("give a word or a list of words")
    words = [_yes_no(word) for word in words]
    if not all(isinstance(word, str | int | float) and str(word).strip() for word in words):
        raise ValueError("every word must be a non-blank text")
    return [str(word).strip() for word in words]


WordList = Annotated[list[str], BeforeValidator(_words)]


def _yes_no(value: Any) -> Any:
    """YAML reads an unquoted yes/no as a boolean; here it is the word."""
    return ("yes" if value else "no") if isinstance(value, bool) else value


def _yes_no_keys(value: Any) -> Any:
    return (
        {_yes_no(key): words for key, words in value.items()} if isinstance(value, dict) else value
    )


class VocabularyConfig(_Section):
    """Words a sheet uses, added to the built-in ones: ``{status: {done: [Hecho]}}``."""

    tier: dict[Literal["two-week", "quarterly", "long-term"], WordList] = {}
    category: dict[Literal["professional", "personal"], WordList] = {}
    status: dict[Literal["done", "open", "dropped"], WordList] = {}
    active: Annotated[dict[Literal["yes", "no"], WordList], BeforeValidator(_yes_no_keys)] = {}
    meeting: dict[Literal["held", "skipped"], WordList] = {}

    @model_validator(mode="after")
    def _one_meaning_per_word(self) -> VocabularyConfig:
        for setting, values in self.model_dump().items():
            meaning: dict[str, str] = {}
            for value, words in values.items():
                for word in words:
                    key = " ".join(word.casefold().split())
                    if meaning.setdefault(key, value) != value:
                        raise ValueError(
                            f'"{word}" is listed under both vocabulary.{setting}.'
                            f"{meaning[key]} and vocabulary.{setting}.{value}; keep one"
                        )
        return self

    def added(self) -> dict[str, dict[str, list[str]]]:
        """The words given, per setting (settings without words left out)."""
        return {setting: words for setting, words in self.model_dump().items() if words}


class Config(_Section):
    club: ClubConfig
    meetings: MeetingsConfig
    source: SourceConfig
    email: EmailConfig | None = None
    chat: ChatConfig | None = None
    state: Path = Path(".sheetmentor")
    templates: Path | None = None
    """A folder of the user's own templates, looked up before the built-in ones."""
    vocabulary: VocabularyConfig = VocabularyConfig()
    path: Path | None = Field(None, exclude=True)
    """Where this config was read from (not a YAML key)."""


def find_config_path(explicit: str | os.PathLike | None = None) -> Path:
    """``--config``, else ``$SHEETMENTOR_CONFIG``, else ``./sheetmentor.yaml``."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return Path(DEFAULT_CONFIG_NAME)


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read, validate and resolve a config file; raise :class:`ConfigError` naming key and line."""
    config_path = find_config_path(path)
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"config file {config_path} not found (give --config FILE, set ${CONFIG_ENV}, "
            f"or run `sheetmentor init`)"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read config file {config_path}: {error}") from None
    return parse_config(text, config_path)


MAX_INT_DIGITS = 100
"""An integer written longer than this stays text, for the setting's validator to refuse: no
setting needs it, and Python refuses to convert more than 4,300 digits at all."""


class _ConfigLoader(yaml.SafeLoader):
    """YAML as a person writes a config: ``12:00`` unquoted is a time (YAML 1.1 would read the
    sexagesimal number 720), an impossible date is an error at its line, not a crash, and a key
    given twice in one mapping is an error naming both lines (YAML would keep the second)."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int | str:
        if ":" in node.value or len(node.value) > MAX_INT_DIGITS:
            return node.value
        return super().construct_yaml_int(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                key_node, yaml.ScalarNode
            ):
                continue  # a << merge may override keys: that is what it is for
            line = key_node.start_mark.line + 1
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f'"{key_node.value}" is given twice (lines {seen[key_node.value]} and '
                    f"{line}); keep one",
                    key_node.start_mark,
                )
            seen[key_node.value] = line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as error:
            raise yaml.constructor.ConstructorError(
                None, None, f'"{node.value}" is not a real date ({error})', node.start_mark
            ) from None


_ConfigLoader.add_constructor("tag:yaml.org,2002:int", _ConfigLoader.construct_yaml_int)
_ConfigLoader.add_constructor("tag:yaml.org,2002:timestamp", _ConfigLoader.construct_yaml_timestamp)


MAX_DEPTH = 20
"""Settings nest four levels deep at most; YAML nested far deeper is not a config, and the YAML
composer would recurse past Python's limit on it."""

_OPENS = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSES = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def _check_depth(text: str, config_path: Path) -> None:
    """Refuse YAML nested deeper than :data:`MAX_DEPTH`, at the line where it gets too deep,
    before anything recursive reads it (the scanner does not recurse)."""
    depth = 0
    for token in yaml.scan(text, Loader=_ConfigLoader):
        if isinstance(token, _OPENS):
            depth += 1
            if depth > MAX_DEPTH:
                raise ConfigError(
                    f"{config_path} line {token.start_mark.line + 1}: the YAML is nested more "
                    f"than {MAX_DEPTH} levels deep; no setting is"
                )
        elif isinstance(token, _CLOSES):
            depth -= 1


def parse_config(text: str, config_path: Path) -> Config:
    try:
        _check_depth(text, config_path)
        node = yaml.compose(text, Loader=_ConfigLoader)
        data = yaml.load(text, Loader=_ConfigLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        if not isinstance(error, yaml.constructor.ConstructorError):
            problem = f"invalid YAML: {problem}"
        raise ConfigError(f"{config_path}{where}: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{config_path}: expected a mapping of settings (club, meetings, source)")
    try:
        config = Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe(error, node, config_path)) from None
    return _check_paths(_resolve_paths(config, config_path), node, config_path)


def _check_paths(config: Config, node: yaml.Node | None, config_path: Path) -> Config:
    """Paths that must name an existing folder now, at their line (a typo in ``templates:``
    would otherwise quietly render the built-in templates)."""
    templates = config.templates
    if templates is not None and not templates.is_dir():
        line = _line_of(node, ["templates"])
        where = f"{config_path} line {line}" if line else str(config_path)
        what = "is not a folder" if templates.exists() else "does not exist"
        raise ConfigError(f"{where}: templates: the folder {templates} {what}")
    return config


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _resolve_paths(config: Config, config_path: Path) -> Config:
    base = config_path.resolve().parent

    def resolve(path: Path | None) -> Path | None:
        return None if path is None else (base / path.expanduser())

    source = config.source.model_copy(
        update={
            "path": resolve(config.source.path),
            "credentials": resolve(config.source.credentials),
            "keep_download": resolve(config.source.keep_download),
        }
    )
    email = config.email
    if email is not None:
        smtp = email.smtp
        if smtp is not None:
            smtp = smtp.model_copy(update={"ca_file": resolve(smtp.ca_file)})
        email = email.model_copy(update={"outbox": resolve(email.outbox), "smtp": smtp})
    return config.model_copy(
        update={
            "source": source,
            "email": email,
            "state": resolve(config.state),
            "templates": resolve(config.templates),
            "path": config_path.resolve(),
        }
    )


def _describe(error: ValidationError, root: yaml.Node | None, config_path: Path) -> str:
    lines = []
    for item in error.errors():
        loc = [str(part) for part in item["loc"] if part != "[key]"]
        key = ".".join(loc) or "(top level)"
        line = _line_of(root, loc)
        where = f"{config_path} line {line}" if line else str(config_path)
        if item["type"] == "extra_forbidden":
            message = "unknown setting"
        elif item["type"] == "missing":
            message = "missing required setting"
        else:
            message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {key}: {message}")
    return "\n".join(lines)


def _line_of(node: yaml.Node | None, loc: list[str]) -> int | None:
    """The 1-based line of the deepest YAML node on ``loc`` that exists."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if not isinstance(node, yaml.MappingNode):
            break
        for key_node, value_node in node.value:
            if str(key_node.value) == part:
                line = key_node.start_mark.line + 1
                node = value_node
                break
        else:
            break
    return line
