"""``status --chart``: completion per tier over recent meetings as a PNG (matplotlib, optional)."""

from __future__ import annotations

import io
from typing import Any

from sheetmentor.errors import ConfigError
from sheetmentor.render.contexts import TIER_LABELS
from sheetmentor.sheet.normalize import TIERS


def history_chart_png(club: str, history: list[dict[str, Any]]) -> bytes:
    """``status --chart``: mean progress per tier at recent meetings, as a PNG line chart."""
    try:
        import matplotlib
    except ImportError:
        raise ConfigError("--chart needs matplotlib: pip install 'sheetmentor[chart]'") from None
    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(7, 3.5), dpi=100)
    days = [row["meeting"] for row in history]
    for tier in TIERS:
        values = [row["tiers"][tier]["progress"] for row in history]
        axes.plot(days, [v * 100 if v is not None else None for v in values], marker="o",
                  label=TIER_LABELS[tier])  # fmt: skip
    axes.set_ylim(0, 100)
    axes.set_ylabel("mean progress (%)")
    axes.set_title(f"{club}: progress at each meeting")
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", fontsize="small")
    if not history:
        axes.text(0.5, 0.5, "no meeting recorded yet", ha="center", transform=axes.transAxes)
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    pyplot.close(figure)
    return buffer.getvalue()
