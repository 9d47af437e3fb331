"""The access policy: every endpoint is in it, and every role gets what DESIGN.md says.

The expectations below are written out by hand, apart from app/access.py, so a change to the
policy that nobody meant to make fails here.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import url_for
from sqlalchemy import select, text

from app.access import POLICY
from app.extensions import db
from app.models import (
    KSB,
    ApprenticeStatus,
    LogEntry,
    Milestone,
    MilestoneTemplate,
    Role,
    Standard,
    TrainingProvider,
    User,
)
from tests import builders
from tests.html_checks import check_page

ANONYMOUS = "anonymous"
PROGRAMME_WIDE = "programme-wide coordinator"
VIEWERS = [
    ANONYMOUS,
    Role.APPRENTICE,
    Role.MENTOR,
    Role.COORDINATOR,
    PROGRAMME_WIDE,
    Role.BOROUGH_LEAD,
    Role.ADMIN,
]
EVERYONE = frozenset(VIEWERS)
SIGNED_IN = EVERYONE - {ANONYMOUS}
ADMIN_ONLY = frozenset({Role.ADMIN})
COORDINATORS = frozenset({Role.COORDINATOR, PROGRAMME_WIDE})
COORDINATION = COORDINATORS | ADMIN_ONLY

# Who may GET each page. Signed-out visitors are sent to sign in; other roles get 403.
GET_ACCESS: dict[str, frozenset] = {
    "public.start": EVERYONE,
    "public.accessibility": EVERYONE,
    "public.privacy": EVERYONE,
    "public.cookies": EVERYONE,
    "public.health": EVERYONE,
    "auth.sign_in": EVERYONE,
    "public.vacancies": EVERYONE,
    "public.vacancy": EVERYONE,
    "public.apply_start": EVERYONE,
    "public.apply_step": EVERYONE,
    "public.apply_check": EVERYONE,
    "public.apply_confirmation": EVERYONE,
    "public.apply_equality": EVERYONE,
    "public.application_withdraw": EVERYONE,
    "public.open_data": EVERYONE,
    "public.open_data_csv": EVERYONE,
    "public.open_data_json": EVERYONE,
    "auth.home": SIGNED_IN,
    "auth.set_password_from_link": EVERYONE,
    "auth.reset_password": EVERYONE,
    "auth.change_password": SIGNED_IN,
    "auth.second_factor": SIGNED_IN,
    "auth.second_factor_recovery": SIGNED_IN,
    "auth.second_factor_set_up": SIGNED_IN,
    "auth.account": SIGNED_IN,
    "auth.authenticator": SIGNED_IN,
    "auth.authenticator_remove": SIGNED_IN,
    "auth.recovery_codes": SIGNED_IN,
    "auth.sessions": SIGNED_IN,
    "apprentice.home": frozenset({Role.APPRENTICE}),
    "mentor.home": frozenset({Role.MENTOR}),
    "coordinator.home": COORDINATORS,
    "coordinator.users": COORDINATORS,
    "coordinator.user": COORDINATORS,
    "coordinator.user_invite": COORDINATORS,
    "coordinator.cohorts": COORDINATION,
    "coordinator.cohort_new": COORDINATION,
    "coordinator.cohort": COORDINATION,
    "coordinator.cohort_edit": COORDINATION,
    "coordinator.apprentices": COORDINATION,
    "coordinator.apprentice_new": COORDINATION,
    "coordinator.apprentice_import": COORDINATION,
    "coordinator.apprentice": COORDINATION,
    "coordinator.apprentice_edit": COORDINATION,
    "coordinator.apprentice_status": COORDINATION,
    "coordinator.placement_new": COORDINATION,
    "coordinator.placement_edit": COORDINATION,
    "coordinator.placement_end": COORDINATION,
    "coordinator.mentors": COORDINATION,
    "coordinator.mentor_capacity": COORDINATION,
    "coordinator.mentor_assign": COORDINATION,
    "mentor.mentee": frozenset({Role.MENTOR}),
    "mentor.meeting_new": frozenset({Role.MENTOR}),
    "coordinator.vacancies": COORDINATION,
    "coordinator.vacancy_new": COORDINATION,
    "coordinator.vacancy": COORDINATION,
    "coordinator.vacancy_edit": COORDINATION,
    "coordinator.vacancy_publish": COORDINATION,
    "coordinator.applications": COORDINATION,
    "coordinator.applications_export": COORDINATION,
    "coordinator.applications_import": COORDINATION,
    "coordinator.application": COORDINATION,
    "coordinator.application_move": COORDINATION,
    "coordinator.application_hire": COORDINATION,
    "coordinator.needs_attention": COORDINATION,
    "coordinator.apprentice_progress": COORDINATION,
    "coordinator.milestone_new": COORDINATION,
    "coordinator.milestones_regenerate": COORDINATION,
    "coordinator.milestone_decide": COORDINATION,
    "coordinator.entry_decide": COORDINATION,
    "coordinator.review_new": COORDINATION,
    "mentor.milestone_decide": frozenset({Role.MENTOR}),
    "mentor.entry_decide": frozenset({Role.MENTOR}),
    "mentor.review_new": frozenset({Role.MENTOR}),
    "apprentice.log": frozenset({Role.APPRENTICE}),
    "apprentice.entry_new": frozenset({Role.APPRENTICE}),
    "apprentice.entry_edit": frozenset({Role.APPRENTICE}),
    "apprentice.milestones": frozenset({Role.APPRENTICE}),
    "apprentice.milestone_evidence": frozenset({Role.APPRENTICE}),
    "admin.milestone_templates": ADMIN_ONLY,
    "admin.milestone_template_new": ADMIN_ONLY,
    "admin.milestone_template_edit": ADMIN_ONLY,
    "admin.milestone_template_delete": ADMIN_ONLY,
    "coordinator.gateway": COORDINATION,
    "coordinator.english_maths": COORDINATION,
    "coordinator.epa_new": COORDINATION,
    "coordinator.outcome_new": COORDINATION,
    "coordinator.approaching_end": COORDINATION,
    "reports.home": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}),
    "reports.home_csv": frozenset(
        {Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}
    ),
    "reports.comparison": frozenset(
        {Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}
    ),
    "reports.comparison_csv": frozenset(
        {Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}
    ),
    "reports.trends": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}),
    "reports.trends_csv": frozenset(
        {Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}
    ),
    "reports.recruitment": frozenset(
        {Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}
    ),
    "reports.recruitment_csv": frozenset(
        {Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}
    ),
    "reports.progression": frozenset(
        {Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}
    ),
    "reports.progression_csv": frozenset(
        {Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}
    ),
    "reports.outcomes": frozenset(
        {Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}
    ),
    "reports.outcomes_csv": frozenset(
        {Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}
    ),
    "reports.equality": frozenset(
        {Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}
    ),
    "reports.equality_csv": frozenset(
        {Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}
    ),
    "reports.public_sector_return": frozenset(
        {Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}
    ),
    "reports.public_sector_return_csv": frozenset(
        {Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}
    ),
    "reports.headcount": COORDINATION,
    "reports.scaling": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, PROGRAMME_WIDE, Role.ADMIN}),
    "admin.home": ADMIN_ONLY,
    "admin.users": ADMIN_ONLY,
    "admin.user": ADMIN_ONLY,
    "admin.user_invite": ADMIN_ONLY,
    "admin.user_edit": ADMIN_ONLY,
    "admin.user_deactivate": ADMIN_ONLY,
    "admin.user_second_factor_reset": ADMIN_ONLY,
    "admin.user_sessions_end": ADMIN_ONLY,
    "admin.user_reactivate": ADMIN_ONLY,
    "admin.outbox": ADMIN_ONLY,
    "admin.standards": ADMIN_ONLY,
    "admin.standard": ADMIN_ONLY,
    "admin.standard_new": ADMIN_ONLY,
    "admin.standard_edit": ADMIN_ONLY,
    "admin.ksb_new": ADMIN_ONLY,
    "admin.ksb_edit": ADMIN_ONLY,
    "admin.ksb_delete": ADMIN_ONLY,
    "admin.providers": ADMIN_ONLY,
    "admin.provider_new": ADMIN_ONLY,
    "admin.provider_edit": ADMIN_ONLY,
    "admin.audit_events": ADMIN_ONLY,
    "admin.audit_export": ADMIN_ONLY,
    "admin.subject_access_requests": ADMIN_ONLY,
    "admin.subject_access_new": ADMIN_ONLY,
    "admin.erase": ADMIN_ONLY,
    "coordinator.audit_events": COORDINATORS,
    "coordinator.equality_objection": COORDINATION,
    "public.equality_objection": EVERYONE,
}

# Allowed by role, but the sample record is outside this viewer's scope: the sample records
# belong to Camden and every viewer here to Hackney. Another borough's record is not found
# (404); one the viewer may read but not change is forbidden (403).
OUT_OF_SCOPE = {
    ("coordinator.user", Role.COORDINATOR): 404,
    ("coordinator.cohort", Role.COORDINATOR): 404,
    ("coordinator.cohort_edit", Role.COORDINATOR): 404,
    ("coordinator.apprentice", Role.COORDINATOR): 404,
    ("coordinator.apprentice_edit", Role.COORDINATOR): 404,
    ("coordinator.apprentice_status", Role.COORDINATOR): 404,
    ("coordinator.placement_new", Role.COORDINATOR): 404,
    ("coordinator.placement_edit", Role.COORDINATOR): 404,
    ("coordinator.placement_end", Role.COORDINATOR): 404,
    ("coordinator.mentor_assign", Role.COORDINATOR): 404,
    ("coordinator.mentor_capacity", Role.COORDINATOR): 403,
    ("mentor.mentee", Role.MENTOR): 404,
    ("coordinator.vacancy", Role.COORDINATOR): 404,
    ("coordinator.vacancy_edit", Role.COORDINATOR): 404,
    ("coordinator.vacancy_publish", Role.COORDINATOR): 404,
    ("coordinator.applications", Role.COORDINATOR): 404,
    ("coordinator.applications_export", Role.COORDINATOR): 404,
    ("coordinator.applications_import", Role.COORDINATOR): 404,
    ("coordinator.application", Role.COORDINATOR): 404,
    ("coordinator.application_move", Role.COORDINATOR): 404,
    ("coordinator.application_hire", Role.COORDINATOR): 404,
    ("mentor.meeting_new", Role.MENTOR): 404,
    ("coordinator.apprentice_progress", Role.COORDINATOR): 404,
    ("coordinator.milestone_new", Role.COORDINATOR): 404,
    ("coordinator.milestones_regenerate", Role.COORDINATOR): 404,
    ("coordinator.milestone_decide", Role.COORDINATOR): 404,
    ("coordinator.entry_decide", Role.COORDINATOR): 404,
    ("coordinator.review_new", Role.COORDINATOR): 404,
    ("mentor.milestone_decide", Role.MENTOR): 404,
    ("mentor.entry_decide", Role.MENTOR): 404,
    ("mentor.review_new", Role.MENTOR): 404,
    ("coordinator.gateway", Role.COORDINATOR): 404,
    ("coordinator.english_maths", Role.COORDINATOR): 404,
    ("coordinator.epa_new", Role.COORDINATOR): 404,
    ("coordinator.outcome_new", Role.COORDINATOR): 404,
    ("coordinator.equality_objection", Role.COORDINATOR): 404,
    # The viewing apprentice has no apprenticeship record of their own; the samples are someone
    # else's.
    ("apprentice.entry_new", Role.APPRENTICE): 404,
    ("apprentice.entry_edit", Role.APPRENTICE): 404,
    ("apprentice.milestone_evidence", Role.APPRENTICE): 404,
}

# Pages that answer a signed-in visitor with a redirect rather than a page.
REDIRECTS_WHEN_SIGNED_IN = {
    "auth.home",
    "auth.sign_in",
    # Part-way through signing in only: a signed-in user goes home.
    "auth.second_factor",
    "auth.second_factor_recovery",
    "auth.second_factor_set_up",
    # New recovery codes are shown once; without any, the page sends you to your account.
    "auth.recovery_codes",
}
# Without a sign-in waiting for its second factor, these send a visitor to the password.
SECOND_FACTOR_STEPS = {
    "auth.second_factor",
    "auth.second_factor_recovery",
    "auth.second_factor_set_up",
}
# The sample application draft is not submitted yet: these pages send everyone back to it.
REDIRECTS_FOR_THE_SAMPLE = {"public.apply_confirmation", "public.apply_equality"}
# Tables whose rows a GET may add to: the audit trail of views, and session bookkeeping.
BOOKKEEPING_TABLES = {"audit_event", "user_session"}


def get_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint != "static"
    }


def test_every_endpoint_is_in_the_access_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - POLICY.keys() == set(), "add these endpoints to app/access.py POLICY"
    assert POLICY.keys() - endpoints == set(), "the policy names endpoints that no longer exist"


def test_every_page_has_expectations_here(app):
    assert get_endpoints(app) == GET_ACCESS.keys()


def test_urls_are_kebab_case_and_ids_are_integers(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        literal = re.sub(r"<[^>]+>", "", rule.rule)
        assert re.fullmatch(r"[a-z0-9/-]*", literal), f"{rule.rule} is not kebab-case"
        for argument, converter in rule._converters.items():
            if argument.endswith("_id"):
                assert type(converter).__name__ == "IntegerConverter", f"{rule.rule}: {argument}"


def create_viewer(db_session, viewer) -> User | None:
    if viewer == ANONYMOUS:
        return None
    if viewer == PROGRAMME_WIDE:
        return builders.create_user(db_session, roles=[Role.COORDINATOR], programme_wide=True)
    return builders.create_user(db_session, roles=[viewer])


def sample_records(db_session, app) -> dict[str, Any]:
    from app.domain.account_links import Purpose, make_token
    from app.domain.application_drafts import start_draft
    from app.domain.applications import withdraw_token
    from app.domain.objection import objection_token
    from app.models import SubjectAccessRequest

    standard = builders.create_standard(db_session)
    provider = builders.create_provider(db_session)
    someone = builders.create_user(db_session, roles=[Role.MENTOR], borough="Camden")
    ksb = db_session.scalars(select(KSB).where(KSB.standard_id == standard.id)).first()
    apprentice = builders.create_apprentice(
        db_session, borough="Camden", standard=standard, status=ApprenticeStatus.ACTIVE
    )
    placement = builders.create_placement(db_session, apprentice, host="Camden")
    vacancy = builders.create_vacancy(db_session, borough="Camden")
    application = builders.create_application(db_session, vacancy)
    draft, key = start_draft(db_session, vacancy)
    template = MilestoneTemplate(
        name="Induction", kind="induction", due_offset_weeks=2, signer="coordinator"
    )
    milestone = Milestone(
        apprentice_id=apprentice.id,
        title="Induction",
        kind="induction",
        signer="coordinator",
        due_date=apprentice.start_date,
        status="submitted",
        evidence_text="Done",
    )
    entry = LogEntry(
        apprentice_id=apprentice.id,
        entry_date=apprentice.start_date,
        hours=3,
        activity_type="teaching",
        description="A workshop",
        submitted_at=datetime(2026, 10, 1, 9, tzinfo=UTC),
    )
    sar = SubjectAccessRequest(
        subject_type="application",
        subject_id=application.id,
        received_on=apprentice.start_date,
        due_on=apprentice.start_date,
    )
    db_session.add_all([template, milestone, entry, sar])
    db_session.commit()
    return {
        "sar_id": sar.id,
        "objection_token": objection_token(app.config["SECRET_KEY"], application),
        "follow_up": "end",
        "dataset": "borough-financial-year",
        "template_id": template.id,
        "milestone_id": milestone.id,
        "entry_id": entry.id,
        "vacancy_id": vacancy.id,
        "application_id": application.id,
        "key": key,
        "step": "name",
        "withdraw_token": withdraw_token(app.config["SECRET_KEY"], application),
        "cohort_id": apprentice.cohort_id,
        "apprentice_id": apprentice.id,
        "placement_id": placement.id,
        "move": "pause",
        "standard_id": standard.id,
        "ksb_id": ksb.id,
        "provider_id": provider.id,
        "user_id": someone.id,
        "session_id": 1,
        "kind": Purpose.INVITATION.value,
        "token": make_token(app.config["SECRET_KEY"], someone, Purpose.INVITATION),
    }


def url_for_endpoint(app, endpoint: str, records: dict[str, Any]) -> str:
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{name: records[name] for name in rule.arguments})


def state_fingerprint(db_session) -> str:
    """A digest of every row outside the bookkeeping tables."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        if table.name in BOOKKEEPING_TABLES:
            continue
        rows = db_session.execute(text(f"SELECT * FROM {table.name} ORDER BY 1")).all()
        digest.update(repr((table.name, rows)).encode())
    db_session.rollback()
    return digest.hexdigest()


