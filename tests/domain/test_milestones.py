"""Milestones: generation from the templates (English and maths by the rule for the start
date), regeneration, evidence, and sign-off by the right signer only. Overdue is derived, and
the stored summary follows every change."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import milestones, progress
from app.domain.apprentices import ApprenticeDetails, create_apprentice
from app.domain.errors import DomainError, NotFound, StaleEdit
from app.domain.milestones import MilestoneDetails, NotSigner, TemplateDetails
from app.models import (
    Apprentice,
    ApprenticeStatus,
    AuditEvent,
    MentorAssignment,
    Milestone,
    MilestoneTemplate,
    ProgressSummary,
    Role,
    User,
)
from app.seed.milestone_templates import seed_milestone_templates, settle_demo_milestones
from tests import builders

TODAY = date(2026, 11, 27)
START = date(2026, 9, 1)
SEVENTEEN = date(2009, 5, 17)  # 17 on 1 September 2026
TWENTY = date(2006, 5, 17)  # 20 on 1 September 2026


@pytest.fixture(autouse=True)
def _settings(app_context):
    """The app's settings (review interval, thresholds) for the summary refreshes."""


@pytest.fixture
def admin(db_session):
    return builders.create_user(db_session, roles=[Role.ADMIN])


@pytest.fixture
def coordinator(db_session):
    return builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Hackney")


def add_template(session, admin, name, kind, weeks, signer="coordinator", standard_id=None):
    template = milestones.create_template(
        session,
        TemplateDetails(
            standard_id=standard_id,
            name=name,
            kind=kind,
            due_offset_weeks=weeks,
            signer=signer,
            required_for_gateway=True,
        ),
        actor=admin,
    )
    session.commit()
    return template


@pytest.fixture
def templates(db_session, admin):
    """The usual set, for all standards."""
    return {
        name: add_template(db_session, admin, name, kind, weeks, signer)
        for name, kind, weeks, signer in (
            ("Induction", "induction", 2, "coordinator"),
            ("English", "functional_skills_english", 26, "coordinator"),
            ("Maths", "functional_skills_maths", 26, "coordinator"),
            ("Portfolio checkpoint", "portfolio", 13, "mentor"),
            ("Gateway", "gateway", 86, "coordinator"),
        )
    }


def apprentice_with_milestones(session, *, born=SEVENTEEN, start=START, **options) -> Apprentice:
    apprentice = builders.create_apprentice(
        session, date_of_birth=born, start_date=start, status=ApprenticeStatus.ACTIVE, **options
    )
    milestones.generate_milestones(session, apprentice)
    session.commit()
    return apprentice


def titles_and_dates(session, apprentice) -> list[tuple[str, date, str]]:
    session.expire_all()
    return [
        (milestone.title, milestone.due_date, milestone.status)
        for milestone in milestones.milestones_of(session, apprentice.id)
    ]


def milestone_called(session, apprentice, title) -> Milestone:
    session.expire_all()
    return session.scalars(
        select(Milestone).where(Milestone.apprentice_id == apprentice.id, Milestone.title == title)
    ).one()


def summary_of(session, apprentice) -> ProgressSummary:
    session.expire_all()
    return session.get(ProgressSummary, apprentice.id)


def assert_summary_is_fresh(session, apprentice) -> None:
    stored = summary_of(session, apprentice)
    (fresh,) = progress.compute(session, [apprentice.id], TODAY, progress.Settings.current())
    assert stored.overdue_milestones == fresh["overdue_milestones"]
    assert stored.next_milestone_due == fresh["next_milestone_due"]
    assert stored.rag == fresh["rag"]
    assert stored.rag_reasons == fresh["rag_reasons"]


def owner_of(session, apprentice) -> User:
    return session.get(User, session.get(Apprentice, apprentice.id).user_id)


def submit(session, apprentice, title, text="What I did", links=()) -> Milestone:
    milestone = milestone_called(session, apprentice, title)
    milestones.submit_evidence(session, milestone, owner_of(session, apprentice), text, links)
    session.commit()
    return milestone


