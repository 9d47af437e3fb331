"""Applying for a vacancy, without an account.

The privacy notice first; then one question page after another, saved in a draft on the server
under an unguessable key in the address (never in the cookie), so answers survive going back
and forth; check your answers, with the eligibility outcome and its reasons; the confirmation
with the reference, a receipt by email with a link to withdraw, and the optional equality
questions.

The front door is protected by CSRF (global), a limit on submissions per client address and
vacancy (counted in the database, so it holds across workers), a honeypot field on the check
page, and the domain's checks on every answer, each kept to a length limit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.clock import today, utcnow
from app.domain import application_drafts as drafts
from app.domain import applications, vacancies
from app.domain.applications import IncompleteApplication, Step, SubmissionLimit, VacancyClosed
from app.domain.errors import DomainError, NotFound, StaleEdit
from app.extensions import db
from app.mail import send_mail
from app.models import Application, ApplicationDraft, Borough, Stage, Vacancy
from app.web.forms_common import choices, render_form
from app.web.public import bp
from app.web.public.apply_forms import (
    STEP_FORMS,
    CheckForm,
    EqualityForm,
    StartForm,
    StepContext,
    StepForm,
    WithdrawForm,
)

TEMPLATES = "public/apply"
# The session key that tells the confirmation page the receipt could not be sent.
RECEIPT_FAILED = "apply_receipt_failed"


def no_store(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """The journey's pages hold an applicant's answers: no cache may keep them."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapped


def _stop(template: str, status: int, **context: Any) -> NoReturn:
    response = make_response(render_template(f"{TEMPLATES}/{template}", **context), status)
    response.headers["Cache-Control"] = "no-store"
    abort(response)


# Finding the vacancy and the draft


def _vacancy(vacancy_id: int) -> Vacancy:
    """A published vacancy (open or not) with what the pages and the eligibility rule need."""
    try:
        return vacancies.published_vacancy(db.session, vacancy_id)
    except NotFound:
        abort(404)


def _is_open(vacancy: Vacancy) -> bool:
    try:
        applications.check_open(db.session, vacancy, today())
    except VacancyClosed:
        return False
    return True


def _open_vacancy(vacancy: Vacancy) -> None:
    if not _is_open(vacancy):
        _stop("closed.html", 410, vacancy=vacancy)


def _draft(vacancy: Vacancy, key: str) -> ApplicationDraft:
    try:
        return drafts.find_draft(db.session, vacancy.id, key)
    except NotFound:
        _stop(
            "expired.html",
            404,
            vacancy=vacancy,
            start_again=_is_open(vacancy),
            lifetime=drafts.DRAFT_LIFETIME_IN_WORDS,
        )


def _unsent_draft(vacancy_id: int, key: str) -> tuple[Vacancy, ApplicationDraft]:
    """The vacancy and a draft still being written; a sent one goes to its confirmation."""
    vacancy = _vacancy(vacancy_id)
    draft = _draft(vacancy, key)
    if drafts.submitted_application_id(draft) is not None:
        abort(redirect(url_for(".apply_confirmation", vacancy_id=vacancy.id, key=key)))
    _open_vacancy(vacancy)
    return vacancy, draft


def _sent_application(vacancy_id: int, key: str) -> tuple[Vacancy, ApplicationDraft, Application]:
    """The vacancy, draft and application of a sent draft; an unsent one goes back to its
    check-your-answers page."""
    vacancy = _vacancy(vacancy_id)
    draft = _draft(vacancy, key)
    application_id = drafts.submitted_application_id(draft)
    if application_id is None:
        abort(redirect(url_for(".apply_check", vacancy_id=vacancy.id, key=key)))
    application = db.session.get(Application, application_id)
    if application is None:  # erased since
        _stop("expired.html", 404, vacancy=vacancy, start_again=False)
    return vacancy, draft, application


# Starting


@bp.route("/vacancies/<int:vacancy_id>/apply", methods=["GET", "POST"])
@no_store
def apply_start(vacancy_id: int) -> ResponseReturnValue:
    vacancy = _vacancy(vacancy_id)
    if not _is_open(vacancy):
        abort(404)
    form = StartForm()
    if form.validate_on_submit():
        _draft_record, key = drafts.start_draft(db.session, vacancy)
        db.session.commit()
        return redirect(
            url_for(".apply_step", vacancy_id=vacancy.id, key=key, step=Step.NAME.value)
        )
    return render_form(
        f"{TEMPLATES}/start.html",
        form,
        vacancy=vacancy,
        who=vacancies.who_can_apply(vacancy),
        lifetime=drafts.DRAFT_LIFETIME_IN_WORDS,
    )


