"""Who may reach which page, in one table, and queries already narrowed to what a user may see.

Every endpoint must appear in `POLICY` (a test walks the URL map). The policy decides by role;
object-level scoping happens in the queries below, so a record outside a user's scope is simply
not found (404).
"""

from __future__ import annotations

import enum
import logging
from datetime import date

from flask import Flask, abort, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import ColumnElement

from app.clock import today
from app.domain import audit
from app.models import (
    Application,
    Apprentice,
    AuditAction,
    Cohort,
    MentorAssignment,
    Placement,
    Role,
    User,
    Vacancy,
)

log = logging.getLogger(__name__)


class Open(enum.Enum):
    PUBLIC = "anyone, signed in or not"
    SIGNED_IN = "any signed-in user"
    # Past the password, before the second factor: these pages and nothing else that needs
    # signing in (the visitor is not signed in until the second factor is passed).
    SECOND_FACTOR = "a visitor part-way through signing in"


PUBLIC = Open.PUBLIC
SIGNED_IN = Open.SIGNED_IN
SECOND_FACTOR = Open.SECOND_FACTOR
# The session key holding a sign-in that waits for its second factor.
PENDING_SIGN_IN = "pending_sign_in"
ADMIN = frozenset({Role.ADMIN})
COORDINATOR = frozenset({Role.COORDINATOR})
# The programme's records: coordinators within their scope, and admins, who see everything.
COORDINATION = frozenset({Role.COORDINATOR, Role.ADMIN})

Rule = Open | frozenset[Role]

POLICY: dict[str, Rule] = {
    "static": PUBLIC,
    "public.start": PUBLIC,
    "public.accessibility": PUBLIC,
    "public.privacy": PUBLIC,
    "public.cookies": PUBLIC,
    "public.health": PUBLIC,
    "auth.sign_in": PUBLIC,
    "public.vacancies": PUBLIC,
    "public.vacancy": PUBLIC,
    "public.apply_start": PUBLIC,
    "public.apply_step": PUBLIC,
    "public.apply_check": PUBLIC,
    "public.apply_confirmation": PUBLIC,
    "public.apply_equality": PUBLIC,
    "public.application_withdraw": PUBLIC,
    "public.open_data": PUBLIC,
    "public.open_data_csv": PUBLIC,
    "public.open_data_json": PUBLIC,
    "auth.sign_out": SIGNED_IN,
    "auth.home": SIGNED_IN,
    "auth.keep_alive": SIGNED_IN,
    "auth.set_password_from_link": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.change_password": SIGNED_IN,
    "auth.second_factor": SECOND_FACTOR,
    "auth.second_factor_recovery": SECOND_FACTOR,
    "auth.second_factor_set_up": SECOND_FACTOR,
    "auth.account": SIGNED_IN,
    "auth.authenticator": SIGNED_IN,
    "auth.authenticator_remove": SIGNED_IN,
    "auth.recovery_codes": SIGNED_IN,
    "auth.sessions": SIGNED_IN,
    "auth.session_end": SIGNED_IN,
    "auth.sessions_end_others": SIGNED_IN,
    "apprentice.home": frozenset({Role.APPRENTICE}),
    "mentor.home": frozenset({Role.MENTOR}),
    "coordinator.home": COORDINATOR,
    "coordinator.users": COORDINATOR,
    "coordinator.user": COORDINATOR,
    "coordinator.user_invite": COORDINATOR,
    "coordinator.user_resend_invitation": COORDINATOR,
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
    "coordinator.vacancies": COORDINATION,
    "coordinator.vacancy_new": COORDINATION,
    "coordinator.vacancy": COORDINATION,
    "coordinator.vacancy_edit": COORDINATION,
    "coordinator.vacancy_publish": COORDINATION,
    "coordinator.applications": COORDINATION,
    "coordinator.applications_move": COORDINATION,
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
    "admin.milestone_templates": ADMIN,
    "admin.milestone_template_new": ADMIN,
    "admin.milestone_template_edit": ADMIN,
    "admin.milestone_template_delete": ADMIN,
    "coordinator.gateway": COORDINATION,
    "coordinator.english_maths": COORDINATION,
    "coordinator.epa_new": COORDINATION,
    "coordinator.outcome_new": COORDINATION,
    "coordinator.approaching_end": COORDINATION,
    "mentor.mentee": frozenset({Role.MENTOR}),
    "mentor.meeting_new": frozenset({Role.MENTOR}),
    "reports.home": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "reports.home_csv": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "reports.comparison": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "reports.comparison_csv": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "reports.trends": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "reports.trends_csv": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "reports.recruitment": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "reports.recruitment_csv": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "reports.progression": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "reports.progression_csv": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "reports.outcomes": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "reports.outcomes_csv": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "reports.equality": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "reports.equality_csv": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "reports.public_sector_return": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "reports.public_sector_return_csv": frozenset(
        {Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}
    ),
    "reports.headcount": COORDINATION,
    "reports.scaling": frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN}),
    "admin.home": ADMIN,
    "admin.users": ADMIN,
    "admin.user": ADMIN,
    "admin.user_invite": ADMIN,
    "admin.user_edit": ADMIN,
    "admin.user_deactivate": ADMIN,
    "admin.user_reactivate": ADMIN,
    "admin.user_resend_invitation": ADMIN,
    "admin.user_second_factor_reset": ADMIN,
    "admin.user_sessions_end": ADMIN,
    "admin.outbox": ADMIN,
    "admin.standards": ADMIN,
    "admin.standard": ADMIN,
    "admin.standard_new": ADMIN,
    "admin.standard_edit": ADMIN,
    "admin.ksb_new": ADMIN,
    "admin.ksb_edit": ADMIN,
    "admin.ksb_delete": ADMIN,
    "admin.providers": ADMIN,
    "admin.provider_new": ADMIN,
    "admin.provider_edit": ADMIN,
    "admin.audit_events": ADMIN,
    "admin.audit_export": ADMIN,
    "admin.subject_access_requests": ADMIN,
    "admin.subject_access_new": ADMIN,
    "admin.subject_access_bundle": ADMIN,
    "admin.erase": ADMIN,
    "coordinator.audit_events": COORDINATOR,
    "coordinator.equality_objection": COORDINATION,
    "public.equality_objection": PUBLIC,
}