# Generation and the English and maths rule


def test_a_17_year_old_gets_every_template_due_from_their_start(db_session, templates):
    apprentice = apprentice_with_milestones(db_session, born=SEVENTEEN)
    assert titles_and_dates(db_session, apprentice) == [
        ("Induction", date(2026, 9, 15), "not_started"),
        ("Portfolio checkpoint", date(2026, 12, 1), "not_started"),
        ("English", date(2027, 3, 2), "not_started"),
        ("Maths", date(2027, 3, 2), "not_started"),
        ("Gateway", date(2028, 4, 25), "not_started"),
    ]
    portfolio = milestone_called(db_session, apprentice, "Portfolio checkpoint")
    assert (portfolio.signer, portfolio.kind, portfolio.template_id) == (
        "mentor",
        "portfolio",
        templates["Portfolio checkpoint"].id,
    )


def test_a_20_year_old_gets_no_english_and_maths(db_session, templates):
    apprentice = apprentice_with_milestones(db_session, born=TWENTY)
    assert [title for title, _, _ in titles_and_dates(db_session, apprentice)] == [
        "Induction",
        "Portfolio checkpoint",
        "Gateway",
    ]


def test_a_17_and_a_20_year_old_who_started_before_the_reform(db_session, templates):
    """Starts before 11 February 2025: this service treats English and maths as required for
    the under-19s only, as after it."""
    start = date(2024, 9, 2)
    younger = apprentice_with_milestones(db_session, born=date(2007, 3, 1), start=start)
    older = apprentice_with_milestones(db_session, born=date(2004, 3, 1), start=start)
    younger_titles = [title for title, _, _ in titles_and_dates(db_session, younger)]
    older_titles = [title for title, _, _ in titles_and_dates(db_session, older)]
    assert {"English", "Maths"} <= set(younger_titles)
    assert {"English", "Maths"}.isdisjoint(older_titles)


@pytest.mark.parametrize(
    ("born", "start", "required"),
    [
        (date(2008, 1, 1), date(2024, 9, 2), True),  # 16, before the reform
        (date(2006, 1, 1), date(2024, 9, 2), True),  # 18, before the reform
        (date(2005, 9, 2), date(2024, 9, 2), False),  # 19 on the start date, before it
        (date(2006, 2, 12), date(2025, 2, 11), True),  # 18 on the day the reform began
        (date(2006, 2, 11), date(2025, 2, 11), False),  # 19 that day
        (date(2006, 2, 11), date(2025, 2, 10), True),  # 18 the day before
        (date(2010, 8, 31), date(2026, 9, 1), True),  # 16
        (date(2007, 9, 1), date(2026, 9, 1), False),  # 19 on the start date
    ],
)
def test_english_and_maths_required_by_age_on_the_start_date(born, start, required):
    assert milestones.english_and_maths_required(born, start) is required


def test_the_rule_table_is_sorted_and_starts_at_the_beginning():
    dates = [applies_from for applies_from, _ in milestones.ENGLISH_AND_MATHS_REQUIRED_UP_TO_AGE]
    assert dates == sorted(dates) and dates[0] == date.min
    assert date(2025, 2, 11) in dates


def test_templates_of_another_standard_are_not_generated(db_session, admin):
    own = builders.create_standard(db_session)
    other = builders.create_standard(db_session)
    add_template(db_session, admin, "Ours", "custom", 4, standard_id=own.id)
    add_template(db_session, admin, "Theirs", "custom", 4, standard_id=other.id)
    add_template(db_session, admin, "Everyone's", "induction", 1)
    apprentice = apprentice_with_milestones(db_session, standard=own)
    assert [title for title, _, _ in titles_and_dates(db_session, apprentice)] == [
        "Everyone's",
        "Ours",
    ]