# The question pages


def _borough_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Borough.id, Borough.name).order_by(Borough.name)).all()
    return [
        ("", "Select where you live"),
        *((str(borough_id), name) for borough_id, name in rows),
        (applications.OUTSIDE_LONDON, "I live outside London"),
    ]


def _step_form(vacancy: Vacancy, step: Step) -> StepForm:
    form_class = STEP_FORMS[step]
    borough_ids: list[int] = []
    if step is Step.RESIDENCE:
        options = _borough_choices()
        borough_ids = [int(value) for value, _ in options if value.isdigit()]
    form = form_class(context=StepContext(vacancy, today(), borough_ids))
    employer = vacancy.employing_borough.name
    start = vacancy.cohort.start_date
    if step is Step.RESIDENCE:
        form.residence.choices = choices(options)
    elif step is Step.ELIGIBILITY:
        form.educated_in_borough.label.text = (
            f"Did you go to a secondary school or college in {employer}?"
        )
        form.care_leaver.label.text = f"Are you a care leaver supported by {employer}?"
        if not vacancy.educated_route:
            del form.educated_in_borough
        if not vacancy.care_leaver_route:
            del form.care_leaver
    elif step is Step.EDUCATION:
        form.full_time_education.label.text = (
            f"Will you be in full-time education on {start.day} {start:%B %Y}, "
            "when the apprenticeship starts?"
        )
    return form


def _step_url(vacancy: Vacancy, key: str, step: Step, *, change: bool = False) -> str:
    return url_for(
        ".apply_step",
        vacancy_id=vacancy.id,
        key=key,
        step=step.value,
        **({"change": "1"} if change else {}),
    )


def _check_url(vacancy: Vacancy, key: str) -> str:
    return url_for(".apply_check", vacancy_id=vacancy.id, key=key)


def _neighbours(vacancy: Vacancy, step: Step) -> tuple[Step | None, Step | None]:
    steps = applications.steps_for(vacancy)
    index = steps.index(step)
    before = steps[index - 1] if index > 0 else None
    after = steps[index + 1] if index + 1 < len(steps) else None
    return before, after


@bp.route("/vacancies/<int:vacancy_id>/apply/<key>/<step>", methods=["GET", "POST"])
@no_store
def apply_step(vacancy_id: int, key: str, step: str) -> ResponseReturnValue:
    vacancy, draft = _unsent_draft(vacancy_id, key)
    if step not in set(Step) or Step(step) not in applications.steps_for(vacancy):
        abort(404)
    this = Step(step)
    changing = request.args.get("change") == "1"
    before, after = _neighbours(vacancy, this)
    form = _step_form(vacancy, this)
    if request.method == "GET":
        form.fill(drafts.step_answers(draft, this.value))
    if form.validate_on_submit():
        drafts.save_answers(draft, this.value, form.answers())
        db.session.commit()
        if changing or after is None:
            return redirect(_check_url(vacancy, key))
        return redirect(_step_url(vacancy, key, after))
    if changing:
        back = _check_url(vacancy, key)
    elif before is None:
        back = url_for(".apply_start", vacancy_id=vacancy.id)
    else:
        back = _step_url(vacancy, key, before)
    return render_form(
        f"{TEMPLATES}/steps/{this.value}.html",
        form,
        vacancy=vacancy,
        back=back,
        action=_step_url(vacancy, key, this, change=changing),
        statement_limit=applications.STATEMENT_MAX_LENGTH,
    )


# Check your answers, and sending


