"""``status --chart``: completion per tier over recent meetings as a PNG (matplotlib, optional)."""

from __future__ import annotations

import io
from typing import Any

from sheetmentor.errors import ConfigError
from sheetmentor.i18n import _
from sheetmentor.render.contexts import shortdate, tier_labels
from sheetmentor.sheet.normalize import TIERS


def history_chart_png(club: str, history: list[dict[str, Any]]) -> bytes:
    """``status --chart``: mean progress per tier at recent meetings, as a PNG line chart."""
    try:
        import matplotlib
    except ImportError:
        raise ConfigError("--chart needs matplotlib: pip install 'sheetmentor[chart]'") from None
    matplotlib.use("Agg")
    from matplotlib import dates, pyplot, ticker

    figure, axes = pyplot.subplots(figsize=(7, 3.5), dpi=100)
    days = [row["meeting"] for row in history]
    labels = tier_labels()
    for tier in TIERS:
        values = [row["tiers"][tier]["progress"] for row in history]
        axes.plot(days, [v * 100 if v is not None else None for v in values], marker="o",
                  label=labels[tier])  # fmt: skip
    axes.set_ylim(0, 100)
    axes.set_ylabel(_("mean progress (%)"))
    axes.set_title(_("%(club)s: progress at each meeting") % {"club": club})
    # Dates as the club's language writes them, not matplotlib's English month names.
    axes.xaxis.set_major_formatter(
        ticker.FuncFormatter(lambda value, position: shortdate(dates.num2date(value).date()))
    )
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", fontsize="small")
    if not history:
        axes.text(0.5, 0.5, _("no meeting recorded yet"), ha="center", transform=axes.transAxes)
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    pyplot.close(figure)
    return buffer.getvalue()