def test_every_new_apprentice_gets_milestones_with_the_summary_and_audit(
    db_session, templates, coordinator
):
    cohort = builders.create_cohort(db_session, standard=builders.create_standard(db_session))
    apprentice = create_apprentice(
        db_session,
        ApprenticeDetails(
            name="Ada Lovelace",
            date_of_birth=TWENTY,
            cohort_id=cohort.id,
            standard_id=None,
            training_provider_id=None,
            residence_borough_id=None,
            uln=None,
            start_date=date(2027, 1, 4),
            practical_period_end=None,
            planned_end_date=None,
            contracted_hours=Decimal("37.5"),
        ),
        actor=coordinator,
        email="ada@example.org",
        employing_borough_id=builders.get_borough(db_session, "Hackney").id,
    )
    db_session.commit()
    assert [title for title, _, _ in titles_and_dates(db_session, apprentice)] == [
        "Induction",
        "Portfolio checkpoint",
        "Gateway",
    ]
    assert summary_of(db_session, apprentice).next_milestone_due == date(2027, 1, 18)
    created = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.target_type == "milestone", AuditEvent.action == "created"
        )
    ).all()
    assert len(created) == 3 and {event.actor_user_id for event in created} == {coordinator.id}


def test_no_templates_means_no_milestones(db_session):
    apprentice = apprentice_with_milestones(db_session)
    assert titles_and_dates(db_session, apprentice) == []


# Regeneration after the start date moved


def test_regeneration_keeps_signed_off_and_hand_added_and_follows_the_start(
    db_session, admin, templates, coordinator
):
    # 18 on 1 September 2026, 19 by 1 October: English and maths stop being required.
    apprentice = apprentice_with_milestones(db_session, born=date(2007, 9, 20))
    submit(db_session, apprentice, "Induction")
    submit(db_session, apprentice, "English")
    for title in ("Induction", "English"):
        milestones.sign_off(db_session, milestone_called(db_session, apprentice, title), admin)
    submit(db_session, apprentice, "Maths")
    by_hand = milestones.add_milestone(
        db_session,
        db_session.get(Apprentice, apprentice.id),
        MilestoneDetails("Team presentation", "custom", date(2027, 1, 15), "mentor", False),
        actor=coordinator,
    )
    db_session.commit()
    add_template(db_session, admin, "Project plan", "custom", 8)
    db_session.get(Apprentice, apprentice.id).start_date = date(2026, 10, 1)
    db_session.commit()

    record = db_session.get(Apprentice, apprentice.id)
    plan = milestones.plan_regeneration(db_session, record)
    assert [template.name for template, _ in plan.add] == ["Project plan"]
    assert [milestone.title for milestone in plan.remove] == ["Maths"]
    db_session.rollback()  # planning changes nothing
    done = milestones.regenerate_milestones(db_session, record, coordinator)
    db_session.commit()

    assert done.changes_anything
    assert titles_and_dates(db_session, apprentice) == [
        ("Induction", date(2026, 9, 15), "signed_off"),  # kept as it was
        ("Project plan", date(2026, 11, 26), "not_started"),  # new template
        ("Portfolio checkpoint", date(2026, 12, 31), "not_started"),  # moved with the start
        ("Team presentation", date(2027, 1, 15), "not_started"),  # added by hand: kept
        ("English", date(2027, 3, 2), "signed_off"),  # signed off: kept, though not required
        ("Gateway", date(2028, 5, 25), "not_started"),
    ]
    assert db_session.get(Milestone, by_hand.id) is not None
    actions = {
        (event.action, event.actor_user_id)
        for event in db_session.scalars(
            select(AuditEvent).where(AuditEvent.target_type == "milestone")
        )
    }
    assert {("updated", coordinator.id), ("deleted", coordinator.id)} <= actions
    assert ("created", coordinator.id) in actions
    assert_summary_is_fresh(db_session, apprentice)


