"""Errors a user can meet, each with the exit code the CLI gives it.

Every failure that a user can cause or fix (a typo in the config, a sheet that is not shared, an
SMTP server that refuses a login) is one of these classes. The CLI maps them to exit codes in one
place (:class:`sheetmentor.cli.SheetmentorGroup` reads each class's ``exit_code``), so library
users get the same precise classes.
"""

from __future__ import annotations

from sheetmentor.words import plural


class SheetmentorError(Exception):
    """Base class: ``str(error)`` is the message shown to the user, without a traceback."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(SheetmentorError):
    """The config file, a setting, or a command-line option is wrong (exit 2)."""

    exit_code = 2


class NaiveTimeError(ConfigError):
    """A library function was given a datetime without a time zone (exit 2): a naive 20:00
    could be any of the world's 20:00s, and the club's zone is not a guess to make for it."""


class SheetError(SheetmentorError):
    """The sheet cannot be read as a club (exit 1): a missing tab, an unreadable workbook."""

    exit_code = 1


class SourceError(SheetError):
    """The workbook is not something sheetmentor reads within its bounds (exit 1): not a regular
    file (a FIFO, a device), or a zip that would unpack to more than it ever needs (a zip
    bomb). Nothing was read."""


class SheetProblemsError(SheetError):
    """The sheet has errors, listed with their cells, and the command refuses to go on."""

    def __init__(self, problems: list) -> None:
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"the sheet has {plural(len(problems), 'error')}:\n{lines}")
        self.problems = problems


class DeliveryError(SheetmentorError):
    """One or more messages could not be delivered (exit 1)."""

    exit_code = 1


class ServiceError(SheetmentorError):
    """An outside service (Google, SMTP) failed or refused (exit 3)."""

    exit_code = 3


class HistoryError(SheetmentorError):
    """The history store cannot be used as asked (exit 2, a state problem): not a history file,
    unreadable, in a folder that cannot be created, or written out of order."""

    exit_code = 2


class HistoryVersionError(HistoryError):
    """The history file was written by a newer sheetmentor; this one will not guess its layout."""


# --- Delivery: the ledger, the send lock, messages (sheetmentor.outbound) ----------------------


class DeliveryDeferred(DeliveryError):
    """Nothing failed for good, but the mail server could not take some messages now (exit 3);
    they stay in the ledger and the next run sends them."""

    exit_code = 3


class SendLockBusy(DeliveryError):
    """Another run held ``send.lock`` for longer than this run would wait; nothing was sent."""

    exit_code = 1


class UnsafeHeaderError(DeliveryError):
    """A value headed for a mail header contains a line break (exit 1, that message is not sent)."""

    exit_code = 1


class LedgerError(SheetmentorError):
    """The ledger file cannot be used: corrupted, unreadable, or from a newer sheetmentor (exit 1).

    Nothing was sent: a run that cannot tell what was sent before must not guess."""

    exit_code = 1


class LedgerMissingError(LedgerError):
    """The ledger is gone although earlier sends are on record (exit 1): starting a new one would
    send every member again what they already received. ``--new-ledger`` overrides."""

    exit_code = 1


class ScheduleStale(SheetmentorError):
    """A file ``sheetmentor schedule`` wrote no longer matches the config (``--check``)."""

    exit_code = 1


# --- chat delivery (sheetmentor.outbound.chat) ----------------------------------------------
# Messages here never contain a webhook URL: it is a secret (see
# sheetmentor.outbound.chat.redact_url).


class ChatRefused(DeliveryError):
    """A chat platform refused a post for good (exit 1): a deleted webhook, an archived channel,
    a payload it rejects. Fix the webhook or the config and run again."""


class ChatUnavailable(ServiceError):
    """A chat platform could not be reached or kept failing (5xx, 429) past the retry budget
    (exit 3). The posts are not lost: the next run tries them again."""


class ChatMentionError(SheetError):
    """A member's Slack or Discord ID in the sheet is not an ID (exit 1), so no one is mentioned
    by mistake."""


# --- Google Sheets (sheetmentor.sheet.sources: google, link) -----------------------------------
# Every way reading a Google Sheet fails, so that a library user can tell them apart; each is an
# outside service failing or refusing (exit 3).


class GoogleSheetsError(ServiceError):
    """Google refused, failed, or sent an answer sheetmentor cannot read (exit 3)."""

    exit_code = 3


class GoogleUnreachableError(GoogleSheetsError):
    """No answer at all: nothing listening, no such host, a timeout, or retries used up."""

    exit_code = 3


class GoogleAnswerError(GoogleSheetsError):
    """Google answered with something that is not what was asked for (not JSON, cut off, a
    shape sheetmentor does not know, a file that is not a workbook)."""

    exit_code = 3


class SheetNotSharedError(GoogleSheetsError):
    """The sheet is not shared with the identity sheetmentor uses (a service account, the
    signed-in person, or anyone with the link)."""

    exit_code = 3
