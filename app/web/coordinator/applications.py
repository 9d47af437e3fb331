"""The recruitment pipeline for coordinators: a vacancy's applications (counts per stage,
filters, search, pages, moving several at once), the CSV export and import, an application's
page, moving one application, and hiring.

A vacancy or application of another borough is not found (404): the scoped queries
(vacancies_visible_to, applications_visible_to) find only the viewer's. Equality monitoring
answers are never read here, so no page or export can show them against a person.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import Select, false, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.access import applications_visible_to, vacancies_visible_to
from app.clock import to_london, today
from app.csv_writer import csv_response, rows_from_query
from app.domain import applications as applications_domain
from app.domain import audit, hiring, pipeline
from app.domain.account_links import Purpose
from app.domain.application_import import COLUMNS, ImportRefused, import_applications
from app.domain.errors import DomainError, StaleEdit
from app.extensions import db
from app.models import (
    Application,
    ApplicationEvent,
    AuditAction,
    Borough,
    GuaranteedInterview,
    Stage,
    User,
    Vacancy,
)
from app.web.account_mail import send_account_link
from app.web.coordinator import bp
from app.web.coordinator.application_forms import (
    ApplicationFilterForm,
    ApplicationImportForm,
    BulkMoveForm,
    HireForm,
    MoveForm,
    move_choices,
)
from app.web.forms_common import choices, render_form, show_domain_error
from app.web.pagination import page_number, paginate
from app.web.user_pages import remember_invitation

LIST_TEMPLATE = "coordinator/applications/list.html"
MOVE_TEMPLATE = "coordinator/applications/move.html"
HIRE_TEMPLATE = "coordinator/applications/hire.html"
IMPORT_TEMPLATE = "coordinator/applications/import.html"
# The largest CSV file the upload page accepts.
MAX_IMPORT_BYTES = 2 * 1024 * 1024

INTERVIEW_LABELS = {
    choice.value: label for choice, label in applications_domain.GUARANTEED_INTERVIEW_LABELS.items()
}
SOURCE_LABELS = {"online": "Online", "import": "Imported from a CSV file"}


# Finding records within the viewer's scope


def _vacancy_or_404(vacancy_id: int) -> Vacancy:
    found = db.session.scalars(
        vacancies_visible_to(current_user)
        .where(Vacancy.id == vacancy_id)
        .options(joinedload(Vacancy.employing_borough), joinedload(Vacancy.cohort))
    ).one_or_none()
    if found is None:
        abort(404)
    return found


def _application_or_404(application_id: int) -> Application:
    found = db.session.scalars(
        applications_visible_to(current_user)
        .where(Application.id == application_id)
        .options(
            joinedload(Application.vacancy).joinedload(Vacancy.employing_borough),
            joinedload(Application.vacancy).joinedload(Vacancy.cohort),
            joinedload(Application.residence_borough),
        )
    ).one_or_none()
    if found is None:
        abort(404)
    return found


# The list, its filters and the export


FILTERS = ("q", "stage", "eligible", "local", "interview")


def _list_args(*, with_page: bool) -> dict[str, str]:
    """The list's filters (and page) from the query string, for links that keep them; nothing
    else is passed on."""
    names = (*FILTERS, "page") if with_page else FILTERS
    return {name: request.args[name] for name in names if request.args.get(name)}


def _filtered(vacancy: Vacancy, form: ApplicationFilterForm) -> Select[tuple[Application]]:
    """The vacancy's applications that the filters ask for (nonsense values are ignored)."""
    form.validate()
    statement = select(Application).where(Application.vacancy_id == vacancy.id)
    text = (form.q.data or "").strip() if not form.q.errors else ""
    if text and not any(unicodedata.category(char) in ("Cc", "Cs") for char in text):
        statement = statement.where(
            or_(
                Application.name.icontains(text, autoescape=True),
                Application.reference == text.upper(),
            )
        )
    if form.stage.data in set(Stage):
        statement = statement.where(Application.stage == form.stage.data)
    for value, column in (
        (form.eligible.data, Application.eligible),
        (form.local.data, Application.is_local),
    ):
        if value in ("yes", "no"):
            statement = statement.where(column.is_(true() if value == "yes" else false()))
    if form.interview.data == "yes":
        statement = statement.where(
            Application.guaranteed_interview != GuaranteedInterview.NO.value
        )
    elif form.interview.data == "no":
        statement = statement.where(
            Application.guaranteed_interview == GuaranteedInterview.NO.value
        )
    return statement.order_by(Application.submitted_at, Application.id)


