"""`flask seed scale`: London-scale data for measuring the service, across all 33 boroughs
over five years, generated from a fixed random seed so every run gives the same records.

Rows are written with Core `insert()` in chunks (executemany), never one ORM object at a time,
and carry ids chosen here so children can point at parents without reading ids back. Stored
progress summaries are then computed by app.domain.progress, in chunks, so they are exactly
what the service itself would store.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from app.clock import today as clock_today
from app.dialect import is_postgresql
from app.domain import report_facts
from app.domain.applications import (
    ETHNIC_GROUPS,
    GENDERS,
    REFERENCE_ALPHABET,
    YES_NO_PREFER_NOT,
)
from app.domain.apprenticeship_rules import add_months
from app.domain.eligibility import age_band
from app.domain.passwords import hash_password
from app.domain.progress import Settings, compute, refresh_summaries
from app.models import (
    KSB,
    ActivityType,
    Application,
    ApplicationEvent,
    Apprentice,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    AuditAction,
    AuditEvent,
    Borough,
    Cohort,
    EntryStatus,
    EpaAttempt,
    EqualityMonitoring,
    FollowUp,
    GatewayConfirmation,
    GradeSet,
    LogEntry,
    MentorAssignment,
    MentorMeeting,
    MentorProfile,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    MilestoneTemplate,
    Outcome,
    Placement,
    ProgressReview,
    ProgressSummary,
    ReviewRating,
    Role,
    Signer,
    Stage,
    Standard,
    TrainingProvider,
    User,
    UserRole,
    Vacancy,
    WithdrawalReason,
    log_entry_ksb,
)

DOMAIN = "scale.example.org"
CHUNK = 2000  # rows per executemany; small enough for SQLite's bound-value limit per row
BATCH = 1000  # apprentices generated (with all their records) before writing


@dataclass(frozen=True)
class Tier:
    apprentices: int
    applications_per_apprentice: float  # ≈ 8 applicants per start
    log_entries_per_week: float  # while in learning
    audit_events_per_apprentice: int


TIERS = {
    "tiny": Tier(60, 7.8, 0.5, 5),
    "realistic": Tier(11_500, 7.8, 1.35, 20),
    "stress": Tier(180_000, 7.8, 0.6, 20),
}
YEARS = 5
COHORT_SIZE = 14
APPRENTICES_PER_MENTOR = 7
STAFF_PER_BOROUGH = {Role.COORDINATOR: 3, Role.BOROUGH_LEAD: 2}
MILESTONES_PER_APPRENTICE_TARGET = 12


class ScaleRefused(Exception):
    pass


def benchmark_email(role: Role, borough_index: int = 0, n: int = 1) -> str:
    """The seeded account for a role in the n-th borough (by name), e.g. the benchmark's."""
    return f"{role.value.replace('_', '-')}.{borough_index}.{n}@{DOMAIN}"


ADMIN_EMAIL = f"admin@{DOMAIN}"
CENTRAL_EMAIL = f"central@{DOMAIN}"

FIRST_NAMES = (
    "Amara Ben Chloe Dev Efe Fatima George Hana Idris Jade Kofi Leah Malik Nia Omar Priya "
    "Qasim Rosa Sami Tara Umar Vera Wei Xena Yusuf Zara Aisha Liam Mei Noah"
).split()
LAST_NAMES = (
    "Adeyemi Begum Clarke Da Silva Evans Farah Green Hussain Ibrahim Jones Khan Lewis "
    "Mensah Nowak O'Brien Patel Quinn Rahman Smith Taylor Uddin Vasquez Williams Yilmaz Zhou"
).split()
TEAMS = ("Digital services", "Data and insight", "Cloud platform", "Service desk", "Web team")
STANDARDS = (
    # reference, title, level, months, funding, grade set, KSBs
    ("ST0116", "Software developer", 4, 24, 18_000, GradeSet.PASS_DISTINCTION, 24),
    ("ST0128", "Software development technician", 3, 18, 15_000, GradeSet.PASS_DISTINCTION, 18),
    ("ST0118", "Data analyst", 4, 24, 15_000, GradeSet.PASS_DISTINCTION, 22),
    ("ST0119", "Network engineer", 4, 24, 17_000, GradeSet.PASS_DISTINCTION, 20),
    ("ST0122", "Information communications technician", 3, 18, 15_000, GradeSet.PASS_FAIL, 16),
    ("ST0787", "Digital support technician", 3, 15, 13_000, GradeSet.PASS_MERIT_DISTINCTION, 14),
    ("ST0763", "Cyber security technician", 3, 18, 15_000, GradeSet.PASS_DISTINCTION, 15),
    ("ST0482", "Business analyst", 4, 18, 18_000, GradeSet.PASS_MERIT_DISTINCTION, 20),
)
ACTIVITIES = [activity.value for activity in ActivityType]
PROVIDERS = 20  # the last five also assess end-point assessments
# name, kind, weeks after the start (None: from the standard's length), signer
TEMPLATES = (
    ("Induction", MilestoneKind.INDUCTION, 2, Signer.COORDINATOR),
    ("Functional skills English", MilestoneKind.FUNCTIONAL_SKILLS_ENGLISH, 26, Signer.COORDINATOR),
    ("Functional skills maths", MilestoneKind.FUNCTIONAL_SKILLS_MATHS, 30, Signer.COORDINATOR),
    *(
        (f"Portfolio checkpoint {n}", MilestoneKind.PORTFOLIO, 10 * n, Signer.MENTOR)
        for n in range(1, 8)
    ),
    ("Gateway", MilestoneKind.GATEWAY, None, Signer.COORDINATOR),
    ("End-point assessment", MilestoneKind.END_POINT_ASSESSMENT, None, Signer.COORDINATOR),
)


