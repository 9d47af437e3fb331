"""Charts for the reports, drawn on the server as accessible inline SVG.

A chart reads without JavaScript and without colour: it is an `<svg role="img">` named by its
`<title>` and `<desc>`, its axes are labelled with ticks and units, every bar carries its value,
several series have a legend in text and are told apart by pattern (bars) or by dash and marker
shape (lines) as well as by colour. A value that is None (suppressed or missing) is never drawn
as zero: nothing is drawn for it and its place is marked "[c]", with a note under the chart.
The page shows the same numbers in a table beside the chart (templates/components/chart.html;
`table_rows` gives its rows, formatted the way the chart shows them).

Every piece of text goes through markupsafe.escape. There is no script, no event handler, no
external reference and no `style`: only SVG presentation attributes, which the app's
Content-Security-Policy allows. The drawing scales with its container (a viewBox, width 100%).
Text widths cannot be measured on the server, so they are estimated generously.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.domain.disclosure import SUPPRESSED

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
TEXT_COLOUR = "#0b0c0c"
GRID_COLOUR = "#cecece"
BACKGROUND = "#ffffff"
FONT_FAMILY = "Arial, sans-serif"
FONT_SIZE = 14
NOTE_SIZE = 13
LINE_HEIGHT = 18
MARGIN = 12
BAR_CHART_WIDTH = 400
LINE_CHART_WIDTH = 440
PLOT_HEIGHT = 220
GAP_NOTE = "means the figure is not shown: suppressed to protect the people in it, or not available"
ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


@dataclass(frozen=True)
class Series:
    """One series: a name for the legend, and a value per category or period. None marks a
    value that is suppressed or missing; it is never drawn as zero."""

    name: str
    values: Sequence[float | None]

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))


@dataclass(frozen=True)
class _Style:
    fill: str  # a bar's colour (bars are outlined in the text colour)
    line: str  # a line's colour: at least 3:1 against white
    pattern: str  # how bars are told apart without colour
    dash: str | None  # ... and lines
    marker: str


# GOV.UK colours. The orange line is a shade of the orange bars: the primary orange is under
# 3:1 against white, which is fine for an outlined bar but not for a line.
STYLES = (
    _Style("#1d70b8", "#1d70b8", "solid", None, "circle"),
    _Style("#f47738", "#b7592a", "stripes", "9 5", "square"),
    _Style("#0f7a52", "#0f7a52", "dots", "2 4", "triangle"),
    _Style("#54319f", "#54319f", "crosshatch", "12 4 3 4", "diamond"),
)


def format_value(value: float | None, *, percent: bool = False, gap_label: str = SUPPRESSED) -> str:
    """A value as charts and tables show it: 1,234 or 12.5, with % for percentages (which
    are given as 0 to 100); `gap_label` for None."""
    if value is None:
        return gap_label
    rounded = round(float(value), 1)
    text = f"{rounded:,.0f}" if rounded.is_integer() else f"{rounded:,.1f}"
    return f"{text}%" if percent else text


def table_rows(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    percent: bool = False,
    gap_label: str = SUPPRESSED,
) -> list[list[str]]:
    """The rows of the table beside a chart: each label, then each series' value as shown."""
    return [
        [label, *(format_value(s.values[i], percent=percent, gap_label=gap_label) for s in series)]
        for i, label in enumerate(labels)
    ]