def _rows(vacancy: Vacancy, names: dict[int, str]) -> list[tuple[str, str, Callable[[Any], str]]]:
    """The summary list's rows: (label, answer, how its value is shown)."""
    employer = vacancy.employing_borough.name

    def plain(value: Any) -> str:
        return str(value)

    def yes_no(value: Any) -> str:
        return "Yes" if value else "No"

    def long_date(value: Any) -> str:
        return f"{value.day} {value:%B %Y}"

    def borough(value: Any) -> str:
        return names.get(value, "") if value is not None else "Outside London"

    def interview(value: Any) -> str:
        return applications.GUARANTEED_INTERVIEW_LABELS[value]

    rows: list[tuple[str, str, Callable[[Any], str]]] = [
        ("Full name", "name", plain),
        ("Email address", "email", plain),
        ("UK phone number", "phone", plain),
        ("Date of birth", "date_of_birth", long_date),
        ("Postcode", "postcode", plain),
        ("Borough you live in", "residence", borough),
    ]
    if vacancy.educated_route:
        rows.append(
            (
                f"Went to a secondary school or college in {employer}",
                "educated_in_borough",
                yes_no,
            )
        )
    if vacancy.care_leaver_route:
        rows.append((f"Care leaver supported by {employer}", "care_leaver", yes_no))
    rows += [
        ("Right to work in the UK", "right_to_work", yes_no),
        ("In full-time education when the apprenticeship starts", "full_time_education", yes_no),
        ("Guaranteed interview scheme", "guaranteed_interview", interview),
        ("Supporting statement", "supporting_statement", plain),
    ]
    return rows


def _summary(
    vacancy: Vacancy, key: str, checked: applications.CheckedAnswers, names: dict[int, str]
) -> list[dict[str, Any]]:
    """Each row with its value and change link, or, for an answer missing (or no longer
    valid), what is needed and a link to the page that asks for it."""
    problems = {problem.field: problem for problem in checked.problems}
    summary = []
    for label, field, shown in _rows(vacancy, names):
        step = applications.FIELD_STEPS[field]
        problem = problems.get(field)
        summary.append(
            {
                "label": label,
                "value": None if problem else shown(checked.values[field]),
                "problem": problem.message if problem else None,
                "href": _step_url(vacancy, key, step, change=problem is None),
            }
        )
    return summary


def _check_page(
    vacancy: Vacancy, draft: ApplicationDraft, key: str, form: CheckForm
) -> ResponseReturnValue:
    names = applications.borough_names(db.session)
    checked = applications.check_answers(drafts.all_answers(draft), vacancy, names.keys(), today())
    assessment = None
    if not checked.problems:
        answers = applications.answers_from_steps(
            drafts.all_answers(draft), vacancy, names.keys(), today()
        )
        assessment = applications.assessment_for(vacancy, answers, names)
    return render_form(
        f"{TEMPLATES}/check.html",
        form,
        vacancy=vacancy,
        rows=_summary(vacancy, key, checked, names),
        assessment=assessment,
        continue_url=_step_url(vacancy, key, checked.problems[0].step)
        if checked.problems
        else None,
        back=_step_url(vacancy, key, applications.steps_for(vacancy)[-1]),
        action=_check_url(vacancy, key),
    )


def _withdraw_url(application: Application) -> str:
    """Built from the configured public address, never from the request's Host header."""
    token = applications.withdraw_token(current_app.config["SECRET_KEY"], application)
    path = url_for(".application_withdraw", withdraw_token=token)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def _send_receipt(vacancy: Vacancy, application: Application) -> bool:
    return send_mail(
        application.email,
        # One line, whatever the title holds: a header cannot take a line break.
        f"Application received: {' '.join(vacancy.title.split())} "
        f"(reference {application.reference})",
        "application_receipt",
        application=application,
        vacancy=vacancy,
        withdraw_url=_withdraw_url(application),
        objection_url=_objection_url(application),
    )


def _objection_url(application: Application) -> str:
    from app.domain.objection import objection_token

    token = objection_token(current_app.config["SECRET_KEY"], application)
    path = url_for(".equality_objection", objection_token=token)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


