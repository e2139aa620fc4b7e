"""Chat delivery: payloads that fit each platform, posting through real loopback servers that
answer like Slack, Discord and Teams Workflows (tests/chat_servers.py), and the webhook URL kept
out of every message, exception and log record."""

from __future__ import annotations

import datetime as dt
import logging
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from chat_servers import (
    DROP,
    HANG,
    SECRETS,
    Answer,
    ChatServer,
    chat_servers,
    closed_port_url,
    discord_problems,
    slack_problems,
    teams_problems,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from sheetmentor.config import ChatConfig, parse_config
from sheetmentor.errors import ChatMentionError, ChatRefused, ChatUnavailable, ConfigError
from sheetmentor.outbound.chat import (
    ChatMessage,
    ChatOutcome,
    ChatPost,
    Section,
    Webhook,
    WebhookPoster,
    chat_key,
    discord_payloads,
    plan_chat_posts,
    post_to_chats,
    raise_for_outcomes,
    redact_url,
    send_chat_posts,
    slack_payloads,
    teams_payloads,
    webhooks_from_config,
)

DATE = dt.date(2026, 12, 8)
TOKEN = re.compile(r"w\d{5}")
ENV = {"slack": "SM_SLACK", "discord": "SM_DISCORD", "teams": "SM_TEAMS"}


def chat_config(*platforms: str, **extra: Any) -> ChatConfig:
    data: dict[str, Any] = {p: {"webhook_env": ENV[p]} for p in platforms}
    return ChatConfig.model_validate({**data, **extra})


def environ(servers: dict[str, ChatServer]) -> dict[str, str]:
    return {ENV[name]: server.url for name, server in servers.items()}


def numbered_message(chars: int, *, members: int = 8, kind: str = "recap") -> ChatMessage:
    """A recap of about ``chars`` characters whose words are w00000, w00001, … in order."""
    counter = iter(range(100_000))
    sections = []
    per_member = chars // members
    for m in range(members):
        lines, size = [], 0
        while size < per_member:
            words = " ".join(f"w{next(counter):05d}" for _ in range(7 if m % 3 else 60))
            lines.append(("- " if len(lines) % 2 else "") + words)
            size += len(words) + 1
        sections.append(Section(f"Member {m}", lines, member=f"Member {m}"))
    return ChatMessage(
        kind=kind, date=DATE, title="Recap of Tuesday, December 8", sections=sections
    )


def texts(platform: str, payload: dict[str, Any]) -> list[str]:
    """The visible text of one payload, in reading order (Slack's fallback aside)."""
    if platform == "slack":
        return [block["text"]["text"] for block in payload["blocks"]]
    if platform == "discord":
        embeds = [
            part for e in payload["embeds"] for part in (e.get("title"), e.get("description"))
        ]
        return [payload["content"], *(text for text in embeds if text)]
    body = payload["attachments"][0]["content"]["body"]
    return ["".join(run_text(run) for run in item["inlines"]) for item in body]


def run_text(run: str | dict[str, str]) -> str:
    """A card's ``TextRun``, or the plain string that stands for one."""
    return run if isinstance(run, str) else run["text"]


def tokens(platform: str, payloads: list[dict[str, Any]]) -> list[str]:
    return [t for p in payloads for text in texts(platform, p) for t in TOKEN.findall(text)]


def problems(platform: str, payload: dict[str, Any]) -> Any:
    if platform == "slack":
        return slack_problems(payload)
    if platform == "discord":
        return discord_problems(payload)
    import json

    return teams_problems(payload, len(json.dumps(payload, ensure_ascii=False).encode()))


BUILDERS = {"slack": slack_payloads, "discord": discord_payloads, "teams": teams_payloads}


# --- config --------------------------------------------------------------------------------

BASE = """\
club: {name: Test Club}
meetings: {first: 2026-09-08}
source: {path: club.xlsx}
"""


def test_chat_section_parses(tmp_path: Path) -> None:
    text = BASE + textwrap.dedent("""\
        chat:
          slack: {webhook_env: SHEETMENTOR_SLACK_WEBHOOK}
          teams: {webhook_env: SHEETMENTOR_TEAMS_WEBHOOK}
          post: [recap, nudge]
          retry_budget: 2m
        """)
    config = parse_config(text, tmp_path / "sheetmentor.yaml")
    assert config.chat is not None
    assert config.chat.slack is not None
    assert config.chat.slack.webhook_env == "SHEETMENTOR_SLACK_WEBHOOK"
    assert config.chat.discord is None
    assert config.chat.post == ["recap", "nudge"]
    assert config.chat.retry_budget == dt.timedelta(minutes=2)


@pytest.mark.parametrize(
    ("chat", "expected"),
    [
        (
            "chat:\n  slack: {webhook_env: X, channel: general}\n",
            "line 5: chat.slack.channel: unknown setting",
        ),
        ("chat:\n  mattermost: {webhook_env: X}\n", "line 5: chat.mattermost: unknown setting"),
        ("chat:\n  post: [recap]\n", "at least one of chat.slack, chat.discord or chat.teams"),
        ("chat:\n  discord: {webhook_env: X}\n  post: [minutes]\n", "chat.post.0"),
        (
            "chat:\n  slack: {webhook_env: 'https://hooks.slack.com/services/T/B/abc'}\n",
            "chat.slack.webhook_env: must be the NAME of an environment variable",
        ),
    ],
)
def test_chat_config_errors_name_the_key(tmp_path: Path, chat: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(BASE + chat, tmp_path / "sheetmentor.yaml")
    assert expected in caught.value.message
    assert "hooks.slack.com/services/T/B/abc" not in caught.value.message


def test_missing_variable_is_a_config_error_naming_it() -> None:
    chat = chat_config("slack", "discord")
    with pytest.raises(ConfigError) as caught:
        webhooks_from_config(chat, {"SM_SLACK": "https://hooks.slack.com/services/T1/B1/tok"})
    assert "SM_DISCORD (chat.discord.webhook_env) is not set" in caught.value.message
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    "value", ["not a url", "http://hooks.slack.com/services/T1/B1/S3cretPlainHttp", "ftp://x/y"]
)
def test_a_variable_that_is_not_an_https_url_is_refused_without_showing_it(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        webhooks_from_config(chat_config("slack"), {"SM_SLACK": value})
    assert "SM_SLACK" in caught.value.message
    assert value not in caught.value.message
    assert "S3cret" not in caught.value.message


def test_redact_url_keeps_only_scheme_and_host() -> None:
    url = "https://hooks.slack.com/services/T0001/B0002/S3cretToken"
    assert redact_url(url) == "https://hooks.slack.com/…"
    hook = Webhook("slack", url)
    assert "S3cret" not in repr(hook) + str(hook)


# --- payloads ------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["slack", "discord", "teams"])
@pytest.mark.parametrize("chars", [10_000, 40_000])
def test_a_long_recap_is_split_and_nothing_is_lost(platform: str, chars: int) -> None:
    message = numbered_message(chars, members=3)
    expected = [t for s in message.sections for line in s.lines for t in TOKEN.findall(line)]
    assert sum(len(line) + 1 for s in message.sections for line in s.lines) >= chars
    payloads = BUILDERS[platform](message)
    assert all(not problems(platform, p) for p in payloads)
    assert tokens(platform, payloads) == expected
    shown = [text for p in payloads for text in texts(platform, p)]
    # Sections of 3,300+ characters: over a Slack section block, so continued in the next one.
    assert any("Member 1* (continued)" in text for text in shown) == (platform == "slack")
    # Messages: Discord holds 6,000 characters of embeds, Slack ~12,000, Teams ~20 KB.
    assert (len(payloads) > 1) == (platform == "discord" or chars > 20_000)
    if len(payloads) > 1:
        assert all(f"of {len(payloads)})" in texts(platform, p)[0] for p in payloads)


@pytest.mark.parametrize("platform", ["slack", "discord", "teams"])
def test_a_single_word_longer_than_any_block_is_split_between_characters(platform: str) -> None:
    word = "".join(str(i % 10) for i in range(30_000))
    message = ChatMessage(kind="recap", date=DATE, title="T", sections=[Section("Long", [word])])
    payloads = BUILDERS[platform](message)
    assert all(not problems(platform, p) for p in payloads)
    shown = [text for p in payloads for text in texts(platform, p)]
    found = "".join(part for text in shown for part in re.findall(r"\d{8,}", text))
    assert found == word


@pytest.mark.parametrize(("platform", "limit"), [("slack", 150), ("discord", 256)])
def test_a_title_too_long_for_a_header_is_shortened_there_and_given_in_full(
    platform: str, limit: int
) -> None:
    title = "Recap " + " ".join(f"word{i}" for i in range(80))
    payloads = BUILDERS[platform](ChatMessage(kind="recap", date=DATE, title=title))
    assert not problems(platform, payloads[0])
    shown = texts(platform, payloads[0])
    assert shown[0].endswith("…") or shown[0].endswith("…**")
    assert len(shown[0].strip("*")) <= limit
    assert any(title in text for text in shown[1:])


def test_sheet_text_cannot_ping_the_channel() -> None:
    message = ChatMessage(
        kind="recap",
        date=DATE,
        title="Recap <!here>",
        sections=[Section("Ada <!channel>", ["@everyone look & see <@U999>", "- <https://x|y>"])],
    )
    slack = slack_payloads(message)[0]
    visible = " ".join(texts("slack", slack)[1:]) + slack["text"]
    assert "<!" not in visible and "<@" not in visible and "<https" not in visible
    assert "&lt;!channel&gt;" in visible and "&amp; see" in visible
    discord = discord_payloads(message)[0]
    assert discord["allowed_mentions"] == {"parse": [], "users": []}
    linked = ChatMessage(
        kind="recap",
        date=DATE,
        title="**Recap**",
        sections=[Section("# Ada", ["[click](https://evil.example) **now** > quote"])],
    )
    embed = discord_payloads(linked)[0]["embeds"][0]
    assert embed["title"] == "\\# Ada"
    assert embed["description"] == r"\[click\]\(https://evil.example\) \*\*now\*\* \> quote"
    card = teams_payloads(linked)[0]["attachments"][0]["content"]
    assert {item["type"] for item in card["body"]} == {"RichTextBlock"}  # no markdown anywhere
    runs = [run_text(run) for item in card["body"] for run in item["inlines"]]
    assert runs == ["**Recap**", "# Ada", "[click](https://evil.example) **now** > quote"]


def test_members_are_mentioned_with_their_ids() -> None:
    message = numbered_message(2_000, members=3, kind="nudge")
    slack = slack_payloads(message, {"Member 0": "U024BE7LH", "member  2 ": "W012A3CDE"})
    slack_text = "\n".join(t for p in slack for t in texts("slack", p))
    assert slack_text.count("<@U024BE7LH>") == 1 and slack_text.count("<@W012A3CDE>") == 1
    assert "*Member 0* <@U024BE7LH>" in slack_text
    discord = discord_payloads(message, {"Member 1": "80351110224678912"})
    assert "<@80351110224678912>" in discord[0]["content"]
    assert discord[0]["allowed_mentions"] == {"parse": [], "users": ["80351110224678912"]}


@pytest.mark.parametrize(
    ("platform", "value"), [("slack", "@ada"), ("slack", "<!channel>"), ("discord", "ada#1234")]
)
def test_an_id_that_is_not_one_is_a_sheet_problem(platform: str, value: str) -> None:
    message = numbered_message(500, members=1)
    with pytest.raises(ChatMentionError) as caught:
        BUILDERS[platform](message, {"Ada Okonkwo": value})
    assert f'Members: the {platform.title()} ID of Ada Okonkwo is "{value}"' in str(caught.value)


def test_a_1000_member_nudge_mentions_everyone_once_within_limits() -> None:
    message = numbered_message(60_000, members=1000, kind="nudge")
    ids = {f"Member {m}": str(100000000000000000 + m) for m in range(1000)}
    payloads = discord_payloads(message, ids)
    assert all(not discord_problems(p) for p in payloads)
    mentioned = [u for p in payloads for u in p["allowed_mentions"]["users"]]
    assert sorted(mentioned) == sorted(ids.values())
    for payload in payloads:
        assert re.findall(r"<@(\d+)>", payload["content"]) == payload["allowed_mentions"]["users"]
    slack_ids = {name: f"U{number:08d}" for number, name in enumerate(ids)}
    slack = slack_payloads(message, slack_ids)
    assert all(not slack_problems(p) for p in slack)
    slack_text = "\n".join(t for p in slack for t in texts("slack", p))
    assert sorted(re.findall(r"<@(U\d+)>", slack_text)) == sorted(slack_ids.values())
    assert all(not problems("teams", p) for p in teams_payloads(message))


WORDS = st.one_of(
    st.just("#"),  # replaced by the next numbered token
    st.text(alphabet="ab&<>*_é🙂 ", min_size=1, max_size=40),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sections=st.lists(
        st.tuples(
            st.text(alphabet="AB&<> é", max_size=300),
            st.lists(st.lists(WORDS, max_size=400), max_size=12),
        ),
        max_size=30,
    ),
    title=st.text(alphabet="Rcap &<>🙂", min_size=1, max_size=400).filter(str.strip),
)
def test_any_message_fits_every_platform_in_order(sections: list[Any], title: str) -> None:
    counter = iter(range(100_000))
    built, expected = [], []
    for heading, lines in sections:
        rendered = []
        for words in lines:
            out = []
            for word in words:
                if word == "#":
                    word = f"w{next(counter):05d}"
                    expected.append(word)
                out.append(word)
            rendered.append(" ".join(out))
        built.append(Section(heading, rendered))
    message = ChatMessage(kind="agenda", date=DATE, title=title, sections=built)
    for platform, build in BUILDERS.items():
        payloads = build(message)
        assert payloads
        assert all(not problems(platform, p) for p in payloads), platform
        assert tokens(platform, payloads) == expected, platform
    assert [slack_sdk_problems(p) for p in slack_payloads(message)] == [
        [] for _ in slack_payloads(message)
    ]


def slack_sdk_problems(payload: dict[str, Any]) -> list[str]:
    """What Slack's own SDK models refuse in a payload: every block parsed and validated
    (lengths of headers and section texts, block types), as ``slack_sdk`` does before sending."""
    found = []
    for raw in payload["blocks"]:
        block = Block.parse(raw)
        if block is None:
            found.append(f"unknown block {raw.get('type')!r}")
            continue
        try:
            block.validate_json()
        except SlackObjectFormationError as error:
            found.append(str(error))
        if block.to_dict() != raw:
            found.append(f"block {raw.get('type')!r} does not round-trip: {raw}")
    if len(payload["blocks"]) > 50:
        found.append("more than 50 blocks")
    return found


# --- posting -------------------------------------------------------------------------------


def test_a_recap_is_posted_to_every_platform() -> None:
    message = numbered_message(10_000)
    with chat_servers() as servers:
        seen: list[ChatOutcome] = []
        outcomes = post_to_chats(
            chat_config("slack", "discord", "teams"),
            message,
            environ=environ(servers),
            on_outcome=seen.append,
        )
        assert seen == outcomes
        assert {o.status for o in outcomes} == {"accepted"}
        raise_for_outcomes(outcomes)
        for name, server in servers.items():
            mine = [o for o in outcomes if o.platform == name]
            assert server.received == BUILDERS[name](message)
            assert not server.failed_runs
            assert [o.key for o in mine] == [chat_key(name, "recap", DATE)] * len(mine)
            assert [o.part for o in mine] == list(range(1, len(mine) + 1))
            expected = [
                t for s in message.sections for line in s.lines for t in TOKEN.findall(line)
            ]
            assert tokens(name, server.received) == expected
    discord = [o for o in outcomes if o.platform == "discord"]
    assert all(o.remote_id and o.remote_id.isdigit() for o in discord)
    assert discord[1].part_key == f"chat/discord/recap/2026-12-08/part-2-of-{len(discord)}"
    teams = [o for o in outcomes if o.platform == "teams"]
    assert [(o.part_key, o.http_status) for o in teams] == [("chat/teams/recap/2026-12-08", 202)]
    assert len({o.digest for o in outcomes}) == len(outcomes)


def test_kinds_not_in_chat_post_are_not_posted() -> None:
    with ChatServer("slack") as slack:
        chat = chat_config("slack", post=["recap"])
        message = numbered_message(100, kind="nudge")
        assert post_to_chats(chat, message, environ={"SM_SLACK": slack.url}) == []
        assert slack.hits == []


def test_parts_already_in_the_ledger_are_skipped() -> None:
    message = numbered_message(40_000)
    with ChatServer("slack") as slack:
        hooks = {"SM_SLACK": slack.url}
        first = post_to_chats(chat_config("slack"), message, environ=hooks)
        done = {first[0].part_key, first[2].part_key}
        again = post_to_chats(chat_config("slack"), message, environ=hooks, skip_keys=done)
    assert [o.status for o in again] == [
        "skipped" if o.part_key in done else "accepted" for o in first
    ]
    assert len(slack.received) == 2 * len(first) - 2


@pytest.mark.parametrize(
    ("platform", "answer", "waited"),
    [
        ("slack", Answer(429, "rate_limited", {"Retry-After": "1"}), 1.0),
        # Discord's body says 0.3 s; its Retry-After header is the same wait rounded up.
        (
            "discord",
            Answer(
                429,
                {"message": "You are being rate limited.", "retry_after": 0.3, "global": False},
                {"Retry-After": "1", "X-RateLimit-Reset-After": "0.3", "X-RateLimit-Scope": "user"},
            ),
            0.3,
        ),
        (
            "teams",
            Answer(
                429,
                {"error": {"code": "TooManyRequests", "message": "Slow down"}},
                {"Retry-After": "1"},
            ),
            1.0,
        ),
    ],
)
def test_429_waits_as_long_as_the_platform_asks_then_posts(
    platform: str, answer: Answer, waited: float
) -> None:
    message = numbered_message(300, members=1)
    with ChatServer(platform) as server:
        server.script(answer)
        with WebhookPoster(budget=5) as poster:
            outcomes = post_to_chats(
                chat_config(platform), message, environ={ENV[platform]: server.url}, poster=poster
            )
        assert poster.waited == pytest.approx(waited)
    assert [(o.status, o.attempts) for o in outcomes] == [("accepted", 2)]
    assert [hit.status for hit in server.hits] == [429, 200 if platform != "teams" else 202]
    assert server.hits[1].at - server.hits[0].at >= waited * 0.95
    assert len(server.received) == 1


def test_discord_reset_after_header_is_used_without_a_body() -> None:
    with ChatServer("discord") as server:
        server.script(Answer(429, b"", {"X-RateLimit-Reset-After": "0.2"}))
        with WebhookPoster(budget=5) as poster:
            outcomes = post_to_chats(
                chat_config("discord"), numbered_message(100, members=1),
                environ={"SM_DISCORD": server.url}, poster=poster,
            )  # fmt: skip
    assert outcomes[0].status == "accepted"
    assert poster.waited == pytest.approx(0.2)


def test_an_empty_discord_bucket_is_waited_for_before_the_next_post() -> None:
    with ChatServer("discord") as server:
        server.bucket_remaining = 0
        with WebhookPoster(budget=5) as poster:
            outcomes = post_to_chats(
                chat_config("discord"), numbered_message(10_000),
                environ={"SM_DISCORD": server.url}, poster=poster,
            )  # fmt: skip
    assert len(outcomes) > 1 and all(o.status == "accepted" for o in outcomes)
    assert poster.waited >= 0.2 * (len(outcomes) - 1) * 0.95
    assert all(
        b.at - a.at >= 0.2 * 0.95 for a, b in zip(server.hits, server.hits[1:], strict=False)
    )


def test_retry_after_as_an_http_date_is_understood() -> None:
    past = "Sun, 06 Nov 1994 08:49:37 GMT"  # already passed: retry at once
    with ChatServer("slack") as server:
        server.script(Answer(429, "rate_limited", {"Retry-After": past}))
        with WebhookPoster(budget=5) as poster:
            outcomes = post_to_chats(
                chat_config("slack"), numbered_message(100, members=1),
                environ={"SM_SLACK": server.url}, poster=poster,
            )  # fmt: skip
    assert [(o.status, o.attempts) for o in outcomes] == [("accepted", 2)]
    assert poster.waited == 0


def test_5xx_is_retried_then_posted() -> None:
    with ChatServer("slack") as server:
        server.script(Answer(500, "rollup_error"), Answer(503, "", {"Retry-After": "0"}))
        with WebhookPoster(budget=5, backoff=0.01) as poster:
            outcomes = post_to_chats(
                chat_config("slack"), numbered_message(200, members=1),
                environ={"SM_SLACK": server.url}, poster=poster,
            )  # fmt: skip
    assert [(o.status, o.attempts) for o in outcomes] == [("accepted", 3)]
    assert len(server.received) == 1


@pytest.mark.parametrize(
    "answers",
    [
        [Answer(429, "rate_limited", {"Retry-After": "120"})],
        [Answer(502, "<html>Bad gateway</html>")] * 50,
    ],
)
def test_budget_exhausted_is_a_temporary_failure_exit_3(answers: list[Answer]) -> None:
    message = numbered_message(40_000)
    with ChatServer("slack") as server:
        server.script(*answers)
        with WebhookPoster(budget=0.3, backoff=0.05) as poster:
            outcomes = post_to_chats(
                chat_config("slack"), message, environ={"SM_SLACK": server.url}, poster=poster
            )
        assert poster.waited <= 0.3
    assert len(outcomes) > 1
    assert {o.status for o in outcomes} == {"failed-temporarily"}
    assert "past the retry budget of 0.3 s" in outcomes[0].detail
    assert all("earlier part failed" in o.detail for o in outcomes[1:])
    assert server.received == []
    with pytest.raises(ChatUnavailable) as caught:
        raise_for_outcomes(outcomes)
    assert caught.value.exit_code == 3
    if answers[0].status == 429:
        assert "asked to wait 120 s" in outcomes[0].detail
        assert len(server.hits) == 1


SLACK_REFUSALS = [
    (400, "invalid_payload"),
    (400, "no_text"),
    (400, "too_many_attachments"),
    (400, "user_not_found"),
    (403, "action_prohibited"),
    (404, "channel_not_found"),
    (404, "no_service"),
    (410, "channel_is_archived"),
]


@pytest.mark.parametrize(("status", "code"), SLACK_REFUSALS)
def test_slack_refusals_are_named(status: int, code: str) -> None:
    with ChatServer("slack") as server:
        server.script(Answer(status, code))
        outcomes = post_to_chats(
            chat_config("slack"), numbered_message(100, members=1), environ={"SM_SLACK": server.url}
        )
    (outcome,) = outcomes
    assert outcome.status == "failed-permanently"
    assert (outcome.http_status, outcome.error) == (status, code)
    assert f"Slack (http://127.0.0.1:{server.port}/…) refused the message: HTTP {status} {code}: "
    assert f"HTTP {status} {code}: " in outcome.detail
    with pytest.raises(ChatRefused) as caught:
        raise_for_outcomes(outcomes)
    assert caught.value.exit_code == 1
    assert code in caught.value.message


def test_a_slack_webhook_that_does_not_exist_is_no_service() -> None:
    with ChatServer("slack") as server:
        wrong = server.url.replace("B0002EFGH", "B9999ZZZZ")
        (outcome,) = post_to_chats(
            chat_config("slack"), numbered_message(100, members=1), environ={"SM_SLACK": wrong}
        )
    assert (outcome.http_status, outcome.error) == (404, "no_service")
    assert "create a new incoming webhook" in outcome.detail


def test_discord_refusals_are_named_from_its_json_codes() -> None:
    message = numbered_message(100, members=1)
    with ChatServer("discord") as server:
        unknown = server.url.replace("1234567890123456789", "1111111111111111111")
        bad_token = server.url[:-5] + "zzzzz"
        (gone,) = post_to_chats(chat_config("discord"), message, environ={"SM_DISCORD": unknown})
        (token,) = post_to_chats(chat_config("discord"), message, environ={"SM_DISCORD": bad_token})
        hook = webhooks_from_config(chat_config("discord"), {"SM_DISCORD": server.url})[0]
        with WebhookPoster() as poster:
            empty = poster.post(hook, {"content": "", "embeds": []})
            too_long = poster.post(hook, {"content": "x" * 2001, "embeds": [{"title": "t" * 300}]})
    assert (gone.http_status, gone.error) == (404, "10015")
    assert "error 10015: Unknown Webhook" in gone.detail
    assert (token.http_status, token.error) == (401, "50027")
    assert "Invalid Webhook Token" in token.detail
    assert (empty.http_status, empty.error) == (400, "50006")
    assert "Cannot send an empty message" in empty.detail
    assert (too_long.http_status, too_long.error) == (400, "50035")
    assert "Invalid Form Body (content: Must be 2000 or fewer in length.; embeds.0.title:" in (
        too_long.detail
    )
    assert server.received == []


@pytest.mark.parametrize(
    ("mangle", "status", "code"),
    [
        (lambda url: url.replace("0a1b2c3d", "ffffffff"), 404, "WorkflowNotFound"),
        (lambda url: url.replace("sig=S3cret", "sig=Wrong"), 401,
         "DirectApiInvalidAuthorizationSignature"),
    ],
)  # fmt: skip
def test_teams_refusals_are_named(mangle: Any, status: int, code: str) -> None:
    with ChatServer("teams") as server:
        (outcome,) = post_to_chats(
            chat_config("teams"),
            numbered_message(100, members=1),
            environ={"SM_TEAMS": mangle(server.url)},
        )
        hook = webhooks_from_config(chat_config("teams"), {"SM_TEAMS": server.url})[0]
        server.script(
            Answer(400, {"error": {"code": "InvalidRequestContent", "message": "not valid"}})
        )
        with WebhookPoster() as poster:
            invalid = poster.post(hook, {"type": "message"})
    assert (outcome.status, outcome.http_status, outcome.error) == (
        "failed-permanently", status, code
    )  # fmt: skip
    assert code in outcome.detail
    assert (invalid.http_status, invalid.error) == (400, "InvalidRequestContent")


def test_a_webhook_that_is_gone_stops_the_remaining_parts() -> None:
    message = numbered_message(40_000)
    with ChatServer("slack") as server:
        server.script(Answer(404, "channel_not_found"))
        outcomes = post_to_chats(chat_config("slack"), message, environ={"SM_SLACK": server.url})
    assert len(outcomes) > 1 and len(server.hits) == 1
    assert {o.status for o in outcomes} == {"failed-permanently"}
    assert [o.attempts for o in outcomes] == [1] + [0] * (len(outcomes) - 1)


def test_connection_refused_fails_fast() -> None:
    sleeps: list[float] = []
    with WebhookPoster(budget=60, sleep=sleeps.append) as poster:
        outcomes = post_to_chats(
            chat_config("slack"),
            numbered_message(10_000),
            environ={"SM_SLACK": closed_port_url()},
            poster=poster,
        )
    assert sleeps == [] and poster.requests == 1
    assert {o.status for o in outcomes} == {"failed-temporarily"}
    assert outcomes[0].detail.endswith("/…: connection refused")
    with pytest.raises(ChatUnavailable):
        raise_for_outcomes(outcomes)


def test_one_platform_failing_does_not_stop_the_others() -> None:
    message = numbered_message(300, members=1)
    with chat_servers() as servers:
        hooks = environ(servers) | {"SM_SLACK": closed_port_url()}
        outcomes = post_to_chats(chat_config("slack", "discord", "teams"), message, environ=hooks)
        assert len(servers["discord"].received) == len(servers["teams"].received) == 1
    assert [o.status for o in outcomes] == ["failed-temporarily", "accepted", "accepted"]


@pytest.mark.parametrize("trouble", [DROP, HANG])
def test_a_post_without_an_answer_is_in_doubt_and_not_sent_again(trouble: str) -> None:
    with ChatServer("teams", hang_seconds=1.5) as server:
        server.script(trouble)
        with WebhookPoster(timeout=0.5, budget=10) as poster:
            outcomes = post_to_chats(
                chat_config("teams"), numbered_message(200, members=1),
                environ={"SM_TEAMS": server.url}, poster=poster,
            )  # fmt: skip
    (outcome,) = outcomes
    assert (outcome.status, outcome.in_doubt, outcome.attempts) == ("failed-temporarily", True, 1)
    assert "may have been posted" in outcome.detail
    assert poster.requests == 1


def test_the_webhook_url_is_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    message = numbered_message(10_000)
    with chat_servers() as servers:
        hooks = environ(servers)
        servers["slack"].script(Answer(429, "rate_limited", {"Retry-After": "0.1"}))
        servers["discord"].script(Answer(500, "oops"), Answer(400, {"code": 50035, "message": "x"}))
        with WebhookPoster(budget=1, backoff=0.01) as poster:
            outcomes = post_to_chats(
                chat_config("slack", "discord", "teams"), message, environ=hooks, poster=poster
            )
        outcomes += post_to_chats(
            chat_config("slack"), message, environ={"SM_SLACK": closed_port_url()}
        )
        wrong_sig = servers["teams"].url.replace("sig=S3cret", "sig=x")
        outcomes += post_to_chats(chat_config("teams"), message, environ={"SM_TEAMS": wrong_sig})
        with WebhookPoster(timeout=0.3) as poster:
            servers["teams"].script(HANG)
            outcomes += post_to_chats(chat_config("teams"), message, environ=hooks, poster=poster)
    shown += [f"{o!r} {o.detail}" for o in outcomes]
    for failed in ("failed-permanently", "failed-temporarily"):
        with pytest.raises(ChatRefused if failed == "failed-permanently" else ChatUnavailable) as e:
            raise_for_outcomes([o for o in outcomes if o.status == failed])
        shown.append(str(e.value))
    for bad in ("https://x.example/" + SECRETS[0], SECRETS[0]):
        try:
            webhooks_from_config(chat_config("slack"), {"SM_SLACK": bad})
        except ConfigError as error:
            shown.append(str(error))
    shown += [record.getMessage() for record in caplog.records]
    assert any("urllib3" in record.name for record in caplog.records)  # they did log requests
    assert len(shown) > 20
    for text in shown:
        for secret in SECRETS:
            assert secret not in text


def test_post_to_chats_takes_the_loaded_config(tmp_path: Path) -> None:
    text = BASE + "chat:\n  discord: {webhook_env: SM_DISCORD}\n  post: [agenda]\n"
    config = parse_config(text, tmp_path / "sheetmentor.yaml")
    agenda = numbered_message(300, members=2, kind="agenda")
    with ChatServer("discord") as server:
        outcomes = post_to_chats(config, agenda, environ={"SM_DISCORD": server.url})
        recap = numbered_message(300, members=2, kind="recap")
        assert post_to_chats(config, recap, environ={"SM_DISCORD": server.url}) == []
    assert [(o.part_key, o.status) for o in outcomes] == [
        ("chat/discord/agenda/2026-12-08", "accepted")
    ]
    assert len(server.received) == 1


def test_the_teams_emulator_fails_the_run_of_a_card_teams_would_not_post() -> None:
    big = teams_payloads(numbered_message(300, members=1))[0]
    big["attachments"][0]["content"]["body"].append({"type": "TextBlock", "text": "x" * 30_000})
    with ChatServer("teams") as server:
        hook = webhooks_from_config(chat_config("teams"), {"SM_TEAMS": server.url})[0]
        with WebhookPoster() as poster:
            answer = poster.post(hook, big)
    assert answer.status == "accepted"  # the workflow takes it (202), then its Teams step fails
    assert [problem for problem, _ in server.failed_runs] == ["MessageSizeTooBig"]
    assert server.received == []


def test_a_refusal_outranks_an_outage_in_the_exit_code() -> None:
    def outcome(status: str) -> ChatOutcome:
        key = chat_key("slack", "recap", DATE)
        return ChatOutcome(key, key, "slack", 1, 1, status, f"{status} detail")  # type: ignore[arg-type]

    raise_for_outcomes([outcome("accepted"), outcome("skipped")])
    with pytest.raises(ChatRefused) as refused:
        raise_for_outcomes([outcome("failed-temporarily"), outcome("failed-permanently")])
    assert "2 chat messages not posted" in refused.value.message
    with pytest.raises(ChatUnavailable):
        raise_for_outcomes([outcome("accepted"), outcome("failed-temporarily")])


def test_the_documented_chat_block_is_valid(tmp_path: Path) -> None:
    example = (Path(__file__).resolve().parents[1] / "config.example.yaml").read_text()
    lines = example.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("# chat:"))
    block = []
    for line in lines[start:]:
        if not line.startswith("#"):
            break
        block.append(line[2:] if not line[2:].lstrip().startswith("#") else "")
    uncommented = "\n".join(lines[:start] + block + lines[start + len(block) :])
    config = parse_config(uncommented, tmp_path / "sheetmentor.yaml")
    assert config.chat is not None
    assert [p for p in ("slack", "discord", "teams") if getattr(config.chat, p)] == [
        "slack", "discord", "teams"
    ]  # fmt: skip
    assert config.chat.teams is not None
    assert config.chat.teams.webhook_env == "SHEETMENTOR_TEAMS_WEBHOOK"
    assert config.chat.post == ["agenda", "recap", "nudge"]


def test_every_key_is_planned_before_anything_is_sent() -> None:
    message = numbered_message(40_000)
    with chat_servers() as servers:
        posts = plan_chat_posts(
            chat_config("slack", "discord", "teams"), message, environ=environ(servers)
        )
        assert all(server.hits == [] for server in servers.values())
        keys = [post.part_key for post in posts]
        assert len(set(keys)) == len(keys)
        assert {post.key for post in posts} == {
            chat_key(name, "recap", DATE) for name in ("slack", "discord", "teams")
        }
        assert all(SECRETS[0] not in repr(post) for post in posts)
        outcomes = send_chat_posts(posts)
    assert [o.part_key for o in outcomes] == keys
    assert [o.digest for o in outcomes] == [post.digest for post in posts]


def test_a_webhook_that_failed_is_not_tried_again_in_the_same_run() -> None:
    agenda = numbered_message(300, members=1, kind="agenda")
    nudge = numbered_message(300, members=1, kind="nudge")
    with ChatServer("slack") as server:
        server.script(Answer(404, "no_service"))
        hooks = {"SM_SLACK": server.url}
        posts: list[ChatPost] = []
        for message in (agenda, nudge):
            posts += plan_chat_posts(chat_config("slack"), message, environ=hooks)
        outcomes = send_chat_posts(posts)
    assert len(server.hits) == 1
    assert [(o.key, o.status) for o in outcomes] == [
        ("chat/slack/agenda/2026-12-08", "failed-permanently"),
        ("chat/slack/nudge/2026-12-08", "failed-permanently"),
    ]
    assert "this webhook failed earlier in this run" in outcomes[1].detail
    assert outcomes[1].error == "no_service"