def bar_chart(
    *,
    id_prefix: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    value_label: str,
    category_label: str | None = None,
    percent: bool = False,
    gap_label: str = SUPPRESSED,
    gap_note: str = GAP_NOTE,
    reference: float | None = None,
    reference_label: str = "",
) -> Markup:
    """Horizontal bars, one group per category (its label above its bars, so long borough names
    never need cutting short), one bar per series, each with its value at its end.

    `id_prefix` makes the ids in the drawing unique on the page; `value_label` names the value
    axis, with its unit (say "Apprentices" or "Share of starts (%)"); `percent` values are 0 to
    100. Up to four series.

    `reference` draws a dashed line across the bars at that value (a target, say), named in a
    key above the chart by `reference_label`; the scale always reaches it."""
    _check(id_prefix, series, len(categories), "categories")
    width = BAR_CHART_WIDTH
    values = _present(series) + _reference_values(reference)
    scale = _Scale.over(values, percent=percent)
    shown = {v: format_value(v, percent=percent) for v in values}
    top_tick = format_value(scale.top, percent=percent)
    right = max(
        max((_width(text) for text in shown.values()), default=0) + 10,
        _width(top_tick) / 2 + 4,
    )
    left, plot_right = MARGIN, width - right
    span = plot_right - left

    def x_of(value: float) -> float:
        return left + value / scale.top * span

    paints, defs = _paints(id_prefix, len(series))
    grid: list[Markup] = []
    bars: list[Markup] = []
    words: list[Markup] = []
    y = 8.0
    if len(series) > 1:

        def swatch(index: int) -> Callable[[float, float], Markup]:
            return lambda x, mid: _el(
                "rect", x=x, y=mid - 8, width=16, height=16, fill=paints[index], **_OUTLINE
            )

        legend, height = _legend([(swatch(i), s.name) for i, s in enumerate(series)], 16, width, y)
        words.append(legend)
        y += height + 14
    y = _reference_key(words, reference, reference_label, percent, y)
    if category_label:
        words.extend(_text_lines(category_label, width, x=left, y=y + 14, font_weight="bold"))
        y += _line_count(category_label, width, bold=True) * LINE_HEIGHT + 6

    plot_top = y
    bar_height = 24 if len(series) == 1 else 18
    for index, category in enumerate(categories):
        if index:
            y += 14
        lines = _text_lines(category, width, x=left, y=y + 14, class_="app-chart__category")
        words.extend(lines)
        y += _line_count(category, width) * LINE_HEIGHT + 4
        group_top = y
        for number, one in enumerate(series):
            value = one.values[index]
            baseline = y + bar_height / 2 + 5
            if value is None:
                words.append(_gap(gap_label, x=left + 5, y=baseline, text_anchor="start"))
            else:
                length = x_of(value) - left
                if value > 0:
                    length = max(length, 1)
                    bars.append(
                        _el(
                            "rect",
                            x=left,
                            y=y,
                            width=length,
                            height=bar_height,
                            fill=paints[number],
                            class_="app-chart__bar",
                            **_OUTLINE,
                        )
                    )
                words.append(
                    _el(
                        "text",
                        shown[value],
                        x=left + length + 5,
                        y=baseline,
                        class_="app-chart__value",
                    )
                )
            y += bar_height + 3
        y -= 3
        for tick in scale.ticks[1:]:
            grid.append(_vertical(x_of(tick), group_top - 3, y + 3, GRID_COLOUR))
        grid.append(_vertical(left, group_top - 3, y + 3, TEXT_COLOUR))

    axis_y = y + 10
    axis = [_el("line", x1=left, y1=axis_y, x2=plot_right, y2=axis_y, stroke=TEXT_COLOUR)]
    # The reference line runs across the bars, from the first group down to the axis.
    axis.extend(
        _el("line", x1=at, y1=plot_top, x2=at, y2=axis_y, class_=_REFERENCE_CLASS, **_DASHED)
        for at in map(x_of, _reference_values(reference))
    )
    for tick in scale.ticks:
        x = x_of(tick)
        axis.append(_vertical(x, axis_y, axis_y + 6, TEXT_COLOUR))
        axis.append(
            _el(
                "text",
                format_value(tick, percent=percent),
                x=x,
                y=axis_y + 6 + 15,
                text_anchor="middle",
                class_="app-chart__tick",
            )
        )
    y = axis_y + 6 + 15 + 10
    axis.extend(
        _text_lines(
            value_label,
            width,
            x=width / 2,
            y=y + 14,
            text_anchor="middle",
            font_weight="bold",
            class_="app-chart__axis-label",
        )
    )
    y += _line_count(value_label, width, bold=True) * LINE_HEIGHT + 4
    y = _gap_note(words, series, gap_label, gap_note, width, y)
    return _svg(
        id_prefix=id_prefix,
        kind="bar",
        width=width,
        height=y + 8,
        title=title,
        description=description,
        body=[defs, _group(grid), _group(bars), _group(axis), _group(words)],
    )


