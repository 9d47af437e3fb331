"""Applications in progress: kept on the server under an unguessable key, and expiring."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.domain import application_drafts as drafts
from app.domain.errors import NotFound
from app.models import ApplicationDraft
from tests import builders


@pytest.fixture
def vacancy(db_session):
    return builders.create_vacancy(db_session)


def test_a_new_draft_has_a_long_random_key_of_which_only_the_hash_is_stored(db_session, vacancy):
    draft, key = drafts.start_draft(db_session, vacancy)
    db_session.commit()
    other, other_key = drafts.start_draft(db_session, vacancy)

    assert len(key) >= 43  # 32 random bytes in the URL-safe alphabet: 256 bits
    assert key != other_key
    assert draft.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in repr(db_session.execute(select(ApplicationDraft.__table__)).all())
    assert draft.answers == {"steps": {}}
    assert draft.expires_at == utcnow() + drafts.DRAFT_LIFETIME == utcnow() + timedelta(hours=24)


def test_a_draft_is_found_by_its_key_and_vacancy_only(db_session, vacancy):
    draft, key = drafts.start_draft(db_session, vacancy)
    other_vacancy = builders.create_vacancy(db_session, borough="Camden")
    db_session.commit()

    assert drafts.find_draft(db_session, vacancy.id, key) is draft
    for vacancy_id, wrong_key in [
        (vacancy.id, key[:-1]),
        (vacancy.id, key + "x"),
        (vacancy.id, ""),
        (vacancy.id, "x" * 5000),
        (other_vacancy.id, key),
    ]:
        with pytest.raises(NotFound):
            drafts.find_draft(db_session, vacancy_id, wrong_key)


def test_a_draft_expires_a_day_after_its_last_save(db_session, vacancy, frozen_clock):
    draft, key = drafts.start_draft(db_session, vacancy)
    db_session.commit()

    frozen_clock.advance(hours=23)
    drafts.save_answers(draft, "name", {"name": "Amara Jones"})
    db_session.commit()
    frozen_clock.advance(hours=23)  # 46 hours after starting, 23 after the save
    assert drafts.find_draft(db_session, vacancy.id, key).answers == {
        "steps": {"name": {"name": "Amara Jones"}}
    }

    frozen_clock.advance(hours=1)
    with pytest.raises(NotFound, match="expired"):
        drafts.find_draft(db_session, vacancy.id, key)


def test_answers_are_kept_per_step_and_replaced_when_a_step_is_saved_again(db_session, vacancy):
    draft, _key = drafts.start_draft(db_session, vacancy)
    drafts.save_answers(draft, "name", {"name": "Amara"})
    drafts.save_answers(draft, "contact", {"email": "a@example.org", "phone": "07700900982"})
    drafts.save_answers(draft, "name", {"name": "Amara Jones"})
    db_session.commit()
    db_session.expire_all()

    assert drafts.all_answers(draft) == {
        "name": {"name": "Amara Jones"},
        "contact": {"email": "a@example.org", "phone": "07700900982"},
    }
    assert drafts.step_answers(draft, "postcode") == {}


def test_starting_a_draft_removes_expired_ones(db_session, vacancy, frozen_clock):
    _old, old_key = drafts.start_draft(db_session, vacancy)
    db_session.commit()
    frozen_clock.advance(hours=25)
    new, _ = drafts.start_draft(db_session, vacancy)
    db_session.commit()
    assert db_session.scalars(select(ApplicationDraft.key_hash)).all() == [new.key_hash]
    assert new.key_hash != drafts.hash_key(old_key)


def test_a_sent_draft_keeps_only_the_link_to_its_application(db_session, vacancy):
    application = builders.create_application(db_session, vacancy)
    draft, _ = drafts.start_draft(db_session, vacancy)
    drafts.save_answers(draft, "name", {"name": "Amara Jones"})
    drafts.mark_submitted(draft, application)
    db_session.commit()

    assert draft.answers == {"application_id": application.id}
    assert drafts.submitted_application_id(draft) == application.id
    assert drafts.all_answers(draft) == {}
    with pytest.raises(NotFound):
        drafts.save_answers(draft, "name", {"name": "Someone else"})