def _page_number() -> int:
    """app.web.pagination.page_number, but "²" (a digit to str.isdigit, not to int) is page 1
    rather than a crash."""
    raw = request.args.get("page", "1")
    return page_number() if raw.isascii() else 1


def _list_page(
    vacancy: Vacancy, filters: ApplicationFilterForm, bulk: BulkMoveForm, **context: Any
) -> str:
    statement = _filtered(vacancy, filters).options(joinedload(Application.residence_borough))
    page = paginate(db.session, statement, _page_number(), current_app.config["PAGE_SIZE"])
    return render_template(
        LIST_TEMPLATE,
        vacancy=vacancy,
        filters=filters,
        form=bulk,
        page=page,
        counts=pipeline.stage_counts(db.session, vacancy.id),
        stages=list(Stage),
        selected_ids=set(bulk.selected.versions()),
        interview_labels=INTERVIEW_LABELS,
        filter_args=_list_args(with_page=False),
        list_args=_list_args(with_page=True),
        **context,
    )


@bp.get("/vacancies/<int:vacancy_id>/applications")
def applications(vacancy_id: int) -> str:
    vacancy = _vacancy_or_404(vacancy_id)
    return _list_page(vacancy, ApplicationFilterForm(request.args), BulkMoveForm(formdata=None))


@bp.post("/vacancies/<int:vacancy_id>/applications/move")
def applications_move(vacancy_id: int) -> ResponseReturnValue:
    """Move the ticked applications, all or none. The list's filters ride along in the query
    string, so a refusal shows the same list again with the boxes still ticked."""
    vacancy = _vacancy_or_404(vacancy_id)
    filters = ApplicationFilterForm(request.args)
    form = BulkMoveForm()
    if form.validate_on_submit():
        versions = form.selected.versions()
        chosen = db.session.scalars(
            select(Application)
            .where(Application.vacancy_id == vacancy.id, Application.id.in_(versions))
            .order_by(Application.submitted_at, Application.id)
        ).all()
        if len(chosen) != len(versions):
            abort(404)  # an application of another vacancy, or none at all
        try:
            moved = pipeline.bulk_move(
                db.session,
                chosen,
                form.to_stage.data,
                actor=current_user,
                note=form.note.data,
                reason=form.reason.data,
                expected_versions=versions,
            )
        except StaleEdit as error:
            db.session.rollback()
            vacancy = _vacancy_or_404(vacancy_id)
            page = _list_page(
                vacancy, filters, form, stale=error.message, is_stale=True, posted=True
            )
            return page, 409
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            vacancy = _vacancy_or_404(vacancy_id)
        else:
            db.session.commit()
            count = len(moved)
            flash(
                f"{count} {'application' if count == 1 else 'applications'} moved to "
                f"{Stage(form.to_stage.data).label.lower()}"
            )
            return redirect(
                url_for("coordinator.applications", vacancy_id=vacancy_id, **request.args)
            )
    return _list_page(vacancy, filters, form, posted=True), 400