def line_chart(
    *,
    id_prefix: str,
    title: str,
    description: str,
    periods: Sequence[str],
    series: Sequence[Series],
    value_label: str,
    period_label: str | None = None,
    percent: bool = False,
    gap_label: str = SUPPRESSED,
    gap_note: str = GAP_NOTE,
) -> Markup:
    """Lines over periods (oldest first), each series with its own dash and marker shape, its
    latest value labelled at its end. A None breaks the line and is marked "[c]" in the gap.

    When period labels would collide only every so many are written, counting back from the
    latest (each period still has a tick; the table beside the chart has every value)."""
    _check(id_prefix, series, len(periods), "periods")
    if len(periods) < 2:
        raise ValueError("a line chart needs at least two periods")
    width = LINE_CHART_WIDTH
    scale = _Scale.over(_present(series), percent=percent)
    latest = [
        format_value(s.values[-1], percent=percent) for s in series if s.values[-1] is not None
    ]
    y = 8.0
    words: list[Markup] = []
    if len(series) > 1:

        def swatch(index: int) -> Callable[[float, float], Markup]:
            return lambda x, mid: _group(
                [
                    _el("line", x1=x, y1=mid, x2=x + 36, y2=mid, **_stroke(STYLES[index])),
                    _marker(STYLES[index], x + 18, mid),
                ]
            )

        legend, height = _legend([(swatch(i), s.name) for i, s in enumerate(series)], 36, width, y)
        words.append(legend)
        y += height + 14
    words.extend(
        _text_lines(
            value_label, width, x=2, y=y + 14, font_weight="bold", class_="app-chart__axis-label"
        )
    )
    y += _line_count(value_label, width, bold=True) * LINE_HEIGHT + 10
    plot = _Plot(
        scale=scale,
        percent=percent,
        left=max(_width(tick) for tick in _tick_texts(scale, percent)) + 16,
        right=width - max(max(map(_width, latest), default=0) + 24, _width(periods[-1]) / 2 + 4),
        top=y,
        count=len(periods),
    )
    grid, axis, rows = _line_axes(plot, periods, width)
    y = plot.bottom + 6 + 15 + (rows - 1) * LINE_HEIGHT + 10
    if period_label:
        axis.extend(
            _text_lines(
                period_label,
                width,
                x=width / 2,
                y=y + 14,
                text_anchor="middle",
                font_weight="bold",
                class_="app-chart__axis-label",
            )
        )
        y += _line_count(period_label, width, bold=True) * LINE_HEIGHT + 4
    lines, markers = _lines(plot, series, gap_label, words)
    y = _gap_note(words, series, gap_label, gap_note, width, y)
    return _svg(
        id_prefix=id_prefix,
        kind="line",
        width=width,
        height=y + 8,
        title=title,
        description=description,
        body=[_group(grid), _group(axis), _group(lines), _group(markers), _group(words)],
    )


def _tick_texts(scale: _Scale, percent: bool) -> list[str]:
    return [format_value(tick, percent=percent) for tick in scale.ticks]


@dataclass(frozen=True)
class _Plot:
    """A line chart's plotting area: values up the side, periods along the bottom."""

    scale: _Scale
    percent: bool
    left: float
    right: float
    top: float
    count: int  # periods
    height: float = PLOT_HEIGHT
    inset: float = 14  # between the axis and the first period, and after the last

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def step(self) -> float:
        return (self.right - self.left - 2 * self.inset) / (self.count - 1)

    def x_of(self, index: int) -> float:
        return self.left + self.inset + index * self.step

    def y_of(self, value: float) -> float:
        return self.bottom - value / self.scale.top * self.height


