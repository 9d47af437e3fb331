"""Vacancy rules: who may create, change and publish a vacancy, what a vacancy must hold, stale
edits, the eligibility rule built from a vacancy, and open or closed as derived from the closing
date and filled positions (in Python and in the public list's SQL alike)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.eligibility import EligibilityAnswers, assess
from app.domain.errors import DomainError, NotFound, StaleEdit
from app.domain.vacancies import (
    APPRENTICE_MINIMUM_HOURLY_PAY,
    VacancyDetails,
    VacancyState,
    closed_because,
    create_vacancy,
    hired_counts,
    is_open,
    open_vacancies,
    publish_vacancy,
    published_vacancy,
    publishing_problems,
    rule_for,
    stage_counts,
    state_of,
    update_vacancy,
    visible_vacancy,
    who_can_apply,
)
from app.models import AuditEvent, Borough, ResidenceRule, Role, Stage, Vacancy, VacancyStatus
from tests import builders

TODAY = date(2026, 11, 27)  # the frozen clock's date
OWN, LIST, LONDON = ResidenceRule.OWN, ResidenceRule.LIST, ResidenceRule.LONDON


def coordinator(db_session, borough: str = "Hackney", **options):
    return builders.create_user(db_session, roles=[Role.COORDINATOR], borough=borough, **options)


def borough_id(db_session, name: str) -> int:
    return builders.get_borough(db_session, name).id


def details_for(db_session, *, borough: str = "Hackney", cohort=None, **changes) -> VacancyDetails:
    if cohort is None:
        cohort = builders.create_cohort(db_session, lead=borough, start_date=date(2027, 3, 1))
    standard_id = cohort.standard_id or builders.create_standard(db_session).id
    details = VacancyDetails(
        cohort_id=cohort.id,
        employing_borough_id=borough_id(db_session, borough),
        title="Junior developer apprentice",
        description="Build services for residents.",
        standard_id=standard_id,
        positions=3,
        hourly_pay=Decimal("13.85"),
        closing_date=date(2027, 1, 31),
        residence_rule=OWN,
    )
    return replace(details, **changes)


def loaded(db_session: Session, vacancy: Vacancy | int) -> Vacancy:
    """The vacancy with everything the rules read, as the pages load it."""
    db_session.expire_all()
    vacancy_id = vacancy if isinstance(vacancy, int) else vacancy.id
    viewer = coordinator(db_session, programme_wide=True)
    return visible_vacancy(db_session, viewer, vacancy_id)


def hire(db_session, vacancy, count: int = 1) -> None:
    for _ in range(count):
        builders.create_application(db_session, vacancy, stage=Stage.HIRED)


def audit_events(db_session) -> list[tuple]:
    return [
        (event.action, event.target_type, event.target_id, event.fields_changed)
        for event in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


# Creating


def test_a_coordinator_creates_a_draft_vacancy_for_their_borough(db_session):
    actor = coordinator(db_session)
    details = details_for(db_session, title="  Data apprentice  ", hourly_pay=Decimal("12.5"))
    vacancy = create_vacancy(db_session, details, actor=actor)
    db_session.commit()
    assert (vacancy.title, vacancy.status, vacancy.hourly_pay, vacancy.row_version) == (
        "Data apprentice",
        "draft",
        Decimal("12.50"),
        1,
    )
    assert (vacancy.minimum_age, vacancy.educated_route, vacancy.care_leaver_route) == (
        16,
        True,
        True,
    )
    assert audit_events(db_session) == [("created", "vacancy", vacancy.id, None)]


def test_a_borough_coordinator_cannot_employ_for_another_borough(db_session):
    details = details_for(db_session, borough="Camden")
    # The Camden cohort is not theirs either, so make it one they can see.
    details = replace(details, cohort_id=builders.create_cohort(db_session).id)
    with pytest.raises(DomainError, match="your own borough") as refused:
        create_vacancy(db_session, details, actor=coordinator(db_session))
    assert refused.value.field == "employing_borough"


@pytest.mark.parametrize("who", ["programme-wide", "admin"])
def test_programme_wide_coordinators_and_admins_employ_for_any_borough(db_session, who):
    actor = (
        coordinator(db_session, programme_wide=True)
        if who == "programme-wide"
        else builders.create_user(db_session, roles=[Role.ADMIN])
    )
    vacancy = create_vacancy(db_session, details_for(db_session, borough="Camden"), actor=actor)
    assert vacancy.employing_borough_id == borough_id(db_session, "Camden")


def test_other_roles_cannot_create_vacancies(db_session):
    mentor = builders.create_user(db_session, roles=[Role.MENTOR])
    with pytest.raises(DomainError, match="Only coordinators"):
        create_vacancy(db_session, details_for(db_session), actor=mentor)


def test_the_cohort_must_be_one_the_coordinator_may_see(db_session):
    hidden = builders.create_cohort(db_session, lead="Camden", start_date=date(2027, 3, 1))
    with pytest.raises(DomainError, match="Select the cohort") as refused:
        create_vacancy(
            db_session, details_for(db_session, cohort=hidden), actor=coordinator(db_session)
        )
    assert refused.value.field == "cohort"


def test_the_standard_must_be_the_cohorts_own_when_it_has_one(db_session):
    standard = builders.create_standard(db_session, title="Data analyst", level=4)
    cohort = builders.create_cohort(db_session, standard=standard, start_date=date(2027, 3, 1))
    other = builders.create_standard(db_session)
    with pytest.raises(DomainError, match="Data analyst .* the cohort’s standard") as refused:
        create_vacancy(
            db_session,
            details_for(db_session, cohort=cohort, standard_id=other.id),
            actor=coordinator(db_session),
        )
    assert refused.value.field == "standard"


@pytest.mark.parametrize(
    ("pay", "message"),
    [
        (APPRENTICE_MINIMUM_HOURLY_PAY - Decimal("0.01"), "at least £8.00"),
        (Decimal("0"), "at least £8.00"),
        (Decimal("100.01"), "£100.00 or less"),
        (Decimal("12.345"), "pounds and pence"),
    ],
)
def test_pay_is_at_least_the_apprentice_minimum_wage(db_session, pay, message):
    with pytest.raises(DomainError, match=message) as refused:
        create_vacancy(
            db_session, details_for(db_session, hourly_pay=pay), actor=coordinator(db_session)
        )
    assert refused.value.field == "hourly_pay"


def test_the_apprentice_minimum_wage_itself_is_accepted(db_session):
    vacancy = create_vacancy(
        db_session,
        details_for(db_session, hourly_pay=APPRENTICE_MINIMUM_HOURLY_PAY),
        actor=coordinator(db_session),
    )
    assert vacancy.hourly_pay == Decimal("8.00")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"positions": 0}, "positions", "between 1 and 500"),
        ({"positions": 501}, "positions", "between 1 and 500"),
        ({"minimum_age": 15}, "minimum_age", "between 16 and 99"),
        ({"minimum_age": 100}, "minimum_age", "between 16 and 99"),
        ({"title": "   "}, "title", "Enter the vacancy’s title"),
        ({"title": "x" * 201}, "title", "200 characters or fewer"),
        ({"description": ""}, "description", "Enter a description"),
        ({"description": "x" * 5001}, "description", "5,000 characters or fewer"),
        ({"title": "Null\x00byte"}, "title", "must not include control characters"),
        ({"description": "Bell\x07"}, "description", "must not include control characters"),
        ({"closing_date": date(2027, 3, 1)}, "closing_date", "before the cohort starts"),
        ({"residence_rule": LIST}, "eligible_boroughs", "Select the boroughs"),
        (
            {"residence_rule": LIST, "eligible_borough_ids": frozenset({999_999})},
            "eligible_boroughs",
            "Select the boroughs",
        ),
    ],
)
def test_what_a_vacancy_must_hold(db_session, changes, field, message):
    with pytest.raises(DomainError, match=message) as refused:
        create_vacancy(
            db_session, details_for(db_session, **changes), actor=coordinator(db_session)
        )
    assert refused.value.field == field
    assert db_session.scalars(select(Vacancy)).all() == []


def test_a_description_keeps_its_line_breaks(db_session):
    text = "First line\r\nSecond line\r\n\r\n\tIndented paragraph"
    vacancy = create_vacancy(
        db_session, details_for(db_session, description=text), actor=coordinator(db_session)
    )
    assert vacancy.description == text


@pytest.mark.parametrize("age", [16, 99])
def test_the_minimum_age_may_be_16_to_99(db_session, age):
    vacancy = create_vacancy(
        db_session, details_for(db_session, minimum_age=age), actor=coordinator(db_session)
    )
    assert vacancy.minimum_age == age


def test_a_list_rule_keeps_its_boroughs_and_other_rules_keep_none(db_session):
    actor = coordinator(db_session)
    ids = frozenset({borough_id(db_session, "Islington"), borough_id(db_session, "Camden")})
    listed = create_vacancy(
        db_session,
        details_for(db_session, residence_rule=LIST, eligible_borough_ids=ids),
        actor=actor,
    )
    london = create_vacancy(
        db_session,
        details_for(db_session, residence_rule=LONDON, eligible_borough_ids=ids),
        actor=actor,
    )
    db_session.commit()
    assert [b.name for b in loaded(db_session, listed).eligible_boroughs] == ["Camden", "Islington"]
    assert loaded(db_session, london).eligible_boroughs == []


# The eligibility rule


def test_rule_for_builds_the_eligibility_rule_from_the_vacancy(db_session):
    actor = coordinator(db_session)
    ids = frozenset({borough_id(db_session, "Islington")})
    vacancy = create_vacancy(
        db_session,
        details_for(
            db_session,
            residence_rule=LIST,
            eligible_borough_ids=ids,
            educated_route=False,
            minimum_age=18,
        ),
        actor=actor,
    )
    db_session.commit()
    rule = rule_for(loaded(db_session, vacancy))
    assert rule.employing_borough_id == borough_id(db_session, "Hackney")
    assert (rule.residence_rule, rule.eligible_borough_ids) == (LIST, ids)
    assert (rule.educated_route, rule.care_leaver_route, rule.minimum_age) == (False, True, 18)
    assert rule.start_date == date(2027, 3, 1)  # the cohort's start


def test_the_rule_from_a_vacancy_decides_eligibility(db_session):
    vacancy = builders.create_vacancy(db_session, residence_rule=OWN)
    rule = rule_for(loaded(db_session, vacancy))
    names = {b.id: b.name for b in db_session.scalars(select(Borough))}
    answers = EligibilityAnswers(
        date_of_birth=date(2008, 1, 1),
        residence_borough_id=borough_id(db_session, "Hackney"),
        educated_in_borough=False,
        care_leaver=False,
        right_to_work=True,
        full_time_education=False,
    )
    assert assess(rule, answers, names).eligible
    elsewhere = replace(answers, residence_borough_id=borough_id(db_session, "Camden"))
    assert not assess(rule, elsewhere, names).eligible


def test_who_can_apply_in_plain_words(db_session):
    actor = coordinator(db_session)
    ids = frozenset(borough_id(db_session, name) for name in ("Islington", "Camden", "Hackney"))
    vacancy = create_vacancy(
        db_session,
        details_for(
            db_session,
            residence_rule=LIST,
            eligible_borough_ids=ids,
            care_leaver_route=False,
            minimum_age=18,
        ),
        actor=actor,
    )
    db_session.commit()
    who = who_can_apply(loaded(db_session, vacancy))
    assert who.routes == (
        "live in Camden, Hackney or Islington",
        "went to a secondary school or college in Hackney",
    )
    assert who.requirements[0] == ("be 18 or older on 1 March 2027, when the apprenticeship starts")
    assert "have the right to work in the UK" in who.requirements


@pytest.mark.parametrize(
    ("rule", "first_route"),
    [(OWN, "live in Hackney"), (LONDON, "live in a London borough")],
)
def test_who_can_apply_for_own_and_london_rules(db_session, rule, first_route):
    vacancy = builders.create_vacancy(db_session, residence_rule=rule)
    who = who_can_apply(loaded(db_session, vacancy))
    assert who.routes == (
        first_route,
        "went to a secondary school or college in Hackney",
        "are a care leaver supported by Hackney",
    )


# Changing


def test_a_coordinator_changes_their_vacancy_and_the_audit_names_the_fields(db_session):
    actor = coordinator(db_session)
    vacancy = loaded(db_session, builders.create_vacancy(db_session, published=False))
    details = _same_details(
        db_session, vacancy, description="A new description.", hourly_pay=Decimal("14")
    )
    update_vacancy(db_session, vacancy, details, expected_version=1, actor=actor)
    db_session.commit()
    assert (vacancy.description, vacancy.hourly_pay, vacancy.row_version) == (
        "A new description.",
        Decimal("14.00"),
        2,
    )
    assert audit_events(db_session)[-1] == (
        "updated",
        "vacancy",
        vacancy.id,
        ["description", "hourly_pay"],
    )


def _same_details(db_session, vacancy: Vacancy, **changes) -> VacancyDetails:
    return replace(
        VacancyDetails(
            cohort_id=vacancy.cohort_id,
            employing_borough_id=vacancy.employing_borough_id,
            title=vacancy.title,
            description=vacancy.description,
            standard_id=vacancy.standard_id,
            positions=vacancy.positions,
            hourly_pay=vacancy.hourly_pay,
            closing_date=vacancy.closing_date,
            residence_rule=ResidenceRule(vacancy.residence_rule),
        ),
        **changes,
    )


def test_nothing_changed_writes_nothing(db_session):
    actor = coordinator(db_session)
    vacancy = loaded(db_session, builders.create_vacancy(db_session))
    update_vacancy(
        db_session,
        vacancy,
        _same_details(db_session, vacancy),
        expected_version=1,
        actor=actor,
    )
    db_session.commit()
    assert vacancy.row_version == 1
    assert audit_events(db_session) == []


def test_changing_only_the_boroughs_still_makes_other_forms_stale(db_session):
    actor = coordinator(db_session)
    vacancy = loaded(db_session, builders.create_vacancy(db_session, residence_rule=LIST))
    vacancy.eligible_boroughs = [builders.get_borough(db_session, "Camden")]
    db_session.commit()
    vacancy = loaded(db_session, vacancy)
    version = vacancy.row_version
    ids = frozenset({borough_id(db_session, "Islington")})
    update_vacancy(
        db_session,
        vacancy,
        _same_details(db_session, vacancy, eligible_borough_ids=ids),
        expected_version=version,
        actor=actor,
    )
    db_session.commit()
    vacancy = loaded(db_session, vacancy)
    assert [b.name for b in vacancy.eligible_boroughs] == ["Islington"]
    assert vacancy.row_version == version + 1
    assert audit_events(db_session)[-1][3] == ["eligible_boroughs"]


def test_a_stale_edit_is_refused(db_session):
    actor = coordinator(db_session)
    vacancy = loaded(db_session, builders.create_vacancy(db_session))
    with pytest.raises(StaleEdit):
        update_vacancy(
            db_session,
            vacancy,
            _same_details(db_session, vacancy, title="Mine"),
            expected_version=vacancy.row_version - 1,
            actor=actor,
        )


def test_another_boroughs_coordinator_cannot_change_a_vacancy(db_session):
    vacancy = loaded(db_session, builders.create_vacancy(db_session, borough="Camden"))
    with pytest.raises(DomainError, match="Only coordinators of the employing borough"):
        update_vacancy(
            db_session,
            vacancy,
            _same_details(db_session, vacancy, title="Mine"),
            expected_version=1,
            actor=coordinator(db_session, "Hackney"),
        )
    # And they cannot even find it.
    with pytest.raises(NotFound):
        visible_vacancy(db_session, coordinator(db_session, "Hackney"), vacancy.id)


def test_positions_cannot_drop_below_the_people_hired(db_session):
    actor = coordinator(db_session)
    vacancy = builders.create_vacancy(db_session, positions=4)
    hire(db_session, vacancy, 3)
    vacancy = loaded(db_session, vacancy)
    with pytest.raises(DomainError, match="fewer than the 3 people already hired") as refused:
        update_vacancy(
            db_session,
            vacancy,
            _same_details(db_session, vacancy, positions=2),
            expected_version=1,
            actor=actor,
        )
    assert refused.value.field == "positions"
    update_vacancy(
        db_session,
        vacancy,
        _same_details(db_session, vacancy, positions=3),
        expected_version=1,
        actor=actor,
    )
    assert vacancy.positions == 3


# Publishing


def test_publishing_a_complete_draft(db_session):
    actor = coordinator(db_session)
    vacancy = loaded(db_session, builders.create_vacancy(db_session, published=False))
    assert publishing_problems(db_session, vacancy, on=TODAY) == []
    publish_vacancy(db_session, vacancy, expected_version=1, actor=actor)
    db_session.commit()
    assert (vacancy.status, vacancy.row_version) == ("published", 2)
    assert vacancy.published_at is not None
    assert audit_events(db_session) == [
        ("updated", "vacancy", vacancy.id, ["published_at", "status"])
    ]


def test_an_already_published_vacancy_is_not_published_again(db_session):
    actor = coordinator(db_session)
    vacancy = loaded(db_session, builders.create_vacancy(db_session, published=True))
    with pytest.raises(DomainError, match="already published"):
        publish_vacancy(db_session, vacancy, expected_version=1, actor=actor)


@pytest.mark.parametrize(
    ("closing_date", "problem"),
    [
        (TODAY - timedelta(days=1), "Change the closing date: it has passed"),
        (date(2027, 3, 1), "Change the closing date to before the cohort starts"),
    ],
)
def test_a_draft_with_a_bad_closing_date_is_not_published(db_session, closing_date, problem):
    actor = coordinator(db_session)
    vacancy = loaded(
        db_session, builders.create_vacancy(db_session, published=False, closing_date=closing_date)
    )
    assert publishing_problems(db_session, vacancy, on=TODAY) == [problem]
    with pytest.raises(DomainError, match=problem):
        publish_vacancy(db_session, vacancy, expected_version=1, actor=actor)
    db_session.rollback()
    assert loaded(db_session, vacancy).status == "draft"


def test_a_draft_closing_today_can_be_published(db_session):
    actor = coordinator(db_session)
    vacancy = loaded(
        db_session, builders.create_vacancy(db_session, published=False, closing_date=TODAY)
    )
    publish_vacancy(db_session, vacancy, expected_version=1, actor=actor)
    assert vacancy.status == "published"


def test_an_incomplete_draft_is_not_published(db_session):
    actor = coordinator(db_session)
    # Made outside the form (an import, an old record): a list rule without its boroughs.
    vacancy = builders.create_vacancy(db_session, published=False, residence_rule=LIST)
    vacancy = loaded(db_session, vacancy)
    assert publishing_problems(db_session, vacancy, on=TODAY) == [
        "Select the boroughs whose residents can apply"
    ]
    with pytest.raises(DomainError, match="Select the boroughs"):
        publish_vacancy(db_session, vacancy, expected_version=1, actor=actor)


def test_a_draft_whose_positions_are_filled_is_not_published(db_session):
    actor = coordinator(db_session)
    vacancy = builders.create_vacancy(db_session, published=False, positions=1)
    hire(db_session, vacancy)
    vacancy = loaded(db_session, vacancy)
    with pytest.raises(DomainError, match="every position is already filled"):
        publish_vacancy(db_session, vacancy, expected_version=1, actor=actor)


def test_publishing_from_a_stale_page_is_refused(db_session):
    actor = coordinator(db_session)
    vacancy = loaded(db_session, builders.create_vacancy(db_session, published=False))
    with pytest.raises(StaleEdit):
        publish_vacancy(db_session, vacancy, expected_version=0, actor=actor)


def test_another_borough_cannot_publish(db_session):
    vacancy = loaded(
        db_session, builders.create_vacancy(db_session, borough="Camden", published=False)
    )
    with pytest.raises(DomainError, match="employing borough"):
        publish_vacancy(db_session, vacancy, expected_version=1, actor=coordinator(db_session))


# Open or closed


@pytest.mark.parametrize(
    ("published", "closing_date", "positions", "hired", "state", "because"),
    [
        (False, TODAY + timedelta(days=10), 2, 0, VacancyState.DRAFT, None),
        (True, TODAY + timedelta(days=10), 2, 0, VacancyState.OPEN, None),
        (True, TODAY, 2, 1, VacancyState.OPEN, None),  # the closing day itself is open
        (
            True,
            TODAY - timedelta(days=1),
            2,
            0,
            VacancyState.CLOSED,
            "The closing date has passed",
        ),
        (True, TODAY + timedelta(days=10), 2, 2, VacancyState.CLOSED, "All positions are filled"),
        (True, TODAY + timedelta(days=10), 2, 3, VacancyState.CLOSED, "All positions are filled"),
    ],
)
def test_open_or_closed_is_derived(
    db_session, published, closing_date, positions, hired, state, because
):
    vacancy = builders.create_vacancy(
        db_session, published=published, closing_date=closing_date, positions=positions
    )
    hire(db_session, vacancy, hired)
    assert hired_counts(db_session, [vacancy.id]).get(vacancy.id, 0) == hired
    assert state_of(vacancy, hired, TODAY) is state
    assert is_open(vacancy, hired, TODAY) == (state is VacancyState.OPEN)
    assert closed_because(vacancy, hired, TODAY) == because
    # The public list's SQL agrees with the Python rule.
    listed = db_session.scalars(open_vacancies(TODAY)).all()
    assert [v.id for v in listed] == ([vacancy.id] if state is VacancyState.OPEN else [])


def test_open_vacancies_come_with_their_hire_counts_and_filters(db_session):
    standard = builders.create_standard(db_session, title="Data analyst")
    cohort = builders.create_cohort(db_session, standard=standard, start_date=date(2027, 3, 1))
    soon = builders.create_vacancy(
        db_session, cohort=cohort, closing_date=TODAY + timedelta(days=1), positions=3
    )
    hire(db_session, soon, 2)
    builders.create_application(db_session, soon, stage=Stage.OFFERED)  # not a hire
    camden = builders.create_vacancy(db_session, borough="Camden", closing_date=date(2027, 2, 1))
    builders.create_vacancy(db_session, published=False)
    rows = db_session.execute(open_vacancies(TODAY)).all()
    assert [(vacancy.id, hired) for vacancy, hired in rows] == [(soon.id, 2), (camden.id, 0)]
    by_borough = open_vacancies(TODAY, borough_id=borough_id(db_session, "Camden"))
    assert db_session.scalars(by_borough).all() == [camden]
    by_standard = open_vacancies(TODAY, standard_id=standard.id)
    assert [v.id for v in db_session.scalars(by_standard)] == [soon.id]


def test_stage_counts_are_grouped_per_vacancy(db_session):
    first = builders.create_vacancy(db_session)
    second = builders.create_vacancy(db_session)
    for stage in (Stage.SUBMITTED, Stage.SUBMITTED, Stage.SCREENING, Stage.HIRED):
        builders.create_application(db_session, first, stage=stage)
    builders.create_application(db_session, second, stage=Stage.REJECTED)
    assert stage_counts(db_session, [first.id, second.id]) == {
        first.id: {Stage.SUBMITTED: 2, Stage.SCREENING: 1, Stage.HIRED: 1},
        second.id: {Stage.REJECTED: 1},
    }
    assert stage_counts(db_session, []) == {}


def test_the_public_finds_published_vacancies_only(db_session):
    draft = builders.create_vacancy(db_session, published=False)
    closed = builders.create_vacancy(db_session, closing_date=TODAY - timedelta(days=3))
    with pytest.raises(NotFound):
        published_vacancy(db_session, draft.id)
    assert published_vacancy(db_session, closed.id).status == VacancyStatus.PUBLISHED.value