# The page each role lands on after signing in, in order of precedence.
HOMES: tuple[tuple[Role, str], ...] = (
    (Role.ADMIN, "admin.home"),
    (Role.COORDINATOR, "coordinator.home"),
    (Role.BOROUGH_LEAD, "reports.home"),
    (Role.MENTOR, "mentor.home"),
    (Role.APPRENTICE, "apprentice.home"),
)


def home_endpoint(user: User) -> str:
    for role, endpoint in HOMES:
        if role in user.roles:
            return endpoint
    return "public.start"


def is_allowed(user: User | None, endpoint: str) -> bool:
    """Whether the policy lets this user (None when signed out) reach the endpoint."""
    rule = POLICY.get(endpoint)
    if rule is None:
        return False
    if rule is PUBLIC:
        return True
    if rule is SECOND_FACTOR:
        return False  # decided by enforce_access_policy, which sees the session
    if user is None:
        return False
    if rule is SIGNED_IN:
        return True
    return not user.roles.isdisjoint(rule)


def enforce_access_policy() -> ResponseReturnValue | None:
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no route matched: Flask answers 404 or 405
    if endpoint not in POLICY:
        log.error("Endpoint %s is missing from the access policy; refusing", endpoint)
        abort(403)
    user = current_user if current_user.is_authenticated else None
    if POLICY[endpoint] is SECOND_FACTOR:
        if user is not None:
            return redirect(url_for(home_endpoint(user)))
        if PENDING_SIGN_IN not in session:
            return redirect(url_for("auth.sign_in"))
        return None
    if is_allowed(user, endpoint):
        return None
    if user is None:
        arguments = {"next": request.full_path.rstrip("?")}
        if getattr(session, "expired", False):
            arguments["timed_out"] = "1"
        return redirect(url_for("auth.sign_in", **arguments))
    first_id = next((v for v in (request.view_args or {}).values() if isinstance(v, int)), None)
    audit.record_security_event(
        AuditAction.ACCESS_REFUSED,
        actor=user,
        target=audit.Target(type=endpoint[:40], id=first_id),
    )
    abort(403)


