"""Admins keep the milestone templates: grouped by standard, added, changed and deleted."""

from __future__ import annotations

from sqlalchemy import select

from app.domain import milestones
from app.models import ApprenticeStatus, AuditEvent, Milestone, MilestoneTemplate, Role
from tests import builders
from tests.html_checks import check_page, error_messages, text_of

VALID = {
    "standard_id": "all",
    "name": "Induction",
    "kind": "induction",
    "due_offset_weeks": "2",
    "signer": "coordinator",
    "required_for_gateway": "yes",
}


def add_template(db_session, name="Induction", standard_id=None, weeks=2, kind="induction"):
    template = MilestoneTemplate(
        name=name,
        kind=kind,
        due_offset_weeks=weeks,
        signer="mentor",
        standard_id=standard_id,
        required_for_gateway=True,
    )
    db_session.add(template)
    db_session.commit()
    return template


def templates(db_session) -> list[MilestoneTemplate]:
    db_session.expire_all()
    return db_session.scalars(select(MilestoneTemplate).order_by(MilestoneTemplate.id)).all()


def test_the_admin_home_links_to_the_templates(get_page, login_as):
    login_as(Role.ADMIN)
    page = get_page("/admin/")
    assert page.select_one("a[href='/admin/milestone-templates']").get_text() == (
        "Milestone templates"
    )


def test_the_list_groups_templates_by_standard(get_page, login_as, db_session):
    standard = builders.create_standard(db_session, reference="ST0116", title="Software developer")
    add_template(db_session, "Portfolio checkpoint", weeks=13, kind="portfolio")
    add_template(db_session, "Induction", weeks=2)
    add_template(db_session, "Code review", standard_id=standard.id, weeks=30, kind="custom")
    login_as(Role.ADMIN)
    page = get_page("/admin/milestone-templates")
    assert [h2.get_text(strip=True) for h2 in page.select("main h2")] == [
        "All standards",
        "Software developer (level 4, ST0116 v1.0)",
    ]
    first, second = page.select("table")
    assert [th.get_text(strip=True) for th in first.select("tbody th")] == [
        "Induction",
        "Portfolio checkpoint",
    ]
    row = [cell.get_text(" ", strip=True) for cell in second.select("tbody td")]
    assert row[:4] == ["Other", "30", "Their mentor", "Required"]
    assert "Change Code review (Software developer" in text_of(second)


def test_an_empty_list_says_so(get_page, login_as):
    login_as(Role.ADMIN)
    assert "No milestone templates yet." in text_of(get_page("/admin/milestone-templates"))


def test_adds_a_template(client, get_page, login_as, post_form, db_session):
    admin = login_as(Role.ADMIN)
    page = get_page("/admin/milestone-templates/new")
    assert page.select_one("#standard_id option[selected]").get_text() == "All standards"
    response = post_form("/admin/milestone-templates/new", VALID)
    assert response.status_code == 302
    assert response.location == "/admin/milestone-templates"
    (template,) = templates(db_session)
    assert (template.standard_id, template.name, template.kind, template.due_offset_weeks) == (
        None,
        "Induction",
        "induction",
        2,
    )
    assert (template.signer, template.required_for_gateway) == ("coordinator", True)
    assert "Induction added" in text_of(check_page(client.get(response.location)))
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_user_id, event.target_type) == (
        "created",
        admin.id,
        "milestone_template",
    )


def test_adds_a_template_for_one_standard(login_as, post_form, db_session):
    standard = builders.create_standard(db_session)
    login_as(Role.ADMIN)
    data = {**VALID, "standard_id": str(standard.id), "required_for_gateway": "no"}
    assert post_form("/admin/milestone-templates/new", data).status_code == 302
    (template,) = templates(db_session)
    assert (template.standard_id, template.required_for_gateway) == (standard.id, False)


