"""Disclosure control: the one place that decides how a figure about people may be shown.

Anything that shows a borough other than the viewer's own, London as a whole, or an equality
breakdown goes through here. Counts of 1 to 7 people are suppressed (shown as "[c]"), other
counts are rounded to the nearest 5, true zeros show as 0; rates are worked out from the
rounded counts as whole percentages and never shown on a denominator under 8 or when either
count is suppressed; and secondary suppression makes sure no suppressed cell can be recovered
by subtracting the cells shown from a total shown. (NHS and OpenSAFELY practice, stricter than
DfE's and Ofqual's.) The viewer's own borough, admins and programme-wide coordinators see exact
figures: `Policy.exact()`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

SUPPRESSED = "[c]"
FOOTNOTE = (
    "[c] means a count of between 1 and 7 people, or a figure from which one could be worked "
    "out; it is not shown to protect the people in it. Other counts are rounded to the nearest 5, "
    "and percentages are worked out from the rounded counts."
)


@dataclass(frozen=True)
class Policy:
    """How figures are shown to one viewer. `controlled` False: exact figures."""

    controlled: bool = True
    threshold: int = 7  # counts from 1 to this are suppressed
    rounding_base: int = 5
    minimum_denominator: int = 8

    @classmethod
    def exact(cls) -> Policy:
        return cls(controlled=False)

    @classmethod
    def from_config(cls, config: Mapping, *, controlled: bool = True) -> Policy:
        return cls(
            controlled=controlled,
            threshold=config["DISCLOSURE_THRESHOLD"],
            rounding_base=config["DISCLOSURE_ROUNDING_BASE"],
            minimum_denominator=config["DISCLOSURE_MINIMUM_DENOMINATOR"],
        )


@dataclass(frozen=True)
class Cell:
    """A count as it may be shown: `value` None when suppressed; `true` never leaves here except
    to the code that computes rates and totals within this module."""

    value: int | None
    true: int = field(repr=False)

    @property
    def suppressed(self) -> bool:
        return self.value is None

    @property
    def shown(self) -> str:
        return SUPPRESSED if self.value is None else f"{self.value:,}"


def round_to_base(count: int, base: int) -> int:
    """Round half up to the nearest multiple of base (12.5 → 15)."""
    return ((count + base // 2) // base) * base if base > 1 else count


def count(true: int, policy: Policy) -> Cell:
    if true < 0:
        raise ValueError("a count of people cannot be negative")
    if not policy.controlled or true == 0:
        return Cell(true, true)
    if true <= policy.threshold:
        return Cell(None, true)
    return Cell(round_to_base(true, policy.rounding_base), true)


def rate(numerator: Cell, denominator: Cell, policy: Policy) -> int | None:
    """A whole percentage from the counts as shown; None when it may not be shown."""
    if numerator.suppressed or denominator.suppressed:
        return None
    if denominator.true < policy.minimum_denominator and policy.controlled:
        return None
    if not denominator.value:
        return None
    return round(100 * numerator.value / denominator.value)  # type: ignore[operator]


def shown_rate(value: int | None) -> str:
    return SUPPRESSED if value is None else f"{value}%"


@dataclass(frozen=True)
class Table:
    """Counts by row and column, with row totals, column totals and a grand total, as shown."""

    rows: tuple[Hashable, ...]
    columns: tuple[Hashable, ...]
    cells: Mapping[tuple[Hashable, Hashable], Cell]
    row_totals: Mapping[Hashable, Cell]
    column_totals: Mapping[Hashable, Cell]
    total: Cell

    def cell(self, row: Hashable, column: Hashable) -> Cell:
        return self.cells[row, column]


def _suppress(cell: Cell) -> Cell:
    return Cell(None, cell.true)


def protect_table(
    counts: Mapping[tuple[Hashable, Hashable], int],
    rows: Sequence[Hashable],
    columns: Sequence[Hashable],
    policy: Policy,
    *,
    hidden_per_line: int = 2,
) -> Table:
    """Primary then secondary suppression over a table with its row, column and grand totals.

    Whenever a line (a row with its total, or a column with its total) has fewer than
    `hidden_per_line` suppressed entries among its cells and total (but some), the smallest
    other non-zero entry of that line is suppressed too (the total itself when nothing else is
    left); this repeats until no line has too few, so no suppressed count can be worked out by
    subtraction. With 3, not even by a reader who knows one of them exactly (a borough reading a
    table that includes its own figures)."""
    cells = {(r, c): count(counts.get((r, c), 0), policy) for r in rows for c in columns}
    row_totals = {r: count(sum(counts.get((r, c), 0) for c in columns), policy) for r in rows}
    column_totals = {c: count(sum(counts.get((r, c), 0) for r in rows), policy) for c in columns}
    total = count(sum(counts.get((r, c), 0) for r in rows for c in columns), policy)
    if not policy.controlled:
        return Table(tuple(rows), tuple(columns), cells, row_totals, column_totals, total)

    totals: dict[Hashable, Cell] = {("row", r): row_totals[r] for r in rows} | {
        ("column", c): column_totals[c] for c in columns
    }
    totals["grand"] = total

    def lines() -> list[list[tuple[str, Hashable]]]:
        found = [[("cell", (r, c)) for c in columns] + [("total", ("row", r))] for r in rows]
        found += [[("cell", (r, c)) for r in rows] + [("total", ("column", c))] for c in columns]
        found.append([("total", ("row", r)) for r in rows] + [("total", "grand")])
        found.append([("total", ("column", c)) for c in columns] + [("total", "grand")])
        return found

    def get(entry: tuple[str, Hashable]) -> Cell:
        kind, key = entry
        return cells[key] if kind == "cell" else totals[key]  # type: ignore[index]

    def put(entry: tuple[str, Hashable], value: Cell) -> None:
        kind, key = entry
        if kind == "cell":
            cells[key] = value  # type: ignore[index]
        else:
            totals[key] = value

    changed = True
    while changed:
        changed = False
        for line in lines():
            hidden = [entry for entry in line if get(entry).suppressed]
            if not 0 < len(hidden) < hidden_per_line:
                continue
            candidates = [e for e in line if not get(e).suppressed and get(e).true > 0]
            if not candidates:
                continue  # only true zeros are shown beside it: they reveal nothing
            # Prefer hiding another cell over hiding the total; then the smallest.
            smallest = min(candidates, key=lambda e: (e[0] == "total", get(e).true))
            put(smallest, _suppress(get(smallest)))
            changed = True

    return Table(
        tuple(rows),
        tuple(columns),
        cells,
        {r: totals["row", r] for r in rows},
        {c: totals["column", c] for c in columns},
        totals["grand"],
    )