def _line_axes(
    plot: _Plot, periods: Sequence[str], width: float
) -> tuple[list[Markup], list[Markup], int]:
    """Gridlines, and both axes with their ticks and tick labels; and how many lines the
    period labels take."""
    left, right, bottom = plot.left, plot.right, plot.bottom
    grid: list[Markup] = []
    axis: list[Markup] = [
        _vertical(left, plot.top, bottom, TEXT_COLOUR),
        _el("line", x1=left, y1=bottom, x2=right, y2=bottom, stroke=TEXT_COLOUR),
    ]
    for tick, text in zip(plot.scale.ticks, _tick_texts(plot.scale, plot.percent), strict=True):
        level = plot.y_of(tick)
        if tick:
            grid.append(_el("line", x1=left, y1=level, x2=right, y2=level, stroke=GRID_COLOUR))
        axis.append(_el("line", x1=left - 6, y1=level, x2=left, y2=level, stroke=TEXT_COLOUR))
        axis.append(
            _el("text", text, x=left - 9, y=level + 5, text_anchor="end", class_="app-chart__tick")
        )
    labels, rows = _period_labels(plot, periods, width)
    for index in range(len(periods)):
        axis.append(_vertical(plot.x_of(index), bottom, bottom + 6, TEXT_COLOUR))
    return grid, axis + labels, rows


def _period_labels(plot: _Plot, periods: Sequence[str], width: float) -> tuple[list[Markup], int]:
    """The periods under their ticks: on two lines ("2025" over "Q1") when that lets more of
    them be written, and then every so many, counting back from the latest, so none collide.
    Returns the labels and how many lines they take."""

    def every(labels: list[list[str]]) -> int:
        widest = max(_width(line) for label in labels for line in label)
        return max(1, math.ceil((widest + 10) / plot.step))

    labels = [[period] for period in periods]
    halved = [_halves(period) for period in periods]
    if every(halved) < every(labels):
        labels = halved
    step = every(labels)
    shown: list[Markup] = []
    for index, lines in enumerate(labels):
        if (len(periods) - 1 - index) % step:
            continue
        half = max(_width(line) for line in lines) / 2
        x = min(max(plot.x_of(index), half + 2), width - half - 2)
        spans = [
            _el("tspan", line, x=x, dy=LINE_HEIGHT if n else None) for n, line in enumerate(lines)
        ]
        shown.append(
            _el(
                "text",
                *spans,
                x=x,
                y=plot.bottom + 6 + 15,
                text_anchor="middle",
                class_="app-chart__period",
            )
        )
    return shown, max(len(lines) for lines in labels)


def _halves(label: str) -> list[str]:
    """A label in two lines of about the same width, split at a space (the first keeps it)."""
    words = label.split()
    if len(words) < 2:
        return [label]
    splits = [(" ".join(words[:n]) + " ", " ".join(words[n:])) for n in range(1, len(words))]
    return list(min(splits, key=lambda pair: max(_width(pair[0]), _width(pair[1]))))


def _lines(
    plot: _Plot, series: Sequence[Series], gap_label: str, words: list[Markup]
) -> tuple[list[Markup], list[Markup]]:
    """Each series' line and markers; its gap labels and latest value are added to `words`."""
    lines: list[Markup] = []
    markers: list[Markup] = []
    ends: list[tuple[float, str]] = []
    for style, one in zip(STYLES, series, strict=False):
        points = [
            None if value is None else (plot.x_of(i), plot.y_of(value))
            for i, value in enumerate(one.values)
        ]
        for run in _runs(points):
            if len(run) > 1:
                path = "M" + " L".join(f"{_number(x)} {_number(level)}" for x, level in run)
                lines.append(
                    _el("path", d=path, fill="none", class_="app-chart__line", **_stroke(style))
                )
        for index, point in enumerate(points):
            if point is not None:
                markers.append(_marker(style, *point))
            else:
                level = _gap_level(points, index, (plot.top + plot.bottom) / 2)
                words.append(_gap(gap_label, x=plot.x_of(index), y=level + 5, text_anchor="middle"))
        last = one.values[-1]
        if last is not None:
            ends.append((plot.y_of(last) + 5, format_value(last, percent=plot.percent)))
    for level, text in _spread(ends, plot.top, plot.bottom + 5):
        x = plot.x_of(plot.count - 1) + 12
        words.append(_el("text", text, x=x, y=level, class_="app-chart__value"))
    return lines, markers


# Checking and scaling


def _check(id_prefix: str, series: Sequence[Series], count: int, what: str) -> None:
    if not ID_PREFIX.match(id_prefix):
        raise ValueError(f"id_prefix {id_prefix!r} must be a letter then letters, digits, - or _")
    if not 1 <= len(series) <= len(STYLES):
        raise ValueError(f"a chart has 1 to {len(STYLES)} series, not {len(series)}")
    if count == 0:
        raise ValueError(f"a chart needs at least one of its {what}")
    for one in series:
        if len(one.values) != count:
            raise ValueError(f"series {one.name!r} has {len(one.values)} values for {count} {what}")
        for value in one.values:
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise ValueError(f"series {one.name!r} has {value!r}: values are 0 or more")