# The export's columns: heading, the field's name (for the audit event, which names what left
# the service but never the values), and the value's expression. Never equality answers.
EXPORT_COLUMNS: tuple[tuple[str, str, Any], ...] = (
    ("Reference", "reference", Application.reference),
    ("Submitted", "submitted_at", Application.submitted_at),
    ("Source", "source", Application.source),
    ("Stage", "stage", Application.stage),
    ("Name", "name", Application.name),
    ("Email", "email", Application.email),
    ("Phone", "phone", Application.phone),
    ("Date of birth", "date_of_birth", Application.date_of_birth),
    ("Postcode", "postcode", Application.postcode),
    ("Borough of residence", "residence_borough", Borough.name),
    ("Lives in the employing borough", "is_local", Application.is_local),
    ("Educated in the borough", "educated_in_borough", Application.educated_in_borough),
    ("Care leaver", "care_leaver", Application.care_leaver),
    ("Right to work in the UK", "right_to_work", Application.right_to_work),
    ("Full-time education at the start", "full_time_education", Application.full_time_education),
    ("Eligible", "eligible", Application.eligible),
    ("Eligibility reasons", "eligibility_reasons", Application.eligibility_reasons),
    ("Guaranteed interview", "guaranteed_interview", Application.guaranteed_interview),
    ("Supporting statement", "supporting_statement", Application.supporting_statement),
    ("Rejection reason", "rejection_reason", Application.rejection_reason),
    ("Right to work checked on", "right_to_work_checked_on", Application.right_to_work_checked_on),
)
EXPORT_HEADER = tuple(heading for heading, _, _ in EXPORT_COLUMNS)
EXPORT_FIELDS = tuple(name for _, name, _ in EXPORT_COLUMNS)


def _export_row(row: Sequence[Any]) -> list[Any]:
    values = dict(zip(EXPORT_HEADER, row, strict=True))
    submitted = values["Submitted"]
    values["Submitted"] = f"{to_london(submitted):%Y-%m-%d %H:%M}" if submitted else None
    values["Source"] = SOURCE_LABELS.get(values["Source"], values["Source"])
    values["Stage"] = pipeline.stage_label(values["Stage"])
    if values["Borough of residence"] is None and values["Name"] is not None:
        values["Borough of residence"] = "Outside London"
    values["Eligibility reasons"] = "; ".join(values["Eligibility reasons"] or [])
    interview = values["Guaranteed interview"]
    values["Guaranteed interview"] = INTERVIEW_LABELS.get(interview, interview)
    return [values[heading] for heading in EXPORT_HEADER]


@bp.get("/vacancies/<int:vacancy_id>/applications/export")
def applications_export(vacancy_id: int) -> ResponseReturnValue:
    """The filtered applications as a CSV file, streamed through the one CSV writer."""
    vacancy = _vacancy_or_404(vacancy_id)
    filtered = _filtered(vacancy, ApplicationFilterForm(request.args)).subquery()
    statement = (
        select(*(column for _, _, column in EXPORT_COLUMNS))
        .join(filtered, filtered.c.id == Application.id)
        .outerjoin(Borough, Borough.id == Application.residence_borough_id)
        .order_by(Application.submitted_at, Application.id)
    )
    audit.record(
        db.session,
        AuditAction.EXPORTED,
        actor=current_user,
        target=audit.target_of(vacancy),
        fields=EXPORT_FIELDS,
    )
    db.session.commit()
    return csv_response(
        f"applications-vacancy-{vacancy_id}-{today().isoformat()}.csv",
        EXPORT_HEADER,
        rows_from_query(statement, _export_row),
    )


# An application's page


def _history(application_id: int) -> list[ApplicationEvent]:
    return list(
        db.session.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application_id)
            .options(joinedload(ApplicationEvent.actor))
            .order_by(ApplicationEvent.occurred_at, ApplicationEvent.id)
        )
    )


@bp.get("/applications/<int:application_id>")
def application(application_id: int) -> str:
    shown = _application_or_404(application_id)
    page = render_template(
        "coordinator/applications/show.html",
        application=shown,
        vacancy=shown.vacancy,
        history=_history(application_id),
        moves=pipeline.next_stages(shown.stage),
        interview_labels=INTERVIEW_LABELS,
        source_labels=SOURCE_LABELS,
    )
    # Recorded once the page is ready (a commit would expire what the page shows).
    audit.record(
        db.session, AuditAction.VIEWED_RECORD, actor=current_user, target=audit.target_of(shown)
    )
    db.session.commit()
    return page


