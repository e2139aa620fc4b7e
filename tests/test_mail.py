"""Building messages: structure, inlined CSS, UTF-8 headers, refused line breaks, Message-IDs."""

from __future__ import annotations

import datetime as dt
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser, Parser
from email.utils import parsedate_to_datetime

import icalendar
import pytest

from sheetmentor.config import EmailConfig
from sheetmentor.errors import ConfigError, DeliveryError
from sheetmentor.outbound.mime import (
    ICS_FILENAME,
    Outgoing,
    UnsafeHeaderError,
    address,
    build_message,
    message_id_for,
    parse_address,
)
from sheetmentor.outbound.transport import envelope_for

CLUB = "Personal Branding Club"
EMAIL = EmailConfig.model_validate(
    {"from": "PBC <pbc@example.org>", "reply_to": "Organizer <org@example.org>"}
)
HTML = """<!doctype html>
<html><head><style>
  h1 { color: #1a4d8f; font-size: 20px; }
  .goal { padding: 4px; }
</style>
<link rel="stylesheet" href="https://cdn.example.invalid/never-fetched.css">
</head><body>
<h1>Recap</h1>
<p class="goal">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Ökonkwo 🎉</p>
</body></html>"""


def ics(summary: str = "Club meeting — Ökonkwo 🎉") -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//sheetmentor test//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", "2026-12-08@pbc.example.org")
    event.add("summary", summary)
    event.add("dtstart", dt.datetime(2026, 12, 8, 17, 0, tzinfo=dt.UTC))
    event.add("dtend", dt.datetime(2026, 12, 8, 18, 0, tzinfo=dt.UTC))
    event.add("dtstamp", dt.datetime(2026, 11, 24, 18, 0, tzinfo=dt.UTC))
    calendar.add_component(event)
    return calendar.to_ical()


def outgoing(**changes: object) -> Outgoing:
    fields: dict[str, object] = {
        "key": "recap/2026-11-24/ada@example.org",
        "to": (address("Ada Ökonkwo", "ada@example.org"),),
        "subject": "Recap 🎉 of Nov 24 — what Ökonkwo did",
        "text": "Hello Ada,\n.a line starting with a dot\n",
        "html": HTML,
        "calendar": ics(),
    }
    fields.update(changes)
    return Outgoing(**fields)  # type: ignore[arg-type]


def roundtrip(message: EmailMessage) -> EmailMessage:
    """Serialise as for SMTP and parse back, as a receiving client would."""
    data = message.as_bytes(policy=policy.SMTP)
    assert data.isascii()
    return BytesParser(policy=policy.default).parsebytes(data)  # type: ignore[return-value]


def test_multipart_structure_text_html_and_ics() -> None:
    parsed = roundtrip(build_message(outgoing(), EMAIL, CLUB))
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == ICS_FILENAME
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_content_disposition() == "attachment"


def test_without_calendar_or_html_the_structure_shrinks() -> None:
    only_alternative = roundtrip(build_message(outgoing(calendar=None), EMAIL, CLUB))
    assert only_alternative.get_content_type() == "multipart/alternative"
    plain = roundtrip(build_message(outgoing(calendar=None, html=None), EMAIL, CLUB))
    assert plain.get_content_type() == "text/plain"
    assert plain.get_content().splitlines() == ["Hello Ada,", ".a line starting with a dot"]


def test_css_is_inlined_and_escaped_text_stays_escaped() -> None:
    parsed = roundtrip(build_message(outgoing(), EMAIL, CLUB))
    html = parsed.get_body(("html",)).get_content()
    assert "<style" not in html
    assert "<link" not in html
    assert 'style="color: #1a4d8f;font-size: 20px;"' in html
    assert 'style="padding: 4px;"' in html
    assert "&lt;script&gt;" in html
    assert "<script" not in html
    assert "Ökonkwo 🎉" in html


def test_utf8_subject_and_display_name_round_trip() -> None:
    parsed = roundtrip(build_message(outgoing(), EMAIL, CLUB))
    assert parsed["Subject"] == "Recap 🎉 of Nov 24 — what Ökonkwo did"
    (to,) = parsed["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Ada Ökonkwo", "ada@example.org")
    assert parsed["From"].addresses[0].addr_spec == "pbc@example.org"
    assert parsed["Reply-To"].addresses[0].addr_spec == "org@example.org"


def test_headers_for_automatic_mail() -> None:
    when = dt.datetime(2026, 11, 24, 18, 30, tzinfo=dt.UTC)
    parsed = roundtrip(build_message(outgoing(), EMAIL, CLUB, date=when))
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["X-Sheetmentor-Key"] == "recap/2026-11-24/ada@example.org"
    assert parsed["List-Id"].strip() == (
        "Personal Branding Club <personal-branding-club.sheetmentor.example.org>"
    )
    assert parsedate_to_datetime(parsed["Date"]) == when
    assert "List-Unsubscribe" not in parsed