def _present(series: Sequence[Series]) -> list[float]:
    return [value for one in series for value in one.values if value is not None]


@dataclass(frozen=True)
class _Scale:
    top: float
    ticks: tuple[float, ...]

    @classmethod
    def over(cls, values: Sequence[float], *, percent: bool) -> _Scale:
        """From zero (bars and counts start there) to a round number at or above the largest
        value, in four steps or fewer; whole steps for whole values."""
        largest = max(values, default=0) or (100 if percent else 1)
        rough = max(largest / 4, 1e-9)
        magnitude = 10 ** math.floor(math.log10(rough))
        step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)
        if all(float(v).is_integer() for v in values) and not float(step).is_integer():
            step = math.ceil(step)
        count = max(1, math.ceil(round(largest / step, 9)))
        return cls(count * step, tuple(round(i * step, 9) for i in range(count + 1)))


# Drawing


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _el(tag: str, *children: str, **attributes: object) -> Markup:
    """An element; attribute names are keyword names with _ for - (class_ for class). Text
    children and every attribute value are escaped."""
    rendered = []
    for key, value in attributes.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        text = _number(value) if isinstance(value, int | float) else _clean(str(value))
        rendered.append(f' {name}="{escape(text)}"')
    opening = f"<{tag}{''.join(rendered)}"
    if not children:
        return Markup(opening + "/>")
    inner = Markup("").join(c if isinstance(c, Markup) else _clean(c) for c in children)
    return Markup(f"{opening}>{inner}</{tag}>")


def _clean(text: str) -> str:
    """Without the characters XML or HTML forbid: controls other than tab and newlines, lone
    surrogates and non-characters. (A name with one would otherwise break the whole page.)"""
    return "".join(
        c
        for c in text
        if c in "\t\n\r"
        or not (
            ord(c) < 0x20
            or 0x7F <= ord(c) <= 0x9F
            or 0xD800 <= ord(c) <= 0xDFFF
            or 0xFDD0 <= ord(c) <= 0xFDEF
            or ord(c) & 0xFFFE == 0xFFFE
        )
    )


def _group(children: Sequence[Markup]) -> Markup:
    return _el("g", *children) if children else Markup("")


def _svg(
    *,
    id_prefix: str,
    kind: str,
    width: float,
    height: float,
    title: str,
    description: str,
    body: Sequence[Markup],
) -> Markup:
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    return _el(
        "svg",
        _el("title", title, id=title_id),
        _el("desc", description, id=desc_id),
        _el("rect", width=width, height=height, fill=BACKGROUND),
        *body,
        xmlns=SVG_NAMESPACE,
        id=id_prefix,
        class_=f"app-chart__svg app-chart__svg--{kind}",
        viewBox=f"0 0 {_number(width)} {_number(height)}",
        width="100%",
        role="img",
        aria_labelledby=f"{title_id} {desc_id}",
        font_family=FONT_FAMILY,
        font_size=FONT_SIZE,
        fill=TEXT_COLOUR,
    )


_OUTLINE = {"stroke": TEXT_COLOUR, "stroke_width": 1}
# A reference line (a target): dashed in the text colour, so it reads without colour.
_DASHED = {"stroke": TEXT_COLOUR, "stroke_width": 2, "stroke_dasharray": "6 4"}
_REFERENCE_CLASS = "app-chart__reference"


def _reference_values(reference: float | None) -> list[float]:
    if reference is None:
        return []
    if not (math.isfinite(reference) and reference >= 0):
        raise ValueError(f"reference {reference!r}: values are 0 or more")
    return [reference]


