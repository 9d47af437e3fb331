"""The apprentice's and the mentor's homes: their own programme, and their current mentees."""

from __future__ import annotations

from datetime import date

from app.models import (
    ApprenticeStatus,
    ApprenticeStatusEvent,
    MentorAssignment,
    MentorProfile,
    Role,
)
from tests import builders
from tests.html_checks import text_of

ACTIVE = ApprenticeStatus.ACTIVE


def summary(page, heading: str) -> dict[str, str]:
    """The summary list that follows a heading, as {key: value}."""
    title = next(h for h in page.select("h2") if h.get_text(strip=True) == heading)
    rows = title.find_next("dl").select(".govuk-summary-list__row")
    return {
        " ".join(row.dt.get_text(" ").split()): " ".join(row.dd.get_text(" ").split())
        for row in rows
    }


def table_rows(page) -> list[list[str]]:
    return [
        [" ".join(cell.get_text(" ").split()) for cell in row.select("td")]
        for row in page.select("tbody tr")
    ]


def add_status_event(db_session, apprentice, to_status, effective_on, **fields):
    event = ApprenticeStatusEvent(
        apprentice_id=apprentice.id,
        from_status=fields.pop("from_status", None),
        to_status=to_status.value,
        effective_on=effective_on,
        **fields,
    )
    db_session.add(event)
    db_session.commit()
    return event


# The apprentice's home


def test_an_apprentice_without_a_record_sees_a_plain_message(get_page, login_as):
    login_as(Role.APPRENTICE)
    page = get_page("/apprentice/")
    assert "Your apprenticeship record has not been set up yet" in text_of(page)
    assert page.select("dl") == []


def test_an_apprentice_sees_their_programme_placement_mentor_and_history(
    get_page, login_as, db_session
):
    user = login_as(Role.APPRENTICE, borough="Hackney", name="Jordan Mensah")
    standard = builders.create_standard(db_session, title="Software developer", level=4)
    provider = builders.create_provider(db_session, name="Code Academy")
    cohort = builders.create_cohort(
        db_session, name="Hackney September 2026", standard=standard, provider=provider
    )
    apprentice = builders.create_apprentice(
        db_session, user=user, cohort=cohort, status=ApprenticeStatus.ON_BREAK
    )
    apprentice.expected_return_date = date(2027, 1, 4)
    db_session.commit()
    builders.create_placement(
        db_session, apprentice, host="Hackney", team="Old team", end_date=date(2026, 10, 31)
    )
    builders.create_placement(
        db_session, apprentice, host="Camden", team="Data and insight", start_date=date(2026, 11, 1)
    )
    mentor = builders.create_mentor(db_session, borough="Islington", name="Tom Reilly")
    builders.assign_mentor(db_session, apprentice, mentor)
    add_status_event(
        db_session, apprentice, ACTIVE, date(2026, 9, 1), from_status="waiting_to_start"
    )
    add_status_event(
        db_session,
        apprentice,
        ApprenticeStatus.ON_BREAK,
        date(2026, 11, 2),
        from_status="active",
        note="Back in January",
    )

    page = get_page("/apprentice/")
    programme = summary(page, "Your programme")
    assert programme["Status"] == "Paused"
    assert programme["Cohort"] == "Hackney September 2026"
    assert programme["Apprenticeship standard"].startswith("Software developer (level 4")
    assert programme["Training provider"] == "Code Academy"
    assert programme["Start date"] == "1 September 2026"
    assert programme["End of the practical period"] == "1 September 2028"
    assert programme["Planned end date"] == "30 November 2028"
    assert programme["Expected return from your break"] == "4 January 2027"
    placement = summary(page, "Your placement")
    assert placement["Borough"] == "Camden"
    assert placement["Team"] == "Data and insight"
    assert placement["Line manager"] == "Morgan Lee"
    assert placement["Line manager’s email address"] == "morgan.lee@example.org"
    assert summary(page, "Your mentor")["Name"] == "Tom Reilly"
    # Newest first.
    assert table_rows(page) == [
        ["2 November 2026", "Live to Paused", "Back in January"],
        ["1 September 2026", "Waiting to start to Live", ""],
    ]


def test_an_apprentice_without_placement_mentor_or_history_is_told_so(
    get_page, login_as, db_session
):
    user = login_as(Role.APPRENTICE)
    apprentice = builders.create_apprentice(db_session, user=user)
    # A placement that has not started yet is not current.
    builders.create_placement(db_session, apprentice, start_date=date(2027, 1, 4))
    text = text_of(get_page("/apprentice/"))
    assert "You do not have a current placement." in text
    assert "You do not have a mentor yet." in text
    assert "Your status has not changed since your record was set up." in text