def test_message_id_is_deterministic() -> None:
    first = build_message(outgoing(), EMAIL, CLUB)["Message-ID"]
    again = build_message(outgoing(subject="edited later"), EMAIL, CLUB)["Message-ID"]
    assert first == again == message_id_for(CLUB, "recap/2026-11-24/ada@example.org", "example.org")
    assert first.startswith("<") and first.endswith("@example.org>")
    other_member = outgoing(
        key="recap/2026-11-24/bo@example.org", to=(address("Bo", "bo@example.org"),)
    )
    assert build_message(other_member, EMAIL, CLUB)["Message-ID"] != first
    assert build_message(outgoing(), EMAIL, "Another Club")["Message-ID"] != first


def test_message_id_override_is_kept() -> None:
    message = build_message(outgoing(), EMAIL, CLUB, message_id="<recorded@example.org>")
    assert message["Message-ID"] == "<recorded@example.org>"


def test_ics_attachment_parses_with_icalendar() -> None:
    parsed = roundtrip(build_message(outgoing(), EMAIL, CLUB))
    attachment = next(parsed.iter_attachments())
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Club meeting — Ökonkwo 🎉"
    assert event.decoded("dtstart") == dt.datetime(2026, 12, 8, 17, 0, tzinfo=dt.UTC)
    assert attachment.get_payload(decode=True) == ics()


@pytest.mark.parametrize(
    ("changes", "header"),
    [
        ({"subject": "Recap\r\nBcc: everyone@example.org"}, "Subject"),
        ({"subject": "Recap\nX-Evil: 1"}, "Subject"),
        ({"subject": "Recap\u2028line separator"}, "Subject"),
        ({"key": "recap/2026-11-24\r\nBcc: x@example.org"}, "X-Sheetmentor-Key"),
    ],
)
def test_line_breaks_in_headers_are_refused(changes: dict[str, str], header: str) -> None:
    with pytest.raises(UnsafeHeaderError, match=f"the {header} header") as caught:
        build_message(outgoing(**changes), EMAIL, CLUB)
    assert isinstance(caught.value, DeliveryError)


def test_line_break_in_a_member_name_is_refused_naming_the_header() -> None:
    with pytest.raises(UnsafeHeaderError, match="To header \\(display name\\)"):
        address("Ada\nBcc: everyone@example.org", "ada@example.org")
    with pytest.raises(UnsafeHeaderError, match="List-Id header"):
        build_message(outgoing(), EMAIL, "Club\r\nBcc: x@example.org")


def test_address_helper_and_config_parsing() -> None:
    assert address(" Bo ", "bo@example.org ") == Address("Bo", addr_spec="bo@example.org")
    with pytest.raises(ValueError, match="not an e-mail address"):
        address("Bo", "bo at example.org")
    assert parse_address("PBC <pbc@example.org>").addr_spec == "pbc@example.org"
    with pytest.raises(ConfigError, match=r"email\.from"):
        parse_address("pbc@example.org, other@example.org")
    with pytest.raises(ConfigError, match=r"email\.from"):
        parse_address("PBC\n<pbc@example.org>")
    bad = EmailConfig.model_validate({"from": "not an address"})
    with pytest.raises(ConfigError, match=r"email\.from"):
        build_message(outgoing(), bad, CLUB)


def test_outgoing_validates_its_shape() -> None:
    with pytest.raises(ValueError, match="no recipients"):
        outgoing(to=())
    with pytest.raises(ValueError, match="key"):
        outgoing(key=" ")
    with pytest.raises(TypeError):
        outgoing(to=address("Ada", "ada@example.org"))
    assert outgoing(to=[address("Ada", "ada@example.org")]).recipients == ("ada@example.org",)


@pytest.mark.parametrize("smtputf8", [False, True], ids=["ascii", "smtputf8"])
def test_long_names_subjects_and_club_names_fold_within_rfc_5322_limits(smtputf8: bool) -> None:
    name = "Adaeze Ökonkwo-Fernández de la Cruz y Ødegaard-Nakamura " * 2  # 114 characters
    subject = "Recap — " + "S" * 1200 + " " + "é " * 600  # one word longer than a line
    to = "ada@ökonkwo.example" if smtputf8 else "ada@example.org"
    message = build_message(outgoing(to=(address(name, to),), subject=subject), EMAIL, "Club " * 40)
    envelope = envelope_for("recap/2026-11-24/ada", message, "pbc@example.org", (to,))
    assert envelope.smtputf8 == smtputf8
    head = envelope.data.split(b"\r\n\r\n", 1)[0]
    long = [line for line in head.split(b"\r\n") if len(line) > 998]
    assert not long, long  # RFC 5322 2.1.1: MUST be no more than 998 characters
    parsed = Parser(policy=policy.default).parsestr(envelope.data.decode())  # RFC 6532: UTF-8
    assert parsed["Subject"] == subject
    assert parsed["To"].addresses[0].display_name == name.strip()