def init_app(app: Flask) -> None:
    app.before_request(enforce_access_policy)


# Scoped queries. Each returns a select() of only what the user may see.


def borough_scope(user: User) -> frozenset[int] | None:
    """The boroughs whose records a coordinator or lead works on; None means every borough."""
    if Role.ADMIN in user.roles or user.is_programme_wide:
        return None
    return frozenset({user.borough_id})


def users_visible_to(user: User) -> Select[tuple[User]]:
    statement = select(User).options(selectinload(User.role_rows))
    scope = borough_scope(user)
    if scope is not None:
        statement = statement.where(User.borough_id.in_(scope))
    return statement


def current_placement_condition(on: date) -> ColumnElement[bool]:
    """Placements under way on a date (an open end means still going)."""
    return and_(
        Placement.start_date <= on, or_(Placement.end_date.is_(None), Placement.end_date >= on)
    )


def apprentices_visible_to(user: User) -> Select[tuple[Apprentice]]:
    """Apprentices the user may read, by every route DESIGN.md's scoping table gives:
    coordinators their employing borough's, and those placed with their borough now; mentors
    their current mentees; an apprentice themselves; admins and programme-wide coordinators all.
    """
    statement = select(Apprentice)
    if Role.ADMIN in user.roles or (Role.COORDINATOR in user.roles and user.is_programme_wide):
        return statement
    routes = []
    if Role.COORDINATOR in user.roles:
        routes.append(Apprentice.employing_borough_id == user.borough_id)
        routes.append(
            Apprentice.id.in_(
                select(Placement.apprentice_id).where(
                    Placement.host_borough_id == user.borough_id,
                    current_placement_condition(today()),
                )
            )
        )
    if Role.MENTOR in user.roles:
        routes.append(
            Apprentice.id.in_(
                select(MentorAssignment.apprentice_id).where(
                    MentorAssignment.mentor_user_id == user.id, MentorAssignment.end_date.is_(None)
                )
            )
        )
    if Role.APPRENTICE in user.roles:
        routes.append(Apprentice.user_id == user.id)
    return statement.where(or_(*routes)) if routes else statement.where(False)


def may_change_apprentice(user: User, apprentice: Apprentice) -> bool:
    """Changes belong to the employing borough's coordinators (and admins); a host borough and a
    mentor may only read."""
    if Role.ADMIN in user.roles:
        return True
    if Role.COORDINATOR not in user.roles:
        return False
    scope = borough_scope(user)
    return scope is None or apprentice.employing_borough_id in scope


def cohorts_visible_to(user: User) -> Select[tuple[Cohort]]:
    """Cohorts led by the user's borough or with apprentices employed by it."""
    statement = select(Cohort)
    scope = borough_scope(user)
    if scope is None:
        return statement
    return statement.where(
        or_(
            Cohort.lead_borough_id.in_(scope),
            Cohort.id.in_(
                select(Apprentice.cohort_id).where(Apprentice.employing_borough_id.in_(scope))
            ),
        )
    )


def may_change_cohort(user: User, cohort: Cohort) -> bool:
    scope = borough_scope(user)
    return scope is None or cohort.lead_borough_id in scope


def vacancies_visible_to(user: User) -> Select[tuple[Vacancy]]:
    """Vacancies of the user's borough (every borough for admins and programme-wide)."""
    statement = select(Vacancy)
    scope = borough_scope(user)
    return statement if scope is None else statement.where(Vacancy.employing_borough_id.in_(scope))


def applications_visible_to(user: User) -> Select[tuple[Application]]:
    """Applications to the vacancies the user may see."""
    statement = select(Application)
    scope = borough_scope(user)
    if scope is None:
        return statement
    return statement.where(
        Application.vacancy_id.in_(
            select(Vacancy.id).where(Vacancy.employing_borough_id.in_(scope))
        )
    )