def _reference_key(
    words: list[Markup], reference: float | None, label: str, percent: bool, y: float
) -> float:
    """The reference line's key (a dashed swatch and its label, by default the value) at `y`;
    returns the next y."""
    if reference is None:
        return y
    label = label or format_value(reference, percent=percent)
    room = BAR_CHART_WIDTH - 44
    words.append(_el("line", x1=MARGIN, y1=y + 9, x2=MARGIN + 36, y2=y + 9, **_DASHED))
    words.extend(_text_lines(label, room, x=MARGIN + 44, y=y + 14, class_="app-chart__key"))
    return y + _line_count(label, room) * LINE_HEIGHT + 14


def _vertical(x: float, top: float, bottom: float, colour: str) -> Markup:
    return _el("line", x1=x, y1=top, x2=x, y2=bottom, stroke=colour)


def _stroke(style: _Style) -> dict[str, object]:
    return {
        "stroke": style.line,
        "stroke_width": 3,
        "stroke_dasharray": style.dash,
        "stroke_linejoin": "round",
    }


def _paints(id_prefix: str, count: int) -> tuple[list[str], Markup]:
    """Each series' bar fill, and the <defs> with the patterns they use."""
    paints, patterns = [], []
    for index, style in enumerate(STYLES[:count]):
        if style.pattern == "solid":
            paints.append(style.fill)
            continue
        pattern_id = f"{id_prefix}-pattern-{index}"
        paints.append(f"url(#{pattern_id})")
        base = _el("rect", width=8, height=8, fill=style.fill)
        if style.pattern == "stripes":
            marks = [_el("rect", width=3, height=8, fill=TEXT_COLOUR)]
        elif style.pattern == "dots":
            marks = [_el("circle", cx=4, cy=4, r=1.8, fill=BACKGROUND)]
        else:
            marks = [
                _el("rect", width=1.5, height=8, fill=BACKGROUND),
                _el("rect", width=8, height=1.5, fill=BACKGROUND),
            ]
        patterns.append(
            _el(
                "pattern",
                base,
                *marks,
                id=pattern_id,
                class_=f"app-chart__pattern app-chart__pattern--{style.pattern}",
                patternUnits="userSpaceOnUse",
                width=8,
                height=8,
                patternTransform=None if style.pattern == "dots" else "rotate(45)",
            )
        )
    return paints, _el("defs", *patterns) if patterns else Markup("")


def _marker(style: _Style, x: float, y: float) -> Markup:
    common = {"fill": style.line, "stroke": BACKGROUND, "stroke_width": 1.5}
    common["class_"] = f"app-chart__marker app-chart__marker--{style.marker}"
    if style.marker == "circle":
        return _el("circle", cx=x, cy=y, r=5, **common)
    if style.marker == "square":
        return _el("rect", x=x - 4.5, y=y - 4.5, width=9, height=9, **common)
    if style.marker == "triangle":
        corners = [(x, y - 6.5), (x + 6, y + 4.5), (x - 6, y + 4.5)]
    else:
        corners = [(x, y - 6.5), (x + 6.5, y), (x, y + 6.5), (x - 6.5, y)]
    return _el(
        "polygon", points=" ".join(f"{_number(a)},{_number(b)}" for a, b in corners), **common
    )


def _gap(label: str, *, x: float, y: float, text_anchor: str) -> Markup:
    """The mark where a value would be: the label over a white halo, so lines never hide it."""
    return _el(
        "text",
        label,
        x=x,
        y=y,
        text_anchor=text_anchor,
        font_weight="bold",
        stroke=BACKGROUND,
        stroke_width=4,
        stroke_linejoin="round",
        paint_order="stroke",
        class_="app-chart__gap",
    )


def _gap_note(
    words: list[Markup],
    series: Sequence[Series],
    gap_label: str,
    gap_note: str,
    width: float,
    y: float,
) -> float:
    """Under the chart, what the gap label means, when there is a gap."""
    if all(value is not None for one in series for value in one.values):
        return y
    note = f"{gap_label} {gap_note}"
    words.extend(_text_lines(note, width, x=2, y=y + 14, size=NOTE_SIZE, class_="app-chart__note"))
    return y + _line_count(note, width, NOTE_SIZE) * LINE_HEIGHT + 4


_NARROW = frozenset("fijlrtI.,:;'!|()[]-/ ")
_WIDE = frozenset("mwMW%@")


