"""What the report pages show, built from the domain's figures as the viewer may see them.

Nothing here computes a figure or decides what may be shown: app.domain.reports has done
that (`Shown`: the text, the value for charts and sorting, whether it is suppressed). This
module lays those figures out as tables, with a chart of the same numbers for each
(app.charts), and gives the rows of the CSV download, which are the tables' cells as shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from app.charts import Series, bar_chart, line_chart
from app.domain.disclosure import FOOTNOTE
from app.domain.reports import (
    FIGURE,
    NOT_APPLICABLE,
    TREND_FIGURES,
    Definition,
    EqualityTable,
    Row,
    Shown,
    TrendRow,
)

FIGURE_HEADING = "Figure"
NO_FIGURE_NOTE = "means there is no figure: nobody to count, or not recorded for the period"


@dataclass(frozen=True)
class Table:
    """A table as shown: the column headings (the first names the rows) and the rows of text,
    each starting with the row's name; `chart` draws the same numbers (None: no chart)."""

    key: str
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    chart: Markup | None = None

    @property
    def suppressed(self) -> bool:
        return any(cell == "[c]" for row in self.rows for cell in row[1:])


@dataclass(frozen=True)
class Column:
    """One area's figures in a table: a borough's row, or London's."""

    name: str
    row: Row

    def __getitem__(self, key: str) -> Shown:
        return self.row[key]


def figures_table(
    key: str,
    caption: str,
    definitions: Sequence[Definition],
    columns: Sequence[Column],
    *,
    value_label: str,
    percent: bool = False,
) -> Table:
    """Figures (rows) for each area (columns), with a bar chart: one group of bars per figure,
    one bar per area."""
    labels = [definition.label for definition in definitions]
    series = [
        Series(column.name, [_drawn(column[d.key]) for d in definitions]) for column in columns
    ]
    chart = bar_chart(
        id_prefix=f"chart-{key}",
        title=caption,
        description=_describe(caption, [column.name for column in columns]),
        categories=labels,
        series=series,
        value_label=value_label,
        percent=percent,
        **_gaps(column[d.key] for column in columns for d in definitions),
    )
    rows = tuple(
        (definition.label, *(column[definition.key].text for column in columns))
        for definition in definitions
    )
    header = (FIGURE_HEADING, *(column.name for column in columns))
    return Table(key, caption, header, rows, chart)


def trends_table(caption: str, row: TrendRow, quarters: Sequence[str]) -> Table:
    """Starts, leavers and achievers by quarter of start (rows), with a line chart."""
    series = [Series(f.label, [_drawn(shown) for shown in row[f.key]]) for f in TREND_FIGURES]
    chart = line_chart(
        id_prefix="chart-trends",
        title=caption,
        description=(
            f"{caption}: starts in each quarter, and how many of those starters have since "
            "left and achieved. The table below gives every value."
        ),
        periods=list(quarters),
        series=series,
        value_label="Apprentices",
        period_label="Quarter of start (financial year)",
    )
    rows = tuple(
        (quarter, *(row[f.key][index].text for f in TREND_FIGURES))
        for index, quarter in enumerate(quarters)
    )
    header = ("Quarter of start", *(f.label for f in TREND_FIGURES))
    return Table("trends", caption, header, rows, chart)


def equality_table(caption: str, tables: Sequence[EqualityTable], borough_id: int | None) -> Table:
    """One question's categories (rows) by measure (columns: applicants, hires, completers)
    for a borough or for London (`borough_id` None), with a bar chart."""
    question = tables[0].question

    def cell(table: EqualityTable, category: str) -> Shown:
        if borough_id is None:
            return table.london[category]
        return table.cells[category, borough_id]

    def total(table: EqualityTable) -> Shown:
        return table.total if borough_id is None else table.borough_totals[borough_id]

    labels = [label for _, label in question.categories]
    series = [
        Series(t.measure_label, [_drawn(cell(t, c)) for c, _ in question.categories])
        for t in tables
    ]
    chart = bar_chart(
        id_prefix="chart-equality",
        title=caption,
        description=_describe(caption, [t.measure_label for t in tables]),
        categories=labels,
        series=series,
        value_label="People (rounded to the nearest 5)",
    )
    rows = tuple(
        (label, *(cell(t, c).text for t in tables)) for c, label in question.categories
    ) + (("Total", *(total(t).text for t in tables)),)
    header = (question.label, *(t.measure_label for t in tables))
    return Table("equality", caption, header, rows, chart)


def one_figure_chart(key: str, figure: str, rows: Sequence[Row], caption: str) -> Table:
    """One figure for each borough (rows), with a bar chart: the comparison's sorted column."""
    definition = FIGURE[figure]
    percent = definition.kind == "rate"
    chart = bar_chart(
        id_prefix=f"chart-{key}",
        title=caption,
        description=_describe(caption, [definition.label]),
        categories=[row.name for row in rows],
        series=[Series(definition.label, [_drawn(row[figure]) for row in rows])],
        value_label=_value_label(definition),
        category_label="Borough",
        percent=percent,
        **_gaps(row[figure] for row in rows),
    )
    table_rows = tuple((row.name, row[figure].text) for row in rows)
    return Table(key, caption, ("Borough", definition.label), table_rows, chart)


def comparison_table(caption: str, figures: Sequence[str], rows: Sequence[Row]) -> Table:
    """Boroughs (rows) side by side, a column per figure; no chart of its own."""
    header = ("Borough", *(FIGURE[key].label for key in figures))
    body = tuple((row.name, *(row[key].text for key in figures)) for row in rows)
    return Table("comparison", caption, header, body)


def _drawn(shown: Shown) -> float | None:
    """A figure's value as a chart draws it: None for a figure not shown, and for a negative
    one (a median of days from application to hire, when stored dates run backwards), which a
    chart of amounts cannot draw; the table beside it gives the figure as it is."""
    value = shown.value
    return None if value is None or value < 0 else value


def _gaps(values: Iterable[Shown]) -> dict[str, str]:
    """How a chart marks the figures it cannot draw: "[c]" (with its note) when any is
    suppressed, otherwise "–", since the gaps are figures with nothing to count."""
    missing = [shown for shown in values if _drawn(shown) is None]
    if missing and not any(shown.suppressed for shown in missing):
        return {"gap_label": NOT_APPLICABLE, "gap_note": NO_FIGURE_NOTE}
    return {}


def _value_label(definition: Definition) -> str:
    if definition.kind == "rate":
        return f"{definition.label} (%)"
    if definition.kind == "median":
        return "Days"
    return "People"


def _describe(caption: str, series: Sequence[str]) -> str:
    return (
        f"{caption}, a bar for each of: {', '.join(series)}. A figure that is not shown is "
        "marked instead of drawn. The table beside the chart gives the same numbers."
    )


def footnote(tables: Sequence[Table]) -> str | None:
    return FOOTNOTE if any(table.suppressed for table in tables) else None


def csv_rows(tables: Sequence[Table]) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The header and rows of a report's CSV file: its tables' cells exactly as shown. Several
    tables with the same headings go into one file with a first column naming the table. The
    footnote follows when anything is suppressed."""
    if len(tables) == 1:
        header, rows = tables[0].header, list(tables[0].rows)
    else:
        if len({table.header for table in tables}) != 1:
            raise ValueError("tables in one CSV file need the same headings")
        header = ("Table", *tables[0].header)
        rows = [(table.caption, *row) for table in tables for row in table.rows]
    note = footnote(tables)
    if note:
        rows.append((note,))
    return header, rows
