"""Report figures as SVG text (matplotlib, object API: no global pyplot state)."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rustcoder.types import Status

if TYPE_CHECKING:
    from rustcoder.metrics.summary import Summary

STATUS_COLOURS = {
    Status.PASSED.value: "#2e7d32",
    Status.COMPILE_ERROR.value: "#c62828",
    Status.TEST_FAILURE.value: "#ef6c00",
    Status.PANIC.value: "#6a1b9a",
    Status.TIMEOUT.value: "#1565c0",
    Status.NO_TESTS.value: "#757575",
    Status.SANDBOX_ERROR.value: "#000000",
    Status.BACKEND_ERROR.value: "#9e9e9e",
    Status.NOT_EXECUTED.value: "#b0bec5",
}

Run = tuple[str, "Summary"]
"""(label, summary)."""


def new_figure(width: float, height: float) -> Any:
    """A matplotlib figure of its own (no pyplot state), laid out to fit."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def to_svg(figure: Any) -> str:
    """The figure as SVG text, the same bytes for the same figure (fixed ids, no date)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "rustcoder", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def status_plot(runs: Sequence[Run]) -> str:
    """Share of samples per status, one stacked bar per run."""
    figure = new_figure(8, 1.2 + 0.45 * len(runs))
    axes = figure.add_subplot()
    labels = [label for label, _ in runs]
    left = [0.0] * len(runs)
    for status, colour in STATUS_COLOURS.items():
        shares = [doc.status_counts.get(status, 0) / max(1, doc.samples) for _, doc in runs]
        if any(shares):
            axes.barh(labels, shares, left=left, color=colour, label=status)
            left = [a + b for a, b in zip(left, shares, strict=True)]
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of samples")
    axes.invert_yaxis()
    axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    return to_svg(figure)


def error_code_plot(runs: Sequence[Run], top: int = 12) -> str | None:
    """The most frequent rustc error codes (samples with the code), grouped by run."""
    total: Counter[str] = Counter()
    for _, doc in runs:
        total.update(doc.error_codes)
    codes = [code for code, _ in total.most_common(top)]
    if not codes:
        return None
    figure = new_figure(8, 3.2)
    axes = figure.add_subplot()
    width = 0.8 / len(runs)
    for index, (label, doc) in enumerate(runs):
        xs = [i + index * width for i in range(len(codes))]
        axes.bar(xs, [doc.error_codes.get(c, 0) for c in codes], width=width, label=label)
    axes.set_xticks([i + 0.4 - width / 2 for i in range(len(codes))], codes, rotation=45, fontsize=8)
    axes.set_ylabel("samples")
    if len(runs) > 1:
        axes.legend(fontsize=8)
    return to_svg(figure)


def attempts_plot(runs: Sequence[Run]) -> str | None:
    """How many attempts samples needed for well-formed output, and cumulative correct results."""
    with_attempts = [(label, doc.attempts) for label, doc in runs if doc.attempts]
    if not with_attempts:
        return None
    figure = new_figure(9, 3.2)
    left, right = figure.subplots(1, 2)
    width = 0.8 / len(with_attempts)
    for index, (label, attempts) in enumerate(with_attempts):
        dist = {int(k): v for k, v in attempts["distribution"].items()}
        xs = sorted(dist)
        left.bar([x + index * width for x in xs], [dist[x] for x in xs], width=width, label=label)
        cumulative = attempts["cumulative_correct"]
        right.step(
            [a for a, _ in cumulative], [c for _, c in cumulative], where="post", marker="o", label=label
        )
    left.set_xlabel("attempts until well-formed")
    left.set_ylabel("samples")
    right.set_xlabel("attempts allowed")
    right.set_ylabel("correct results (cumulative)")
    right.legend(fontsize=8)
    from matplotlib.ticker import MaxNLocator

    for axes in (left, right):
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return to_svg(figure)


def latency_plot(runs: Sequence[Run]) -> str | None:
    """pass@1 against mean generation time per sample, one point per run."""
    points = [
        (label, doc.generation["gen_seconds"].mean, doc.pass_at_k["1"])
        for label, doc in runs
        if "gen_seconds" in doc.generation and "1" in doc.pass_at_k
    ]
    if not points:
        return None
    figure = new_figure(6, 3.6)
    axes = figure.add_subplot()
    for label, seconds, score in points:
        axes.scatter([seconds], [score])
        axes.annotate(label, (seconds, score), fontsize=8, xytext=(4, 4), textcoords="offset points")
    axes.margins(0.2)
    axes.set_xlabel("mean generation time per sample (s)")
    axes.set_ylabel("pass@1")
    axes.set_ylim(bottom=0)
    axes.set_xlim(left=0)
    return to_svg(figure)
