"""Applications in progress: kept on the server under an unguessable key that expires.

Starting an application makes a draft and a random key (256 bits, URL-safe). The key is given to
the applicant once, in the addresses of their question pages; the database keeps only its
SHA-256, so a copy of the database does not open anyone's draft. Nothing of the application
lives in the cookie. A draft expires `DRAFT_LIFETIME` after the last answer was saved; an
expired or unknown key is simply not found.

The answers are kept per question page (step), as the strings the pages saved:
`{"steps": {"name": {"name": "Amara Jones"}, ...}}`. Once the application is submitted, the
answers are removed from the draft (they now live in the application) and only the link to the
application stays, so the confirmation and equality pages can find it until the draft expires.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain.errors import NotFound
from app.models import Application, ApplicationDraft, Vacancy

# How long a draft lives after its last save (a setting could replace this constant).
DRAFT_LIFETIME = timedelta(hours=24)
DRAFT_LIFETIME_IN_WORDS = "24 hours"
# 32 random bytes: 256 bits, 43 characters in the URL-safe alphabet.
KEY_BYTES = 32
# Longer keys are never issued, so they are not looked up at all.
MAX_KEY_LENGTH = 64

EXPIRED_MESSAGE = "Your application has expired or the link is not complete"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_draft(session: Session, vacancy: Vacancy) -> tuple[ApplicationDraft, str]:
    """A new, empty draft for the vacancy, and its key in clear (shown to nobody else)."""
    purge_expired_drafts(session)
    key = secrets.token_urlsafe(KEY_BYTES)
    draft = ApplicationDraft(
        key_hash=hash_key(key),
        vacancy_id=vacancy.id,
        answers={"steps": {}},
        expires_at=utcnow() + DRAFT_LIFETIME,
    )
    session.add(draft)
    session.flush()
    return draft, key


def find_draft(session: Session, vacancy_id: int, key: str) -> ApplicationDraft:
    """The vacancy's draft with this key; NotFound when there is none or it has expired."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise NotFound(EXPIRED_MESSAGE)
    draft = session.scalars(
        select(ApplicationDraft).where(
            ApplicationDraft.key_hash == hash_key(key),
            ApplicationDraft.vacancy_id == vacancy_id,
            ApplicationDraft.expires_at > utcnow(),
        )
    ).one_or_none()
    if draft is None:
        raise NotFound(EXPIRED_MESSAGE)
    return draft


def all_answers(draft: ApplicationDraft) -> dict[str, dict[str, str]]:
    """Every step's saved answers (a copy)."""
    steps = (draft.answers or {}).get("steps") or {}
    return {step: dict(values) for step, values in steps.items() if isinstance(values, dict)}


def step_answers(draft: ApplicationDraft, step: str) -> dict[str, str]:
    return all_answers(draft).get(step, {})


def save_answers(draft: ApplicationDraft, step: str, answers: Mapping[str, str]) -> None:
    """Keep one step's answers (replacing what it had) and give the draft its full lifetime
    again."""
    if submitted_application_id(draft) is not None:
        raise NotFound("This application has already been sent")
    steps = all_answers(draft)
    steps[step] = {name: str(value) for name, value in answers.items()}
    # A new dict, so the JSON column is seen as changed.
    draft.answers = {"steps": steps}
    draft.expires_at = utcnow() + DRAFT_LIFETIME


def mark_submitted(draft: ApplicationDraft, application: Application) -> None:
    """The answers now live in the application: drop them from the draft, keep the link."""
    draft.answers = {"application_id": application.id}
    draft.expires_at = utcnow() + DRAFT_LIFETIME


def submitted_application_id(draft: ApplicationDraft) -> int | None:
    value = (draft.answers or {}).get("application_id")
    return value if isinstance(value, int) else None


def purge_expired_drafts(session: Session) -> int:
    """Remove drafts past their expiry (with the answers in them). Called when a draft is
    started; a housekeeping command may call it too."""
    result = session.execute(
        delete(ApplicationDraft)
        .where(ApplicationDraft.expires_at <= utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
