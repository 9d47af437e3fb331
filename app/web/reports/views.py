"""The report pages: an overview, a borough comparison, trends by cohort start quarter, the
recruitment funnel, progression, outcomes and equality breakdowns, each with a chart, the same
numbers in a table and a CSV download (audited as an export).

Views are thin: they read the filters from the URL, ask app.domain.reports for the figures as
the signed-in user may see them (exact for their own borough, or for every borough for admins
and programme-wide coordinators; everything else under disclosure control) and lay them out
(app.web.reports.tables). Borough leads see other boroughs and London; a coordinator sees
their own borough only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Response, current_app, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.clock import today
from app.csv_writer import csv_response
from app.domain import audit, reports
from app.domain.reports import FIGURE, HEADLINE, Period, Row
from app.extensions import db
from app.models import AuditAction, Borough, Role, User
from app.web.reports import bp
from app.web.reports.forms import AreaFilters, ComparisonFilters, EqualityFilters, ReportFilters
from app.web.reports.tables import (
    Column,
    Table,
    comparison_table,
    csv_rows,
    equality_table,
    figures_table,
    footnote,
    one_figure_chart,
    trends_table,
)

LONDON = "london"
PARTNERS, ALL_BOROUGHS = "partners", "all"
ASCENDING, DESCENDING = "asc", "desc"
BY_NAME = "name"
GROUPS = ((PARTNERS, "Partner boroughs (and your own)"), (ALL_BOROUGHS, "All London boroughs"))

# The reports, in the order the pages list them: (endpoint, title).
REPORTS: tuple[tuple[str, str], ...] = (
    ("reports.home", "Overview"),
    ("reports.comparison", "Borough comparison"),
    ("reports.trends", "Trends by cohort start"),
    ("reports.recruitment", "Recruitment funnel"),
    ("reports.progression", "Progression"),
    ("reports.outcomes", "Outcomes"),
    ("reports.equality", "Equality"),
)
TITLES = dict(REPORTS)


# Who is looking, and what they may choose


@dataclass(frozen=True)
class Viewer:
    """The signed-in user, with the boroughs (id → name, in name order) and partner boroughs."""

    user: User
    boroughs: dict[int, str]
    partners: frozenset[int]

    @classmethod
    def current(cls) -> Viewer:
        rows = db.session.execute(
            select(Borough.id, Borough.name, Borough.is_partner).order_by(Borough.name)
        ).all()
        return cls(
            current_user,
            {row.id: row.name for row in rows},
            frozenset(row.id for row in rows if row.is_partner),
        )

    @property
    def exact_everywhere(self) -> bool:
        return reports.exact_boroughs(self.user) is None

    @property
    def sees_others(self) -> bool:
        """Borough leads, admins and programme-wide coordinators see every borough (other
        boroughs under disclosure control for a lead); a coordinator sees their own."""
        return self.exact_everywhere or Role.BOROUGH_LEAD in self.user.roles

    @property
    def own(self) -> int:
        return self.user.borough_id

    @property
    def raw_boroughs(self) -> list[int] | None:
        """The boroughs to compute figures over: every borough (None) whenever any is shown
        under control, since protection must cover them all."""
        return None if self.sees_others else [self.own]

    def area_options(self) -> list[tuple[str, str]]:
        if not self.sees_others:
            return [(str(self.own), self.boroughs[self.own])]
        return [(LONDON, "London (all boroughs)")] + [
            (str(i), name) for i, name in self.boroughs.items()
        ]

    @property
    def default_area(self) -> str:
        return LONDON if self.exact_everywhere else str(self.own)

    def area_name(self, area: str) -> str:
        return "London" if area == LONDON else self.boroughs[int(area)]

    def policy(self) -> reports.PolicyFactory:
        return reports.policy_from_config(current_app.config)


def _period_options(offered: Sequence[Period]) -> list[tuple[str, str]]:
    return [(p.slug, f"{p.short_label} ({p.label})") for p in offered]


def _read_filters(form: Any, viewer: Viewer, *, years_only: bool = False) -> Any:
    """Offer the fixed choices, read the URL, and put any bad value back to its default."""
    defaults: dict[str, str] = {}
    if hasattr(form, "period"):
        offered = reports.periods(today())
        if years_only:
            offered = [p for p in offered if p.is_year]
        form.period.offer(_period_options(offered))
        defaults["period"] = Period.financial_year_of(today()).slug
    if hasattr(form, "area"):
        form.area.offer(viewer.area_options())
        defaults["area"] = viewer.default_area
    if hasattr(form, "group"):
        form.group.offer(GROUPS if viewer.sees_others else GROUPS[:1])
        defaults["group"] = PARTNERS
    if hasattr(form, "question"):
        form.question.offer([(q.key, q.label) for q in reports.QUESTIONS.values()])
        defaults["question"] = next(iter(reports.QUESTIONS))
    for name, value in defaults.items():
        if form[name].data is None:
            form[name].data = value
    form.apply(defaults)
    return form


# A report as a page, and as a CSV file


@dataclass
class Page:
    name: str  # the endpoint
    form: Any
    viewer: Viewer
    period: Period
    intro: str
    tables: list[Table] = field(default_factory=list)  # each with its chart
    csv_tables: list[Table] = field(default_factory=list)  # default: `tables`
    definitions: list[reports.Definition] = field(default_factory=list)
    area_name: str | None = None
    as_of: date | None = None
    snapshot: bool = True
    notes: list[str] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return TITLES[self.name]

    @property
    def exported(self) -> list[Table]:
        return self.csv_tables or self.tables

    @property
    def footnote(self) -> str | None:
        return footnote([*self.tables, *self.csv_tables])

    def link_args(self, endpoint: str) -> dict[str, str]:
        """The filters to carry to another report: the period (its financial year for the
        equality report) and the area."""
        period = self.period.financial_year if endpoint == "reports.equality" else self.period
        arguments = {"period": period.slug}
        if "area" in self.form.values() and endpoint != "reports.comparison":
            arguments["area"] = self.form.area.data
        return arguments

    @property
    def download_url(self) -> str:
        return url_for(f"{self.name}_csv", **request.args)

    @property
    def filename(self) -> str:
        report = "overview" if self.name == "reports.home" else self.name.split(".")[-1]
        area = (self.area_name or "").lower()
        return f"{report}-{area}-{self.period.slug}.csv".replace(" ", "-")


def _figure_page(name: str, intro: str, sections: Sequence[tuple[str, str, Sequence[str]]]) -> Page:
    """A page of figures for an area (and London beside it, when the viewer may see London):
    `sections` are (key, caption, figure keys), each shown as a chart and a table."""
    viewer = Viewer.current()
    form = _read_filters(ReportFilters(request.args), viewer)
    period = Period.parse(form.period.data)
    assert period is not None
    raw = reports.raw_figures(db.session, period, viewer.raw_boroughs, today=today())
    area = form.area.data
    show = [] if area == LONDON else [int(area)]
    report = reports.report_for(viewer.user, raw, show=show, policy_factory=viewer.policy())
    columns = [Column(row.name, row) for row in report.rows]
    if report.london is not None:
        columns.append(Column("London", report.london))
    page = Page(
        name,
        form,
        viewer,
        period,
        intro,
        area_name=viewer.area_name(area),
        as_of=report.as_of,
        snapshot=report.snapshot,
    )
    for key, caption, figures in sections:
        definitions = [FIGURE[figure] for figure in figures]
        kinds = {definition.kind for definition in definitions}
        percent = kinds == {"rate"}
        label = "Percentage of people" if percent else "Days" if kinds == {"median"} else "People"
        page.tables.append(
            figures_table(
                key,
                f"{caption}, {period.short_label}",
                definitions,
                columns,
                value_label=label,
                percent=percent,
            )
        )
        page.definitions.extend(definitions)
    return page


def _counts(keys: Sequence[str]) -> list[str]:
    return [key for key in keys if FIGURE[key].kind == "count"]


def _rates(keys: Sequence[str]) -> list[str]:
    return [key for key in keys if FIGURE[key].kind == "rate"]


def overview() -> Page:
    return _figure_page(
        "reports.home",
        "The headline figures for the period.",
        [
            ("headline-counts", "People", _counts(HEADLINE)),
            ("headline-rates", "Rates", _rates(HEADLINE)),
        ],
    )


def recruitment() -> Page:
    return _figure_page(
        "reports.recruitment",
        "Applications made in the period, and how many were eligible, local and hired; and "
        "the days from application to hire for the hires in the period.",
        [
            ("funnel", "Recruitment funnel", reports.FUNNEL),
            ("shares", "Local and eligible shares", ["local_share", "eligible_share"]),
            ("hires", "Hires", ["hires"]),
            ("days-to-hire", "Median days to hire", ["median_days_to_hire"]),
        ],
    )


def progression() -> Page:
    keys = [f.key for f in reports.figures_in("progression")]
    page = _figure_page(
        "reports.progression",
        "Off-the-job training on target, milestones signed off on time, progress reviews "
        "overdue and mentor coverage, for active apprentices.",
        [
            ("progression-counts", "Active apprentices and milestones", ["active", *_counts(keys)]),
            ("progression-rates", "Progression rates", _rates(keys)),
        ],
    )
    if not page.snapshot:
        page.notes.append(
            "Off-the-job hours on target and reviews overdue come from today's progress "
            "records, so they are shown for the current period only (–)."
        )
    return page


def outcomes() -> Page:
    keys = [f.key for f in reports.figures_in("outcomes")]
    page = _figure_page(
        "reports.outcomes",
        "Leavers in the period, their achievement and retention, and where completers were 6 "
        "and 12 months on.",
        [
            ("outcome-counts", "Leavers and destinations", _counts(keys)),
            ("outcome-rates", "Outcome rates", _rates(keys)),
        ],
    )
    page.notes.append(
        "Early leavers withdrew within the 42-day qualifying period: they are counted apart, "
        "and are neither starts nor leavers."
    )
    return page


def trends() -> Page:
    viewer = Viewer.current()
    form = _read_filters(AreaFilters(request.args), viewer)
    # The trends cover five years whatever the period; it is kept for the links to the others.
    period = reports.offered_period(request.args.get("period"), today())
    period = period or Period.financial_year_of(today())
    raw = reports.raw_trends(db.session, viewer.raw_boroughs, today=today())
    area = form.area.data
    show = [] if area == LONDON else [int(area)]
    report = reports.trends_for(viewer.user, raw, show=show, policy_factory=viewer.policy())
    row = report.london if area == LONDON else report.row(int(area))
    assert row is not None
    name = viewer.area_name(area)
    quarters = [quarter.short_label for quarter in report.quarters]
    page = Page(
        "reports.trends",
        form,
        viewer,
        period,
        "Apprentices by the quarter they started in, over the last five financial years, and "
        "how many of each quarter's starters have since left and achieved.",
        area_name=name,
    )
    page.tables.append(trends_table(f"Starts by quarter of start, {name}", row, quarters))
    page.definitions.extend(reports.TREND_FIGURES)
    return page


def equality() -> Page:
    viewer = Viewer.current()
    form = _read_filters(EqualityFilters(request.args), viewer, years_only=True)
    period = Period.parse(form.period.data)
    assert period is not None
    raw = reports.raw_equality(db.session, period)
    policy = viewer.policy()
    question = form.question.data
    tables = [
        reports.equality_table(raw, question, measure, policy_factory=policy)
        for measure in reports.MEASURES
    ]
    area = form.area.data
    name = viewer.area_name(area)
    page = Page(
        "reports.equality",
        form,
        viewer,
        period,
        "Applicants, hires and completers by their equality monitoring answers. These are "
        "always under disclosure control, your own borough's included, and never show a "
        "person.",
        area_name=name,
    )
    label = reports.QUESTIONS[question].label
    page.context["fields"] = [question, *reports.MEASURES]
    page.tables.append(
        equality_table(
            f"{label}: applicants, hires and completers, {name}, {period.short_label}",
            tables,
            None if area == LONDON else int(area),
        )
    )
    return page


COMPARISON_FIGURES = HEADLINE


def comparison() -> Page:
    viewer = Viewer.current()
    form = _read_filters(ComparisonFilters(request.args), viewer)
    period = Period.parse(form.period.data)
    assert period is not None
    if not viewer.sees_others:
        shown = [viewer.own]
    elif form.group.data == ALL_BOROUGHS:
        shown = list(viewer.boroughs)
    else:
        shown = [b for b in viewer.boroughs if b in viewer.partners or b == viewer.own]
    raw = reports.raw_figures(db.session, period, viewer.raw_boroughs, today=today())
    report = reports.report_for(viewer.user, raw, show=shown, policy_factory=viewer.policy())
    sort = request.args.get("sort", BY_NAME)
    if sort not in COMPARISON_FIGURES:
        sort = BY_NAME
    order = request.args.get("order")
    if order not in (ASCENDING, DESCENDING):
        order = ASCENDING if sort == BY_NAME else DESCENDING
    rows = _sorted(report.rows, sort, order)
    charted = sort if sort != BY_NAME else COMPARISON_FIGURES[0]
    page = Page(
        "reports.comparison",
        form,
        viewer,
        period,
        "Boroughs side by side. Choose a column heading to sort by it.",
        as_of=report.as_of,
        snapshot=report.snapshot,
        area_name=form.group.data if viewer.sees_others else viewer.boroughs[viewer.own],
    )
    every = [*rows, *([report.london] if report.london is not None else [])]
    caption = f"{FIGURE[charted].label} by borough, {period.short_label}"
    page.tables.append(one_figure_chart("comparison-chart", charted, every, caption))
    page.csv_tables.append(
        comparison_table(f"Boroughs compared, {period.short_label}", COMPARISON_FIGURES, every)
    )
    page.definitions.extend(FIGURE[key] for key in COMPARISON_FIGURES)
    page.context = {
        "figures": [FIGURE[key] for key in COMPARISON_FIGURES],
        "rows": rows,
        "london": report.london,
        "sort": sort,
        "order": order,
        "sort_url": lambda key: _sort_url(key, sort, order),
    }
    return page


def _sorted(rows: Sequence[Row], sort: str, order: str) -> list[Row]:
    """Rows by name, or by a figure's value shown; a figure not shown ([c] or –) goes last
    either way, then by name."""
    if sort == BY_NAME:
        return sorted(rows, key=lambda row: row.name, reverse=order == DESCENDING)
    known = [row for row in rows if row[sort].value is not None]
    unknown = [row for row in rows if row[sort].value is None]
    known.sort(key=lambda row: row.name)
    known.sort(key=lambda row: row[sort].value, reverse=order == DESCENDING)  # type: ignore[arg-type, return-value]
    return known + sorted(unknown, key=lambda row: row.name)


def _sort_url(key: str, sort: str, order: str) -> str:
    """The link of a column heading: sort by it (a second choice reverses the order)."""
    if key == sort:
        new_order = ASCENDING if order == DESCENDING else DESCENDING
    else:
        new_order = ASCENDING if key == BY_NAME else DESCENDING
    arguments = {k: v for k, v in request.args.items() if k not in ("sort", "order")}
    return url_for("reports.comparison", **arguments, sort=key, order=new_order)


# The routes

BUILDERS: dict[str, Callable[[], Page]] = {
    "reports.home": overview,
    "reports.comparison": comparison,
    "reports.trends": trends,
    "reports.recruitment": recruitment,
    "reports.progression": progression,
    "reports.outcomes": outcomes,
    "reports.equality": equality,
}


def _show(name: str) -> str:
    page = BUILDERS[name]()
    template = "reports/comparison.html" if name == "reports.comparison" else "reports/report.html"
    return render_template(template, page=page, form=page.form, reports_list=REPORTS)


def _download(name: str) -> Response:
    """The report's tables as a CSV file, as shown on the page; the export is audited."""
    page = BUILDERS[name]()
    header, rows = csv_rows(page.exported)
    audit.record(
        db.session,
        AuditAction.EXPORTED,
        actor=current_user,
        target=audit.Target(type=f"report_{name.split('.')[-1]}", id=None),
        fields=page.context.get("fields") or [definition.key for definition in page.definitions],
    )
    db.session.commit()
    return csv_response(page.filename, header, rows)