@pytest.mark.parametrize("viewer", VIEWERS, ids=str)
@pytest.mark.parametrize("endpoint", sorted(GET_ACCESS))
def test_get_access_matrix(app, client, db_session, endpoint, viewer):
    from tests.conftest import sign_in_client

    records = sample_records(db_session, app)
    user = create_viewer(db_session, viewer)
    if user is not None:
        sign_in_client(app, client, user)
    url = url_for_endpoint(app, endpoint, records)
    before = state_fingerprint(db_session)

    response = client.get(url)

    allowed = viewer in GET_ACCESS[endpoint]
    if (endpoint, viewer) in OUT_OF_SCOPE:
        assert response.status_code == OUT_OF_SCOPE[endpoint, viewer]
    elif allowed and endpoint in REDIRECTS_FOR_THE_SAMPLE:
        assert response.status_code == 302
    elif allowed and user is not None and endpoint in REDIRECTS_WHEN_SIGNED_IN:
        assert response.status_code == 302
    elif allowed:
        assert response.status_code == 200, response.location
        if response.mimetype == "text/html":
            page = check_page(response)
            signed_in = page.select_one("form[action='/sign-out']") is not None
            assert signed_in == (user is not None), "every signed-in page offers sign-out"
    elif user is None and endpoint in SECOND_FACTOR_STEPS:
        assert response.status_code == 302
        assert response.location == "/sign-in"
    elif user is None:
        assert response.status_code == 302
        assert response.location.startswith("/sign-in?next=")
    else:
        assert response.status_code == 403
        check_page(response)
    assert state_fingerprint(db_session) == before, f"GET {url} changed stored data"