def test_regenerating_twice_changes_nothing_the_second_time(db_session, templates, coordinator):
    apprentice = apprentice_with_milestones(db_session)
    record = db_session.get(Apprentice, apprentice.id)
    record.start_date = date(2026, 9, 8)
    milestones.regenerate_milestones(db_session, record, coordinator)
    db_session.commit()
    again = milestones.regenerate_milestones(
        db_session, db_session.get(Apprentice, apprentice.id), coordinator
    )
    assert not again.changes_anything


def test_only_the_employing_borough_regenerates_or_adds(db_session, templates):
    apprentice = apprentice_with_milestones(db_session)
    builders.create_placement(db_session, apprentice, host="Camden")
    host = builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Camden")
    mentor = builders.create_mentor(db_session)
    builders.assign_mentor(db_session, apprentice, mentor)
    record = db_session.get(Apprentice, apprentice.id)
    for actor in (host, mentor, owner_of(db_session, apprentice)):
        with pytest.raises(DomainError, match="employing borough"):
            milestones.regenerate_milestones(db_session, record, actor)
        with pytest.raises(DomainError, match="employing borough"):
            milestones.add_milestone(
                db_session,
                record,
                MilestoneDetails("Extra", "custom", date(2027, 1, 4), "coordinator", False),
                actor=actor,
            )


def test_deleting_a_template_removes_its_milestones_not_yet_signed_off(
    db_session, admin, templates
):
    first = apprentice_with_milestones(db_session)
    second = apprentice_with_milestones(db_session)
    submit(db_session, first, "Induction")
    milestones.sign_off(db_session, milestone_called(db_session, first, "Induction"), admin)
    db_session.commit()
    template = db_session.get(MilestoneTemplate, templates["Induction"].id)
    assert milestones.outstanding_from_template(db_session, template.id) == 1
    assert milestones.delete_template(db_session, template, actor=admin) == 1
    db_session.commit()
    kept = milestone_called(db_session, first, "Induction")
    assert (kept.status, kept.template_id) == ("signed_off", None)
    assert "Induction" not in [title for title, _, _ in titles_and_dates(db_session, second)]
    assert summary_of(db_session, second).next_milestone_due == date(2026, 12, 1)


# Templates


def test_template_rules(db_session, admin, templates):
    def details(**changes):
        values = {
            "standard_id": None,
            "name": "Review",
            "kind": "custom",
            "due_offset_weeks": 10,
            "signer": "mentor",
            "required_for_gateway": False,
        }
        return TemplateDetails(**{**values, **changes})

    for changes, message in (
        ({"name": "  "}, "Enter a name"),
        ({"name": "Induction"}, "already a template called Induction for all standards"),
        ({"due_offset_weeks": 261}, "between 0 and 260"),
        ({"due_offset_weeks": -1}, "between 0 and 260"),
        ({"kind": "party"}, "Select the kind"),
        ({"signer": "apprentice"}, "Select who signs it off"),
        ({"standard_id": 999_999}, "Select a standard"),
    ):
        with pytest.raises(DomainError, match=message):
            milestones.create_template(db_session, details(**changes), actor=admin)
    standard = builders.create_standard(db_session)
    # The same name for one standard is fine.
    milestones.create_template(
        db_session, details(name="Induction", standard_id=standard.id), actor=admin
    )
    template = db_session.get(MilestoneTemplate, templates["Gateway"].id)
    changed = milestones.update_template(
        db_session, template, details(name="Gateway", due_offset_weeks=90), actor=admin
    )
    assert changed == ["kind", "due_offset_weeks", "signer", "required_for_gateway"]
    db_session.commit()
    groups = milestones.templates_by_standard(db_session)
    assert [group.heading for group in groups][0] == "All standards"
    assert groups[1].standard.id == standard.id


# Evidence


