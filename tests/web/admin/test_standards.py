"""Admins manage standards with their KSBs."""

from __future__ import annotations

from sqlalchemy import select

from app.models import KSB, AuditEvent, Role, Standard
from tests import builders
from tests.html_checks import check_page, error_messages, text_of

VALID = {
    "reference": "st0116",
    "version": "1.0",
    "title": "Software developer",
    "level": "4",
    "typical_duration_months": "24",
    "funding_band_max": "18,000",
    "min_otj_hours": "",
    "grade_set": "pass_distinction",
    "row_version": "",
}


def test_add_a_standard(client, login_as, post_form, db_session):
    admin = login_as(Role.ADMIN)
    response = post_form("/admin/standards/new", VALID)
    assert response.status_code == 302
    standard = db_session.scalars(select(Standard)).one()
    assert (standard.reference, standard.level, standard.funding_band_max) == ("ST0116", 4, 18_000)
    assert standard.min_otj_hours is None
    assert response.location == f"/admin/standards/{standard.id}"
    page = check_page(client.get(response.location))
    assert "Software developer added" in page.get_text()
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_user_id, event.target_type) == (
        "created",
        admin.id,
        "standard",
    )


def test_invalid_standard_is_refused_with_every_problem_and_input_kept(
    login_as, post_form, db_session
):
    login_as(Role.ADMIN)
    data = {**VALID, "reference": "SD116", "level": "9", "typical_duration_months": "six"}
    data.pop("grade_set")
    response = post_form("/admin/standards/new", data)
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "Enter a reference in the form ST0116",
        "Not a valid choice.",
        "Typical duration in months must be a whole number",
        "Select the grades the assessment plan uses",
    ]
    assert page.select_one("#reference")["value"] == "SD116"
    assert page.select_one("#typical_duration_months")["value"] == "six"
    assert page.select_one("#title")["value"] == "Software developer"
    assert db_session.scalars(select(Standard)).all() == []


def test_the_same_version_of_a_standard_cannot_be_added_twice(login_as, post_form, db_session):
    login_as(Role.ADMIN)
    builders.create_standard(db_session, reference="ST0116", version="1.0")
    page = check_page(post_form("/admin/standards/new", VALID))
    assert error_messages(page) == ["Version 1.0 of ST0116 already exists"]
    assert len(db_session.scalars(select(Standard)).all()) == 1


def test_edit_a_standard_records_which_fields_changed(client, login_as, post_form, db_session):
    admin = login_as(Role.ADMIN)
    standard = builders.create_standard(db_session, reference="ST0116", title="Old title")
    page = check_page(client.get(f"/admin/standards/{standard.id}/edit"))
    assert page.select_one("#title")["value"] == "Old title"
    assert page.select_one("input[name=level][checked]")["value"] == "4"
    data = {**VALID, "title": "Software developer", "level": "5", "row_version": "1"}
    response = post_form(f"/admin/standards/{standard.id}/edit", data)
    assert response.status_code == 302
    db_session.expire_all()
    assert (standard.title, standard.level, standard.row_version) == ("Software developer", 5, 2)
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_user_id) == ("updated", admin.id)
    assert event.fields_changed == ["level", "title"]


def test_a_stale_edit_is_refused_and_keeps_what_you_typed(client, login_as, post_form, db_session):
    login_as(Role.ADMIN)
    standard = builders.create_standard(db_session, reference="ST0116", title="Original")
    # Someone else saves first.
    standard.title = "Their title"
    db_session.commit()
    data = {**VALID, "title": "My title", "row_version": "1"}
    response = post_form(f"/admin/standards/{standard.id}/edit", data)
    assert response.status_code == 409
    page = check_page(response)
    assert "Someone else changed this record" in " ".join(error_messages(page))
    assert page.select_one("#title")["value"] == "My title"
    assert page.select_one("input[name=row_version]")["value"] == "2"
    db_session.expire_all()
    assert standard.title == "Their title"
    # Having seen the current record, saving again replaces it.
    response = post_form(f"/admin/standards/{standard.id}/edit", {**data, "row_version": "2"})
    assert response.status_code == 302
    db_session.expire_all()
    assert standard.title == "My title"


def test_add_edit_and_delete_ksbs_in_code_order(client, login_as, post_form, db_session):
    login_as(Role.ADMIN)
    standard = builders.create_standard(db_session, ksbs=[("K2", "Second"), ("K10", "Tenth")])
    response = post_form(
        f"/admin/standards/{standard.id}/ksbs/new", {"code": "s1", "text": "A skill"}
    )
    assert response.status_code == 302
    page = check_page(client.get(f"/admin/standards/{standard.id}"))
    codes = [row.select_one("td").get_text(strip=True) for row in page.select("tbody tr")]
    assert codes == ["K2", "K10", "S1"]

    skill = db_session.scalars(select(KSB).where(KSB.code == "S1")).one()
    response = post_form(
        f"/admin/standards/{standard.id}/ksbs/{skill.id}/edit",
        {"code": "B1", "text": "A behaviour"},
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert (skill.code, skill.text) == ("B1", "A behaviour")

    page = check_page(client.get(f"/admin/standards/{standard.id}/ksbs/{skill.id}/delete"))
    assert "Are you sure you want to delete B1?" in text_of(page)
    response = post_form(f"/admin/standards/{standard.id}/ksbs/{skill.id}/delete")
    assert response.status_code == 302
    assert db_session.scalars(select(KSB.code).order_by(KSB.sort_key)).all() == ["K2", "K10"]
    actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["created", "updated", "deleted"]


def test_ksb_codes_are_checked(login_as, post_form, db_session):
    login_as(Role.ADMIN)
    standard = builders.create_standard(db_session, ksbs=[("K1", "First")])
    url = f"/admin/standards/{standard.id}/ksbs/new"
    for code, message in [
        ("X1", "Enter a code such as K1, S12 or B3"),
        ("K0", "Enter a code such as K1, S12 or B3"),
        ("k1", f"{standard.reference} already has a K1"),
        ("", "Enter the code"),
    ]:
        response = post_form(url, {"code": code, "text": "Something"})
        assert response.status_code == 400
        assert error_messages(check_page(response)) == [message]
    assert len(db_session.scalars(select(KSB)).all()) == 1