# Moving one application


def _expected_version(form: MoveForm | HireForm) -> int:
    # An empty version (a form from nowhere) never matches, so it counts as stale.
    return int(form.row_version.data or -1)


@bp.route("/applications/<int:application_id>/move", methods=["GET", "POST"])
def application_move(application_id: int) -> ResponseReturnValue:
    record = _application_or_404(application_id)
    form = MoveForm()
    stages = list(pipeline.next_stages(record.stage))
    form.to_stage.choices = choices(move_choices(stages))
    context: dict[str, Any] = {"application": record, "vacancy": record.vacancy}
    if not stages:
        refusal = pipeline.refusal(record, Stage.SCREENING) or ""
        status = 200 if request.method == "GET" else 400
        return render_template(MOVE_TEMPLATE, form=None, refusal=refusal, **context), status
    if request.method == "GET":
        form.row_version.data = str(record.row_version)
    if form.validate_on_submit():
        try:
            pipeline.move(
                db.session,
                record,
                form.to_stage.data,
                actor=current_user,
                note=form.note.data,
                reason=form.reason.data,
                expected_version=_expected_version(form),
            )
        except StaleEdit as error:
            db.session.rollback()
            current = _application_or_404(application_id)
            form.row_version.data = str(current.row_version)
            form.to_stage.choices = choices(move_choices(list(pipeline.next_stages(current.stage))))
            context |= {"application": current, "vacancy": current.vacancy}
            return render_template(
                MOVE_TEMPLATE, form=form, stale=error.message, is_stale=True, **context
            ), 409
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            current = _application_or_404(application_id)
            context |= {"application": current, "vacancy": current.vacancy}
        else:
            db.session.commit()
            flash(f"Application moved to {Stage(form.to_stage.data).label.lower()}")
            return redirect(url_for("coordinator.application", application_id=application_id))
    return render_form(MOVE_TEMPLATE, form, **context)


# Hiring


def _hire_form(record: Application, full: bool) -> HireForm:
    form = HireForm()
    if not full:
        del form.allow_over_positions  # offered only when every position is filled
    if request.method == "GET":
        form.start_date.data = record.vacancy.cohort.start_date
        form.contracted_hours.data = f"{hiring.DEFAULT_CONTRACTED_HOURS.normalize():f}"
        form.row_version.data = str(record.row_version)
    return form