def test_the_apprentice_submits_evidence_for_their_own_milestone(db_session, templates):
    apprentice = apprentice_with_milestones(db_session)
    milestone = submit(
        db_session,
        apprentice,
        "Induction",
        text="  Completed the induction checklist  ",
        links=["https://example.org/checklist", "", "  http://example.org/notes "],
    )
    db_session.expire_all()
    stored = db_session.get(Milestone, milestone.id)
    assert (stored.status, stored.evidence_text, stored.evidence_links, stored.row_version) == (
        "submitted",
        "Completed the induction checklist",
        ["https://example.org/checklist", "http://example.org/notes"],
        2,
    )
    assert stored.submitted_at is not None
    with pytest.raises(DomainError, match="it is waiting for sign-off"):
        milestones.submit_evidence(
            db_session, stored, owner_of(db_session, apprentice), "Again", []
        )


def test_nobody_else_submits_an_apprentices_evidence(db_session, templates, coordinator):
    apprentice = apprentice_with_milestones(db_session)
    other = apprentice_with_milestones(db_session)
    milestone = milestone_called(db_session, apprentice, "Induction")
    for someone in (owner_of(db_session, other), coordinator):
        with pytest.raises(NotFound):
            milestones.submit_evidence(db_session, milestone, someone, "Mine now", [])


@pytest.mark.parametrize(
    ("links", "message"),
    [
        (["javascript:alert(1)"], "The link must be a web address starting with https://"),
        (["ftp://example.org/file"], "must be a web address"),
        (["example.org/work"], "must be a web address"),
        (["https://"], "must be a web address"),
        (["https://example.org/a b"], "must be a web address"),
        (["https://example.org", "data:text/html,hi"], "Link 2 must be a web address"),
        (["https://example.org/" + "a" * 481], "The link must be 500 characters or fewer"),
        ([f"https://example.org/{number}" for number in range(11)], "10 links or fewer"),
    ],
)
def test_links_must_be_web_addresses(db_session, templates, links, message):
    apprentice = apprentice_with_milestones(db_session)
    milestone = milestone_called(db_session, apprentice, "Induction")
    with pytest.raises(DomainError, match=message) as refused:
        milestones.submit_evidence(
            db_session, milestone, owner_of(db_session, apprentice), "Evidence", links
        )
    assert refused.value.field == "links"


def test_evidence_text_is_required_and_limited(db_session, templates):
    apprentice = apprentice_with_milestones(db_session)
    milestone = milestone_called(db_session, apprentice, "Induction")
    owner = owner_of(db_session, apprentice)
    with pytest.raises(DomainError, match="Describe your evidence"):
        milestones.submit_evidence(db_session, milestone, owner, "   ", [])
    with pytest.raises(DomainError, match="5000 characters or fewer"):
        milestones.submit_evidence(db_session, milestone, owner, "x" * 5001, [])


def test_a_stale_submission_is_refused(db_session, engine, templates):
    apprentice = apprentice_with_milestones(db_session)
    milestone = milestone_called(db_session, apprentice, "Induction")
    with Session(engine) as other:
        other.get(Milestone, milestone.id).evidence_text = "Someone else's draft"
        other.commit()
    with pytest.raises(StaleEdit):
        milestones.submit_evidence(
            db_session, milestone, owner_of(db_session, apprentice), "Mine", [], expected_version=1
        )


# Sign-off: the right signer only


@pytest.fixture
def mentored(db_session, templates):
    """An apprentice employed by Hackney, placed in Camden, with a past and a current mentor,
    and evidence submitted for a coordinator and a mentor milestone."""
    apprentice = apprentice_with_milestones(db_session)
    builders.create_placement(db_session, apprentice, host="Camden")
    past = builders.create_mentor(db_session, name="Past Mentor")
    current = builders.create_mentor(db_session, borough="Islington", name="Current Mentor")
    builders.assign_mentor(db_session, apprentice, past, start_date=START)
    assignment = db_session.scalars(
        select(MentorAssignment).where(MentorAssignment.mentor_user_id == past.id)
    ).one()
    assignment.end_date = date(2026, 10, 31)
    db_session.commit()
    builders.assign_mentor(db_session, apprentice, current, start_date=date(2026, 11, 1))
    submit(db_session, apprentice, "Induction")
    submit(db_session, apprentice, "Portfolio checkpoint")
    return {"apprentice": apprentice, "past": past, "current": current}