def _moment(day: date, rng: random.Random) -> datetime:
    """A working-hours time on the day, as an aware UTC datetime."""
    return datetime.combine(day, clock_time(8 + rng.randrange(9), rng.randrange(60)), UTC)


class _Writer:
    """Buffers rows per table and writes them in executemany chunks, keeping counts."""

    def __init__(self, session: Session, echo: Callable[[str], None]) -> None:
        self.session = session
        self.echo = echo
        self.buffers: dict[Table, list[dict]] = {}
        self.counts: dict[str, int] = {}
        self.next_ids: dict[str, int] = {}

    def new_id(self, table: Table) -> int:
        """The next id for a table: after whatever it already holds."""
        if table.name not in self.next_ids:
            highest = self.session.scalar(select(func.max(table.c.id))) or 0
            self.next_ids[table.name] = highest + 1
        value = self.next_ids[table.name]
        self.next_ids[table.name] = value + 1
        return value

    def add(self, table: Table, row: dict) -> None:
        rows = self.buffers.setdefault(table, [])
        rows.append(row)
        if len(rows) >= CHUNK:
            # Everything buffered, parents first, so foreign keys hold at every statement.
            self.flush_in_order(ORDER)

    def flush(self, table: Table | None = None) -> None:
        tables = [table] if table is not None else list(self.buffers)
        for each in tables:
            rows = self.buffers.get(each) or []
            if rows:
                self.session.execute(each.insert(), rows)
                self.counts[each.name] = self.counts.get(each.name, 0) + len(rows)
                rows.clear()

    def flush_in_order(self, tables: Sequence[Table]) -> None:
        """Parents before children, so foreign keys hold at every statement."""
        for table in tables:
            self.flush(table)

    def fix_sequences(self) -> None:
        """Explicit ids do not advance PostgreSQL's sequences: move each past its table's ids."""
        if not is_postgresql(self.session.get_bind()):
            return
        for name in self.next_ids:
            self.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
                )
            )


# The order rows are flushed in: every table after the tables it refers to.
ORDER: tuple[Table, ...] = tuple(
    model if isinstance(model, Table) else model.__table__
    for model in (
        User,
        UserRole,
        MentorProfile,
        TrainingProvider,
        Standard,
        KSB,
        MilestoneTemplate,
        Cohort,
        Vacancy,
        Apprentice,
        ApprenticeStatusEvent,
        Placement,
        MentorAssignment,
        MentorMeeting,
        Milestone,
        LogEntry,
        log_entry_ksb,
        ProgressReview,
        GatewayConfirmation,
        EpaAttempt,
        Outcome,
        Application,
        ApplicationEvent,
        EqualityMonitoring,
        AuditEvent,
    )
)


def _t(model: Any) -> Table:
    return model if isinstance(model, Table) else model.__table__


@dataclass
class _Standard:
    id: int
    months: int
    grade_set: GradeSet
    ksb_ids: list[int]


@dataclass
class _Cohort:
    id: int
    borough_id: int
    standard: _Standard
    provider_id: int
    start: date
    size: int


