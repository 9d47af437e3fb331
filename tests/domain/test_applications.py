"""Applying without an account: the answers' rules, submission with eligibility, duplicates,
the submission limit, withdrawal by link, and the equality answers kept apart."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.clock import utcnow
from app.domain import application_drafts as drafts
from app.domain import applications
from app.domain import vacancies as vacancy_rules
from app.domain.applications import (
    EqualityAnswers,
    IncompleteApplication,
    Step,
    SubmissionLimit,
    VacancyClosed,
)
from app.domain.errors import DomainError, NotFound
from app.models import (
    Application,
    ApplicationEvent,
    AuditEvent,
    EqualityMonitoring,
    RateLimitHit,
    ResidenceRule,
    Stage,
)
from tests import builders

TODAY = date(2026, 11, 27)
SECRET = "test-secret-key"


@pytest.fixture
def vacancy(db_session):
    created = builders.create_vacancy(db_session, borough="Hackney")
    return vacancy_rules.published_vacancy(db_session, created.id)


def reload(db_session, vacancy):
    """After a commit, the vacancy again with its details (relationships never lazy-load)."""
    return vacancy_rules.published_vacancy(db_session, vacancy.id)


def steps(db_session, **changes: str) -> dict[str, dict[str, str]]:
    """A complete set of valid answers, step by step, with some changed."""
    values = {
        "name": "Amara Jones",
        "email": "Amara.Jones@Example.org",
        "phone": "07700 900 982",
        "date_of_birth": "2006-03-14",
        "postcode": "e8 1ea",
        "residence": str(builders.get_borough(db_session, "Hackney").id),
        "educated_in_borough": "no",
        "care_leaver": "no",
        "right_to_work": "yes",
        "full_time_education": "no",
        "guaranteed_interview": "no",
        "supporting_statement": "I build websites for my church and want to learn more.",
    }
    values.update(changes)
    grouped: dict[str, dict[str, str]] = {}
    for field, value in values.items():
        grouped.setdefault(applications.FIELD_STEPS[field].value, {})[field] = value
    return grouped


def draft_with(db_session, vacancy, **changes: str):
    draft, key = drafts.start_draft(db_session, vacancy)
    for step, answers in steps(db_session, **changes).items():
        drafts.save_answers(draft, step, answers)
    db_session.flush()
    return draft


def submit(db_session, vacancy, **changes: str) -> Application:
    draft = draft_with(db_session, vacancy, **changes)
    return applications.submit(db_session, draft, vacancy, on=utcnow())


# The answers' rules


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("e8 1ea", "E8 1EA"),
        ("E81EA", "E8 1EA"),
        ("  sw1a   1aa ", "SW1A 1AA"),
        ("EC1A1BB", "EC1A 1BB"),
        ("n1 9gu", "N1 9GU"),
        ("W1J 7NT", "W1J 7NT"),
        ("M1 1AE", "M1 1AE"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_postcodes_are_checked_and_tidied(typed, stored):
    assert applications.clean_postcode(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "E8", "E8 1E", "12345", "E8 1EAA", "QQ1 1AA", "E8 1EA E8 1EA", "E8\x001EA"]
)
def test_postcodes_that_are_not_uk_postcodes_are_refused(typed):
    with pytest.raises(DomainError) as refused:
        applications.clean_postcode(typed)
    assert refused.value.field == "postcode"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07700 900982", "07700900982"),
        ("07700-900-982", "07700900982"),
        ("(020) 7946 0000", "02079460000"),
        ("+44 7700 900982", "07700900982"),
        ("+44 (0)20 7946 0000", "02079460000"),
        ("447700900982", "07700900982"),
    ],
)
def test_uk_phone_numbers_are_kept_as_national_digits(typed, stored):
    assert applications.clean_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["", "12345", "+33 1 23 45 67 89", "0770090098", "077009009821", "0800 abc", "07700+900982"],
)
def test_phone_numbers_that_are_not_uk_numbers_are_refused(typed):
    with pytest.raises(DomainError):
        applications.clean_phone(typed)


def test_names_in_any_alphabet_are_kept_and_others_refused():
    for name in ["Siân Ŵyn ap Dafydd", "Zoë O’Brien-Smith", "Nguyễn Thị Minh", "أحمد علي"]:
        assert applications.clean_name(name) == name
    assert applications.clean_name("  Amara   Jones ") == "Amara Jones"
    for name in ["", "   ", "<script>", "R2-D2", "Amara\x00Jones", "x" * 201, "--"]:
        with pytest.raises(DomainError):
            applications.clean_name(name)


def test_emails_are_lower_cased_and_checked():
    assert applications.clean_email(" Amara@Example.ORG ") == "amara@example.org"
    for email in ["", "amara", "amara@example", "a b@example.org", "a@b@example.org", "a@.org"]:
        with pytest.raises(DomainError):
            applications.clean_email(email)
    with pytest.raises(DomainError, match="320 characters"):
        applications.clean_email("a" * 320 + "@example.org")


def test_a_date_of_birth_must_be_plausible():
    assert applications.check_date_of_birth(date(2006, 3, 14), TODAY) == date(2006, 3, 14)
    assert applications.check_date_of_birth(date(2012, 11, 27), TODAY) == date(2012, 11, 27)
    refusals = {
        None: "Enter your date of birth",
        TODAY: "must be in the past",
        date(2030, 1, 1): "must be in the past",
        date(2012, 11, 28): "at least 14",
        date(1926, 11, 26): "must be after 27 November 1926",
    }
    for value, message in refusals.items():
        with pytest.raises(DomainError, match=message):
            applications.check_date_of_birth(value, TODAY)


def test_a_statement_keeps_line_breaks_and_has_a_limit():
    assert applications.clean_statement("One.\r\n\r\nTwo.\tThree") == "One.\n\nTwo.\tThree"
    assert applications.clean_statement("x" * 5000) == "x" * 5000
    with pytest.raises(DomainError, match="5,000 characters or fewer"):
        applications.clean_statement("x" * 5001)
    with pytest.raises(DomainError, match="hidden characters"):
        applications.clean_statement("A bell\x07")


def test_the_eligibility_page_is_asked_only_when_the_vacancy_accepts_another_route(
    db_session, vacancy
):
    assert Step.ELIGIBILITY in applications.steps_for(vacancy)
    vacancy.educated_route = vacancy.care_leaver_route = False
    assert Step.ELIGIBILITY not in applications.steps_for(vacancy)
    assert applications.steps_for(vacancy)[0] is Step.NAME


def test_a_missing_or_invalid_answer_names_the_step_that_asks_for_it(db_session, vacancy):
    answers = steps(db_session, postcode="nowhere")
    del answers["statement"]
    checked = applications.check_answers(answers, vacancy, {1, 2}, TODAY)
    assert [(p.field, p.step) for p in checked.problems] == [
        ("postcode", Step.POSTCODE),
        ("residence", Step.RESIDENCE),  # Hackney's id is not among {1, 2}
        ("supporting_statement", Step.STATEMENT),
    ]
    assert checked.values["name"] == "Amara Jones"
    with pytest.raises(IncompleteApplication) as first:
        applications.answers_from_steps(answers, vacancy, {1, 2}, TODAY)
    assert first.value.step is Step.POSTCODE


# Submitting


def test_submitting_stores_the_checked_answers_and_the_eligibility_outcome(db_session, vacancy):
    application = submit(db_session, vacancy)
    db_session.commit()

    hackney = builders.get_borough(db_session, "Hackney")
    assert (
        application.name,
        application.email,
        application.phone,
        application.postcode,
        application.date_of_birth,
        application.residence_borough_id,
    ) == ("Amara Jones", "amara.jones@example.org", "07700900982", "E8 1EA", date(2006, 3, 14),
          hackney.id)  # fmt: skip
    assert application.stage == Stage.SUBMITTED.value
    assert application.source == "online"
    assert application.submitted_at == datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
    assert (application.eligible, application.eligibility_reasons, application.is_local) == (
        True,
        ["Lives in Hackney"],
        True,
    )
    # Age on the cohort's start (1 March 2027): 20.
    assert application.age_band == "19-23"
    assert len(application.reference) == 10
    assert set(application.reference) <= set(applications.REFERENCE_ALPHABET)

    (event,) = db_session.scalars(select(ApplicationEvent)).all()
    assert (event.from_stage, event.to_stage, event.actor_user_id) == (None, "submitted", None)
    (audit,) = db_session.scalars(select(AuditEvent)).all()
    assert (audit.action, audit.target_type, audit.actor_user_id) == (
        "created",
        "application",
        None,
    )
    assert "email" in audit.fields_changed and "Amara" not in str(audit.fields_changed)


def test_an_ineligible_applicant_may_still_apply_and_the_reasons_are_stored(db_session, vacancy):
    application = submit(
        db_session,
        vacancy,
        residence=applications.OUTSIDE_LONDON,
        right_to_work="no",
        date_of_birth="2011-06-01",
    )
    assert application.eligible is False
    assert application.is_local is False
    assert application.residence_borough_id is None
    assert application.eligibility_reasons == [
        "Does not live in Hackney, did not go to a secondary school or college in Hackney and "
        "is not a care leaver supported by Hackney",
        "Will be 15 on 1 March 2027, when the apprenticeship starts; the youngest who can "
        "apply is 16",
        "Does not have the right to work in the UK",
    ]
    assert application.age_band == "under 16"


def test_a_route_the_vacancy_accepts_makes_a_non_resident_eligible(db_session, vacancy):
    application = submit(
        db_session, vacancy, residence=applications.OUTSIDE_LONDON, care_leaver="yes"
    )
    assert application.eligible is True
    assert application.eligibility_reasons == ["Is a care leaver supported by Hackney"]
    assert application.care_leaver is True


def test_a_route_the_vacancy_does_not_accept_is_stored_as_no(db_session, vacancy):
    vacancy.care_leaver_route = False
    application = submit(
        db_session, vacancy, residence=applications.OUTSIDE_LONDON, care_leaver="yes"
    )
    assert application.care_leaver is False
    assert application.eligible is False


def test_a_london_wide_vacancy_takes_any_borough(db_session):
    created = builders.create_vacancy(db_session, residence_rule=ResidenceRule.LONDON)
    vacancy = vacancy_rules.published_vacancy(db_session, created.id)
    camden = builders.get_borough(db_session, "Camden")
    application = submit(db_session, vacancy, residence=str(camden.id))
    assert (application.eligible, application.is_local) == (True, False)


def test_every_answer_is_checked_again_on_submission(db_session, vacancy):
    draft = draft_with(db_session, vacancy, phone="not a phone")
    with pytest.raises(IncompleteApplication) as refused:
        applications.submit(db_session, draft, vacancy, on=utcnow())
    assert refused.value.step is Step.CONTACT
    assert db_session.scalar(select(func.count()).select_from(Application)) == 0


def test_the_same_email_applying_twice_to_one_vacancy_is_refused(db_session, vacancy):
    submit(db_session, vacancy, email="amara@example.org")
    db_session.commit()
    vacancy = reload(db_session, vacancy)
    with pytest.raises(DomainError, match="already applied for this vacancy") as refused:
        submit(db_session, vacancy, email=" AMARA@example.org")
    assert refused.value.field == "email"
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Application)) == 1

    other = vacancy_rules.published_vacancy(
        db_session, builders.create_vacancy(db_session, title="Data analyst apprentice").id
    )
    submit(db_session, other, email="amara@example.org")  # another vacancy: fine


def test_a_duplicate_racing_past_the_check_is_refused_by_the_unique_index(
    db_session, vacancy, monkeypatch
):
    submit(db_session, vacancy, email="amara@example.org")
    db_session.commit()
    vacancy = reload(db_session, vacancy)
    # As if the other request's row was committed just after this one looked.
    monkeypatch.setattr(applications, "_already_applied", lambda *args: False)
    with pytest.raises(DomainError, match="already applied for this vacancy"):
        submit(db_session, vacancy, email="amara@example.org")
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Application)) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"closing_date": date(2026, 11, 26)},
        {"positions": 1},
        {"status": "draft"},
    ],
)
def test_only_an_open_vacancy_takes_applications(db_session, vacancy, change):
    draft = draft_with(db_session, vacancy)
    if change.get("positions"):
        builders.create_application(db_session, vacancy, stage=Stage.HIRED)
    for name, value in change.items():
        setattr(vacancy, name, value)
    with pytest.raises(VacancyClosed):
        applications.submit(db_session, draft, vacancy, on=utcnow())


def test_the_closing_day_itself_is_open(db_session, vacancy):
    vacancy.closing_date = date(2026, 11, 27)
    assert submit(db_session, vacancy).stage == "submitted"


def test_a_sent_draft_cannot_be_sent_again(db_session, vacancy):
    draft = draft_with(db_session, vacancy)
    applications.submit(db_session, draft, vacancy, on=utcnow())
    with pytest.raises(DomainError, match="already been sent"):
        applications.submit(db_session, draft, vacancy, on=utcnow())


def test_references_are_unique(db_session, vacancy, monkeypatch):
    taken = builders.create_application(db_session, vacancy)
    picks = iter([*taken.reference, *"ABCDEFGHJK"])
    monkeypatch.setattr(applications.secrets, "choice", lambda alphabet: next(picks))
    assert applications.new_reference(db_session) == "ABCDEFGHJK"


# The submission limit


def test_the_limit_counts_submissions_per_address_and_vacancy_within_the_window(
    db_session, vacancy, frozen_clock
):
    limit = SubmissionLimit(per_address=2, window=timedelta(hours=1))
    other = builders.create_vacancy(db_session, title="Other")

    def over(address: str, vacancy_id: int = vacancy.id) -> bool:
        return applications.over_submission_limit(
            db_session, vacancy_id, address, limit, now=utcnow()
        )

    for _ in range(2):
        assert not over("203.0.113.5")
        applications.count_submission(db_session, vacancy.id, "203.0.113.5", limit, now=utcnow())
    assert over("203.0.113.5")
    assert not over("203.0.113.6")
    assert not over("203.0.113.5", other.id)
    # The table holds a hash, not the address.
    keys = db_session.scalars(select(RateLimitHit.key)).all()
    assert keys and all("203.0.113" not in key for key in keys)

    frozen_clock.advance(minutes=61)
    assert not over("203.0.113.5")
    applications.count_submission(db_session, vacancy.id, "203.0.113.5", limit, now=utcnow())
    assert db_session.scalar(select(func.count()).select_from(RateLimitHit)) == 1  # old ones gone


def test_the_limit_defaults_and_settings():
    assert SubmissionLimit() == SubmissionLimit(per_address=30, window=timedelta(hours=1))
    assert SubmissionLimit.from_config({}) == SubmissionLimit()
    assert SubmissionLimit.from_config(
        {"APPLICATION_SUBMISSION_LIMIT": 5, "APPLICATION_SUBMISSION_WINDOW_MINUTES": 10}
    ) == SubmissionLimit(per_address=5, window=timedelta(minutes=10))


# Withdrawing by link


def test_a_withdrawal_token_names_its_application_and_cannot_be_forged(db_session, vacancy):
    application = builders.create_application(db_session, vacancy)
    other = builders.create_application(db_session, vacancy)
    token = applications.withdraw_token(SECRET, application)

    assert applications.application_for_withdraw_token(db_session, SECRET, token) == application
    forged = [
        token[:-2],
        token + "x",
        applications.withdraw_token("another-secret", application),
        applications.withdraw_token(SECRET, other).split(".")[0] + "." + token.split(".")[1],
        "",
        "x" * 1000,
    ]
    for bad in forged:
        with pytest.raises(NotFound):
            applications.application_for_withdraw_token(db_session, SECRET, bad)


def test_a_token_of_another_purpose_is_refused(db_session, vacancy):
    from itsdangerous import URLSafeSerializer

    application = builders.create_application(db_session, vacancy)
    token = URLSafeSerializer(SECRET, salt="account-link").dumps(
        {"application": application.id, "reference": application.reference}
    )
    with pytest.raises(NotFound):
        applications.application_for_withdraw_token(db_session, SECRET, token)


def test_the_applicant_withdraws_once_and_the_move_is_recorded(db_session, vacancy):
    application = builders.create_application(db_session, vacancy, stage=Stage.OFFERED)
    applications.withdraw_by_applicant(db_session, application)
    db_session.commit()

    assert application.stage == Stage.WITHDRAWN.value
    event = db_session.scalars(
        select(ApplicationEvent).order_by(ApplicationEvent.id.desc())
    ).first()
    assert (event.from_stage, event.to_stage, event.actor_user_id) == ("offered", "withdrawn", None)
    with pytest.raises(DomainError, match="already withdrawn"):
        applications.withdraw_by_applicant(db_session, application)


@pytest.mark.parametrize("stage", [Stage.HIRED, Stage.REJECTED])
def test_a_decided_application_cannot_be_withdrawn_by_the_applicant(db_session, vacancy, stage):
    application = builders.create_application(db_session, vacancy, stage=stage)
    assert not applications.can_withdraw(application)
    with pytest.raises(DomainError, match="can no longer be withdrawn"):
        applications.withdraw_by_applicant(db_session, application)
    assert application.stage == stage.value


# Equality answers


def test_equality_answers_are_stored_apart_and_replaced_on_a_second_answer(db_session, vacancy):
    application = builders.create_application(db_session, vacancy)
    applications.save_equality_answers(
        db_session,
        application,
        EqualityAnswers(gender="woman", ethnic_group="black_caribbean", disability="no"),
    )
    applications.save_equality_answers(
        db_session,
        application,
        EqualityAnswers(ethnic_group="prefer_not_to_say", care_experience="yes"),
    )
    db_session.commit()

    record = db_session.scalars(select(EqualityMonitoring)).one()
    assert (
        record.application_id,
        record.gender,
        record.ethnic_group,
        record.disability,
        record.care_experience,
        record.objected,
    ) == (application.id, None, "prefer_not_to_say", None, "yes", False)
    actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["created", "updated"]
    assert "caribbean" not in str(db_session.scalars(select(AuditEvent.fields_changed)).all())


def test_no_equality_answers_store_nothing(db_session, vacancy):
    application = builders.create_application(db_session, vacancy)
    assert applications.save_equality_answers(db_session, application, EqualityAnswers()) is None
    assert db_session.scalar(select(func.count()).select_from(EqualityMonitoring)) == 0


def test_an_equality_answer_outside_the_categories_is_refused(db_session, vacancy):
    application = builders.create_application(db_session, vacancy)
    with pytest.raises(DomainError) as refused:
        applications.save_equality_answers(
            db_session, application, EqualityAnswers(ethnic_group="martian")
        )
    assert refused.value.field == "ethnic_group"


def test_the_ethnic_groups_are_the_2021_census_categories():
    choices = applications.ethnic_group_choices()
    assert len(choices) == 19 + 1
    assert choices[-1] == ("prefer_not_to_say", "Prefer not to say")
    assert [group for group, _ in applications.ETHNIC_GROUPS] == [
        "Asian, Asian British or Asian Welsh",
        "Black, Black British, Black Welsh, Caribbean or African",
        "Mixed or Multiple ethnic groups",
        "White",
        "Other ethnic group",
    ]
    assert all(len(value) <= 60 for value, _ in choices)