def test_the_apprentice_cannot_sign_off_their_own(db_session, mentored):
    apprentice = mentored["apprentice"]
    owner = owner_of(db_session, apprentice)
    for title in ("Induction", "Portfolio checkpoint"):
        milestone = milestone_called(db_session, apprentice, title)
        with pytest.raises(NotSigner, match="You cannot sign off or return your own milestone"):
            milestones.sign_off(db_session, milestone, owner)
        with pytest.raises(NotSigner):
            milestones.return_milestone(db_session, milestone, owner, "Try again")


def test_an_apprentice_who_is_also_a_coordinator_cannot_sign_off_their_own(db_session, templates):
    user = builders.create_user(
        db_session, roles=[Role.APPRENTICE, Role.MENTOR, Role.COORDINATOR], borough="Hackney"
    )
    apprentice = apprentice_with_milestones(db_session, user=user)
    submit(db_session, apprentice, "Induction")
    milestone = milestone_called(db_session, apprentice, "Induction")
    with pytest.raises(NotSigner, match="your own milestone"):
        milestones.sign_off(db_session, milestone, owner_of(db_session, apprentice))


def test_only_the_current_mentor_signs_off_a_mentor_milestone(db_session, mentored, coordinator):
    apprentice = mentored["apprentice"]
    milestone = milestone_called(db_session, apprentice, "Portfolio checkpoint")
    stranger = builders.create_mentor(db_session, name="Not Theirs")
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    name = owner_of(db_session, apprentice).name
    for someone in (mentored["past"], stranger, coordinator, admin):
        with pytest.raises(NotSigner, match=f"Only {name}’s current mentor"):
            milestones.sign_off(db_session, milestone, someone)
    milestones.sign_off(db_session, milestone, mentored["current"], comment="Well evidenced")
    db_session.commit()
    signed = milestone_called(db_session, apprentice, "Portfolio checkpoint")
    assert (signed.status, signed.decided_by_id, signed.comment) == (
        "signed_off",
        mentored["current"].id,
        "Well evidenced",
    )
    event = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.target_type == "milestone",
            AuditEvent.target_id == signed.id,
            AuditEvent.actor_user_id == mentored["current"].id,
        )
    ).one()
    assert event.fields_changed == ["comment", "decided_at", "decided_by_id", "status"]


def test_without_a_mentor_nobody_signs_off_a_mentor_milestone(db_session, templates, admin):
    apprentice = apprentice_with_milestones(db_session)
    submit(db_session, apprentice, "Portfolio checkpoint")
    with pytest.raises(NotSigner, match="does not have a mentor at the moment"):
        milestones.sign_off(
            db_session, milestone_called(db_session, apprentice, "Portfolio checkpoint"), admin
        )


def test_a_mentor_cannot_sign_off_a_coordinator_milestone(db_session, mentored):
    milestone = milestone_called(db_session, mentored["apprentice"], "Induction")
    with pytest.raises(NotSigner, match="Only a coordinator of Hackney, the employing borough"):
        milestones.sign_off(db_session, milestone, mentored["current"])


def test_a_host_borough_coordinator_cannot_sign_off(db_session, mentored):
    host = builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Camden")
    milestone = milestone_called(db_session, mentored["apprentice"], "Induction")
    with pytest.raises(NotSigner, match="Only a coordinator of Hackney"):
        milestones.sign_off(db_session, milestone, host)
    with pytest.raises(NotSigner):
        milestones.return_milestone(db_session, milestone, host, "No")


