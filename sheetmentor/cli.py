"""The ``sheetmentor`` command: a thin Click layer over the library.

Each command loads the config, calls one documented library function and prints its result.
Results go to stdout, messages to stderr; :class:`SheetmentorGroup` maps every
:class:`~sheetmentor.errors.SheetmentorError` to its exit code in one place. Heavy libraries
(pandas, gspread, openpyxl) are imported inside the commands, so ``sheetmentor --help`` is quick.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from sheetmentor import clock
from sheetmentor.errors import ConfigError, SheetmentorError

if TYPE_CHECKING:
    from sheetmentor.config import Config
    from sheetmentor.outbound.transport import DeliveryReport
    from sheetmentor.sheet.layout import Explanation

log = logging.getLogger("sheetmentor")


class SheetmentorGroup(click.Group):
    """Turns a user's mistake into a one-line message and the exit code its class names."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SheetmentorError as error:
            click.echo(f"error: {_guarded(error.message)}", err=True)
            ctx.exit(error.exit_code)


def _guarded(message: str) -> str:
    """An error message through the privacy guard once a sheet was read (the guard knows its
    private goals only then; before, importing it would only slow ``--help`` down)."""
    privacy = sys.modules.get("sheetmentor.privacy")
    return privacy.guard(message) if privacy is not None else message


class DateParam(click.ParamType):
    """A date (``2026-11-24``); with ``times``, also a moment (``2026-11-24T14:00``)."""

    def __init__(self, *, times: bool = False) -> None:
        self.times = times
        self.name = "YYYY-MM-DD[THH:MM]" if times else "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        try:
            if self.times and ("T" in text or " " in text):
                parsed: dt.date = dt.datetime.fromisoformat(text)
            else:
                parsed = dt.date.fromisoformat(text)
        except ValueError:
            example = "2026-11-24 or 2026-11-24T14:00" if self.times else "2026-11-24"
            self.fail(f"{value!r} is not a date like {example}", param, ctx)
        day = parsed.date() if isinstance(parsed, dt.datetime) else parsed
        if not clock.FIRST_DAY <= day <= clock.LAST_DAY:
            self.fail(
                f"{value!r} is out of range: sheetmentor counts meetings between "
                f"{clock.FIRST_DAY.year} and {clock.LAST_DAY.year}",
                param,
                ctx,
            )
        return parsed


class PairedOption(click.Option):
    """An option that means something only with one of ``needs`` or never with ``excludes``:
    used otherwise it is a usage mistake (exit 2), never silently ignored."""

    def __init__(
        self, *args: Any, needs: tuple[str, ...] = (), excludes: tuple[str, ...] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.needs = needs
        self.excludes = excludes

    def handle_parse_result(self, ctx: click.Context, opts: Any, args: list[str]) -> Any:
        if opts.get(self.name) not in (None, False):
            flag = self.opts[-1]
            if self.needs and not any(opts.get(other) for other in self.needs):
                wanted = " or ".join(f"--{_flag(other)}" for other in self.needs)
                raise click.UsageError(f"{flag} goes with {wanted}", ctx)
            for other in self.excludes:
                if opts.get(other) not in (None, False):
                    raise click.UsageError(f"{flag} and --{_flag(other)} do not go together", ctx)
        return super().handle_parse_result(ctx, opts, args)


def _flag(name: str) -> str:
    return {"show_status": "status"}.get(name, name).replace("_", "-")


DATE = DateParam()
DATETIME = DateParam(times=True)

as_of_option = click.option(
    "--as-of", type=DATE, help="Compute as if today were this date (default: today, club time)."
)
force_option = click.option("--force", is_flag=True, help="Go on even if the sheet has errors.")
new_ledger_option = click.option(
    "--new-ledger",
    is_flag=True,
    cls=PairedOption,
    needs=("send",),
    help="With --send: start a new ledger although earlier sends are on record (they may go "
    "out again).",
)
retry_failed_option = click.option(
    "--retry-failed",
    is_flag=True,
    cls=PairedOption,
    needs=("send",),
    help="With --send: send again what failed for good, once you fixed the cause.",
)
new_ledger_option_plain = click.option(
    "--new-ledger",
    is_flag=True,
    help="Start a new ledger although earlier sends are on record (they may go out again).",
)
output_option = click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here."
)


def count_option(default: int) -> Callable:
    """``-n/--count``: how many meetings, at least one."""
    return click.option(
        "-n",
        "--count",
        type=click.IntRange(min=1),
        default=default,
        show_default=True,
        help="How many meetings.",
    )


def format_option(*choices: str) -> Callable:
    """``--format`` with these choices, the first the default."""
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True
    )