@pytest.mark.parametrize(
    "endpoint",
    [
        "admin.user",
        "admin.standard",
        "admin.standard_edit",
        "admin.ksb_edit",
        "admin.provider_edit",
    ],
)
def test_records_that_do_not_exist_are_not_found(app, client, db_session, login_as, endpoint):
    login_as(Role.ADMIN)
    records = sample_records(db_session, app)
    missing = {
        name: value + 10_000 if isinstance(value, int) else value for name, value in records.items()
    }
    response = client.get(url_for_endpoint(app, endpoint, missing))
    assert response.status_code == 404
    assert "Page not found" in check_page(response).get_text()


def test_a_ksb_of_another_standard_is_not_found(app, client, db_session, login_as):
    login_as(Role.ADMIN)
    first = builders.create_standard(db_session)
    other = builders.create_standard(db_session)
    other_ksb = db_session.scalars(select(KSB).where(KSB.standard_id == other.id)).first()
    response = client.get(f"/admin/standards/{first.id}/ksbs/{other_ksb.id}/edit")
    assert response.status_code == 404


def post_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "POST" in rule.methods),
        key=lambda rule: rule.endpoint,
    )


@pytest.mark.parametrize("viewer", [ANONYMOUS, Role.ADMIN], ids=str)
def test_every_post_without_a_csrf_token_is_refused(app, client, db_session, viewer):
    from tests.conftest import sign_in_client

    records = sample_records(db_session, app)
    user = create_viewer(db_session, viewer)
    if user is not None:
        sign_in_client(app, client, user)
    before = state_fingerprint(db_session)
    rules = post_rules(app)
    assert rules, "expected some POST endpoints"
    for rule in rules:
        url = url_for_endpoint(app, rule.endpoint, records)
        response = client.post(url, data={"name": "Changed", "code": "K9", "text": "x"})
        assert response.status_code == 400, url
        assert "nothing was saved" in check_page(response).get_text()
        response = client.post(url, data={"csrf_token": "forged-token", "name": "Changed"})
        assert response.status_code == 400, url
    assert state_fingerprint(db_session) == before
    # The user is still signed in: a refused POST did not sign them out.
    if user is not None:
        assert client.get("/admin/").status_code == 200


def test_state_changing_endpoints_do_not_answer_get(app, client, db_session, login_as):
    login_as(Role.ADMIN)
    response = client.get("/sign-out")
    assert response.status_code == 405
    assert "cannot be used that way" in check_page(response).get_text()


def test_refused_access_is_audited(client, db_session, login_as):
    from app.models import AuditEvent

    user = login_as(Role.MENTOR)
    assert client.get("/admin/users").status_code == 403
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_user_id, event.target_type) == (
        "access_refused",
        user.id,
        "admin.users",
    )


def test_sample_records_exist(app, db_session):
    records = sample_records(db_session, app)
    assert db_session.get(Standard, records["standard_id"]) is not None
    assert db_session.get(TrainingProvider, records["provider_id"]) is not None