@pytest.mark.parametrize("who", ["employing", "programme-wide", "admin"])
def test_coordinators_who_may_change_the_apprentice_sign_off(db_session, mentored, who):
    actor = {
        "employing": lambda: builders.create_user(db_session, roles=[Role.COORDINATOR]),
        "programme-wide": lambda: builders.create_user(
            db_session, roles=[Role.COORDINATOR], borough="Camden", programme_wide=True
        ),
        "admin": lambda: builders.create_user(db_session, roles=[Role.ADMIN], borough="Camden"),
    }[who]()
    milestone = milestone_called(db_session, mentored["apprentice"], "Induction")
    milestones.sign_off(db_session, milestone, actor)
    assert milestone.status == "signed_off"


def test_returning_needs_a_comment_and_the_apprentice_can_resubmit(
    db_session, mentored, coordinator
):
    apprentice = mentored["apprentice"]
    milestone = milestone_called(db_session, apprentice, "Induction")
    with pytest.raises(DomainError, match="Enter a comment") as refused:
        milestones.return_milestone(db_session, milestone, coordinator, "   ")
    assert refused.value.field == "comment"
    milestones.return_milestone(db_session, milestone, coordinator, "Add the signed checklist")
    db_session.commit()
    returned = milestone_called(db_session, apprentice, "Induction")
    assert (returned.status, returned.comment) == ("returned", "Add the signed checklist")
    with pytest.raises(DomainError, match="nothing to decide: this milestone is returned"):
        milestones.sign_off(db_session, returned, coordinator)
    submit(db_session, apprentice, "Induction", text="Now with the checklist")
    assert milestone_called(db_session, apprentice, "Induction").status == "submitted"


def test_a_stale_decision_is_refused(db_session, engine, mentored, coordinator):
    milestone = milestone_called(db_session, mentored["apprentice"], "Induction")
    version = milestone.row_version
    with Session(engine) as other:
        other.get(Milestone, milestone.id).comment = "Someone else decided"
        other.commit()
    with pytest.raises(StaleEdit):
        milestones.sign_off(db_session, milestone, coordinator, expected_version=version)


def test_nothing_to_decide_before_evidence(db_session, templates, coordinator):
    apprentice = apprentice_with_milestones(db_session)
    milestone = milestone_called(db_session, apprentice, "Gateway")
    with pytest.raises(DomainError, match="this milestone is not started"):
        milestones.sign_off(db_session, milestone, coordinator)


# Adding by hand


def test_a_coordinator_adds_a_milestone_by_hand(db_session, templates, coordinator):
    apprentice = apprentice_with_milestones(db_session)
    record = db_session.get(Apprentice, apprentice.id)
    for due, message in (
        (date(2026, 8, 31), "on or after the start of the apprenticeship, 1 September 2026"),
        (record.planned_end_date + timedelta(days=1), "on or before the planned end"),
    ):
        with pytest.raises(DomainError, match=message):
            milestones.add_milestone(
                db_session,
                record,
                MilestoneDetails("Extra", "custom", due, "mentor", False),
                actor=coordinator,
            )
    with pytest.raises(DomainError, match="Enter a title"):
        milestones.add_milestone(
            db_session,
            record,
            MilestoneDetails(" ", "custom", date(2027, 1, 4), "mentor", False),
            actor=coordinator,
        )
    added = milestones.add_milestone(
        db_session,
        record,
        MilestoneDetails("  Team   talk ", "custom", date(2027, 1, 4), "mentor", False),
        actor=coordinator,
    )
    db_session.commit()
    assert (added.title, added.template_id, added.status) == ("Team talk", None, "not_started")


# Overdue: derived from the due date and today


@pytest.mark.parametrize(
    ("status", "due", "overdue"),
    [
        ("not_started", TODAY - timedelta(days=1), True),
        ("submitted", TODAY - timedelta(days=1), True),
        ("returned", TODAY - timedelta(days=1), True),
        ("signed_off", TODAY - timedelta(days=1), False),
        ("not_started", TODAY, False),
        ("not_started", TODAY + timedelta(days=1), False),
    ],
)
def test_overdue_is_derived(status, due, overdue):
    milestone = Milestone(status=status, due_date=due)
    assert milestones.is_overdue(milestone, TODAY) is overdue