@bp.get("/")
def home() -> str:
    """The overview, and a borough lead's home: their own borough, with London beside it."""
    return _show("reports.home")


@bp.get("/overview/csv")
def home_csv() -> Response:
    return _download("reports.home")


@bp.get("/comparison", endpoint="comparison")
def comparison_page() -> str:
    return _show("reports.comparison")


@bp.get("/comparison/csv")
def comparison_csv() -> Response:
    return _download("reports.comparison")


@bp.get("/trends", endpoint="trends")
def trends_page() -> str:
    return _show("reports.trends")


@bp.get("/trends/csv")
def trends_csv() -> Response:
    return _download("reports.trends")


@bp.get("/recruitment", endpoint="recruitment")
def recruitment_page() -> str:
    return _show("reports.recruitment")


@bp.get("/recruitment/csv")
def recruitment_csv() -> Response:
    return _download("reports.recruitment")


@bp.get("/progression", endpoint="progression")
def progression_page() -> str:
    return _show("reports.progression")


@bp.get("/progression/csv")
def progression_csv() -> Response:
    return _download("reports.progression")


@bp.get("/outcomes", endpoint="outcomes")
def outcomes_page() -> str:
    return _show("reports.outcomes")


@bp.get("/outcomes/csv")
def outcomes_csv() -> Response:
    return _download("reports.outcomes")


@bp.get("/equality", endpoint="equality")
def equality_page() -> str:
    return _show("reports.equality")


@bp.get("/equality/csv")
def equality_csv() -> Response:
    return _download("reports.equality")