class ScaleSeeder:
    def __init__(
        self,
        session: Session,
        tier: Tier,
        seed: int,
        password: str,
        echo: Callable[[str], None] = lambda _: None,
        on: date | None = None,
    ) -> None:
        self.session = session
        self.tier = tier
        self.rng = random.Random(seed)
        self.password = password
        self.echo = echo
        self.today = on or clock_today()
        self.w = _Writer(session, echo)

    # -- reference data -------------------------------------------------------------------

    def _people(self) -> None:
        self.boroughs = list(
            self.session.execute(select(Borough.id, Borough.name).order_by(Borough.name))
        )
        if len(self.boroughs) != 33:
            raise ScaleRefused("The 33 boroughs must be loaded first (run the migrations).")
        self.password_hash = hash_password(self.password)
        self.staff: dict[int, list[int]] = {}
        for index, (borough_id, _name) in enumerate(self.boroughs):
            for role, count in STAFF_PER_BOROUGH.items():
                for n in range(1, count + 1):
                    user_id = self._user(benchmark_email(role, index, n), borough_id, [role])
                    if role is Role.COORDINATOR:
                        self.staff.setdefault(borough_id, []).append(user_id)
        first = self.boroughs[0][0]
        self._user(ADMIN_EMAIL, first, [Role.ADMIN])
        self._user(CENTRAL_EMAIL, first, [Role.COORDINATOR], programme_wide=True)

    def _user(
        self,
        email: str,
        borough_id: int,
        roles: Iterable[Role],
        *,
        programme_wide: bool = False,
        name: str | None = None,
    ) -> int:
        user_id = self.w.new_id(_t(User))
        self.w.add(
            _t(User),
            {
                "id": user_id,
                "email": email,
                "name": name or self._name(),
                "borough_id": borough_id,
                "is_programme_wide": programme_wide,
                "is_active": True,
                "password_hash": self.password_hash,
            },
        )
        for role in roles:
            self.w.add(_t(UserRole), {"user_id": user_id, "role": role.value})
        return user_id

    def _name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def _catalogue(self) -> None:
        self.providers = []
        for n in range(PROVIDERS):
            provider_id = self.w.new_id(_t(TrainingProvider))
            assesses = n >= PROVIDERS - 5
            self.w.add(
                _t(TrainingProvider),
                {
                    "id": provider_id,
                    "name": f"Scale training provider {n + 1}",
                    "ukprn": f"{19_000_000 + n}",
                    "delivers_training": not assesses,
                    "assesses_epa": assesses,
                },
            )
            self.providers.append((provider_id, assesses))
        self.trainers = [p for p, assesses in self.providers if not assesses]
        self.assessors = [p for p, assesses in self.providers if assesses]
        self.standards = []
        for reference, title, level, months, funding, grades, ksbs in STANDARDS:
            standard_id = self.w.new_id(_t(Standard))
            self.w.add(
                _t(Standard),
                {
                    "id": standard_id,
                    "reference": reference,
                    "version": "9.9",  # apart from the demo's versions, which may be loaded
                    "title": title,
                    "level": level,
                    "typical_duration_months": months,
                    "funding_band_max": funding,
                    "min_otj_hours": None,
                    "grade_set": grades.value,
                },
            )
            ksb_ids = []
            for n in range(ksbs):
                kind = "KSB"[n % 3]
                number = n // 3 + 1
                ksb_id = self.w.new_id(_t(KSB))
                self.w.add(
                    _t(KSB),
                    {
                        "id": ksb_id,
                        "standard_id": standard_id,
                        "code": f"{kind}{number}",
                        "sort_key": "KSB".index(kind) * 1000 + number,
                        "text": f"{title}: {kind}{number}",
                    },
                )
                ksb_ids.append(ksb_id)
            self.standards.append(_Standard(standard_id, months, grades, ksb_ids))
        self.templates = []
        for name, kind, weeks, signer in TEMPLATES:
            template_id = self.w.new_id(_t(MilestoneTemplate))
            self.w.add(
                _t(MilestoneTemplate),
                {
                    "id": template_id,
                    "standard_id": None,
                    "name": f"{name} (scale)",
                    "kind": kind.value,
                    "due_offset_weeks": weeks if weeks is not None else 52,
                    "signer": signer.value,
                    "required_for_gateway": kind
                    not in (MilestoneKind.GATEWAY, MilestoneKind.END_POINT_ASSESSMENT),
                },
            )
            self.templates.append((template_id, name, kind, weeks, signer))

    def _cohorts(self) -> None:
        """Cohorts of about 14 in every borough, starting through five years (and a little
        ahead, so some apprentices wait to start)."""
        first_day = self.today - timedelta(days=365 * YEARS)
        span = (self.today + timedelta(days=60) - first_day).days
        count = max(len(self.boroughs), round(self.tier.apprentices / COHORT_SIZE))
        self.cohorts: list[_Cohort] = []
        remaining = self.tier.apprentices
        for n in range(count):
            borough_id = self.boroughs[n % len(self.boroughs)][0]
            left = count - n
            size = max(1, min(remaining - (left - 1), round(remaining / left)))
            remaining -= size
            start = first_day + timedelta(days=self.rng.randrange(span))
            standard = self.rng.choice(self.standards)
            cohort = _Cohort(
                self.w.new_id(_t(Cohort)),
                borough_id,
                standard,
                self.rng.choice(self.trainers),
                start,
                size,
            )
            self.w.add(
                _t(Cohort),
                {
                    "id": cohort.id,
                    "name": f"Cohort {n + 1} ({start:%B %Y})",
                    "standard_id": standard.id,
                    "training_provider_id": cohort.provider_id,
                    "lead_borough_id": borough_id,
                    "start_date": start,
                    "planned_end_date": add_months(start, standard.months + 3),
                    "capacity": size + 2,
                },
            )
            self.cohorts.append(cohort)
        self.cohorts.sort(key=lambda c: (c.start, c.id))
        # Mentors: one for about every seven apprentices, in each borough.
        self.mentors: dict[int, list[int]] = {}
        per_borough = max(1, round(self.tier.apprentices / APPRENTICES_PER_MENTOR / 33))
        for index, (borough_id, _name) in enumerate(self.boroughs):
            for n in range(1, per_borough + 1):
                user_id = self._user(
                    benchmark_email(Role.MENTOR, index, n), borough_id, [Role.MENTOR]
                )
                self.mentors.setdefault(borough_id, []).append(user_id)
        self.mentees: dict[int, int] = {}

    # -- apprentices and everything about them ---------------------------------------------

    def _apprentices(self) -> None:
        total = self.tier.apprentices
        done = 0
        started = time.perf_counter()
        for cohort in self.cohorts:
            vacancy_id = self._vacancy(cohort)
            for _ in range(cohort.size):
                apprentice_id = self._apprentice(cohort)
                self._applications(cohort, vacancy_id, apprentice_id)
                done += 1
                if done % BATCH == 0:
                    self.w.flush_in_order(ORDER)
                    rate = done / (time.perf_counter() - started)
                    self.echo(f"  {done:,} of {total:,} apprentices ({rate:,.0f} a second)")
            # Unsuccessful applicants beyond the hires, ≈ 8 applicants per start in all.
            extra = round(cohort.size * (self.tier.applications_per_apprentice - 1))
            for _ in range(extra):
                self._application(cohort, vacancy_id, None)
        self.w.flush_in_order(ORDER)

    def _vacancy(self, cohort: _Cohort) -> int:
        vacancy_id = self.w.new_id(_t(Vacancy))
        closing = cohort.start - timedelta(days=30)
        self.w.add(
            _t(Vacancy),
            {
                "id": vacancy_id,
                "cohort_id": cohort.id,
                "employing_borough_id": cohort.borough_id,
                "standard_id": cohort.standard.id,
                "title": "Digital apprentice",
                "description": "Join the council's digital team as an apprentice.",
                "positions": cohort.size,
                "hourly_pay": Decimal("12.60"),
                "closing_date": closing,
                "status": "published",
                "published_at": _moment(closing - timedelta(days=42), self.rng),
                "residence_rule": "own",
                "educated_route": True,
                "care_leaver_route": True,
                "minimum_age": 16,
            },
        )
        return vacancy_id

    def _apprentice(self, cohort: _Cohort) -> int:
        rng = self.rng
        start = cohort.start
        practical_end = add_months(start, cohort.standard.months)
        planned_end = add_months(practical_end, 3)
        borough_id = cohort.borough_id
        dob = start - timedelta(days=365 * rng.choice((16, 17, 18, 19, 21, 24, 30)))
        dob -= timedelta(days=rng.randrange(365))
        apprentice_id = self.w.new_id(_t(Apprentice))
        user_id = self._user(f"apprentice.{apprentice_id}@{DOMAIN}", borough_id, [Role.APPRENTICE])
        status, withdrawn_on, reason, completed_on, grade = self._fate(
            start, practical_end, planned_end, cohort.standard
        )
        early = withdrawn_on is not None and reason is not None and (withdrawn_on - start).days < 42
        on_break = status == ApprenticeStatus.ON_BREAK
        self.w.add(
            _t(Apprentice),
            {
                "id": apprentice_id,
                "user_id": user_id,
                "cohort_id": cohort.id,
                "standard_id": cohort.standard.id,
                "training_provider_id": cohort.provider_id,
                "employing_borough_id": borough_id,
                "residence_borough_id": borough_id if rng.random() < 0.8 else None,
                "uln": f"{1_000_000_000 + apprentice_id * 7:010d}"[-10:],
                "date_of_birth": dob,
                "start_date": start,
                "practical_period_end": practical_end,
                "planned_end_date": planned_end,
                "contracted_hours": Decimal(rng.choice(("37.0", "36.0", "35.0", "30.0"))),
                "status": status.value,
                "qualifying_period_start": start,
                "expected_return_date": self.today + timedelta(days=30) if on_break else None,
                "withdrawn_on": withdrawn_on,
                "withdrawal_reason": reason,
                "left_in_qualifying_period": early,
                "completed_on": completed_on,
                "completion_grade": grade,
                "english_maths_opted_in": rng.random() < 0.5 if dob < start else None,
            },
        )
        ended = completed_on or withdrawn_on
        self._status_events(apprentice_id, status, start, ended)
        if status != ApprenticeStatus.WAITING_TO_START:
            learning_end = min(ended or self.today, self.today)
            self._placements(apprentice_id, borough_id, start, ended)
            mentor = self._mentoring(apprentice_id, borough_id, start, ended, learning_end)
            self._milestones(apprentice_id, cohort, start, planned_end, mentor)
            self._log(apprentice_id, cohort, start, learning_end, mentor)
            self._reviews(apprentice_id, start, learning_end, mentor)
            self._completion(apprentice_id, status, reason, completed_on, withdrawn_on, grade)
            self._audit(apprentice_id, user_id, borough_id, start, learning_end)
        return apprentice_id

    def _fate(
        self, start: date, practical_end: date, planned_end: date, standard: _Standard
    ) -> tuple[ApprenticeStatus, date | None, str | None, date | None, str | None]:
        rng = self.rng
        if start > self.today:
            return ApprenticeStatus.WAITING_TO_START, None, None, None, None
        if rng.random() < 0.14:
            # A leaver: within the qualifying period now and then, otherwise part way through.
            latest = min(planned_end, self.today)
            days = (latest - start).days
            left = start + timedelta(days=rng.randrange(max(days, 1)))
            epa_failed = planned_end <= self.today and rng.random() < 0.15
            if epa_failed:
                left = planned_end
            reasons = [r for r in WithdrawalReason if r is not WithdrawalReason.EPA_NOT_ACHIEVED]
            reason = WithdrawalReason.EPA_NOT_ACHIEVED if epa_failed else rng.choice(reasons)
            return ApprenticeStatus.WITHDRAWN, left, reason.value, None, None
        finish = planned_end + timedelta(days=rng.randrange(-20, 40))
        if finish <= self.today and finish > practical_end:
            grade = rng.choice(standard.grade_set.grades[1:])
            return ApprenticeStatus.COMPLETED, None, None, finish, grade
        if rng.random() < 0.04:
            return ApprenticeStatus.ON_BREAK, None, None, None, None
        return ApprenticeStatus.ACTIVE, None, None, None, None

    def _status_events(
        self, apprentice_id: int, status: ApprenticeStatus, start: date, ended: date | None
    ) -> None:
        table = _t(ApprenticeStatusEvent)
        waiting = ApprenticeStatus.WAITING_TO_START.value
        moves: list[tuple[str | None, str, date, str | None]] = [
            (None, waiting, start - timedelta(days=30), None)
        ]
        if status != ApprenticeStatus.WAITING_TO_START:
            moves.append((waiting, ApprenticeStatus.ACTIVE.value, start, None))
        if status == ApprenticeStatus.ON_BREAK:
            paused = max(start, self.today - timedelta(days=self.rng.randrange(10, 60)))
            moves.append(
                (ApprenticeStatus.ACTIVE.value, ApprenticeStatus.ON_BREAK.value, paused, "health")
            )
        elif status in (ApprenticeStatus.WITHDRAWN, ApprenticeStatus.COMPLETED) and ended:
            moves.append((ApprenticeStatus.ACTIVE.value, status.value, ended, None))
        for from_status, to_status, on, reason in moves:
            self.w.add(
                table,
                {
                    "id": self.w.new_id(table),
                    "apprentice_id": apprentice_id,
                    "from_status": from_status,
                    "to_status": to_status,
                    "effective_on": on,
                    "actor_user_id": None,
                    "reason": reason,
                    "note": None,
                },
            )

    def _placements(
        self, apprentice_id: int, borough_id: int, start: date, ended: date | None
    ) -> None:
        table = _t(Placement)
        rotate_on = add_months(start, 6)
        rotates = self.rng.random() < 0.3 and rotate_on < (ended or self.today)
        spans = [(borough_id, start, rotate_on - timedelta(days=1) if rotates else ended)]
        if rotates:
            host = self.rng.choice(self.boroughs)[0]
            spans.append((host, rotate_on, ended))
        for host, begins, ends in spans:
            self.w.add(
                table,
                {
                    "id": self.w.new_id(table),
                    "apprentice_id": apprentice_id,
                    "host_borough_id": host,
                    "team": self.rng.choice(TEAMS),
                    "line_manager_name": self._name(),
                    "line_manager_email": f"manager.{host}@{DOMAIN}",
                    "start_date": begins,
                    "end_date": ends,
                },
            )

    def _mentoring(
        self, apprentice_id: int, borough_id: int, start: date, ended: date | None, until: date
    ) -> int:
        mentors = self.mentors[borough_id]
        mentor = mentors[apprentice_id % len(mentors)]
        if ended is None:
            self.mentees[mentor] = self.mentees.get(mentor, 0) + 1
        table = _t(MentorAssignment)
        self.w.add(
            table,
            {
                "id": self.w.new_id(table),
                "apprentice_id": apprentice_id,
                "mentor_user_id": mentor,
                "start_date": start,
                "end_date": ended,
            },
        )
        meetings = _t(MentorMeeting)
        day = start + timedelta(days=14)
        while day <= until:
            self.w.add(
                meetings,
                {
                    "id": self.w.new_id(meetings),
                    "apprentice_id": apprentice_id,
                    "mentor_user_id": mentor,
                    "met_on": day,
                    "duration_minutes": self.rng.choice((30, 45, 60)),
                    "notes": "Talked through the month's work and the next steps.",
                },
            )
            day += timedelta(days=56)
        return mentor

    def _milestones(
        self, apprentice_id: int, cohort: _Cohort, start: date, planned_end: date, mentor: int
    ) -> None:
        table = _t(Milestone)
        rng = self.rng
        coordinator = self.staff[cohort.borough_id][0]
        gateway = add_months(start, cohort.standard.months)
        for template_id, name, kind, weeks, signer in self.templates:
            if weeks is None:
                due = gateway if kind is MilestoneKind.GATEWAY else planned_end
            else:
                due = start + timedelta(weeks=weeks)
                if due >= gateway:
                    continue
            status = MilestoneStatus.NOT_STARTED
            if due < self.today:
                roll = rng.random()
                status = (
                    MilestoneStatus.SIGNED_OFF
                    if roll < 0.9
                    else MilestoneStatus.SUBMITTED
                    if roll < 0.95
                    else MilestoneStatus.NOT_STARTED
                )
            elif due < self.today + timedelta(days=21) and rng.random() < 0.3:
                status = MilestoneStatus.SUBMITTED
            submitted = (
                _moment(min(due, self.today), rng)
                if status != MilestoneStatus.NOT_STARTED
                else None
            )
            decided = status == MilestoneStatus.SIGNED_OFF
            self.w.add(
                table,
                {
                    "id": self.w.new_id(table),
                    "apprentice_id": apprentice_id,
                    "template_id": template_id,
                    "title": name,
                    "kind": kind.value,
                    "signer": signer.value,
                    "required_for_gateway": kind
                    not in (MilestoneKind.GATEWAY, MilestoneKind.END_POINT_ASSESSMENT),
                    "due_date": due,
                    "status": status.value,
                    "evidence_text": "Evidence in the portfolio." if submitted else None,
                    "evidence_links": [],
                    "submitted_at": submitted,
                    "decided_at": submitted if decided else None,
                    "decided_by_id": (mentor if signer is Signer.MENTOR else coordinator)
                    if decided
                    else None,
                    "comment": None,
                },
            )

    def _log(
        self, apprentice_id: int, cohort: _Cohort, start: date, until: date, mentor: int
    ) -> None:
        """Off-the-job log entries, about weekly while in learning: approved, except the last
        few weeks' (waiting) and now and then one returned."""
        rng = self.rng
        whole, part = divmod(self.tier.log_entries_per_week, 1)
        for week in range(max(0, (until - start).days // 7)):
            for _ in range(int(whole) + (rng.random() < part)):
                day = start + timedelta(days=week * 7 + rng.randrange(5))
                self._entry(apprentice_id, cohort, day, mentor)

    def _entry(self, apprentice_id: int, cohort: _Cohort, day: date, mentor: int) -> None:
        rng = self.rng
        table = _t(LogEntry)
        submitted = _moment(day + timedelta(days=1), rng)
        waiting = day >= self.today - timedelta(days=21)
        returned = not waiting and rng.random() < 0.02
        status = (
            EntryStatus.SUBMITTED
            if waiting
            else EntryStatus.RETURNED
            if returned
            else EntryStatus.APPROVED
        )
        entry_id = self.w.new_id(table)
        self.w.add(
            table,
            {
                "id": entry_id,
                "apprentice_id": apprentice_id,
                "entry_date": day,
                "hours": Decimal(rng.choice(("3.0", "4.0", "6.0", "7.0", "7.5"))),
                "activity_type": rng.choice(ACTIVITIES),
                "description": "Training day with the provider and practice on the job.",
                "status": status.value,
                "submitted_at": submitted,
                "decided_at": None if waiting else submitted + timedelta(days=2),
                "decided_by_id": None if waiting else mentor,
                "comment": "Please add what you learned." if returned else None,
            },
        )
        ksbs = cohort.standard.ksb_ids
        if ksbs and rng.random() < 0.4:
            self.w.add(log_entry_ksb, {"log_entry_id": entry_id, "ksb_id": rng.choice(ksbs)})

    def _reviews(self, apprentice_id: int, start: date, until: date, mentor: int) -> None:
        table = _t(ProgressReview)
        day = start + timedelta(weeks=12)
        ratings = [r.value for r in ReviewRating]
        while day <= until:
            self.w.add(
                table,
                {
                    "id": self.w.new_id(table),
                    "apprentice_id": apprentice_id,
                    "review_date": day,
                    "attendees": "Apprentice, line manager, training provider",
                    "rating": self.rng.choices(ratings, weights=(8, 2, 1))[0],
                    "notes": "Progress discussed against the plan.",
                    "actions": "Keep the log up to date.",
                    "next_review_date": day + timedelta(weeks=12),
                    "recorded_by_id": mentor,
                },
            )
            day += timedelta(weeks=12)

    def _completion(
        self,
        apprentice_id: int,
        status: ApprenticeStatus,
        reason: str | None,
        completed_on: date | None,
        withdrawn_on: date | None,
        grade: str | None,
    ) -> None:
        rng = self.rng
        epa_failed = reason == WithdrawalReason.EPA_NOT_ACHIEVED.value
        if completed_on or epa_failed:
            assessed = completed_on or withdrawn_on
            assert assessed is not None
            self.w.add(
                _t(GatewayConfirmation),
                {
                    "id": self.w.new_id(_t(GatewayConfirmation)),
                    "apprentice_id": apprentice_id,
                    "confirmed_on": assessed - timedelta(days=60),
                    "confirmed_by_id": None,
                    "checklist": [{"item": "Portfolio complete", "met": True, "evidence": ""}],
                    "exception_reason": None,
                },
            )
            self.w.add(
                _t(EpaAttempt),
                {
                    "id": self.w.new_id(_t(EpaAttempt)),
                    "apprentice_id": apprentice_id,
                    "assessed_on": assessed,
                    "organisation_id": rng.choice(self.assessors),
                    "grade": "fail" if epa_failed else grade,
                    "next_attempt_on": None,
                    "recorded_by_id": None,
                    "note": None,
                },
            )
        leaver = status == ApprenticeStatus.COMPLETED or (
            status == ApprenticeStatus.WITHDRAWN
            and withdrawn_on is not None
            and (withdrawn_on - self.today).days <= 0
        )
        ended = completed_on or withdrawn_on
        if not leaver or ended is None:
            return
        destinations = ["same_council", "other_public_sector", "private_sector"]
        destinations += ["further_learning", "not_in_work", "unknown"]
        for follow_up, months in (
            (FollowUp.END, 0),
            (FollowUp.SIX_MONTHS, 6),
            (FollowUp.TWELVE_MONTHS, 12),
        ):
            recorded = add_months(ended, months)
            if recorded > self.today or (months and rng.random() < 0.25):
                break
            self.w.add(
                _t(Outcome),
                {
                    "id": self.w.new_id(_t(Outcome)),
                    "apprentice_id": apprentice_id,
                    "follow_up": follow_up.value,
                    "destination": rng.choices(destinations, weights=(6, 2, 2, 1, 1, 1))[0],
                    "recorded_on": recorded,
                    "recorded_by_id": None,
                    "note": None,
                },
            )

    def _audit(
        self, apprentice_id: int, user_id: int, borough_id: int, start: date, until: date
    ) -> None:
        table = _t(AuditEvent)
        days = max(1, (until - start).days)
        coordinator = self.staff[borough_id][0]
        for n in range(self.tier.audit_events_per_apprentice):
            day = start + timedelta(days=self.rng.randrange(days))
            signs_in = n % 2 == 0
            self.w.add(
                table,
                {
                    "id": self.w.new_id(table),
                    "occurred_at": _moment(day, self.rng),
                    "actor_user_id": user_id if signs_in else coordinator,
                    "actor_roles": "apprentice" if signs_in else "coordinator",
                    "actor_borough_id": borough_id,
                    "action": AuditAction.SIGN_IN.value
                    if signs_in
                    else AuditAction.VIEWED_RECORD.value,
                    "target_type": "user" if signs_in else "apprentice",
                    "target_id": user_id if signs_in else apprentice_id,
                    "fields_changed": None,
                    "ip_address": "10.0.0.1",
                    "request_id": None,
                },
            )

    # -- recruitment -------------------------------------------------------------------------

    def _applications(self, cohort: _Cohort, vacancy_id: int, apprentice_id: int) -> None:
        self._application(cohort, vacancy_id, apprentice_id)

    @staticmethod
    def _reference(application_id: int) -> str:
        """Unique without remembering the ones given: the id times a number prime to 31^10,
        modulo 31^10, written in the reference alphabet's 31 characters."""
        base = len(REFERENCE_ALPHABET)
        value = (application_id * 1_000_000_007) % base**10
        characters = []
        for _ in range(10):
            value, digit = divmod(value, base)
            characters.append(REFERENCE_ALPHABET[digit])
        return "".join(characters)

    def _application(self, cohort: _Cohort, vacancy_id: int, apprentice_id: int | None) -> None:
        rng = self.rng
        table = _t(Application)
        application_id = self.w.new_id(table)
        applied = min(cohort.start - timedelta(days=rng.randrange(45, 90)), self.today)
        submitted = _moment(applied - timedelta(days=1), rng)
        # Moves a week apart, or closer for a recent application: never in the future.
        gap = min(timedelta(days=7), (self.today - submitted.date()) / 5)
        dob = cohort.start - timedelta(days=365 * rng.choice((16, 17, 18, 20, 23, 27)) + 30)
        if apprentice_id is not None:
            stage = Stage.HIRED
        elif cohort.start > self.today + timedelta(days=30):
            stage = rng.choice((Stage.SUBMITTED, Stage.SCREENING, Stage.ASSESSMENT))
        else:
            stage = rng.choices(
                (Stage.REJECTED, Stage.WITHDRAWN, Stage.OFFERED), weights=(12, 3, 0.2)
            )[0]
        eligible = apprentice_id is not None or rng.random() < 0.85
        self.w.add(
            table,
            {
                "id": application_id,
                "vacancy_id": vacancy_id,
                "reference": self._reference(application_id),
                "stage": stage.value,
                "rejection_reason": "Not shortlisted" if stage is Stage.REJECTED else None,
                "submitted_at": submitted,
                "source": "online",
                "name": self._name(),
                "email": f"applicant.{application_id}@{DOMAIN}",
                "phone": "07700 900000",
                "date_of_birth": dob,
                "postcode": "E8 1DY",
                "supporting_statement": "I would like to build a career in digital services.",
                "residence_borough_id": cohort.borough_id if eligible else None,
                "educated_in_borough": rng.random() < 0.5,
                "care_leaver": rng.random() < 0.03,
                "right_to_work": True,
                "full_time_education": False,
                "guaranteed_interview": "no",
                "eligible": eligible,
                "eligibility_reasons": [] if eligible else ["Lives outside the borough"],
                "is_local": eligible,
                "age_band": age_band(dob, cohort.start),
                "right_to_work_checked_on": cohort.start - timedelta(days=20)
                if apprentice_id
                else None,
                "apprentice_id": apprentice_id,
            },
        )
        path = [Stage.SUBMITTED]
        if stage is Stage.HIRED:
            path += [Stage.SCREENING, Stage.ASSESSMENT, Stage.OFFERED, Stage.HIRED]
        elif stage is not Stage.SUBMITTED:
            path.append(stage)
        events = _t(ApplicationEvent)
        previous: str | None = None
        for step, to_stage in enumerate(path):
            self.w.add(
                events,
                {
                    "id": self.w.new_id(events),
                    "application_id": application_id,
                    "from_stage": previous,
                    "to_stage": to_stage.value,
                    "actor_user_id": None,
                    "occurred_at": submitted + gap * step,
                    "note": None,
                },
            )
            previous = to_stage.value
        if rng.random() < 0.7:
            ethnic = [value for _group, choices in ETHNIC_GROUPS for value, _ in choices]
            self.w.add(
                _t(EqualityMonitoring),
                {
                    "id": self.w.new_id(_t(EqualityMonitoring)),
                    "application_id": application_id,
                    "gender": rng.choice(GENDERS)[0],
                    "ethnic_group": rng.choice(ethnic),
                    "disability": rng.choice(YES_NO_PREFER_NOT)[0],
                    "age_band": None,
                    "care_experience": rng.choice(YES_NO_PREFER_NOT)[0],
                    "objected": False,
                },
            )

    # -- finishing -------------------------------------------------------------------------

    def _mentor_profiles(self) -> None:
        for mentors in self.mentors.values():
            for mentor in mentors:
                current = self.mentees.get(mentor, 0)
                self.w.add(
                    _t(MentorProfile),
                    {
                        "user_id": mentor,
                        "capacity": max(3, current),
                        "current_mentees": current,
                    },
                )
        self.w.flush(_t(MentorProfile))

    def _summaries(self) -> None:
        ids = list(self.session.scalars(select(Apprentice.id).order_by(Apprentice.id)))
        step = 5000
        for start in range(0, len(ids), step):
            refresh_summaries(self.session, ids[start : start + step], self.today)
            self.echo(f"  {min(start + step, len(ids)):,} of {len(ids):,} summaries")

    def run(self) -> dict[str, int]:
        steps: list[tuple[str, Callable[[], None]]] = [
            ("staff, standards and providers", lambda: (self._people(), self._catalogue())),
            ("cohorts and mentors", self._cohorts),
            ("apprentices, their records and applications", self._apprentices),
            ("mentor capacity", self._mentor_profiles),
            ("progress summaries", self._summaries),
            ("report figures per borough and day", lambda: report_facts.rebuild(self.session)),
        ]
        for label, step in steps:
            began = time.perf_counter()
            self.echo(f"Seeding {label}…")
            step()
            self.w.flush_in_order(ORDER)
            self.echo(f"  done in {time.perf_counter() - began:.1f} s")
        self.w.fix_sequences()
        return dict(self.w.counts)


def has_apprentices(session: Session) -> bool:
    return session.scalar(select(Apprentice.id).limit(1)) is not None


def seed_scale(
    session: Session,
    tier: str,
    *,
    seed: int = 1,
    password: str,
    echo: Callable[[str], None] = lambda _: None,
    on: date | None = None,
) -> dict[str, int]:
    """Generate the tier's data in the caller's transaction; returns rows written per table.
    Refused on a database that already has apprentices."""
    if tier not in TIERS:
        raise ScaleRefused(f"Unknown tier {tier!r}: choose one of {', '.join(TIERS)}.")
    if has_apprentices(session):
        raise ScaleRefused("The database already has apprentices; scale data needs an empty one.")
    return ScaleSeeder(session, TIERS[tier], seed, password, echo, on).run()


def check_summaries(session: Session, sample: int = 200, seed: int = 1) -> list[int]:
    """Recompute the progress summaries of a random sample of apprentices, as of the day they
    were stored, and compare them with the stored ones; returns the ids whose stored summary
    differs or is missing (empty when consistent)."""
    on = session.scalar(select(func.max(ProgressSummary.computed_on))) or clock_today()
    ids = list(session.scalars(select(Apprentice.id).order_by(Apprentice.id)))
    chosen = random.Random(seed).sample(ids, min(sample, len(ids)))
    fresh = {row["apprentice_id"]: row for row in compute(session, chosen, on, Settings.current())}
    stored = {
        summary.apprentice_id: summary
        for summary in session.scalars(
            select(ProgressSummary).where(ProgressSummary.apprentice_id.in_(chosen))
        )
    }
    differ = []
    for apprentice_id in sorted(chosen):
        row, summary = fresh.get(apprentice_id), stored.get(apprentice_id)
        if row is None or summary is None:
            differ.append(apprentice_id)
            continue
        for name, value in row.items():
            if getattr(summary, name) != value:
                differ.append(apprentice_id)
                break
    return differ
