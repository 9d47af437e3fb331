"""Apprentices: the list, adding one by hand or importing a CSV file, an apprentice's page
(details, placements, mentor, status history), changing their details and moving them
through the status lifecycle.

Who sees what is the scoped query's business (apprentices_visible_to): a record outside the
viewer's scope is 404. Changes belong to the employing borough (may_change_apprentice): a host
borough's coordinator reads, and gets 403 on any change.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from app.access import (
    apprentices_visible_to,
    borough_scope,
    cohorts_visible_to,
    may_change_apprentice,
)
from app.clock import today
from app.domain import audit, lifecycle
from app.domain.account_links import Purpose
from app.domain.apprentice_import import COLUMNS, ImportRefused, import_apprentices
from app.domain.apprentices import (
    ApprenticeDetails,
    create_apprentice,
    update_apprentice,
)
from app.domain.errors import DomainError, StaleEdit
from app.extensions import db
from app.models import (
    Apprentice,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    AuditAction,
    Cohort,
    MentorAssignment,
    Placement,
    Role,
    Standard,
    TrainingProvider,
    User,
    WithdrawalReason,
)
from app.web.account_mail import send_account_link
from app.web.coordinator import bp
from app.web.coordinator.apprentice_forms import (
    OUTSIDE_LONDON,
    ApprenticeEditForm,
    ApprenticeFilterForm,
    ApprenticeNewForm,
    ImportForm,
    PauseForm,
    ResumeForm,
    StartForm,
    WithdrawForm,
)
from app.web.forms_common import choices, render_form, show_domain_error
from app.web.pagination import page_number, paginate
from app.web.scoped import apprentice_in_scope, apprentice_to_change
from app.web.user_pages import borough_choices, remember_invitation, take_user_notice

FORM_TEMPLATE = "coordinator/apprentices/form.html"
STATUS_TEMPLATE = "coordinator/apprentices/status.html"
IMPORT_TEMPLATE = "coordinator/apprentices/import.html"
# The largest CSV file the upload page accepts.
MAX_IMPORT_BYTES = 2 * 1024 * 1024
STATUS_ORDER = {status.value: index for index, status in enumerate(ApprenticeStatus)}
MOVE_FORMS: dict[lifecycle.Move, type[FlaskForm]] = {
    lifecycle.Move.START: StartForm,
    lifecycle.Move.PAUSE: PauseForm,
    lifecycle.Move.RESUME: ResumeForm,
    lifecycle.Move.WITHDRAW: WithdrawForm,
}


# Finding apprentices within the viewer's scope


_DETAILS = (
    joinedload(Apprentice.cohort),
    joinedload(Apprentice.standard),
    joinedload(Apprentice.training_provider),
    joinedload(Apprentice.employing_borough),
    joinedload(Apprentice.residence_borough),
)


def _with_details(statement: Select[tuple[Apprentice]]) -> Select[tuple[Apprentice]]:
    return statement.join(Apprentice.user).options(contains_eager(Apprentice.user), *_DETAILS)


def _apprentice_or_404(apprentice_id: int) -> Apprentice:
    return apprentice_in_scope(apprentice_id, joinedload(Apprentice.user), *_DETAILS)


def _changeable_or_403(apprentice_id: int) -> Apprentice:
    return apprentice_to_change(apprentice_id, joinedload(Apprentice.user), *_DETAILS)


# The list


def _filter_choices(form: ApprenticeFilterForm) -> None:
    cohorts = db.session.scalars(cohorts_visible_to(current_user).order_by(Cohort.name)).all()
    form.cohort.choices = choices(
        [("", "Any cohort")] + [(str(cohort.id), cohort.name) for cohort in cohorts]
    )
    form.borough.choices = [*choices([("", "Any borough")]), *borough_choices(blank=False)]
    form.status.choices = choices(
        [("", "Any status")] + [(status.value, status.label) for status in ApprenticeStatus]
    )
    standards = db.session.scalars(
        select(Standard).order_by(Standard.title, Standard.reference, Standard.version)
    ).all()
    form.standard.choices = choices(
        [("", "Any standard")] + [(str(s.id), s.display_name) for s in standards]
    )


def _chosen_id(value: str | None) -> int | None:
    return int(value) if (value or "").isdigit() else None


def _filtered(form: ApprenticeFilterForm) -> Select[tuple[Apprentice]]:
    statement = _with_details(apprentices_visible_to(current_user))
    if form.q.data and not form.q.errors:
        statement = statement.where(func.lower(User.name).like(f"%{form.q.data.lower()}%"))
    for value, column in (
        (form.cohort.data, Apprentice.cohort_id),
        (form.borough.data, Apprentice.employing_borough_id),
        (form.standard.data, Apprentice.standard_id),
    ):
        if (chosen := _chosen_id(value)) is not None:
            statement = statement.where(column == chosen)
    if form.status.data in STATUS_ORDER:
        statement = statement.where(Apprentice.status == form.status.data)
    if form.sort.data == "start":
        order = [Apprentice.start_date, User.name]
    elif form.sort.data == "status":
        order = [case(STATUS_ORDER, value=Apprentice.status), User.name]
    else:
        order = [User.name]
    return statement.order_by(*order, Apprentice.id)


@bp.get("/apprentices")
def apprentices() -> str:
    form = ApprenticeFilterForm(request.args)
    _filter_choices(form)
    form.validate()
    page = paginate(db.session, _filtered(form), page_number(), current_app.config["PAGE_SIZE"])
    return render_template("coordinator/apprentices/list.html", form=form, page=page)


# Adding and changing


def _fill_choices(form: ApprenticeEditForm) -> None:
    cohorts = db.session.scalars(select(Cohort).order_by(Cohort.start_date.desc(), Cohort.name))
    form.cohort.choices = choices(
        [("", "Select a cohort")]
        + [(str(c.id), f"{c.name} (starts {_day(c.start_date)})") for c in cohorts]
    )
    standards = db.session.scalars(
        select(Standard).order_by(Standard.title, Standard.reference, Standard.version)
    )
    form.standard.choices = choices(
        [("", "The cohort’s standard")] + [(str(s.id), s.display_name) for s in standards]
    )
    providers = db.session.scalars(select(TrainingProvider).order_by(TrainingProvider.name))
    form.training_provider.choices = choices(
        [("", "The cohort’s training provider")] + [(str(p.id), p.name) for p in providers]
    )
    boroughs = borough_choices(blank=False)
    form.residence_borough.choices = [
        *choices([("", "Select a borough"), (OUTSIDE_LONDON, "Outside London")]),
        *boroughs,
    ]
    if isinstance(form, ApprenticeNewForm):
        if borough_scope(current_user) is None:
            form.employing_borough.choices = [*choices([("", "Select a borough")]), *boroughs]
        else:
            del form.employing_borough  # a borough's coordinator adds their own borough's


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _details(form: ApprenticeEditForm) -> ApprenticeDetails:
    residence = form.residence_borough.data
    return ApprenticeDetails(
        name=form.name.data,
        date_of_birth=form.date_of_birth.data,
        cohort_id=int(form.cohort.data),
        standard_id=_chosen_id(form.standard.data),
        training_provider_id=_chosen_id(form.training_provider.data),
        residence_borough_id=None if residence == OUTSIDE_LONDON else int(residence),
        uln=form.uln.data or None,
        start_date=form.start_date.data,
        practical_period_end=form.practical_period_end.data,
        planned_end_date=form.planned_end_date.data,
        contracted_hours=Decimal(form.contracted_hours.data),
    )


def _employing_borough_id(form: ApprenticeNewForm) -> int:
    """The borough chosen, or a borough coordinator's own. A borough sent anyway is passed on,
    so the domain refuses it with its message rather than it being quietly ignored."""
    if form.employing_borough is not None:
        return int(form.employing_borough.data)
    sent = request.form.get("employing_borough", "")
    if not sent:
        return current_user.borough_id
    if not sent.isdigit():
        abort(400)
    return int(sent)


@bp.route("/apprentices/new", methods=["GET", "POST"])
def apprentice_new() -> ResponseReturnValue:
    form = ApprenticeNewForm()
    _fill_choices(form)
    del form.row_version
    if form.validate_on_submit():
        try:
            created = create_apprentice(
                db.session,
                _details(form),
                actor=current_user,
                email=form.email.data,
                employing_borough_id=_employing_borough_id(form),
            )
            user = db.session.get(User, created.user_id)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        except IntegrityError:  # someone saved the same email address or ULN just now
            db.session.rollback()
            form.email.errors.append(
                "A user with this email address or an apprentice with this unique learner "
                "number was added just now. Check and try again."
            )
        else:
            assert user is not None
            remember_invitation(
                user, send_account_link(user, Purpose.INVITATION, invited_by=current_user)
            )
            return redirect(url_for("coordinator.apprentice", apprentice_id=created.id))
    return render_form(FORM_TEMPLATE, form, apprentice=None)


def _fill_from(form: ApprenticeEditForm, record: Apprentice) -> None:
    form.name.data = record.user.name
    form.date_of_birth.data = record.date_of_birth
    form.cohort.data = str(record.cohort_id)
    form.standard.data = str(record.standard_id)
    form.training_provider.data = str(record.training_provider_id)
    form.residence_borough.data = (
        str(record.residence_borough_id) if record.residence_borough_id else OUTSIDE_LONDON
    )
    form.uln.data = record.uln or ""
    form.start_date.data = record.start_date
    form.practical_period_end.data = record.practical_period_end
    form.planned_end_date.data = record.planned_end_date
    form.contracted_hours.data = f"{record.contracted_hours.normalize():f}"
    form.row_version.data = str(record.row_version)


@bp.route("/apprentices/<int:apprentice_id>/edit", methods=["GET", "POST"])
def apprentice_edit(apprentice_id: int) -> ResponseReturnValue:
    record = _changeable_or_403(apprentice_id)
    form = ApprenticeEditForm()
    _fill_choices(form)
    if request.method == "GET":
        _fill_from(form, record)
    if form.validate_on_submit():
        try:
            update_apprentice(
                db.session,
                record,
                _details(form),
                actor=current_user,
                # An empty version (a form from nowhere) never matches, so it counts as stale.
                expected_version=int(form.row_version.data or -1),
            )
        except StaleEdit as error:
            db.session.rollback()
            current = _apprentice_or_404(apprentice_id)
            form.row_version.data = str(current.row_version)
            return render_template(
                FORM_TEMPLATE, form=form, apprentice=current, stale=error.message
            ), 409
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            record = _apprentice_or_404(apprentice_id)
        else:
            db.session.commit()
            flash("Apprentice’s details updated")
            return redirect(url_for("coordinator.apprentice", apprentice_id=apprentice_id))
    return render_form(FORM_TEMPLATE, form, apprentice=record)


# An apprentice's page


def _placements(apprentice_id: int) -> list[Placement]:
    return list(
        db.session.scalars(
            select(Placement)
            .where(Placement.apprentice_id == apprentice_id)
            .options(joinedload(Placement.host_borough))
            .order_by(Placement.start_date, Placement.id)
        )
    )


def _mentor_assignments(apprentice_id: int) -> list[MentorAssignment]:
    """Newest first: the current one (no end date) leads."""
    return list(
        db.session.scalars(
            select(MentorAssignment)
            .where(MentorAssignment.apprentice_id == apprentice_id)
            .options(joinedload(MentorAssignment.mentor))
            .order_by(
                MentorAssignment.end_date.is_(None).desc(),
                MentorAssignment.start_date.desc(),
                MentorAssignment.id.desc(),
            )
        )
    )


def _status_history(apprentice_id: int) -> list[ApprenticeStatusEvent]:
    return list(
        db.session.scalars(
            select(ApprenticeStatusEvent)
            .where(ApprenticeStatusEvent.apprentice_id == apprentice_id)
            .options(joinedload(ApprenticeStatusEvent.actor))
            .order_by(ApprenticeStatusEvent.id.desc())
        )
    )


def _user_endpoint() -> str:
    return "admin.user" if Role.ADMIN in current_user.roles else "coordinator.user"


@bp.get("/apprentices/<int:apprentice_id>")
def apprentice(apprentice_id: int) -> str:
    shown = _apprentice_or_404(apprentice_id)
    assignments = _mentor_assignments(apprentice_id)
    page = render_template(
        "coordinator/apprentices/show.html",
        apprentice=shown,
        may_change=may_change_apprentice(current_user, shown),
        notice=take_user_notice(shown.user),
        placements=_placements(apprentice_id),
        current_mentor=next((a for a in assignments if a.end_date is None), None),
        past_mentors=[a for a in assignments if a.end_date is not None],
        history=_status_history(apprentice_id),
        moves=[(move, lifecycle.MOVE_TEXT[move]) for move in lifecycle.moves_from(shown.status)],
        user_endpoint=_user_endpoint(),
        today=today(),
    )
    # Recorded once the page is ready (a commit would expire what the page shows).
    audit.record(
        db.session, AuditAction.VIEWED_RECORD, actor=current_user, target=audit.target_of(shown)
    )
    db.session.commit()
    return page


# Status moves


def _move_or_404(move: str) -> lifecycle.Move:
    if move not in set(lifecycle.Move):
        abort(404)
    return lifecycle.Move(move)


def _move_form(move: lifecycle.Move, record: Apprentice) -> FlaskForm:
    form = MOVE_FORMS[move]()
    if move is lifecycle.Move.WITHDRAW and record.status == ApprenticeStatus.WAITING_TO_START:
        del form.reason  # someone who never started needs no reason
    return form


@bp.route("/apprentices/<int:apprentice_id>/status/<move>", methods=["GET", "POST"])
def apprentice_status(apprentice_id: int, move: str) -> ResponseReturnValue:
    chosen = _move_or_404(move)
    record = _changeable_or_403(apprentice_id)
    form = _move_form(chosen, record)
    context = {"apprentice": record, "move": chosen, "text": lifecycle.MOVE_TEXT[chosen]}
    if request.method == "GET":
        form.row_version.data = str(record.row_version)
        try:
            lifecycle.target_status(record, chosen)
        except DomainError as error:
            return render_template(STATUS_TEMPLATE, form=None, refusal=error.message, **context)
    if form.validate_on_submit():
        reason = getattr(form, "reason", None)
        expected_return = getattr(form, "expected_return_date", None)
        try:
            lifecycle.apply_move(
                db.session,
                record,
                chosen,
                actor=current_user,
                effective_on=form.effective_on.data,
                expected_return_date=expected_return.data if expected_return else None,
                reason=WithdrawalReason(reason.data) if reason is not None else None,
                note=form.note.data,
                expected_version=int(form.row_version.data or -1),
            )
        except StaleEdit as error:
            db.session.rollback()
            current = _apprentice_or_404(apprentice_id)
            form.row_version.data = str(current.row_version)
            context["apprentice"] = current
            return render_template(STATUS_TEMPLATE, form=form, stale=error.message, **context), 409
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            record = _apprentice_or_404(apprentice_id)
            context["apprentice"] = record
        else:
            db.session.commit()
            flash(f"Status changed to “{ApprenticeStatus(record.status).label}”")
            return redirect(url_for("coordinator.apprentice", apprentice_id=apprentice_id))
    return render_form(STATUS_TEMPLATE, form, **context)


# Importing a CSV file


def _uploaded_bytes(form: ImportForm) -> bytes | None:
    """The file's contents, or None with an error on the field (wrong type, too large)."""
    upload = form.csv_file.data
    if not (upload.filename or "").lower().endswith(".csv"):
        form.csv_file.errors.append("The selected file must be a CSV file")
        return None
    data = upload.stream.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        form.csv_file.errors.append("The selected file must be smaller than 2 MB")
        return None
    if not data:
        form.csv_file.errors.append("The selected file is empty")
        return None
    return data