@click.group(cls=SheetmentorGroup)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: $SHEETMENTOR_CONFIG, else ./sheetmentor.yaml).",
)
@click.option("-v", "--verbose", count=True, help="Say more on stderr (-vv for debug).")
@click.option(
    "-q", "--quiet", is_flag=True, help="Only errors on stderr (and no line from record)."
)
@click.version_option(package_name="sheetmentor")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, verbose: int, quiet: bool) -> None:
    """Agendas and recaps for a peer-mentoring club, from the spreadsheet it already keeps."""
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
    ctx.obj = {"config_path": config_path, "quiet": quiet}


def _config(ctx: click.Context) -> Config:
    from sheetmentor.config import load_config

    if "config" not in ctx.obj:
        ctx.obj["config"] = load_config(ctx.obj["config_path"])
    return ctx.obj["config"]


def _write(text: str | bytes, output: Path | None = None) -> None:
    if output is None:
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
        else:
            click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        if isinstance(text, bytes):
            output.write_bytes(text)
        else:
            output.write_text(text, encoding="utf-8")
    except OSError as error:  # a path the user gave: a usage mistake
        raise ConfigError(f"cannot write {output}: {error.strerror}") from None
    log.info("wrote %s", output)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option(
    "--from",
    "sheet",
    metavar="FILE_OR_SHEET",
    help="Write a config for a sheet the club already keeps (a file, or a Google Sheet's URL).",
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option(
    "--schedule",
    "runner",
    type=click.Choice(["github", "systemd"]),
    help="Also write what sends on schedule (see `sheetmentor schedule`).",
)
def init(folder: Path, sheet: str | None, force: bool, runner: str | None) -> None:
    """Write a starter config and workbook to fill in (or a config for an existing sheet)."""
    if sheet is not None:
        from sheetmentor.setup.starter import write_config_from

        path, explanation = write_config_from(sheet, folder, overwrite=force)
        click.echo(f"wrote {path}")
        _print_explanation(explanation)
    else:
        from sheetmentor.setup.starter import write_starter

        for path in write_starter(folder, overwrite=force):
            click.echo(f"wrote {path}")
    if runner is not None:
        from sheetmentor.config import load_config
        from sheetmentor.setup.runners import schedule_files, write_schedule

        files = schedule_files(runner, load_config(folder / "sheetmentor.yaml"))  # type: ignore[arg-type]
        for path in write_schedule(files, overwrite=force):
            click.echo(f"wrote {path}")


@cli.command()
@click.option(
    "--explain",
    is_flag=True,
    help="Also say how each tab was read: header row, columns, layout, words, rows skipped.",
)
@click.pass_context
def check(ctx: click.Context, explain: bool) -> None:
    """Validate the config and the sheet; list problems with their cells."""
    from sheetmentor.commands import check_club

    result = check_club(_config(ctx))
    if explain:
        _print_explanation(result.explanation)
    _write(result.text)
    if result.errors:
        ctx.exit(1)


def _print_explanation(explanation: Explanation) -> None:
    """``check --explain``: how each tab was read, then the words mapped per vocabulary (through
    the privacy guard, like every output: notes may quote cells)."""
    from sheetmentor.privacy import guard

    lines = [f"layout: {explanation.layout} ({explanation.layout_how})"]
    if explanation.language:
        lines.append(f"language: {explanation.language}")
    for tab in explanation.tabs:
        shape = f" — {tab.layout}" if tab.layout else ""
        lines.append(f'tab "{tab.title}": {tab.role}{shape}')
        if tab.header_row is not None:
            lines.append(f"  header row: {tab.header_row}")
        for column in tab.columns:
            target = column.field or "kept as an extra column"
            lines.append(f'  {column.column} "{column.header}" → {target} ({column.how})')
        lines.extend(f"  {note}" for note in tab.notes)
    for vocabulary, words in explanation.words.items():
        mapped = ", ".join(f'"{word}" → {meaning}' for word, meaning in words.items())
        lines.append(f"words ({vocabulary}): {mapped}")
    click.echo(guard("\n".join(lines)) + "\n")


@cli.command()
@format_option("table", "json", "csv")
@click.option("--history", is_flag=True, help="Also completion per tier at recent meetings.")
@click.option(
    "--last",
    type=click.IntRange(min=1),
    cls=PairedOption,
    needs=("history", "chart"),
    default=6,
    show_default=True,
    help="How many meetings --history shows.",
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Draw completion per tier over recent meetings to this PNG file.",
)
@as_of_option
@force_option
@click.pass_context
def status(
    ctx: click.Context,
    fmt: str,
    history: bool,
    last: int,
    chart: Path | None,
    as_of: dt.date | None,
    force: bool,
) -> None:
    """Completion per member, tier and category."""
    from sheetmentor.commands import status_report

    result = status_report(
        _config(ctx),
        as_of=as_of,
        format=fmt,
        history=history,
        last=last,
        chart=chart is not None,
        force=force,
    )
    if chart is not None:
        _write(result.chart, chart)
    _write(result.text)


@cli.command()
@click.option("--since", type=DATE, help="Compare with the meeting on or before this date.")
@format_option("text", "json")
@as_of_option
@force_option
@click.pass_context
def changes(
    ctx: click.Context, since: dt.date | None, fmt: str, as_of: dt.date | None, force: bool
) -> None:
    """What changed in each member's goals since the last meeting."""
    from sheetmentor.commands import changes_report

    _write(changes_report(_config(ctx), since=since, as_of=as_of, format=fmt, force=force))


@cli.command()
@click.option("--date", type=DATE, help="The meeting's date (default: the next meeting).")
@format_option("markdown", "html", "text")
@output_option
@click.option(
    "--send",
    is_flag=True,
    cls=PairedOption,
    excludes=("output",),
    help="Email it to the members (once per meeting).",
)
@retry_failed_option
@new_ledger_option
@as_of_option
@force_option
@click.pass_context
def agenda(
    ctx: click.Context,
    date: dt.date | None,
    fmt: str,
    output: Path | None,
    send: bool,
    retry_failed: bool,
    new_ledger: bool,
    as_of: dt.date | None,
    force: bool,
) -> None:
    """The next meeting's agenda, with what changed since the last one."""
    from sheetmentor.commands import agenda_text

    config = _config(ctx)
    if not send:
        _write(agenda_text(config, date=date, as_of=as_of, format=fmt, force=force), output)
        return
    from sheetmentor.outbound.send import send_agenda

    zone = config.meetings.zone
    report = send_agenda(
        config,
        date,
        now=clock.now(zone),
        as_of=clock.as_of(as_of, zone, bare="start", what="--as-of"),
        force=force,
        retry_failed=retry_failed,
        new_ledger=new_ledger,
    )
    _report(report)


@cli.command()
@click.option("--meeting", type=DATE, help="The meeting's date (default: the last that ended).")
@click.option("--send", is_flag=True, help="Send it, if due and not sent yet (for cron).")
@format_option("text", "html")
@click.option(
    "--member",
    cls=PairedOption,
    excludes=("send",),
    help="Preview the personal version a member receives.",
)
@output_option
@click.option(
    "--status",
    "show_status",
    is_flag=True,
    cls=PairedOption,
    excludes=("send", "member"),
    help="Show what was sent, and when.",
)
@retry_failed_option
@new_ledger_option
@click.option(
    "--as-of",
    type=DATETIME,
    help="Act as if it were this moment (YYYY-MM-DD means the end of that day, club time).",
)
@force_option
@click.pass_context
def recap(
    ctx: click.Context,
    meeting: dt.date | None,
    send: bool,
    fmt: str,
    member: str | None,
    output: Path | None,
    show_status: bool,
    retry_failed: bool,
    new_ledger: bool,
    as_of: dt.datetime | dt.date | None,
    force: bool,
) -> None:
    """The recap of the last meeting; without --send, a preview that sends nothing."""
    from sheetmentor.commands import recap_text

    config = _config(ctx)
    as_of = clock.attach(as_of, config.meetings.zone)
    if show_status:
        from sheetmentor.outbound.send import ledger_lines

        click.echo("\n".join(ledger_lines(config)))
        return
    if send:
        from sheetmentor.outbound.send import send_recap

        zone = config.meetings.zone
        report = send_recap(
            config,
            meeting,
            now=clock.now(zone),
            as_of=clock.as_of(as_of, zone, bare="end", what="--as-of"),
            force=force,
            retry_failed=retry_failed,
            new_ledger=new_ledger,
        )
        _report(report)
        return
    text = recap_text(config, meeting=meeting, as_of=as_of, format=fmt, member=member, force=force)
    _write(text, output)


def _report(report: DeliveryReport) -> None:
    """Notices even without ``-v``; problems as the error that sets the exit code."""
    for notice in report.notices:
        click.echo(f"warning: {notice}", err=True)
    report.raise_for_problems()


@cli.command()
@click.option("--meeting", type=DATE, help="The meeting's date (default: the next meeting).")
@click.option("--send", is_flag=True, help="Send the nudges (once per meeting and member).")
@click.option("--member", help="Only this member's nudge.")
@retry_failed_option
@new_ledger_option
@click.option(
    "--as-of",
    type=DATETIME,
    help="Act as if it were this moment (YYYY-MM-DD means the start of that day, club time).",
)
@force_option
@click.pass_context
def nudge(
    ctx: click.Context,
    meeting: dt.date | None,
    send: bool,
    member: str | None,
    retry_failed: bool,
    new_ledger: bool,
    as_of: dt.datetime | dt.date | None,
    force: bool,
) -> None:
    """Remind each member to update their row before the next meeting; without --send, a
    preview that sends nothing."""
    from sheetmentor.outbound.send import preview_nudges, send_nudges

    config = _config(ctx)
    zone = config.meetings.zone
    now = clock.now(zone)
    when = clock.as_of(clock.attach(as_of, zone), zone, bare="start", what="--as-of")
    if not send:
        click.echo(preview_nudges(config, meeting, now=now, as_of=when, member=member, force=force))
        return
    report = send_nudges(
        config,
        meeting,
        now=now,
        as_of=when,
        member=member,
        force=force,
        retry_failed=retry_failed,
        new_ledger=new_ledger,
    )
    _report(report)


@cli.command("send-due")
@new_ledger_option_plain
@click.pass_context
def send_due_command(ctx: click.Context, new_ledger: bool) -> None:
    """Send whatever is due now — the nudges before a meeting, the recap after it — once; what
    cron runs. Silent when nothing is due."""
    from sheetmentor.outbound.send import send_due

    config = _config(ctx)
    _report(send_due(config, clock.now(config.meetings.zone), new_ledger=new_ledger))


@cli.command()
@click.pass_context
def record(ctx: click.Context) -> None:
    """Record the sheet in the meeting history as it is now (for clubs that send nothing: run
    it after each meeting, once members updated their rows)."""
    from sheetmentor.commands import record_club

    line = record_club(_config(ctx))
    if not ctx.obj["quiet"]:  # cron's line runs it with -q: silent unless something is wrong
        click.echo(line)


@cli.command()
@click.option(
    "--minute",
    type=click.IntRange(0, 59),
    default=17,
    show_default=True,
    help="Minute past each hour to run.",
)
@click.pass_context
def cron(ctx: click.Context, minute: int) -> None:
    """Print a crontab line that sends what is due (nudges, recaps) once, when it is due."""
    from sheetmentor.outbound.plan import crontab_line

    click.echo(crontab_line(_config(ctx), minute))


@cli.command()
@click.argument("runner", type=click.Choice(["github", "systemd"]))
@click.option("--check", is_flag=True, help="Only say whether the written files match the config.")
@click.option("--force", is_flag=True, help="Overwrite files that differ.")
@click.option(
    "--every",
    type=int,
    default=15,
    show_default=True,
    help="github: minutes between runs (divides an hour).",
)
@click.option(
    "--unit-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="systemd: where the units go (default: ~/.config/systemd/user).",
)
@click.pass_context
def schedule(
    ctx: click.Context,
    runner: Literal["github", "systemd"],
    check: bool,
    force: bool,
    every: int,
    unit_dir: Path | None,
) -> None:
    """Write what runs send-due on schedule without a server: a GitHub Actions workflow (the
    ledger kept on a branch) or a systemd user timer."""
    from sheetmentor.setup.runners import check_schedule, schedule_files, write_schedule

    files = schedule_files(runner, _config(ctx), every_minutes=every, unit_dir=unit_dir)
    if check:
        check_schedule(files, runner)
        click.echo("up to date: " + ", ".join(str(file.path) for file in files))
        return
    for path in write_schedule(files, overwrite=force):
        click.echo(f"wrote {path}")


@cli.command("next")
@count_option(3)
@as_of_option
@click.pass_context
def next_(ctx: click.Context, count: int, as_of: dt.date | None) -> None:
    """The next meeting dates, with place and facilitator."""
    from sheetmentor.commands import next_meetings

    for line in next_meetings(_config(ctx), as_of=as_of, count=count):
        click.echo(line)


@cli.command()
@output_option
@count_option(26)
@as_of_option
@click.pass_context
def calendar(ctx: click.Context, output: Path | None, count: int, as_of: dt.date | None) -> None:
    """The meeting cadence as an iCalendar (.ics) file."""
    from sheetmentor.commands import calendar_file

    _write(calendar_file(_config(ctx), as_of=as_of, count=count), output)


@cli.command()
@click.option(
    "--keep-download",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Link access: also keep the downloaded .xlsx here.",
)
@click.pass_context
def doctor(ctx: click.Context, keep_download: Path | None) -> None:
    """Which identity reads the sheet, whether it can, its tabs, and what to do next."""
    from sheetmentor.sheet.doctor import diagnose

    diagnosis = diagnose(_config(ctx).source, keep_download=keep_download)
    for line in diagnosis.lines():
        click.echo(line)
    ctx.exit(diagnosis.exit_code)


def main() -> None:
    cli(prog_name="sheetmentor")