@bp.route("/applications/<int:application_id>/hire", methods=["GET", "POST"])
def application_hire(application_id: int) -> ResponseReturnValue:
    record = _application_or_404(application_id)
    left = hiring.positions_left(db.session, record.vacancy)
    form = _hire_form(record, full=left == 0)
    context: dict[str, Any] = {
        "application": record,
        "vacancy": record.vacancy,
        "positions_left": left,
        "positions_filled": hiring.positions_filled(record.vacancy.positions),
    }
    if record.stage != Stage.OFFERED.value:
        refusal = (
            "Only an applicant who has been offered the job can be hired: this application is "
            f"at {record.stage_label.lower()}."
        )
        status = 200 if request.method == "GET" else 400
        return render_template(HIRE_TEMPLATE, form=None, refusal=refusal, **context), status
    if form.validate_on_submit():
        over = getattr(form, "allow_over_positions", None)
        try:
            apprentice = hiring.hire(
                db.session,
                record,
                actor=current_user,
                right_to_work_checked_on=form.right_to_work_checked_on.data,
                start_date=form.start_date.data,
                contracted_hours=Decimal(form.contracted_hours.data),
                allow_over_positions=bool(over is not None and over.data),
                note=form.note.data,
                expected_version=_expected_version(form),
            )
            user = db.session.get(User, apprentice.user_id)
            db.session.commit()
        except StaleEdit as error:
            db.session.rollback()
            context |= _refreshed(application_id)
            form.row_version.data = str(context["application"].row_version)
            return render_template(
                HIRE_TEMPLATE, form=form, stale=error.message, is_stale=True, **context
            ), 409
        except DomainError as error:
            db.session.rollback()
            context |= _refreshed(application_id)
            if error.field == "allow_over_positions" and form.allow_over_positions is None:
                # The last position was filled since the page was shown: offer the override.
                form = _hire_form(context["application"], full=True)
                form.validate()
            if error.field and getattr(form, error.field, None) is not None:
                show_domain_error(form, error)
            else:
                # Not about a field on this form (the applicant's record, the cohort): shown
                # for the page as a whole, in the error summary.
                return render_template(
                    HIRE_TEMPLATE, form=form, stale=error.message, **context
                ), 400
        except IntegrityError:  # hired, or the email address taken, by someone else just now
            db.session.rollback()
            context |= _refreshed(application_id)
            message = (
                "Someone else hired this applicant, or added a user with their email address, "
                "just now. Check the application and try again."
            )
            return render_template(HIRE_TEMPLATE, form=form, stale=message, **context), 409
        else:
            assert user is not None
            remember_invitation(
                user, send_account_link(user, Purpose.INVITATION, invited_by=current_user)
            )
            flash(f"{user.name} hired: they are now an apprentice, waiting to start")
            return redirect(url_for("coordinator.apprentice", apprentice_id=apprentice.id))
    return render_form(HIRE_TEMPLATE, form, **context)


def _refreshed(application_id: int) -> dict[str, Any]:
    current = _application_or_404(application_id)
    return {
        "application": current,
        "vacancy": current.vacancy,
        "positions_left": hiring.positions_left(db.session, current.vacancy),
        "positions_filled": hiring.positions_filled(current.vacancy.positions),
    }


# Importing a CSV file


def _uploaded_bytes(form: ApplicationImportForm) -> bytes | None:
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


@bp.route("/vacancies/<int:vacancy_id>/applications/import", methods=["GET", "POST"])
def applications_import(vacancy_id: int) -> ResponseReturnValue:
    vacancy = _vacancy_or_404(vacancy_id)
    form = ApplicationImportForm()
    context: dict[str, Any] = {
        "vacancy": vacancy,
        "columns": COLUMNS,
        "max_bytes": MAX_IMPORT_BYTES,
    }
    if not form.validate_on_submit():
        return render_form(IMPORT_TEMPLATE, form, **context)
    data = _uploaded_bytes(form)
    if data is None:
        return render_form(IMPORT_TEMPLATE, form, **context)
    filename = form.csv_file.data.filename or "upload.csv"
    try:
        result = import_applications(
            db.session, data, vacancy_id=vacancy.id, filename=filename, actor=current_user
        )
        # What the result page lists, read before the commit expires the new records.
        added = [(a.id, a.name, a.reference, a.eligible) for a in result.created]
        db.session.commit()
    except ImportRefused as refused:
        db.session.rollback()
        form.csv_file.errors.append(
            "The file has problems, so nothing was imported. Fix the rows listed below and "
            "upload the file again."
        )
        context["vacancy"] = _vacancy_or_404(vacancy_id)
        return render_form(IMPORT_TEMPLATE, form, row_errors=refused.errors, **context)
    except IntegrityError:  # the same file (or an applicant) imported at the same moment
        db.session.rollback()
        form.csv_file.errors.append(
            "Someone imported the same file or applicants just now. Check the list of "
            "applications, then upload the file again if anyone is missing."
        )
        context["vacancy"] = _vacancy_or_404(vacancy_id)
        return render_form(IMPORT_TEMPLATE, form, **context)
    context["vacancy"] = _vacancy_or_404(vacancy_id)
    if result.already_imported is not None:
        return render_form(IMPORT_TEMPLATE, form, already=result.already_imported, **context)
    return render_template(
        "coordinator/applications/imported.html", result=result, added=added, **context
    )