@bp.route("/apprentices/import", methods=["GET", "POST"])
def apprentice_import() -> ResponseReturnValue:
    form = ImportForm()
    context: dict[str, object] = {"columns": COLUMNS, "max_bytes": MAX_IMPORT_BYTES}
    if not form.validate_on_submit():
        return render_form(IMPORT_TEMPLATE, form, **context)
    data = _uploaded_bytes(form)
    if data is None:
        return render_form(IMPORT_TEMPLATE, form, **context)
    filename = form.csv_file.data.filename or "upload.csv"
    try:
        result = import_apprentices(db.session, data, filename=filename, actor=current_user)
        db.session.commit()
    except ImportRefused as refused:
        db.session.rollback()
        form.csv_file.errors.append(
            "The file has problems, so nothing was imported. Fix the rows listed below and "
            "upload the file again."
        )
        return render_form(IMPORT_TEMPLATE, form, row_errors=refused.errors, **context)
    except IntegrityError:  # the same file (or a row's person) imported at the same moment
        db.session.rollback()
        form.csv_file.errors.append(
            "Someone imported the same file or people just now. Check the apprentice list, "
            "then upload the file again if anyone is missing."
        )
        return render_form(IMPORT_TEMPLATE, form, **context)
    if result.already_imported is not None:
        return render_form(IMPORT_TEMPLATE, form, already=result.already_imported, **context)
    unsent = [
        user
        for user in result.invited
        if not send_account_link(user, Purpose.INVITATION, invited_by=current_user).mailed
    ]
    return render_template(
        "coordinator/apprentices/imported.html",
        result=result,
        created=list(zip(result.created, result.invited, strict=True)),
        unsent=unsent,
    )
