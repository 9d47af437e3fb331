"""The public-sector apprenticeship return, recording headcount, and the scaling projection.

Thin views, as in app.web.reports.views: they read the choices from the URL (a GET form) or
the posted form, ask app.domain.public_sector and app.domain.projection for the figures as the
signed-in user may see them, and lay them out. Other boroughs' figures are under disclosure
control for a borough lead; a coordinator sees and records their own borough.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import SubmitField

from app.charts import Series, bar_chart
from app.clock import today
from app.csv_writer import csv_response
from app.domain import audit, projection, public_sector
from app.domain.disclosure import FOOTNOTE, SUPPRESSED
from app.domain.errors import DomainError, NotFound, StaleEdit
from app.domain.public_sector import FORMER_TARGET_PERCENT, ReturnRow
from app.domain.reports import NOT_APPLICABLE, Period, Shown
from app.extensions import db
from app.models import AuditAction, BoroughHeadcount
from app.web.forms_common import (
    render_form,
    show_domain_error,
    submit_button,
    version_field,
    whole_number_field,
)
from app.web.reports import bp
from app.web.reports.forms import ChoiceField, _Filters
from app.web.reports.views import ALL_BOROUGHS, GROUPS, PARTNERS, Viewer

RETURN_TITLE = "Public-sector apprenticeship return"
HEADCOUNT_TITLE = "Record headcount"
SCALING_TITLE = "Scaling projection"
TARGET_LABEL = f"Former public-sector target: {FORMER_TARGET_PERCENT}% of headcount"
GAP_NOTE = "means there is no figure: no headcount recorded for the year"
DEFAULT_INTAKE, DEFAULT_YEARS = 10, 3


def _year_options(years: Sequence[Period]) -> list[tuple[str, str]]:
    return [(year.slug, f"{year.short_label} ({year.label})") for year in years]


def _settle(form: Any, defaults: dict[str, str]) -> bool:
    """Fill in the defaults for choices not in the URL, then validate (bad values go back to
    their default, keeping the error for the summary)."""
    for name, value in defaults.items():
        if form[name].data is None:
            form[name].data = value
    return form.apply(defaults)


# ---------------------------------------------------------------------------------------------
# The return


class ReturnFilters(_Filters):
    period = ChoiceField("Financial year", message="Select a financial year from the list")
    group = ChoiceField("Boroughs", message="Select a group of boroughs from the list")
    submit = SubmitField("Show figures", widget=GovSubmitInput())


@dataclass
class ReturnPage:
    form: ReturnFilters
    viewer: Viewer
    year: Period
    years: list[Period]
    rows: list[ReturnRow]  # the year's rows shown, London's last when shown
    every_year: list[ReturnRow]  # the CSV's rows: each borough shown, every year
    footnote: str | None
    chart: Markup
    may_record: bool
    header: tuple[str, ...] = (
        "Borough",
        "New apprentice starts",
        "Total apprentices",
        "Headcount",
        "Starts as a share of headcount",
    )
    table: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def download_url(self) -> str:
        return url_for("reports.public_sector_return_csv", **request.args)


def _return_page() -> ReturnPage:
    viewer = Viewer.current()
    years = public_sector.return_years(today())
    form = ReturnFilters(request.args)
    form.period.offer(_year_options(years))
    form.group.offer(GROUPS if viewer.sees_others else GROUPS[:1])
    _settle(form, {"period": years[0].slug, "group": PARTNERS})
    year = Period.parse(form.period.data)
    assert year is not None
    if not viewer.sees_others:
        shown = [viewer.own]
    elif form.group.data == ALL_BOROUGHS:
        shown = list(viewer.boroughs)
    else:
        shown = [b for b in viewer.boroughs if b in viewer.partners or b == viewer.own]
    raw = public_sector.raw_return(db.session, years, viewer.raw_boroughs)
    result = public_sector.return_for(viewer.user, raw, show=shown, policy_factory=viewer.policy())
    london = [result.london[year]] if viewer.sees_others and result.london else []
    rows = [*result.rows[year], *london]
    every_year = [row for y in result.years for row in result.rows[y]]
    every_year += [result.london[y] for y in result.years] if london else []
    caption = f"Starts as a share of headcount, {year.short_label}"
    page = ReturnPage(
        form=form,
        viewer=viewer,
        year=year,
        years=years,
        rows=rows,
        every_year=every_year,
        footnote=FOOTNOTE if any(row.any_suppressed for row in every_year) else None,
        chart=_share_chart(caption, rows),
        may_record=public_sector.may_record_headcount(viewer.user, viewer.own),
    )
    page.table = [
        (row.name, row.starts.text, row.total.text, row.headcount_text, row.share.text)
        for row in rows
    ]
    return page


def _share_chart(caption: str, rows: Sequence[ReturnRow]) -> Markup:
    values = [row.share.value for row in rows]
    gaps: dict[str, str] = {}
    if None in values and not any(row.share.suppressed for row in rows):
        gaps = {"gap_label": NOT_APPLICABLE, "gap_note": GAP_NOTE}
    return bar_chart(
        id_prefix="chart-public-sector-return",
        title=caption,
        description=(
            f"{caption}: a bar for each borough, and a dashed line at the former public-sector "
            f"target of {FORMER_TARGET_PERCENT}%. A figure that is not shown is marked instead "
            "of drawn. The table beside the chart gives the same numbers."
        ),
        categories=[row.name for row in rows],
        series=[Series("Starts as a share of headcount", values)],
        value_label="Starts as a share of headcount (%)",
        category_label="Borough",
        percent=True,
        reference=FORMER_TARGET_PERCENT,
        reference_label=TARGET_LABEL,
        **gaps,
    )


@bp.get("/public-sector-return")
def public_sector_return() -> str:
    page = _return_page()
    return render_template(
        "reports/public_sector_return.html", page=page, form=page.form, title=RETURN_TITLE
    )


RETURN_CSV_HEADER = (
    "Organisation",
    "ONS code",
    "Financial year",
    "Period start",
    "Period end",
    "Headcount",
    "New apprentice starts in the period",
    "Total apprentices in the period",
    "Starts as a percentage of headcount",
    "Figures",
)


def _csv_value(shown: Shown) -> object:
    """A count or percentage as a number, "[c]" when suppressed, empty when there is none."""
    if shown.suppressed:
        return shown.text
    return shown.value


def _return_csv_rows(page: ReturnPage) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = [
        (
            row.name,
            row.ons_code,
            row.year.short_label,
            row.year.start,
            row.year.end,
            row.headcount,
            _csv_value(row.starts),
            _csv_value(row.total),
            _csv_value(row.share),
            "Exact" if row.exact else "Under disclosure control",
        )
        for row in page.every_year
    ]
    if page.footnote:
        rows.append((page.footnote,))
    return rows


@bp.get("/public-sector-return/csv")
def public_sector_return_csv() -> Response:
    """Every financial year offered for the boroughs shown, one row per organisation and
    year, as an annual return lists them; audited as an export."""
    page = _return_page()
    rows = _return_csv_rows(page)
    audit.record(
        db.session,
        AuditAction.EXPORTED,
        actor=current_user,
        target=audit.Target(type="report_public_sector_return", id=None),
        fields=["headcount", "starts", "total_apprentices", "share_of_headcount"],
    )
    db.session.commit()
    group = page.form.group.data if page.viewer.sees_others else "own"
    return csv_response(f"public-sector-return-{group}.csv", RETURN_CSV_HEADER, rows)


# ---------------------------------------------------------------------------------------------
# Recording headcount


class HeadcountChoice(_Filters):
    borough = ChoiceField("Borough", message="Select a borough from the list")
    year = ChoiceField("Financial year", message="Select a financial year from the list")
    choose = SubmitField("Choose", widget=GovSubmitInput())


class HeadcountForm(FlaskForm):
    headcount = whole_number_field(
        "Headcount",
        minimum=1,
        maximum=public_sector.MAXIMUM_HEADCOUNT,
        required="Enter the headcount",
        hint="The number of people the council employs (a headcount, not full-time "
        "equivalents) for the financial year.",
    )
    row_version = version_field()
    submit = submit_button("Save headcount")


def _headcount_boroughs(viewer: Viewer) -> dict[int, str]:
    return {
        b: name
        for b, name in viewer.boroughs.items()
        if public_sector.may_record_headcount(viewer.user, b)
    }


@bp.route("/headcount", methods=["GET", "POST"])
def headcount() -> ResponseReturnValue:
    viewer = Viewer.current()
    boroughs = _headcount_boroughs(viewer)
    years = public_sector.return_years(today())
    choice = HeadcountChoice(request.args)
    choice.borough.offer((str(b), name) for b, name in boroughs.items())
    choice.year.offer(_year_options(years))
    default_borough = str(viewer.own) if viewer.own in boroughs else str(next(iter(boroughs)))
    chosen_ok = _settle(choice, {"borough": default_borough, "year": years[0].slug})
    if request.method == "POST" and not chosen_ok:
        # A record outside the user's scope, or a year not offered: never a silent default.
        abort(404)
    borough_id, year = int(choice.borough.data), Period.parse(choice.year.data)
    assert year is not None
    record = public_sector.headcount_for(db.session, borough_id, year)
    form = HeadcountForm()
    if request.method == "GET":
        form.headcount.data = record.headcount if record else None
        form.row_version.data = str(record.row_version) if record else ""
    context: dict[str, Any] = {
        "choice": choice,
        "borough_name": boroughs[borough_id],
        "year": year,
        "years": years,
        "recorded": _recorded(boroughs, years),
        "boroughs": boroughs,
        "title": HEADCOUNT_TITLE,
    }
    if form.validate_on_submit():
        version = form.row_version.data
        try:
            public_sector.record_headcount(
                db.session,
                actor=current_user,
                borough_id=borough_id,
                year=year,
                headcount=form.headcount.data,
                expected_version=int(version) if version else None,
                today=today(),
            )
        except NotFound:
            abort(404)
        except StaleEdit as error:
            db.session.rollback()
            current = public_sector.headcount_for(db.session, borough_id, year)
            form.row_version.data = str(current.row_version) if current else ""
            context["current"] = current
            context["recorded"] = _recorded(boroughs, years)
            return render_template(
                "reports/headcount.html", form=form, edit_form=form, stale=error.message, **context
            ), 409
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"Headcount for {boroughs[borough_id]}, {year.short_label}, saved")
            return redirect(url_for("reports.headcount", borough=borough_id, year=year.slug))
    shown_form = choice if choice.errors and request.method == "GET" else form
    return render_form("reports/headcount.html", shown_form, edit_form=form, **context)


def _recorded(boroughs: dict[int, str], years: Sequence[Period]) -> dict[tuple[int, int], int]:
    """Headcount recorded per (borough, year) for the boroughs listed: one query."""
    rows = db.session.execute(
        select(
            BoroughHeadcount.borough_id,
            BoroughHeadcount.financial_year,
            BoroughHeadcount.headcount,
        ).where(
            BoroughHeadcount.borough_id.in_(list(boroughs)),
            BoroughHeadcount.financial_year.in_([year.year for year in years]),
        )
    ).all()
    return {(row.borough_id, row.financial_year): row.headcount for row in rows}


# ---------------------------------------------------------------------------------------------
# Scaling


class ScalingForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    borough = ChoiceField("Borough", message="Select a borough from the list")
    intake = whole_number_field(
        "Intake per year",
        minimum=1,
        maximum=projection.MAXIMUM_INTAKE,
        required="Enter the intake per year",
        hint="How many apprentices the borough would start each year.",
    )
    years = whole_number_field(
        "Number of years",
        minimum=1,
        maximum=projection.MAXIMUM_YEARS,
        required="Enter the number of years",
    )
    submit = SubmitField("Project", widget=GovSubmitInput())


def _people(value: float) -> str:
    return f"{round(value):,}"


def _projected(figure: projection.Projected) -> str:
    low, high = math.floor(figure.low), math.ceil(figure.high)
    expected = "not known" if figure.expected is None else _people(figure.expected)
    return f"{expected} ({low:,} to {high:,})"


def _rate_text(rate: projection.ObservedRate, exact: bool, withheld: bool) -> tuple[str, str]:
    """The rate, and its 95% range, as percentages (whole ones under disclosure control)."""
    if withheld:
        return SUPPRESSED, NOT_APPLICABLE
    if rate.value is None:
        return NOT_APPLICABLE, NOT_APPLICABLE
    places = 1 if exact else 0
    low, high = rate.interval
    return (
        f"{100 * rate.value:.{places}f}%",
        f"{100 * low:.{places}f}% to {100 * high:.{places}f}%",
    )


@bp.get("/scaling")
def scaling() -> ResponseReturnValue:
    viewer = Viewer.current()
    arguments = request.args or MultiDict(
        {"borough": str(viewer.own), "intake": str(DEFAULT_INTAKE), "years": str(DEFAULT_YEARS)}
    )
    form = ScalingForm(arguments)
    options = viewer.area_options()[1:] if viewer.sees_others else viewer.area_options()
    form.borough.offer(options)
    if form.borough.data is None:
        form.borough.data = str(viewer.own)
    form.validate()
    if form.borough.errors:
        form.borough.data = str(viewer.own)
        if len(options) < 2:  # not offered, so not shown: nothing to correct
            form.borough.errors = []
    context: dict[str, Any] = {"title": SCALING_TITLE, "viewer": viewer}
    if form.intake.errors or form.years.errors:
        return render_form("reports/scaling.html", form, source=None, **context)
    source = projection.observed_rates(
        db.session,
        int(form.borough.data),
        viewer=viewer.user,
        min_starts=current_app.config["PROJECTION_OWN_RATES_MIN_STARTS"],
        policy_factory=viewer.policy(),
    )
    projected = projection.project(source.rates, form.intake.data, form.years.data)
    rates = []
    for key in projection.RATE_KEYS:
        successes, trials = projection.RATE_COUNTS[key]
        value, interval = _rate_text(source.rates[key], source.exact, key in source.withheld)
        based_on = f"{source.counts[successes].text} of {source.counts[trials].text}"
        rates.append((projection.RATE_LABELS[key], value, interval, based_on))
    rows = [
        (
            f"Year {year.year}",
            f"{year.starts:,}",
            _projected(year.completions),
            _projected(year.achievements),
            _projected(year.progressions),
            _projected(year.with_council),
        )
        for year in projected
    ]
    return render_template(
        "reports/scaling.html",
        form=form,
        source=source,
        rates=rates,
        rows=rows,
        footnote=FOOTNOTE if source.any_suppressed else None,
        **context,
    )