@bp.route("/vacancies/<int:vacancy_id>/apply/<key>/check-your-answers", methods=["GET", "POST"])
@no_store
def apply_check(vacancy_id: int, key: str) -> ResponseReturnValue:
    vacancy, draft = _unsent_draft(vacancy_id, key)
    form = CheckForm()
    if not form.validate_on_submit():
        return _check_page(vacancy, draft, key, form)
    if form.is_bot():
        # Looks like success to the bot; nothing is stored.
        return render_template(
            f"{TEMPLATES}/confirmation.html",
            vacancy=vacancy,
            reference=applications.new_reference(db.session),
            email=None,
            equality_url=None,
            receipt_failed=False,
        )
    address = request.remote_addr or "unknown"
    limit = SubmissionLimit.from_config(current_app.config)
    now = utcnow()
    if applications.over_submission_limit(db.session, vacancy.id, address, limit, now=now):
        return render_template(
            f"{TEMPLATES}/too_many.html",
            vacancy=vacancy,
            limit=limit,
            check_url=_check_url(vacancy, key),
            lifetime=drafts.DRAFT_LIFETIME_IN_WORDS,
        ), 429
    try:
        application = applications.submit(db.session, draft, vacancy, on=now)
    except IncompleteApplication as problem:
        db.session.rollback()
        return redirect(_step_url(vacancy, key, problem.step))
    except VacancyClosed:
        db.session.rollback()
        _stop("closed.html", 410, vacancy=vacancy)
    except DomainError as error:
        db.session.rollback()
        vacancy, draft = _unsent_draft(vacancy_id, key)
        form.submit.errors = [error.message]
        return _check_page(vacancy, draft, key, form)
    applications.count_submission(db.session, vacancy.id, address, limit, now=now)
    db.session.commit()
    if not _send_receipt(vacancy, application):
        session[RECEIPT_FAILED] = application.reference
    return redirect(url_for(".apply_confirmation", vacancy_id=vacancy.id, key=key))


# After sending


@bp.route("/vacancies/<int:vacancy_id>/apply/<key>/confirmation", methods=["GET"])
@no_store
def apply_confirmation(vacancy_id: int, key: str) -> ResponseReturnValue:
    vacancy, _draft_record, application = _sent_application(vacancy_id, key)
    answered = applications.has_equality_answers(db.session, application.id)
    receipt_failed = session.get(RECEIPT_FAILED) == application.reference
    if receipt_failed:
        session.pop(RECEIPT_FAILED)
    return render_template(
        f"{TEMPLATES}/confirmation.html",
        vacancy=vacancy,
        reference=application.reference,
        email=application.email,
        equality_url=None
        if answered
        else url_for(".apply_equality", vacancy_id=vacancy.id, key=key),
        receipt_failed=receipt_failed,
    )


@bp.route("/vacancies/<int:vacancy_id>/apply/<key>/equality", methods=["GET", "POST"])
@no_store
def apply_equality(vacancy_id: int, key: str) -> ResponseReturnValue:
    vacancy, _draft_record, application = _sent_application(vacancy_id, key)
    confirmation = url_for(".apply_confirmation", vacancy_id=vacancy.id, key=key)
    form = EqualityForm()
    if form.validate_on_submit():
        try:
            saved = applications.save_equality_answers(db.session, application, form.answers())
        except DomainError as error:
            db.session.rollback()
            field = getattr(form, error.field or "", None) or form.gender
            field.errors = [*field.errors, error.message]
        else:
            db.session.commit()
            if saved is not None:
                flash("Thank you for answering the equality questions")
            return redirect(confirmation)
    return render_form(
        f"{TEMPLATES}/equality.html",
        form,
        vacancy=vacancy,
        back=confirmation,
        action=url_for(".apply_equality", vacancy_id=vacancy.id, key=key),
        answered=applications.has_equality_answers(db.session, application.id),
    )


# Withdrawing, through the link in the receipt


@bp.route("/applications/withdraw/<withdraw_token>", methods=["GET", "POST"])
@no_store
def application_withdraw(withdraw_token: str) -> ResponseReturnValue:
    secret = current_app.config["SECRET_KEY"]
    try:
        application = applications.application_for_withdraw_token(
            db.session, secret, withdraw_token
        )
    except NotFound:
        return render_template(f"{TEMPLATES}/withdraw_invalid.html"), 400
    vacancy = db.session.scalars(
        select(Vacancy)
        .where(Vacancy.id == application.vacancy_id)
        .options(joinedload(Vacancy.employing_borough))
    ).one()
    form = WithdrawForm()
    problem = None
    if form.validate_on_submit():
        try:
            applications.withdraw_by_applicant(db.session, application)
        except StaleEdit as error:
            db.session.rollback()
            problem = error.message
        except DomainError as error:
            db.session.rollback()
            problem = error.message
        else:
            db.session.commit()
            return redirect(request.path)
        db.session.expire_all()
        application = db.session.get(Application, application.id)
    page = render_template(
        f"{TEMPLATES}/withdraw.html",
        form=form,
        vacancy=vacancy,
        application=application,
        withdrawn=application.stage == Stage.WITHDRAWN.value,
        can_withdraw=applications.can_withdraw(application),
        stale=problem,
    )
    return page, 409 if problem else 200
