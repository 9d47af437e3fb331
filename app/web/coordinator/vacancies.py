"""Vacancies: the list with each one's state and applications by stage, a vacancy's page, and
adding, changing and publishing vacancies (the employing borough's coordinators only)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.access import borough_scope, cohorts_visible_to
from app.clock import today
from app.domain import audit
from app.domain import vacancies as rules
from app.domain.errors import DomainError, NotFound, StaleEdit
from app.extensions import db
from app.models import Cohort, ResidenceRule, Stage, Standard, Vacancy
from app.web.coordinator import bp
from app.web.coordinator.vacancy_forms import PublishForm, VacancyForm
from app.web.forms_common import choices, render_form, show_domain_error
from app.web.pagination import page_number, paginate
from app.web.scoped import refuse_change
from app.web.user_pages import borough_choices

FORM_TEMPLATE = "coordinator/vacancies/form.html"
PUBLISH_TEMPLATE = "coordinator/vacancies/publish.html"


def _vacancy_or_404(vacancy_id: int) -> Vacancy:
    try:
        return rules.visible_vacancy(db.session, current_user, vacancy_id)
    except NotFound:
        abort(404)


def _vacancy_to_change(vacancy_id: int) -> Vacancy:
    vacancy = _vacancy_or_404(vacancy_id)
    if not rules.may_change_vacancy(current_user, vacancy):
        refuse_change(audit.target_of(vacancy))
    return vacancy


def _hired(vacancy_id: int, counts: dict[int, dict[Stage, int]]) -> int:
    return counts.get(vacancy_id, {}).get(Stage.HIRED, 0)


def _fill_choices(form: VacancyForm, vacancy: Vacancy | None) -> None:
    # Cohorts the coordinator may see; a vacancy's current cohort stays on offer.
    visible = cohorts_visible_to(current_user).with_only_columns(Cohort.id)
    cohorts = db.session.scalars(
        select(Cohort)
        .where(Cohort.id.in_(visible) | (Cohort.id == (vacancy.cohort_id if vacancy else 0)))
        .order_by(Cohort.start_date.desc(), Cohort.name)
    ).all()
    form.cohort.choices = choices(
        [("", "Select a cohort")]
        + [
            (
                str(cohort.id),
                f"{cohort.name} (starts {cohort.start_date.day} {cohort.start_date:%B %Y})",
            )
            for cohort in cohorts
        ]
    )
    standards = db.session.scalars(
        select(Standard).order_by(Standard.title, Standard.reference, Standard.version)
    ).all()
    form.standard.choices = choices(
        [("", "Select a standard")]
        + [(str(standard.id), standard.display_name) for standard in standards]
    )
    boroughs = borough_choices(blank=False)
    form.eligible_boroughs.choices = boroughs
    if borough_scope(current_user) is None:
        form.employing_borough.choices = borough_choices(blank=True)
    else:
        del form.employing_borough  # a borough's coordinator employs for their own borough


def _employing_borough_id(form: VacancyForm, default: int) -> int:
    """The borough chosen, or for a coordinator without the choice their own. A borough sent
    anyway is passed on, so the domain refuses it with its message."""
    if form.employing_borough is not None:
        return int(form.employing_borough.data)
    sent = request.form.get("employing_borough", "")
    if not sent:
        return default
    if not sent.isdigit() or len(sent) > 9:
        abort(400)
    return int(sent)


def _details(form: VacancyForm, *, default_borough: int) -> rules.VacancyDetails:
    rule = ResidenceRule(form.residence_rule.data)
    return rules.VacancyDetails(
        cohort_id=int(form.cohort.data),
        employing_borough_id=_employing_borough_id(form, default_borough),
        title=form.title.data,
        description=form.description.data,
        standard_id=int(form.standard.data),
        positions=form.positions.data,
        hourly_pay=form.hourly_pay.data,
        closing_date=form.closing_date.data,
        residence_rule=rule,
        eligible_borough_ids=(
            frozenset(int(value) for value in form.eligible_boroughs.data or [])
            if rule is ResidenceRule.LIST
            else frozenset()
        ),
        educated_route=form.educated_route.data == "yes",
        care_leaver_route=form.care_leaver_route.data == "yes",
        minimum_age=form.minimum_age.data,
    )


def _fill_from(form: VacancyForm, record: Vacancy) -> None:
    form.row_version.data = str(record.row_version)
    form.cohort.data = str(record.cohort_id)
    if form.employing_borough is not None:
        form.employing_borough.data = str(record.employing_borough_id)
    form.title.data = record.title
    form.description.data = record.description
    form.standard.data = str(record.standard_id)
    form.positions.data = record.positions
    form.hourly_pay.data = record.hourly_pay
    form.closing_date.data = record.closing_date
    form.residence_rule.data = record.residence_rule
    form.eligible_boroughs.data = [str(borough.id) for borough in record.eligible_boroughs]
    form.educated_route.data = "yes" if record.educated_route else "no"
    form.care_leaver_route.data = "yes" if record.care_leaver_route else "no"
    form.minimum_age.data = record.minimum_age


def _fill_defaults(form: VacancyForm) -> None:
    form.residence_rule.data = ResidenceRule.OWN.value
    form.educated_route.data = "yes"
    form.care_leaver_route.data = "yes"
    form.minimum_age.data = rules.DEFAULT_MINIMUM_AGE


@bp.get("/vacancies", endpoint="vacancies")
def vacancy_list() -> str:
    page = paginate(
        db.session,
        rules.visible_vacancies(current_user),
        page_number(),
        current_app.config["PAGE_SIZE"],
    )
    counts = rules.stage_counts(db.session, [vacancy.id for vacancy in page.items])
    on = today()
    states = {
        vacancy.id: rules.state_of(vacancy, _hired(vacancy.id, counts), on)
        for vacancy in page.items
    }
    return render_template(
        "coordinator/vacancies/list.html",
        page=page,
        counts=counts,
        states=states,
        stages=list(Stage),
    )


@bp.route("/vacancies/new", methods=["GET", "POST"], endpoint="vacancy_new")
def vacancy_new() -> ResponseReturnValue:
    form = VacancyForm()
    _fill_choices(form, None)
    if request.method == "GET":
        _fill_defaults(form)
    if form.validate_on_submit():
        try:
            created = rules.create_vacancy(
                db.session,
                _details(form, default_borough=current_user.borough_id),
                actor=current_user,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"{created.title} added as a draft")
            return redirect(url_for("coordinator.vacancy", vacancy_id=created.id))
    return render_form(FORM_TEMPLATE, form, vacancy=None)


@bp.get("/vacancies/<int:vacancy_id>", endpoint="vacancy")
def vacancy_page(vacancy_id: int) -> str:
    shown = _vacancy_or_404(vacancy_id)
    counts = rules.stage_counts(db.session, [vacancy_id]).get(vacancy_id, {})
    on = today()
    hired = counts.get(Stage.HIRED, 0)
    return render_template(
        "coordinator/vacancies/show.html",
        vacancy=shown,
        counts=counts,
        stages=list(Stage),
        state=rules.state_of(shown, hired, on),
        closed_because=rules.closed_because(shown, hired, on),
        who=rules.who_can_apply(shown),
        may_change=rules.may_change_vacancy(current_user, shown),
    )


@bp.route("/vacancies/<int:vacancy_id>/edit", methods=["GET", "POST"], endpoint="vacancy_edit")
def vacancy_edit(vacancy_id: int) -> ResponseReturnValue:
    record = _vacancy_to_change(vacancy_id)
    form = VacancyForm()
    _fill_choices(form, record)
    if request.method == "GET":
        _fill_from(form, record)
    if form.validate_on_submit():
        try:
            rules.update_vacancy(
                db.session,
                record,
                _details(form, default_borough=record.employing_borough_id),
                # An empty version (a form from nowhere) never matches, so it counts as stale.
                expected_version=int(form.row_version.data or -1),
                actor=current_user,
            )
        except StaleEdit as error:
            db.session.rollback()
            current = _vacancy_or_404(vacancy_id)
            form.row_version.data = str(current.row_version)
            return render_template(
                FORM_TEMPLATE,
                form=form,
                vacancy=current,
                stale=error.message,
            ), 409
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("Vacancy updated")
            return redirect(url_for("coordinator.vacancy", vacancy_id=vacancy_id))
    return render_form(FORM_TEMPLATE, form, vacancy=record)


@bp.route(
    "/vacancies/<int:vacancy_id>/publish", methods=["GET", "POST"], endpoint="vacancy_publish"
)
def vacancy_publish(vacancy_id: int) -> ResponseReturnValue:
    record = _vacancy_to_change(vacancy_id)
    form = PublishForm()
    if request.method == "GET":
        form.row_version.data = str(record.row_version)
    status = 200
    if form.validate_on_submit():
        try:
            rules.publish_vacancy(
                db.session,
                record,
                expected_version=int(form.row_version.data or -1),
                actor=current_user,
            )
        except StaleEdit as error:
            db.session.rollback()
            current = _vacancy_or_404(vacancy_id)
            form.row_version.data = str(current.row_version)
            return _publish_page(form, current, stale=error.message), 409
        except DomainError:
            status = 400  # the page lists what stops it being published
        else:
            db.session.commit()
            flash(f"{record.title} is published. Residents can now apply.")
            return redirect(url_for("coordinator.vacancy", vacancy_id=vacancy_id))
    elif form.errors:
        status = 400
    return _publish_page(form, record), status


def _publish_page(form: PublishForm, vacancy: Vacancy, *, stale: str | None = None) -> str:
    return render_template(
        PUBLISH_TEMPLATE,
        form=form,
        vacancy=vacancy,
        problems=rules.publishing_problems(db.session, vacancy, on=today()),
        who=rules.who_can_apply(vacancy),
        stale=stale,
    )
