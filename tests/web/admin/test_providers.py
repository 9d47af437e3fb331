"""Admins manage training providers and end-point assessment organisations."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Role, TrainingProvider
from tests import builders
from tests.html_checks import check_page, error_messages


def test_add_a_provider_that_also_assesses(client, login_as, post_form, db_session):
    login_as(Role.ADMIN)
    response = post_form(
        "/admin/training-providers/new",
        {"name": "Riverside Training", "ukprn": "10043210", "roles": ["training", "epa"]},
    )
    assert response.status_code == 302
    provider = db_session.scalars(select(TrainingProvider)).one()
    assert (provider.delivers_training, provider.assesses_epa) == (True, True)
    page = check_page(client.get("/admin/training-providers"))
    cells = [cell.get_text(strip=True) for cell in page.select("tbody td")]
    assert cells == ["Riverside Training", "10043210", "Yes", "Yes"]


def test_invalid_provider_is_refused(login_as, post_form, db_session):
    login_as(Role.ADMIN)
    builders.create_provider(db_session, ukprn="10000001")
    for data, message in [
        ({"name": "X", "ukprn": "2000000", "roles": ["training"]}, "Enter a UKPRN of 8 digits"),
        ({"name": "X", "ukprn": "10000002"}, "Select whether the organisation delivers training"),
        ({"name": "X", "ukprn": "10000001", "roles": ["epa"]}, "An organisation with this UKPRN"),
        ({"name": "X", "ukprn": "10000003", "roles": ["teleport"]}, "'teleport' is not a valid"),
    ]:
        response = post_form("/admin/training-providers/new", data)
        assert response.status_code == 400
        messages = error_messages(check_page(response))
        assert len(messages) == 1 and messages[0].startswith(message), messages
    assert len(db_session.scalars(select(TrainingProvider)).all()) == 1


def test_edit_keeps_roles_and_refuses_a_stale_save(client, login_as, post_form, db_session):
    login_as(Role.ADMIN)
    provider = builders.create_provider(db_session, name="Old", assesses_epa=True)
    page = check_page(client.get(f"/admin/training-providers/{provider.id}/edit"))
    assert {box["value"] for box in page.select("input[name=roles][checked]")} == {
        "training",
        "epa",
    }
    data = {"name": "New", "ukprn": provider.ukprn, "roles": ["epa"], "row_version": "1"}
    assert post_form(f"/admin/training-providers/{provider.id}/edit", data).status_code == 302
    db_session.expire_all()
    assert (provider.name, provider.delivers_training, provider.assesses_epa) == (
        "New",
        False,
        True,
    )
    response = post_form(f"/admin/training-providers/{provider.id}/edit", {**data, "name": "Late"})
    assert response.status_code == 409
    db_session.expire_all()
    assert provider.name == "New"


def test_extra_fields_cannot_set_what_the_form_does_not_offer(login_as, post_form, db_session):
    login_as(Role.ADMIN)
    provider = builders.create_provider(db_session, name="Fixed")
    data = {"name": "Fixed", "ukprn": provider.ukprn, "roles": ["training"], "row_version": "1"}
    post_form(
        f"/admin/training-providers/{provider.id}/edit", {**data, "id": "999", "created_at": "x"}
    )
    db_session.expire_all()
    assert db_session.get(TrainingProvider, provider.id).name == "Fixed"