def test_the_stored_overdue_count_follows_each_change(db_session, admin, templates, coordinator):
    # Started 2 June 2026, 17: induction (16 June) and the portfolio checkpoint
    # (1 September) are overdue on 27 November; English, maths and the gateway are not due yet.
    apprentice = apprentice_with_milestones(
        db_session, born=date(2009, 1, 1), start=date(2026, 6, 2)
    )
    mentor = builders.create_mentor(db_session)
    builders.assign_mentor(db_session, apprentice, mentor)

    def overdue() -> int:
        assert_summary_is_fresh(db_session, apprentice)
        return summary_of(db_session, apprentice).overdue_milestones

    assert overdue() == 2
    record = db_session.get(Apprentice, apprentice.id)
    milestones.add_milestone(
        db_session,
        record,
        MilestoneDetails("Late extra", "custom", date(2026, 11, 1), "coordinator", False),
        actor=coordinator,
    )
    db_session.commit()
    assert overdue() == 3
    submit(db_session, apprentice, "Induction")
    assert overdue() == 3  # submitted is still not signed off
    milestones.sign_off(db_session, milestone_called(db_session, apprentice, "Induction"), admin)
    db_session.commit()
    assert overdue() == 2
    submit(db_session, apprentice, "Late extra")
    milestones.return_milestone(
        db_session, milestone_called(db_session, apprentice, "Late extra"), admin, "More"
    )
    db_session.commit()
    assert overdue() == 2
    submit(db_session, apprentice, "Portfolio checkpoint")
    milestones.sign_off(
        db_session, milestone_called(db_session, apprentice, "Portfolio checkpoint"), mentor
    )
    db_session.commit()
    assert overdue() == 1
    # The start moves to 2 November: what is generated and not signed off is not due yet.
    record = db_session.get(Apprentice, apprentice.id)
    record.start_date = date(2026, 11, 2)
    milestones.regenerate_milestones(db_session, record, coordinator)
    db_session.commit()
    assert overdue() == 1  # the one added by hand, still overdue
    template = db_session.get(MilestoneTemplate, templates["Induction"].id)
    milestones.delete_template(db_session, template, actor=admin)
    db_session.commit()
    assert overdue() == 1


# The demo's default templates


def test_the_demo_templates_are_the_default_set_and_load_once(db_session):
    created = seed_milestone_templates(db_session)
    db_session.commit()
    assert [
        (template.kind, template.due_offset_weeks, template.signer)
        for template in sorted(created, key=lambda t: (t.due_offset_weeks, t.name))
    ] == [
        ("induction", 2, "coordinator"),
        ("portfolio", 13, "mentor"),
        ("functional_skills_english", 26, "coordinator"),
        ("functional_skills_maths", 26, "coordinator"),
        ("portfolio", 26, "mentor"),
        ("portfolio", 52, "mentor"),
        ("portfolio", 78, "mentor"),
        ("gateway", 86, "coordinator"),
        ("end_point_assessment", 100, "coordinator"),
    ]
    assert all(template.standard_id is None for template in created)
    assert seed_milestone_templates(db_session) == []


def test_demo_milestones_are_settled_by_their_signers(db_session):
    seed_milestone_templates(db_session)
    central = builders.create_user(db_session, roles=[Role.COORDINATOR], programme_wide=True)
    apprentice = apprentice_with_milestones(db_session, born=TWENTY, start=date(2025, 11, 3))
    mentor = builders.create_mentor(db_session)
    builders.assign_mentor(db_session, apprentice, mentor)
    record = db_session.get(Apprentice, apprentice.id)
    assert settle_demo_milestones(db_session, record, coordinator=central, before=TODAY) == 4
    db_session.commit()
    statuses = [status for _, _, status in titles_and_dates(db_session, apprentice)]
    assert statuses == ["signed_off"] * 4 + ["not_started"] * 3
    assert summary_of(db_session, apprentice).overdue_milestones == 0
