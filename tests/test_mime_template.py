"""Messages built from one prepared template per mailing are the messages the standard library
would write: the remembered header folds and the preset boundaries change no byte."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetmentor.config import EmailConfig
from sheetmentor.outbound.mime import MessageTemplate, Outgoing, address
from sheetmentor.outbound.transport import envelope_for

EMAIL = EmailConfig.model_validate(
    {"from": "Clüb Ø <club@example.org>", "reply_to": "Ada <ada@example.org>"}
)
STOCK = email.policy.default.clone(linesep="\r\n", max_line_length=998)
"""The standard library's policy with the settings of the SMTP wire (ASCII headers)."""
WHEN = dt.datetime(2026, 11, 24, 19, 0, tzinfo=dt.UTC)
words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=90
).filter(lambda text: text.strip() and not any(ch in text for ch in "\x1c\x1d\x1e\x85"))


def outgoing(number: int, name: str, subject: str, text: str) -> Outgoing:
    return Outgoing(
        key=f"recap/2026-11-24/m{number}@example.org",
        to=(address(name, f"m{number}@example.org"),),
        subject=subject,
        text=text,
        html=f"<html><head><style>p {{ color: red; }}</style></head><body>{text}</body></html>",
        calendar=b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(words, words, words), min_size=1, max_size=4))
def test_prepared_messages_serialise_as_the_standard_library_does(
    people: list[tuple[str, str, str]],
) -> None:
    template = MessageTemplate.prepare(EMAIL, "Test Club")
    for _ in range(2):  # the second round folds from memory
        for number, (name, subject, text) in enumerate(people):
            sent = outgoing(number, name, subject, text)
            message = template.build(sent, date=WHEN)
            envelope = envelope_for(sent.key, message, "club@example.org", sent.recipients)
            assert envelope.data == message.as_bytes(policy=STOCK)
            parsed = email.message_from_bytes(envelope.data, policy=email.policy.default)
            assert parsed["Subject"] == subject
            assert [part.get_content_type() for part in parsed.walk()] == [
                "multipart/mixed",
                "multipart/alternative",
                "text/plain",
                "text/html",
                "text/calendar",
            ]
            body = parsed.get_body(("plain",)).get_content()
            assert body.split() == text.split()