def test_an_apprentice_sees_only_their_own_record(get_page, login_as, db_session):
    user = login_as(Role.APPRENTICE, borough="Hackney")
    own_cohort = builders.create_cohort(db_session, name="My cohort")
    builders.create_apprentice(db_session, user=user, cohort=own_cohort)
    other_cohort = builders.create_cohort(db_session, name="Their cohort")
    other = builders.create_apprentice(db_session, cohort=other_cohort, name="Someone Else")
    builders.create_placement(db_session, other, team="Their team")
    text = text_of(get_page("/apprentice/"))
    assert "My cohort" in text
    assert "Their cohort" not in text and "Their team" not in text
    assert "Someone Else" not in text


def test_the_apprentice_home_runs_a_fixed_number_of_queries(
    client, login_as, db_session, count_queries
):
    user = login_as(Role.APPRENTICE)
    apprentice = builders.create_apprentice(db_session, user=user, status=ACTIVE)
    builders.assign_mentor(db_session, apprentice, builders.create_mentor(db_session))
    builders.create_placement(db_session, apprentice, end_date=date(2026, 9, 30))
    builders.create_placement(db_session, apprentice, start_date=date(2026, 10, 1))
    for number in range(2):
        add_status_event(db_session, apprentice, ACTIVE, date(2026, 9, 1 + number))
    client.get("/apprentice/")
    with count_queries() as few:
        assert client.get("/apprentice/").status_code == 200
    for number in range(38):
        add_status_event(db_session, apprentice, ACTIVE, date(2026, 9, 3 + number % 25))
    with count_queries() as many:
        response = client.get("/apprentice/")
    assert response.status_code == 200
    assert many.count == few.count


# The mentor's home


def test_a_mentor_sees_their_current_mentees_with_status_and_placement(
    get_page, login_as, db_session
):
    mentor = login_as(Role.MENTOR, borough="Hackney")
    db_session.add(MentorProfile(user_id=mentor.id, capacity=4, current_mentees=0))
    db_session.commit()
    placed = builders.create_apprentice(
        db_session, borough="Camden", name="Ama Placed", status=ACTIVE
    )
    builders.create_placement(db_session, placed, host="Islington", team="Web team")
    unplaced = builders.create_apprentice(db_session, name="Ben Unplaced")
    former = builders.create_apprentice(db_session, name="Cleo Former")
    someone_elses = builders.create_apprentice(db_session, name="Dev Other")
    builders.assign_mentor(db_session, placed, mentor)
    builders.assign_mentor(db_session, unplaced, mentor)
    ended = builders.assign_mentor(db_session, former, mentor)
    ended.end_date = date(2026, 11, 1)  # ended as the domain would: the count goes down
    db_session.get(MentorProfile, mentor.id).current_mentees -= 1
    db_session.commit()
    builders.assign_mentor(db_session, someone_elses, builders.create_mentor(db_session))

    page = get_page("/mentor/")
    assert table_rows(page) == [
        ["Ama Placed", "Live", "Camden", "Islington: Web team"],
        ["Ben Unplaced", "Waiting to start", "Hackney", "No current placement"],
    ]
    links = [a["href"] for a in page.select("tbody a")]
    assert links == [f"/mentor/mentees/{placed.id}", f"/mentor/mentees/{unplaced.id}"]
    assert "You mentor 2 apprentices. You can mentor up to 4." in text_of(page)


def test_a_mentor_without_mentees_or_a_profile(get_page, login_as):
    login_as(Role.MENTOR)
    text = text_of(get_page("/mentor/"))
    assert "You mentor 0 apprentices. You can mentor up to 3." in text
    assert "You have no mentees at the moment." in text


def test_the_mentor_home_runs_a_fixed_number_of_queries(
    client, login_as, db_session, count_queries
):
    mentor = login_as(Role.MENTOR)

    def add_mentees(numbers) -> None:
        for number in numbers:
            apprentice = builders.create_apprentice(db_session, name=f"Mentee {number:02d}")
            if number % 2:
                builders.create_placement(db_session, apprentice, host="Camden")
            db_session.add(
                MentorAssignment(
                    apprentice_id=apprentice.id,
                    mentor_user_id=mentor.id,
                    start_date=date(2026, 9, 1),
                )
            )
            db_session.commit()

    add_mentees(range(2))
    client.get("/mentor/")
    with count_queries() as few:
        assert client.get("/mentor/").status_code == 200
    add_mentees(range(2, 40))
    with count_queries() as many:
        response = client.get("/mentor/")
    assert response.status_code == 200
    assert many.count == few.count
    assert response.get_data(as_text=True).count("/mentor/mentees/") == 40