def test_an_invalid_template_is_refused_with_the_input_kept(login_as, post_form, db_session):
    login_as(Role.ADMIN)
    data = {**VALID, "name": "", "due_offset_weeks": "261", "standard_id": "nonsense"}
    data.pop("signer")
    response = post_form("/admin/milestone-templates/new", data)
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "Not a valid choice.",
        "Enter a name",
        "Weeks after the start must be between 0 and 260",
        "Select who signs it off",
    ]
    assert page.select_one("#due_offset_weeks")["value"] == "261"
    assert page.select_one("input[name=kind][value=induction]").has_attr("checked")
    assert templates(db_session) == []


def test_a_duplicate_name_is_refused_against_the_name(login_as, post_form, db_session):
    add_template(db_session, "Induction")
    login_as(Role.ADMIN)
    response = post_form("/admin/milestone-templates/new", VALID)
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "There is already a template called Induction for all standards"
    ]
    assert page.select_one(".govuk-error-summary a")["href"] == "#name"
    assert len(templates(db_session)) == 1


def test_changes_a_template(get_page, login_as, post_form, db_session):
    template = add_template(db_session, "Portfolio", weeks=13, kind="portfolio")
    admin = login_as(Role.ADMIN)
    url = f"/admin/milestone-templates/{template.id}/edit"
    page = get_page(url)
    assert page.select_one("h1").get_text(strip=True) == "Change Portfolio"
    assert page.select_one("#name")["value"] == "Portfolio"
    assert page.select_one("#due_offset_weeks")["value"] == "13"
    assert page.select_one("input[name=signer][value=mentor]").has_attr("checked")
    data = {**VALID, "name": "Portfolio checkpoint", "kind": "portfolio", "signer": "mentor"}
    response = post_form(url, {**data, "due_offset_weeks": "14"})
    assert response.status_code == 302
    (changed,) = templates(db_session)
    assert (changed.name, changed.due_offset_weeks) == ("Portfolio checkpoint", 14)
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_user_id, event.fields_changed) == (
        "updated",
        admin.id,
        ["due_offset_weeks", "name"],
    )


def test_deleting_warns_about_outstanding_milestones_and_keeps_signed_off(
    client, get_page, login_as, post_form, db_session
):
    template = add_template(db_session, "Induction")
    first = builders.create_apprentice(db_session, status=ApprenticeStatus.ACTIVE)
    second = builders.create_apprentice(db_session, status=ApprenticeStatus.ACTIVE)
    for apprentice in (first, second):
        milestones.generate_milestones(db_session, apprentice)
    db_session.commit()
    signed = db_session.scalars(select(Milestone).where(Milestone.apprentice_id == first.id)).one()
    signed.status = "signed_off"
    db_session.commit()
    login_as(Role.ADMIN)
    url = f"/admin/milestone-templates/{template.id}/delete"
    page = get_page(url)
    assert page.select_one("h1").get_text(strip=True) == (
        "Are you sure you want to delete Induction?"
    )
    assert "1 apprentice’s milestone made from this template is not signed off yet" in text_of(page)
    response = post_form(url, {})
    assert response.status_code == 302
    assert templates(db_session) == []
    remaining = db_session.scalars(select(Milestone)).all()
    assert [(milestone.apprentice_id, milestone.status) for milestone in remaining] == [
        (first.id, "signed_off")
    ]
    assert "Induction deleted, and the 1 milestone not yet signed off made from it" in text_of(
        check_page(client.get(response.location))
    )


def test_a_missing_template_is_not_found(client, login_as):
    login_as(Role.ADMIN)
    for url in (
        "/admin/milestone-templates/999999/edit",
        "/admin/milestone-templates/999999/delete",
    ):
        assert client.get(url).status_code == 404


def test_only_admins_keep_templates(client, login_as, db_session):
    template = add_template(db_session)
    login_as(Role.COORDINATOR, programme_wide=True)
    for url in (
        "/admin/milestone-templates",
        "/admin/milestone-templates/new",
        f"/admin/milestone-templates/{template.id}/edit",
        f"/admin/milestone-templates/{template.id}/delete",
    ):
        assert client.get(url).status_code == 403
