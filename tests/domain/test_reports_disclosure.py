"""Reports under disclosure control, as properties over random small data (Hypothesis; the
conftest loads a fixed profile under CI=true).

For a borough lead: no published count outside their own borough is ever between 1 and 7; no
suppressed cell can be worked out from the totals shown (across boroughs, London, a financial
year and its quarters together); rates never reveal a suppressed count; the own borough is
exact. Equality breakdowns are controlled for every viewer, admins included."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from app.domain import reports
from app.domain.disclosure import FOOTNOTE, SUPPRESSED
from app.domain.reports import ALL, FIGURE, Period, RawEquality, RawFigures, RawTrends
from app.models import Role, User, UserRole

TODAY = date(2026, 11, 27)
YEAR = Period(2026)
OWN = 1


def viewer(role: Role, borough_id: int = OWN, *, programme_wide: bool = False) -> User:
    return User(
        id=1000 + borough_id,
        email=f"{role.value}{borough_id}@example.org",
        name="Viewer",
        borough_id=borough_id,
        is_programme_wide=programme_wide,
        role_rows=[UserRole(role=role.value)],
    )


LEAD = viewer(Role.BOROUGH_LEAD)
ADMIN = viewer(Role.ADMIN)

# Mostly small counts, so that suppression and secondary suppression happen often.
small_counts = st.integers(0, 30).map(lambda n: n if n < 12 else n % 4 * 5)


@st.composite
def raw_figures(draw: st.DrawFn, period: Period | None = None) -> RawFigures:
    boroughs = draw(st.integers(2, 5))
    ids = list(range(1, boroughs + 1))
    period = period or draw(st.sampled_from([YEAR, *YEAR.quarters()[:3]]))
    flows = {
        (b, q): {key: draw(small_counts) for key in reports.FLOW_KEYS}
        for b in ids
        for q in (1, 2, 3, 4)
    }
    stocks = {b: {key: draw(small_counts) for key in reports.STOCK_KEYS} for b in ids}
    medians = {b: draw(st.none() | st.floats(0, 90).map(lambda x: round(x * 2) / 2)) for b in ids}
    medians[ALL] = draw(st.none() | st.floats(0, 90))
    return RawFigures(
        period=period,
        today=TODAY,
        boroughs={b: f"Borough {b}" for b in ids},
        all_boroughs=True,
        flows=flows,
        stocks=stocks,
        median_days_to_hire=medians,
    )


def same_data(raw: RawFigures, period: Period) -> RawFigures:
    """The same figures seen for another period of the same year."""
    return RawFigures(
        period,
        raw.today,
        raw.boroughs,
        raw.all_boroughs,
        raw.flows,
        raw.stocks,
        raw.median_days_to_hire,
    )


def recoverable(lines: Iterable[list[Hashable]], unknown: set, true: dict) -> list:
    """Entries an attacker can work out by subtraction along the lines (each line: parts and
    their total) whose true value is not zero. Deduces repeatedly, as an attacker would."""
    unknown = set(unknown)
    lines = [list(line) for line in lines]
    found = []
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [entry for entry in line if entry in unknown]
            if len(hidden) == 1:
                if true[hidden[0]] != 0:
                    found.append(hidden[0])
                unknown.discard(hidden[0])
                changed = True
    return found


def year_and_quarters(raw: RawFigures, who: User) -> dict[Period, reports.Report]:
    return {p: reports.report_for(who, same_data(raw, p)) for p in (YEAR, *YEAR.quarters())}


@given(raw_figures())
def test_a_lead_never_sees_a_count_of_1_to_7_outside_their_own_borough(raw):
    report = reports.report_for(LEAD, raw)
    for row in report.all_rows:
        if row.borough_id == OWN:
            continue
        assert not row.exact
        for key in reports.COUNT_KEYS:
            shown = row[key]
            assert shown.value is None or shown.value == 0 or shown.value >= 8, (row.name, key)
            assert shown.value is None or shown.value % 5 == 0
            assert shown.suppressed == (shown.text == SUPPRESSED)
    assert (report.footnote == FOOTNOTE) == any(r.any_suppressed for r in report.all_rows)


@given(raw_figures())
def test_the_own_borough_is_exact(raw):
    for who in (LEAD, viewer(Role.COORDINATOR)):
        own = reports.report_for(who, raw).row(OWN)
        assert own.exact
        for key in reports.COUNT_KEYS:
            expected = raw.count(key, OWN)
            if FIGURE[key].basis == "snapshot" and not raw.snapshot:
                continue
            assert own[key].value == expected and own[key].text == f"{expected:,}"
            assert not own[key].suppressed


@given(raw_figures())
def test_admins_and_programme_wide_coordinators_see_everything_exactly(raw):
    central = viewer(Role.COORDINATOR, 2, programme_wide=True)
    for who in (ADMIN, central):
        report = reports.report_for(who, raw)
        assert report.footnote is None
        for row in report.all_rows:
            assert row.exact
            borough = ALL if row.borough_id is None else row.borough_id
            assert row["applications"].value == raw.count("applications", borough)


@given(raw_figures(period=YEAR))
def test_no_suppressed_count_can_be_worked_out_from_the_totals_shown(raw):
    """Everything a lead can see at once: the year and each quarter, every borough and London.
    In the other boroughs' terms (London minus the own borough, which the lead knows), no line
    of parts and total may have exactly one unknown entry."""
    shown = year_and_quarters(raw, LEAD)
    others = [b for b in raw.boroughs if b != OWN]
    quarters = YEAR.quarters()
    for key in reports.FLOW_KEYS:
        true: dict = {}
        unknown: set = set()
        for period, report in shown.items():
            column = period.quarter or "year"
            for b in others:
                true[b, column] = raw.count(key, b, period.quarter)
                if report.row(b)[key].suppressed:
                    unknown.add((b, column))
            true["others", column] = sum(true[b, column] for b in others)
            if report.london[key].suppressed:
                unknown.add(("others", column))
        columns = [q.quarter for q in quarters]
        lines = [[(b, c) for c in columns] + [(b, "year")] for b in [*others, "others"]]
        lines += [[(b, c) for b in others] + [("others", c)] for c in [*columns, "year"]]
        assert recoverable(lines, unknown, true) == [], key


@given(raw_figures())
def test_no_suppressed_status_count_can_be_worked_out_from_londons(raw):
    report = reports.report_for(LEAD, raw)
    others = [b for b in raw.boroughs if b != OWN]
    for key in reports.STOCK_KEYS:
        true = {b: raw.count(key, b) for b in others}
        true["others"] = sum(true.values())
        unknown = {b for b in others if report.row(b)[key].suppressed}
        if report.london[key].suppressed:
            unknown.add("others")
        assert recoverable([[*others, "others"]], unknown, true) == [], key


@given(raw_figures())
def test_rates_never_reveal_a_suppressed_count(raw):
    report = reports.report_for(LEAD, raw)
    for row in report.all_rows:
        if row.exact:
            continue
        for key in reports.RATE_KEYS:
            definition = FIGURE[key]
            numerator, denominator = row[definition.numerator], row[definition.denominator]
            rate = row[key]
            if numerator.suppressed or denominator.suppressed:
                assert rate.value is None, (row.name, key)
            if rate.value is not None:
                assert denominator.value >= 8
                assert rate.value == round(100 * numerator.value / denominator.value)
                assert rate.text == f"{rate.value}%"
        median, hires = row["median_days_to_hire"], row["hires"]
        if median.value is not None:
            assert not hires.suppressed and hires.value >= 8
            assert median.value == int(median.value)


@given(raw_figures())
def test_the_rows_shown_do_not_change_the_figures(raw):
    """Protection always covers every borough: picking which rows to show changes nothing."""
    full = reports.report_for(LEAD, raw)
    picked = reports.report_for(LEAD, raw, show=[2])
    assert [row.borough_id for row in picked.rows] == [2]
    assert picked.row(2) == full.row(2) and picked.london == full.london


@given(raw_figures(period=YEAR))
def test_a_quarters_starts_read_the_same_in_the_trends(raw):
    counts = {
        (b, YEAR.index + q - 1): {
            "starts": raw.count("starts", b, q),
            "cohort_leavers": 0,
            "cohort_achievers": 0,
        }
        for b in raw.boroughs
        for q in (1, 2, 3, 4)
    }
    years = tuple(Period(2022 + n) for n in range(5))
    trends = reports.trends_for(LEAD, RawTrends(TODAY, years, raw.boroughs, True, counts))
    for quarter in YEAR.quarters()[:3]:
        report = reports.report_for(LEAD, same_data(raw, quarter))
        index = trends.quarters.index(quarter)
        for row in report.all_rows:
            trend_row = trends.london if row.borough_id is None else trends.row(row.borough_id)
            assert trend_row["starts"][index] == row["starts"]


@st.composite
def raw_equality(draw: st.DrawFn) -> RawEquality:
    ids = list(range(1, draw(st.integers(1, 4)) + 1))
    counts = {}
    for measure in reports.MEASURES:
        for question in reports.QUESTIONS.values():
            for category, _ in question.categories:
                for b in ids:
                    counts[measure, question.key, category, b] = draw(small_counts)
    return RawEquality(YEAR, {b: f"Borough {b}" for b in ids}, counts)


@given(raw_equality(), st.sampled_from(list(reports.QUESTIONS)), st.sampled_from(["hires"]))
def test_equality_breakdowns_are_controlled_for_everyone(raw, question, measure):
    table = reports.equality_table(raw, question, measure)
    categories = [key for key, _ in reports.QUESTIONS[question].categories]
    boroughs = list(raw.boroughs)
    entries = {
        **{(c, b): table.cells[c, b] for c in categories for b in boroughs},
        **{(c, "london"): table.london[c] for c in categories},
        **{("total", b): table.borough_totals[b] for b in boroughs},
        ("total", "london"): table.total,
    }
    for shown in entries.values():
        assert shown.value is None or shown.value == 0 or shown.value >= 8
    true = {(c, b): raw.count(measure, question, c, b) for c in categories for b in boroughs}
    true |= {(c, "london"): raw.count(measure, question, c) for c in categories}
    true |= {("total", b): sum(true[c, b] for c in categories) for b in boroughs}
    true["total", "london"] = sum(true["total", b] for b in boroughs)
    unknown = {key for key, shown in entries.items() if shown.suppressed}
    columns = [*boroughs, "london"]
    lines = [[(c, b) for b in boroughs] + [(c, "london")] for c in [*categories, "total"]]
    lines += [[(c, b) for c in categories] + [("total", b)] for b in columns]
    assert recoverable(lines, unknown, true) == []
    if unknown:
        assert table.footnote_for() == FOOTNOTE


def test_london_is_withheld_when_the_other_boroughs_total_is():
    """Own borough 20 (exact), one other borough 3: London's 23 would give the 3 away."""
    flows = {(b, q): dict.fromkeys(reports.FLOW_KEYS, 0) for b in (1, 2, 3) for q in (1, 2, 3, 4)}
    flows[1, 1]["applications"] = 20
    flows[2, 1]["applications"] = 3
    raw = RawFigures(
        YEAR,
        TODAY,
        {1: "Own", 2: "Other", 3: "Empty"},
        True,
        flows,
        {b: dict.fromkeys(reports.STOCK_KEYS, 0) for b in (1, 2, 3)},
        {},
    )
    report = reports.report_for(LEAD, raw)
    assert report.row(1)["applications"].text == "20"
    assert report.row(2)["applications"].text == SUPPRESSED
    assert report.row(3)["applications"].text == "0"
    assert report.london["applications"].text == SUPPRESSED
    # An admin sees it all.
    admin = reports.report_for(ADMIN, raw)
    assert admin.london["applications"].text == "23" and admin.footnote is None


def test_a_lone_small_quarter_is_protected_with_another_in_the_year():
    """Other borough: 12 in Q1, 3 in Q2. Showing Q1 (10) and the year (15) would leave Q2 as
    15 - 10 = 5; another cell of the row is withheld too."""
    flows = {(b, q): dict.fromkeys(reports.FLOW_KEYS, 0) for b in (1, 2) for q in (1, 2, 3, 4)}
    flows[2, 1]["starts"], flows[2, 2]["starts"], flows[2, 3]["starts"] = 12, 3, 9
    raw = RawFigures(YEAR, TODAY, {1: "Own", 2: "Other"}, True, flows, {1: {}, 2: {}}, {})
    shown = {p: r.row(2)["starts"] for p, r in year_and_quarters(raw, LEAD).items()}
    assert shown[Period(2026, 2)].text == SUPPRESSED
    assert sum(s.suppressed for s in shown.values()) >= 2
