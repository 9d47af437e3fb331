"""Apprenticeship standards with their KSBs, and training providers (admin-managed)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.domain import audit
from app.domain.errors import DomainError, NotFound, StaleEdit, flush_versioned
from app.models import KSB, AuditAction, GradeSet, Standard, TrainingProvider, User

KSB_CODE = re.compile(r"^([KSB])([1-9][0-9]{0,2})$")
_KIND_ORDER = {"K": 0, "S": 1, "B": 2}


@dataclass(frozen=True)
class StandardDetails:
    reference: str
    version: str
    title: str
    level: int
    typical_duration_months: int
    funding_band_max: int
    min_otj_hours: int | None
    grade_set: GradeSet


@dataclass(frozen=True)
class ProviderDetails:
    name: str
    ukprn: str
    delivers_training: bool
    assesses_epa: bool


def ksb_sort_key(code: str) -> int:
    """K before S before B, then by number, so K2 comes before K10."""
    match = KSB_CODE.match(code)
    if match is None:
        raise DomainError("Enter a code such as K1, S12 or B3", field="code")
    return _KIND_ORDER[match.group(1)] * 1000 + int(match.group(2))


def _check_expected_version(record: Standard | TrainingProvider, expected: int) -> None:
    if record.row_version != expected:
        raise StaleEdit()


def _apply_edit(
    session: Session, record: Standard | KSB | TrainingProvider, values: dict, *, actor: User
) -> None:
    """Write the values that differ, and audit the names of the fields that changed."""
    changed = [name for name, value in values.items() if getattr(record, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(record, name, values[name])
    flush_versioned(session)
    audit.record(
        session, AuditAction.UPDATED, actor=actor, target=audit.target_of(record), fields=changed
    )


def standard_with_ksbs(session: Session, standard_id: int) -> Standard:
    standard = session.scalars(
        select(Standard).where(Standard.id == standard_id).options(selectinload(Standard.ksbs))
    ).one_or_none()
    if standard is None:
        raise NotFound("Standard not found")
    return standard


def _standard_values(
    session: Session, details: StandardDetails, own_id: int | None
) -> dict[str, object]:
    """The column values for these details, refused if that reference and version exist."""
    values = {**vars(details), "reference": details.reference.upper()}
    values["grade_set"] = details.grade_set.value
    clash = session.scalar(
        select(Standard.id).where(
            Standard.reference == values["reference"],
            Standard.version == details.version,
            Standard.id != (own_id or 0),
        )
    )
    if clash is not None:
        raise DomainError(
            f"Version {details.version} of {values['reference']} already exists", field="version"
        )
    return values


def create_standard(session: Session, details: StandardDetails, *, actor: User) -> Standard:
    standard = Standard(**_standard_values(session, details, None))
    session.add(standard)
    session.flush()
    audit.record(session, AuditAction.CREATED, actor=actor, target=audit.target_of(standard))
    return standard


def update_standard(
    session: Session,
    standard: Standard,
    details: StandardDetails,
    *,
    expected_version: int,
    actor: User,
) -> Standard:
    _check_expected_version(standard, expected_version)
    _apply_edit(session, standard, _standard_values(session, details, standard.id), actor=actor)
    return standard


def _check_unique_ksb(session: Session, standard: Standard, code: str, own_id: int | None) -> None:
    clash = session.scalar(
        select(KSB.id).where(
            KSB.standard_id == standard.id, KSB.code == code, KSB.id != (own_id or 0)
        )
    )
    if clash is not None:
        raise DomainError(f"{standard.reference} already has a {code}", field="code")


def add_ksb(session: Session, standard: Standard, code: str, text: str, *, actor: User) -> KSB:
    code = code.strip().upper()
    sort_key = ksb_sort_key(code)
    _check_unique_ksb(session, standard, code, None)
    ksb = KSB(standard_id=standard.id, code=code, sort_key=sort_key, text=text.strip())
    session.add(ksb)
    session.flush()
    audit.record(session, AuditAction.CREATED, actor=actor, target=audit.target_of(ksb))
    return ksb


def update_ksb(
    session: Session, ksb: KSB, standard: Standard, code: str, text: str, *, actor: User
) -> KSB:
    code = code.strip().upper()
    sort_key = ksb_sort_key(code)
    _check_unique_ksb(session, standard, code, ksb.id)
    _apply_edit(
        session, ksb, {"code": code, "sort_key": sort_key, "text": text.strip()}, actor=actor
    )
    return ksb


def delete_ksb(session: Session, ksb: KSB, *, actor: User) -> None:
    target = audit.target_of(ksb)
    session.delete(ksb)
    session.flush()
    audit.record(session, AuditAction.DELETED, actor=actor, target=target)


def ksb_counts(session: Session, standard_ids: list[int]) -> dict[int, int]:
    """How many KSBs each standard has, in one query."""
    rows = session.execute(
        select(KSB.standard_id, func.count())
        .where(KSB.standard_id.in_(standard_ids))
        .group_by(KSB.standard_id)
    )
    return dict(rows.all())


def _check_unique_provider(session: Session, ukprn: str, own_id: int | None) -> None:
    clash = session.scalar(
        select(TrainingProvider.id).where(
            TrainingProvider.ukprn == ukprn, TrainingProvider.id != (own_id or 0)
        )
    )
    if clash is not None:
        raise DomainError("An organisation with this UKPRN already exists", field="ukprn")


def _check_provider_roles(details: ProviderDetails) -> None:
    if not (details.delivers_training or details.assesses_epa):
        raise DomainError(
            "Select whether the organisation delivers training, assesses, or both",
            field="roles",
        )


def create_provider(session: Session, details: ProviderDetails, *, actor: User) -> TrainingProvider:
    _check_provider_roles(details)
    _check_unique_provider(session, details.ukprn, None)
    provider = TrainingProvider(**vars(details))
    session.add(provider)
    session.flush()
    audit.record(session, AuditAction.CREATED, actor=actor, target=audit.target_of(provider))
    return provider


def update_provider(
    session: Session,
    provider: TrainingProvider,
    details: ProviderDetails,
    *,
    expected_version: int,
    actor: User,
) -> TrainingProvider:
    _check_expected_version(provider, expected_version)
    _check_provider_roles(details)
    _check_unique_provider(session, details.ukprn, provider.id)
    _apply_edit(session, provider, vars(details), actor=actor)
    return provider
