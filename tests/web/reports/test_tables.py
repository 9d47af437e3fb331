"""Laying out report figures: tables and charts of the same numbers, and the CSV rows."""

from __future__ import annotations

import pytest

from app.domain.disclosure import FOOTNOTE, SUPPRESSED
from app.domain.reports import FIGURE, NOT_APPLICABLE, Row, Shown
from app.web.reports.tables import Column, csv_rows, figures_table


def column(name: str, **figures: Shown) -> Column:
    return Column(name, Row(None, name, True, figures))


def test_a_figure_a_chart_cannot_draw_is_in_the_table_as_it_is():
    # A negative median (stored dates running backwards, as in some demo data) is not drawn.
    table = figures_table(
        "days",
        "Median days to hire",
        [FIGURE["median_days_to_hire"]],
        [column("Hackney", median_days_to_hire=Shown(-3, "-3"))],
        value_label="Days",
    )
    assert table.rows == (("Median days to hire", "-3"),)
    assert table.chart is not None and "app-chart__bar" not in table.chart
    assert NOT_APPLICABLE in table.chart


def test_suppressed_figures_are_marked_in_the_chart_and_the_table():
    table = figures_table(
        "counts",
        "People",
        [FIGURE["applications"], FIGURE["hires"]],
        [column("Camden", applications=Shown(None, SUPPRESSED, True), hires=Shown(10, "10"))],
        value_label="People",
    )
    assert table.rows == (("Applications", SUPPRESSED), ("Hires", "10"))
    assert table.suppressed and SUPPRESSED in table.chart
    header, rows = csv_rows([table])
    assert header == ("Figure", "Camden")
    assert rows == [("Applications", SUPPRESSED), ("Hires", "10"), (FOOTNOTE,)]


def test_tables_in_one_file_need_the_same_headings():
    first = figures_table(
        "a", "A", [FIGURE["hires"]], [column("Hackney", hires=Shown(0, "0"))], value_label="People"
    )
    second = figures_table(
        "b", "B", [FIGURE["hires"]], [column("Camden", hires=Shown(0, "0"))], value_label="People"
    )
    header, rows = csv_rows([first, first])
    assert header == ("Table", "Figure", "Hackney")
    assert rows == [("A", "Hires", "0"), ("A", "Hires", "0")]
    with pytest.raises(ValueError):
        csv_rows([first, second])