def _width(text: str, size: float = FONT_SIZE, *, bold: bool = False) -> float:
    """An estimate, on the generous side, of the width of text in Arial."""
    ems = 0.0
    for c in text:
        if c in _NARROW:
            ems += 0.3
        elif c in _WIDE:
            ems += 0.9
        elif c.isupper():
            ems += 0.72
        elif c.isascii():
            ems += 0.56
        else:
            ems += 1.0 if unicodedata.east_asian_width(c) in "WF" else 0.65
    return ems * size * (1.1 if bold else 1.0)


def _wrap(text: str, room: float, size: float = FONT_SIZE, *, bold: bool = False) -> list[str]:
    """Greedy word wrap to the estimated width. Each line but the last keeps the space that
    ended it, so the lines read the same run together; a word wider than a line is broken."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and _width(f"{line} {word}", size, bold=bold) <= room:
            line = f"{line} {word}"
            continue
        if line:
            lines.append(line + " ")
        line = word
        while len(line) > 1 and _width(line, size, bold=bold) > room:
            cut = len(line) - 1
            while cut > 1 and _width(line[:cut], size, bold=bold) > room:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    lines.append(line)
    return lines


def _line_count(text: str, width: float, size: float = FONT_SIZE, *, bold: bool = False) -> int:
    return len(_wrap(text, width - 2 * MARGIN, size, bold=bold))


def _text_lines(
    text: str, width: float, *, x: float, y: float, size: float = FONT_SIZE, **attributes: object
) -> list[Markup]:
    """Text wrapped to fit `width` less the margins: one <text>, a <tspan> a line, `y` the first
    baseline."""
    lines = _wrap(text, width - 2 * MARGIN, size, bold=attributes.get("font_weight") == "bold")
    spans = [_el("tspan", line, x=x, dy=LINE_HEIGHT if n else None) for n, line in enumerate(lines)]
    font_size = size if size != FONT_SIZE else None
    return [_el("text", *spans, x=x, y=y, font_size=font_size, **attributes)]


def _legend(
    items: Sequence[tuple[Callable[[float, float], Markup], str]],
    swatch_width: float,
    width: float,
    top: float,
) -> tuple[Markup, float]:
    """Each series' swatch and name, in rows that wrap. Returns the legend and its height."""
    parts: list[Markup] = []
    x, row_top, row_height = float(MARGIN), top, 0.0
    room = width - 2 * MARGIN - swatch_width - 8
    for draw, name in items:
        lines = _wrap(name, room)
        item_width = swatch_width + 8 + max(_width(line) for line in lines)
        if x > MARGIN and x + item_width > width - MARGIN:
            x, row_top, row_height = float(MARGIN), row_top + row_height + 6, 0.0
        parts.append(draw(x, row_top + LINE_HEIGHT / 2))
        parts.extend(
            _text_lines(
                name,
                room + 2 * MARGIN,
                x=x + swatch_width + 8,
                y=row_top + 14,
                class_="app-chart__key",
            )
        )
        x += item_width + 20
        row_height = max(row_height, len(lines) * LINE_HEIGHT)
    return _el("g", *parts, class_="app-chart__legend"), row_top + row_height - top


def _runs(
    points: Sequence[tuple[float, float] | None],
) -> list[list[tuple[float, float]]]:
    """Consecutive points between the gaps."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _gap_level(points: Sequence[tuple[float, float] | None], index: int, middle: float) -> float:
    """Where a line's gap label goes: between the values either side of it."""
    before = next((p[1] for p in reversed(points[:index]) if p is not None), None)
    after = next((p[1] for p in points[index + 1 :] if p is not None), None)
    known = [level for level in (before, after) if level is not None]
    return sum(known) / len(known) if known else middle


def _spread(
    labels: Sequence[tuple[float, str]], top: float, bottom: float, apart: float = 16
) -> list[tuple[float, str]]:
    """Move labels apart vertically so none overlaps the next, keeping them within bounds."""
    placed = sorted(labels)
    for i in range(1, len(placed)):
        placed[i] = (max(placed[i][0], placed[i - 1][0] + apart), placed[i][1])
    if placed and placed[-1][0] > bottom:
        placed[-1] = (bottom, placed[-1][1])
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = (min(placed[i][0], placed[i + 1][0] - apart), placed[i][1])
    return [(max(level, top), text) for level, text in placed]
