"""Disclosure control: fixed cases and properties over random tables."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.disclosure import (
    SUPPRESSED,
    Policy,
    count,
    protect_table,
    rate,
    round_to_base,
    shown_rate,
)

CONTROLLED = Policy()


@pytest.mark.parametrize(
    ("true", "shown"),
    [(0, "0"), (1, "[c]"), (7, "[c]"), (8, "10"), (12, "10"), (13, "15"), (1234, "1,235")],
)
def test_counts(true, shown):
    assert count(true, CONTROLLED).shown == shown


def test_exact_for_the_own_borough_and_admins():
    assert count(3, Policy.exact()).shown == "3"
    assert rate(count(3, Policy.exact()), count(4, Policy.exact()), Policy.exact()) == 75


def test_rates_come_from_the_rounded_counts():
    # 13 of 27: rounded 15 of 25 = 60% (not 48%)
    assert rate(count(13, CONTROLLED), count(27, CONTROLLED), CONTROLLED) == 60


def test_no_rate_on_a_small_or_suppressed_denominator_or_numerator():
    assert rate(count(0, CONTROLLED), count(6, CONTROLLED), CONTROLLED) is None
    assert rate(count(3, CONTROLLED), count(40, CONTROLLED), CONTROLLED) is None
    assert shown_rate(None) == SUPPRESSED
    assert rate(count(0, CONTROLLED), count(40, CONTROLLED), CONTROLLED) == 0


def test_secondary_suppression_in_a_row():
    # Hackney: 3 local, 40 not local, total 43. Showing 40 and 45 would give 3 away.
    table = protect_table(
        {("Hackney", "local"): 3, ("Hackney", "other"): 40},
        ["Hackney"],
        ["local", "other"],
        CONTROLLED,
    )
    assert table.cell("Hackney", "local").shown == SUPPRESSED
    hidden = [table.cell("Hackney", "other").suppressed, table.row_totals["Hackney"].suppressed]
    assert any(hidden)


def test_settings_change_the_threshold_and_rounding():
    strict = Policy(threshold=10, rounding_base=10)
    assert count(9, strict).shown == SUPPRESSED
    assert count(14, strict).shown == "10" and count(15, strict).shown == "20"


def test_rounding_half_up():
    assert [round_to_base(n, 5) for n in (2, 3, 7, 8, 12, 13)] == [0, 5, 5, 10, 10, 15]


tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda rows: st.integers(min_value=1, max_value=5).flatmap(
        lambda columns: st.tuples(
            st.just(rows),
            st.just(columns),
            st.lists(
                st.one_of(st.just(0), st.integers(1, 9), st.integers(0, 200)),
                min_size=rows * columns,
                max_size=rows * columns,
            ),
        )
    )
)


def build(data):
    rows, columns, values = data
    row_keys = [f"r{i}" for i in range(rows)]
    column_keys = [f"c{j}" for j in range(columns)]
    counts = {
        (r, c): values[i * columns + j]
        for i, r in enumerate(row_keys)
        for j, c in enumerate(column_keys)
    }
    return counts, row_keys, column_keys


def every_entry(table):
    yield from table.cells.values()
    yield from table.row_totals.values()
    yield from table.column_totals.values()
    yield table.total


@given(tables)
def test_no_published_cell_is_between_1_and_7(data):
    counts, rows, columns = build(data)
    table = protect_table(counts, rows, columns, CONTROLLED)
    for cell in every_entry(table):
        assert cell.value is None or cell.value == 0 or (cell.value >= 5 and cell.value % 5 == 0)
        if cell.value == 0:
            assert cell.true == 0  # only true zeros show as 0
        if 1 <= cell.true <= 7:
            assert cell.suppressed


@given(tables)
def test_no_suppressed_cell_can_be_recovered_from_a_total(data):
    counts, rows, columns = build(data)
    table = protect_table(counts, rows, columns, CONTROLLED)
    lines = [[table.cell(r, c) for c in columns] + [table.row_totals[r]] for r in rows]
    lines += [[table.cell(r, c) for r in rows] + [table.column_totals[c]] for c in columns]
    lines.append([*table.row_totals.values(), table.total])
    lines.append([*table.column_totals.values(), table.total])
    for line in lines:
        hidden = [cell for cell in line if cell.suppressed]
        shown_nonzero = [cell for cell in line if not cell.suppressed and cell.true > 0]
        # One hidden entry beside others that are shown could be worked out by subtraction.
        assert len(hidden) != 1 or not shown_nonzero


@given(tables)
def test_a_reader_who_knows_one_row_still_cannot_recover_another(data):
    """With three hidden per line, a borough that knows its own row exactly (the first) still
    faces at least two unknowns wherever something else is hidden beside shown figures."""
    counts, rows, columns = build(data)
    table = protect_table(counts, rows, columns, CONTROLLED, hidden_per_line=3)
    own = rows[0]
    lines = [[table.cell(r, c) for c in columns] + [table.row_totals[r]] for r in rows[1:]]
    lines += [
        [table.cell(r, c) for r in rows if r != own] + [table.column_totals[c]] for c in columns
    ]
    lines.append([table.row_totals[r] for r in rows if r != own] + [table.total])
    for line in lines:
        unknown = [cell for cell in line if cell.suppressed]
        shown_nonzero = [cell for cell in line if not cell.suppressed and cell.true > 0]
        assert len(unknown) != 1 or not shown_nonzero


@given(tables)
def test_rates_never_reveal_a_suppressed_count(data):
    counts, rows, columns = build(data)
    table = protect_table(counts, rows, columns, CONTROLLED)
    for (row, _column), cell in table.cells.items():
        share = rate(cell, table.row_totals[row], CONTROLLED)
        if cell.suppressed or table.row_totals[row].suppressed:
            assert share is None


@given(tables)
def test_the_exact_policy_shows_true_counts(data):
    counts, rows, columns = build(data)
    table = protect_table(counts, rows, columns, Policy.exact())
    for (row, column), cell in table.cells.items():
        assert cell.value == counts[row, column]


def test_the_policy_comes_from_the_settings(app):
    assert Policy.from_config(app.config) == CONTROLLED
