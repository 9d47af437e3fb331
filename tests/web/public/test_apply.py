"""The application journey without an account: privacy notice first, question pages saved in a
server-side draft, check your answers with the eligibility outcome, the confirmation and
receipt, the optional equality questions, withdrawing by link, and the front door's
protections (CSRF, the submission limit, the honeypot, length limits, escaping)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.domain import application_drafts as drafts
from app.domain import applications
from app.models import (
    Application,
    ApplicationDraft,
    ApplicationEvent,
    EqualityMonitoring,
    RateLimitHit,
    Stage,
)
from tests import builders
from tests.conftest import csrf_token
from tests.html_checks import check_page, error_messages, text_of

STATEMENT = "I fix computers for my neighbours and want to learn to build services."
XSS = '<script>alert("x")</script>'


def answers(db_session) -> dict[str, dict[str, Any]]:
    """Valid answers for every step, as the pages post them."""
    return {
        "name": {"name": "Amara Jones"},
        "contact": {"email": "amara@example.org", "phone": "07700 900 982"},
        "date-of-birth": {"date_of_birth": ["14", "3", "2006"]},
        "postcode": {"postcode": "e8 1ea"},
        "residence": {"residence": str(builders.get_borough(db_session, "Hackney").id)},
        "eligibility": {"educated_in_borough": "no", "care_leaver": "no"},
        "right-to-work": {"right_to_work": "yes"},
        "education": {"full_time_education": "no"},
        "guaranteed-interview": {"guaranteed_interview": "disability_confident"},
        "statement": {"supporting_statement": STATEMENT},
    }


class Applicant:
    """A resident's browser: one session, its CSRF token, and the address of their draft."""

    def __init__(self, client, db_session, vacancy) -> None:
        self.client = client
        self.db_session = db_session
        self.vacancy = vacancy
        self.token = csrf_token(client)
        self.key: str | None = None

    @property
    def base(self) -> str:
        return f"/vacancies/{self.vacancy.id}/apply/{self.key}"

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any):
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, **kwargs)

    def start(self) -> str:
        response = self.post(f"/vacancies/{self.vacancy.id}/apply")
        assert response.status_code == 302, response.status_code
        path = urlsplit(response.location).path
        assert path.endswith("/name")
        self.key = path.split("/")[-2]
        return self.key

    def answer(self, step: str, data: dict[str, Any], *, query: str = ""):
        return self.post(f"{self.base}/{step}{query}", data)

    def complete(self, skip: tuple[str, ...] = (), **changes: dict[str, Any]) -> None:
        self.start()
        values = answers(self.db_session)
        values.update(changes)
        for step, data in values.items():
            if step in skip:
                continue
            response = self.answer(step, data)
            assert response.status_code == 302, (step, response.status_code)

    def send(self, **extra: str):
        return self.post(f"{self.base}/check-your-answers", extra)

    def draft(self) -> ApplicationDraft:
        self.db_session.expire_all()
        return self.db_session.scalars(
            select(ApplicationDraft).where(ApplicationDraft.key_hash == drafts.hash_key(self.key))
        ).one()


@pytest.fixture
def vacancy(db_session):
    return builders.create_vacancy(db_session, borough="Hackney", title="Junior developer")


@pytest.fixture
def applicant(client, db_session, vacancy) -> Applicant:
    return Applicant(client, db_session, vacancy)


def applications_stored(db_session) -> list[Application]:
    db_session.expire_all()
    return db_session.scalars(select(Application).order_by(Application.id)).all()


def count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


# Starting


def test_the_privacy_notice_is_shown_before_the_application_starts(get_page, vacancy):
    page = get_page(f"/vacancies/{vacancy.id}/apply")
    text = text_of(page)
    assert page.select_one("h1").get_text(strip=True) == "Before you apply"
    assert "Hackney council, which is recruiting for this apprenticeship" in text
    assert "never shown to the people deciding" in text
    assert page.select_one("main a[href='/privacy']").get_text(strip=True) == (
        "full privacy notice"
    )
    button = page.select_one("form[method=post] button")
    assert button.get_text(strip=True) == "Start your application"
    assert "govuk-button--start" in button["class"]


@pytest.mark.parametrize("which", ["draft", "closed", "missing"])
def test_there_is_no_application_for_a_vacancy_that_is_not_open(
    get_page, client, db_session, which
):
    if which == "missing":
        vacancy_id = 999_999
    else:
        vacancy_id = builders.create_vacancy(
            db_session,
            published=which != "draft",
            closing_date=date(2026, 11, 26) if which == "closed" else date(2027, 1, 31),
        ).id
    get_page(f"/vacancies/{vacancy_id}/apply", status=404)
    token = csrf_token(client)
    assert client.post(
        f"/vacancies/{vacancy_id}/apply", data={"csrf_token": token}
    ).status_code == (404)
    assert count(db_session, ApplicationDraft) == 0


def test_starting_makes_a_draft_on_the_server_and_nothing_in_the_cookie(
    applicant, client, db_session, app
):
    key = applicant.start()
    assert len(key) >= 43
    draft = applicant.draft()
    assert draft.key_hash == drafts.hash_key(key) and draft.vacancy_id == applicant.vacancy.id
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert key not in cookie.value
    applicant.answer("name", {"name": "Amara Jones"})
    assert "Amara" not in client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def test_starting_needs_the_csrf_token(client, db_session, vacancy):
    response = client.post(f"/vacancies/{vacancy.id}/apply")
    assert response.status_code == 400
    assert count(db_session, ApplicationDraft) == 0


# The question pages


def test_the_first_question_asks_for_the_name_with_a_back_link_to_the_start(applicant, get_page):
    applicant.start()
    page = get_page(f"{applicant.base}/name")
    assert page.select_one("h1 label.govuk-label--l").get_text(strip=True) == (
        "What is your full name?"
    )
    assert page.select_one(".govuk-back-link")["href"] == f"/vacancies/{applicant.vacancy.id}/apply"
    assert page.select_one(".govuk-caption-l").get_text(strip=True) == "Apply for Junior developer"
    assert page.select_one("#name")["autocomplete"] == "name"


def test_each_step_leads_to_the_next_and_back_links_lead_back(applicant, get_page, db_session):
    applicant.start()
    steps = [step.value for step in applications.steps_for(applicant.vacancy)]
    assert steps == [
        "name",
        "contact",
        "date-of-birth",
        "postcode",
        "residence",
        "eligibility",
        "right-to-work",
        "education",
        "guaranteed-interview",
        "statement",
    ]
    values = answers(db_session)
    for index, step in enumerate(steps):
        page = get_page(f"{applicant.base}/{step}")
        if index:
            assert page.select_one(".govuk-back-link")["href"] == (
                f"{applicant.base}/{steps[index - 1]}"
            )
        response = applicant.answer(step, values[step])
        following = (
            f"{applicant.base}/{steps[index + 1]}"
            if index + 1 < len(steps)
            else f"{applicant.base}/check-your-answers"
        )
        assert response.location == following


def test_answers_are_shown_again_when_going_back(applicant, get_page, db_session):
    applicant.complete()
    assert get_page(f"{applicant.base}/name").select_one("#name")["value"] == "Amara Jones"
    page = get_page(f"{applicant.base}/date-of-birth")
    assert [
        page.select_one(f"#date_of_birth-{part}")["value"] for part in ("day", "month", "year")
    ] == [
        "14",
        "3",
        "2006",
    ]
    assert page.select_one("#date_of_birth-year")["autocomplete"] == "bday-year"
    page = get_page(f"{applicant.base}/residence")
    assert page.select_one("#residence option[selected]").get_text() == "Hackney"
    page = get_page(f"{applicant.base}/guaranteed-interview")
    assert page.select_one("input[value=disability_confident]").has_attr("checked")
    page = get_page(f"{applicant.base}/statement")
    assert page.select_one("#supporting_statement").get_text() == STATEMENT
    assert "5000" in page.select_one("[data-maxlength]")["data-maxlength"]


def test_the_questions_name_the_borough_and_the_start_date(applicant, get_page):
    applicant.start()
    page = get_page(f"{applicant.base}/eligibility")
    legends = [legend.get_text(strip=True) for legend in page.select("legend")]
    assert legends == [
        "Did you go to a secondary school or college in Hackney?",
        "Are you a care leaver supported by Hackney?",
    ]
    page = get_page(f"{applicant.base}/education")
    assert page.select_one("legend h1").get_text(strip=True) == (
        "Will you be in full-time education on 1 March 2027, when the apprenticeship starts?"
    )
    options = [o.get_text() for o in get_page(f"{applicant.base}/residence").select("option")]
    assert options[0] == "Select where you live" and options[-1] == "I live outside London"
    assert len(options) == 1 + 33 + 1


@pytest.mark.parametrize(
    ("step", "data", "messages"),
    [
        ("name", {"name": ""}, ["Enter your full name"]),
        ("name", {"name": "x" * 201}, ["Full name must be 200 characters or fewer"]),
        (
            "name",
            {"name": XSS},
            ["Full name must only include letters, spaces, hyphens and apostrophes"],
        ),
        (
            "contact",
            {"email": "amara", "phone": "12"},
            [
                "Enter an email address in the correct format, like name@example.com",
                applications.PHONE_FORMAT_MESSAGE,
            ],
        ),
        ("contact", {}, ["Enter your email address", "Enter a UK phone number"]),
        ("date-of-birth", {"date_of_birth": ["", "", ""]}, ["Enter your date of birth"]),
        ("date-of-birth", {}, ["Enter your date of birth"]),
        (
            "date-of-birth",
            {"date_of_birth": ["31", "2", "2006"]},
            ["Date of birth must be a real date"],
        ),
        (
            "date-of-birth",
            {"date_of_birth": ["1", "1", "2030"]},
            ["Date of birth must be in the past"],
        ),
        (
            "date-of-birth",
            {"date_of_birth": ["9" * 30, "3", "2006"]},
            ["Date of birth must be a real date"],
        ),
        (
            "date-of-birth",
            {"date_of_birth": ["14", "", "2006"]},
            ["Date of birth must include a month"],
        ),
        ("postcode", {"postcode": "SW1A"}, ["Enter a real UK postcode, like E8 1EA"]),
        ("residence", {"residence": ""}, ["Select the borough you live in, or outside London"]),
        (
            "residence",
            {"residence": "99999"},
            ["Select the borough you live in, or outside London"],
        ),
        (
            "eligibility",
            {"care_leaver": "maybe"},
            [
                "Select yes if you went to a secondary school or college in Hackney",
                "Select yes if you are a care leaver supported by Hackney",
            ],
        ),
        ("right-to-work", {}, ["Select yes if you have the right to work in the UK"]),
        (
            "education",
            {"full_time_education": ""},
            ["Select yes if you will be in full-time education on 1 March 2027"],
        ),
        (
            "guaranteed-interview",
            {"guaranteed_interview": "both"},
            ["Select whether you want an interview under the guaranteed interview scheme"],
        ),
        ("statement", {"supporting_statement": " "}, ["Enter your supporting statement"]),
        (
            "statement",
            {"supporting_statement": "x" * 5001},
            ["Supporting statement must be 5,000 characters or fewer"],
        ),
    ],
)
def test_invalid_answers_are_refused_with_the_input_kept_and_nothing_saved(
    applicant, step, data, messages
):
    applicant.start()
    response = applicant.answer(step, data)
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == messages
    assert page.title.get_text().startswith("Error: ")
    assert applicant.draft().answers == {"steps": {}}
    if data.get("name"):
        assert page.select_one("#name")["value"] == data["name"]
    if data.get("supporting_statement", "").strip():
        assert page.select_one("#supporting_statement").get_text() == data["supporting_statement"]
    if data.get("email"):
        assert page.select_one("#email")["value"] == data["email"]


def test_a_valid_answer_is_shown_as_typed_when_another_on_the_page_is_wrong(applicant):
    applicant.start()
    response = applicant.answer("contact", {"email": "amara", "phone": "07700 900 982"})
    page = check_page(response)
    assert page.select_one("#phone")["value"] == "07700 900 982"
    applicant.answer("contact", {"email": "amara@example.org", "phone": "07700 900 982"})
    assert drafts.step_answers(applicant.draft(), "contact")["phone"] == "07700900982"


def test_what_was_typed_is_shown_escaped(applicant):
    applicant.start()
    response = applicant.answer("name", {"name": XSS})
    body = response.get_data(as_text=True)
    assert XSS not in body
    assert "&lt;script&gt;" in body


def test_an_unknown_step_is_not_found(applicant, get_page):
    applicant.start()
    for step in ["nope", "check", "NAME", "confirmation-x"]:
        get_page(f"{applicant.base}/{step}", status=404)


def test_a_vacancy_without_other_routes_skips_the_eligibility_page(
    applicant, db_session, get_page, vacancy
):
    vacancy.educated_route = vacancy.care_leaver_route = False
    db_session.commit()
    applicant.start()
    get_page(f"{applicant.base}/eligibility", status=404)
    response = applicant.answer("residence", answers(db_session)["residence"])
    assert response.location == f"{applicant.base}/right-to-work"


def test_only_the_routes_the_vacancy_accepts_are_asked(applicant, db_session, get_page, vacancy):
    vacancy.care_leaver_route = False
    db_session.commit()
    applicant.start()
    page = get_page(f"{applicant.base}/eligibility")
    assert page.select_one("legend h1").get_text(strip=True) == (
        "Did you go to a secondary school or college in Hackney?"
    )
    assert page.select_one("input[name=care_leaver]") is None
    response = applicant.answer("eligibility", {"educated_in_borough": "yes", "care_leaver": "yes"})
    assert response.status_code == 302
    assert drafts.step_answers(applicant.draft(), "eligibility") == {"educated_in_borough": "yes"}


# Expiry


def test_an_expired_draft_says_so_and_offers_to_start_again(applicant, client, frozen_clock):
    applicant.start()
    applicant.answer("name", {"name": "Amara Jones"})
    frozen_clock.advance(hours=24, seconds=1)
    applicant.token = csrf_token(client)  # the browser's session has timed out meanwhile
    for url in [f"{applicant.base}/contact", f"{applicant.base}/check-your-answers"]:
        response = client.get(url)
        assert response.status_code == 404
        page = check_page(response)
        assert page.select_one("h1").get_text(strip=True) == "Your application has expired"
        again = page.select_one("main a[href$='/apply']")
        assert again["href"] == f"/vacancies/{applicant.vacancy.id}/apply"
    response = applicant.answer("contact", answers(applicant.db_session)["contact"])
    assert response.status_code == 404


def test_a_draft_saved_recently_is_still_there(applicant, client, get_page, frozen_clock):
    applicant.start()
    frozen_clock.advance(hours=20)
    applicant.token = csrf_token(client)
    assert applicant.answer("name", {"name": "Amara Jones"}).status_code == 302
    frozen_clock.advance(hours=20)
    assert get_page(f"{applicant.base}/name").select_one("#name")["value"] == "Amara Jones"


def test_a_made_up_key_or_another_vacancys_key_is_not_found(applicant, client, db_session):
    applicant.start()
    other = builders.create_vacancy(db_session, title="Other")
    for url in [
        f"/vacancies/{applicant.vacancy.id}/apply/{'A' * 43}/name",
        f"/vacancies/{other.id}/apply/{applicant.key}/name",
    ]:
        response = client.get(url)
        assert response.status_code == 404
        assert "expired" in text_of(check_page(response))


def test_a_vacancy_closing_mid_application_says_so(applicant, client, db_session, vacancy):
    applicant.complete()
    vacancy.closing_date = date(2026, 11, 26)
    db_session.commit()
    response = client.get(f"{applicant.base}/statement")
    assert response.status_code == 410
    assert "This vacancy has closed" in text_of(check_page(response))
    assert applicant.send().status_code == 410
    assert applications_stored(db_session) == []


# Check your answers


def test_check_your_answers_lists_every_answer_with_change_links(applicant, get_page):
    applicant.complete()
    page = get_page(f"{applicant.base}/check-your-answers")
    rows = {
        row.select_one("dt").get_text(strip=True): (
            " ".join(row.select_one(".govuk-summary-list__value").get_text().split()),
            row.select_one(".govuk-summary-list__actions a")["href"],
        )
        for row in page.select(".govuk-summary-list__row")
    }
    base = applicant.base
    assert rows == {
        "Full name": ("Amara Jones", f"{base}/name?change=1"),
        "Email address": ("amara@example.org", f"{base}/contact?change=1"),
        "UK phone number": ("07700900982", f"{base}/contact?change=1"),
        "Date of birth": ("14 March 2006", f"{base}/date-of-birth?change=1"),
        "Postcode": ("E8 1EA", f"{base}/postcode?change=1"),
        "Borough you live in": ("Hackney", f"{base}/residence?change=1"),
        "Went to a secondary school or college in Hackney": ("No", f"{base}/eligibility?change=1"),
        "Care leaver supported by Hackney": ("No", f"{base}/eligibility?change=1"),
        "Right to work in the UK": ("Yes", f"{base}/right-to-work?change=1"),
        "In full-time education when the apprenticeship starts": (
            "No",
            f"{base}/education?change=1",
        ),
        "Guaranteed interview scheme": (
            "Yes, under the Disability Confident scheme",
            f"{base}/guaranteed-interview?change=1",
        ),
        "Supporting statement": (STATEMENT, f"{base}/statement?change=1"),
    }
    text = text_of(page)
    assert "you meet the requirements for this apprenticeship: Lives in Hackney" in text
    assert page.select_one("form button").get_text(strip=True) == "Accept and send application"


def test_a_change_from_check_your_answers_returns_there(applicant, get_page):
    applicant.complete()
    page = get_page(f"{applicant.base}/postcode?change=1")
    assert page.select_one(".govuk-back-link")["href"] == f"{applicant.base}/check-your-answers"
    assert page.select_one("form")["action"] == f"{applicant.base}/postcode?change=1"
    response = applicant.answer("postcode", {"postcode": "n1 9gu"}, query="?change=1")
    assert response.location == f"{applicant.base}/check-your-answers"
    assert "N1 9GU" in text_of(get_page(f"{applicant.base}/check-your-answers"))


def test_unanswered_questions_are_listed_and_the_application_cannot_be_sent(
    applicant, get_page, db_session
):
    applicant.complete(skip=("postcode", "statement"))
    page = get_page(f"{applicant.base}/check-your-answers")
    missing = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd a")["href"]
        for row in page.select(".govuk-summary-list__row--no-actions")
    }
    assert missing == {
        "Postcode": f"{applicant.base}/postcode",
        "Supporting statement": f"{applicant.base}/statement",
    }
    assert page.select_one("main form") is None
    assert page.select_one("a.govuk-button")["href"] == f"{applicant.base}/postcode"
    response = applicant.send()
    assert response.location == f"{applicant.base}/postcode"
    assert applications_stored(db_session) == []


def test_an_ineligible_applicant_is_told_why_and_may_still_apply(applicant, get_page, db_session):
    applicant.complete(
        residence={"residence": applications.OUTSIDE_LONDON},
        **{"right-to-work": {"right_to_work": "no"}},
    )
    page = get_page(f"{applicant.base}/check-your-answers")
    reasons = [li.get_text(strip=True) for li in page.select("#eligibility-reasons li")]
    assert reasons == [
        "Does not live in Hackney, did not go to a secondary school or college in Hackney and "
        "is not a care leaver supported by Hackney",
        "Does not have the right to work in the UK",
    ]
    assert "you may not be able to get this apprenticeship" in text_of(page)
    assert "You can still send your application" in text_of(page)

    assert applicant.send().status_code == 302
    (application,) = applications_stored(db_session)
    assert application.eligible is False
    assert application.eligibility_reasons == reasons
    assert application.is_local is False


# Sending


def test_sending_stores_the_application_mails_a_receipt_and_shows_the_reference(
    applicant, get_page, db_session, mailbox, app
):
    applicant.complete()
    response = applicant.send()
    assert response.status_code == 302
    assert response.location == f"{applicant.base}/confirmation"

    (application,) = applications_stored(db_session)
    assert (application.name, application.email, application.postcode, application.phone) == (
        "Amara Jones",
        "amara@example.org",
        "E8 1EA",
        "07700900982",
    )
    assert application.guaranteed_interview == "disability_confident"
    assert (application.eligible, application.is_local, application.age_band) == (
        True,
        True,
        "19-23",
    )
    event = db_session.scalars(select(ApplicationEvent)).one()
    assert (event.from_stage, event.to_stage, event.actor_user_id) == (None, "submitted", None)
    assert applicant.draft().answers == {"application_id": application.id}
    assert count(db_session, RateLimitHit) == 1

    (mail,) = mailbox
    assert mail.to == "amara@example.org"
    assert application.reference in mail.subject and application.reference in mail.body
    token = applications.withdraw_token(app.config["SECRET_KEY"], application)
    assert f"http://localhost/applications/withdraw/{token}" in mail.body
    assert "Dear Amara Jones" in mail.body

    page = get_page(response.location)
    panel = page.select_one(".govuk-panel")
    assert "Application sent" in panel.get_text()
    assert application.reference in panel.get_text()
    assert "We have sent a confirmation email to amara@example.org" in text_of(page)
    assert page.select_one(f"a[href='{applicant.base}/equality']") is not None


def test_links_in_the_receipt_ignore_the_host_header(applicant, mailbox, app):
    applicant.complete()
    name = app.config["SESSION_COOKIE_NAME"]
    session_token = applicant.client.get_cookie(name).value
    applicant.client.set_cookie(name, session_token, domain="evil.example")
    response = applicant.client.post(
        f"{applicant.base}/check-your-answers",
        data={"csrf_token": applicant.token},
        base_url="http://evil.example",
    )
    assert response.status_code == 302
    (mail,) = mailbox
    assert "evil.example" not in mail.body
    assert "http://localhost/applications/withdraw/" in mail.body


def test_a_receipt_that_cannot_be_sent_is_mentioned(applicant, mailbox, monkeypatch, get_page):
    from app.web.public import apply

    monkeypatch.setattr(apply, "send_mail", lambda *args, **kwargs: False)
    applicant.complete()
    response = applicant.send()
    text = text_of(get_page(response.location))
    assert "We could not send your confirmation email" in text
    assert "We could not send" not in text_of(get_page(response.location))  # said once


def test_after_sending_the_pages_lead_to_the_confirmation(applicant, client):
    applicant.complete()
    applicant.send()
    for url in [f"{applicant.base}/name", f"{applicant.base}/check-your-answers"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.location == f"{applicant.base}/confirmation"
    assert applicant.send().location == f"{applicant.base}/confirmation"


def test_before_sending_the_confirmation_and_equality_pages_lead_to_check_your_answers(
    applicant, client
):
    applicant.complete()
    for url in [f"{applicant.base}/confirmation", f"{applicant.base}/equality"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.location == f"{applicant.base}/check-your-answers"


def test_the_same_email_cannot_apply_twice_to_one_vacancy(
    client, db_session, vacancy, app, mailbox
):
    first = Applicant(client, db_session, vacancy)
    first.complete()
    assert first.send().status_code == 302

    second = Applicant(app.test_client(), db_session, vacancy)
    second.complete(contact={"email": "AMARA@example.org", "phone": "020 7946 0000"})
    response = second.send()
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [applications.DUPLICATE_MESSAGE]
    assert page.select_one(".govuk-error-summary__list a")["href"] == "#submit"
    assert len(applications_stored(db_session)) == 1
    assert len(mailbox) == 1
    assert drafts.submitted_application_id(second.draft()) is None


# The front door's protections


def test_sending_needs_the_csrf_token(applicant, db_session):
    applicant.complete()
    response = applicant.client.post(f"{applicant.base}/check-your-answers")
    assert response.status_code == 400
    assert applications_stored(db_session) == []


def test_a_bot_filling_the_honeypot_sees_a_confirmation_but_nothing_is_stored(
    applicant, db_session, mailbox
):
    applicant.complete()
    before = applicant.draft().answers
    response = applicant.send(website="https://spam.example")
    assert response.status_code == 200
    page = check_page(response)
    assert "Application sent" in page.select_one(".govuk-panel").get_text()
    assert applications_stored(db_session) == []
    assert count(db_session, RateLimitHit) == 0
    assert applicant.draft().answers == before
    assert mailbox == []


def test_the_honeypot_is_hidden_from_people(applicant, get_page):
    applicant.complete()
    page = get_page(f"{applicant.base}/check-your-answers")
    trap = page.select_one("#website")
    wrapper = trap.find_parent("div")
    assert "govuk-!-display-none" in wrapper["class"] and wrapper["aria-hidden"] == "true"
    assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"


def test_submissions_from_one_address_to_one_vacancy_are_limited(
    app, client, db_session, vacancy, monkeypatch, frozen_clock
):
    monkeypatch.setitem(app.config, "APPLICATION_SUBMISSION_LIMIT", 2)

    def apply(email: str, target=vacancy, address: str = "198.51.100.7"):
        person = Applicant(app.test_client(), db_session, target)
        person.complete(contact={"email": email, "phone": "07700 900 982"})
        return person, person.post(
            f"{person.base}/check-your-answers", environ_base={"REMOTE_ADDR": address}
        )

    assert apply("one@example.org")[1].status_code == 302
    assert apply("two@example.org")[1].status_code == 302
    person, refused = apply("three@example.org")
    assert refused.status_code == 429
    page = check_page(refused)
    assert page.select_one("h1").get_text(strip=True) == (
        "Sorry, we cannot take your application right now"
    )
    assert "no more than 2 from one connection in 60 minutes" in text_of(page)
    assert len(applications_stored(db_session)) == 2
    assert drafts.submitted_application_id(person.draft()) is None

    # Another address, or another vacancy, is not affected.
    assert apply("four@example.org", address="198.51.100.8")[1].status_code == 302
    other = builders.create_vacancy(db_session, title="Another vacancy")
    assert apply("five@example.org", target=other)[1].status_code == 302

    # An hour later the same address may apply again.
    frozen_clock.advance(minutes=61)
    person.token = csrf_token(person.client)
    response = person.post(
        f"{person.base}/check-your-answers", environ_base={"REMOTE_ADDR": "198.51.100.7"}
    )
    assert response.status_code == 302


def test_the_default_limit_tolerates_an_open_day(app, client, db_session, vacancy):
    assert applications.SubmissionLimit.from_config(app.config).per_address == 30


def test_application_pages_are_not_cached(applicant, client):
    applicant.start()
    response = client.get(f"{applicant.base}/name")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_statement_with_markup_is_shown_escaped(applicant, get_page):
    applicant.complete(statement={"supporting_statement": f"Line one\n\n{XSS}"})
    response = applicant.client.get(f"{applicant.base}/check-your-answers")
    body = response.get_data(as_text=True)
    assert XSS not in body and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body


# Equality questions


def test_equality_answers_are_optional_and_stored_apart(applicant, get_page, db_session):
    applicant.complete()
    applicant.send()
    page = get_page(f"{applicant.base}/equality")
    legends = [legend.get_text(strip=True) for legend in page.select("legend")]
    assert legends == [
        "What is your sex or gender?",
        "What is your ethnic group?",
        "Do you have a disability or long-term health condition?",
        "Have you ever been in care?",
    ]
    for field in ("gender", "ethnic_group", "disability", "care_experience"):
        assert page.select_one(f"input[name={field}][value=prefer_not_to_say]") is not None
    assert page.select_one("a.govuk-link[href$='/confirmation']").get_text() == (
        "Skip these questions"
    )

    response = applicant.post(
        f"{applicant.base}/equality",
        {"gender": "woman", "ethnic_group": "mixed_white_black_caribbean", "disability": ""},
    )
    assert response.location == f"{applicant.base}/confirmation"
    record = db_session.scalars(select(EqualityMonitoring)).one()
    (application,) = applications_stored(db_session)
    assert (record.application_id, record.gender, record.ethnic_group, record.disability) == (
        application.id,
        "woman",
        "mixed_white_black_caribbean",
        None,
    )
    page = get_page(f"{applicant.base}/confirmation")
    assert "Thank you for answering the equality questions" in text_of(page)
    assert page.select_one(f"a[href='{applicant.base}/equality']") is None
    assert "Caribbean" not in text_of(page)


def test_sending_no_equality_answers_stores_nothing(applicant, db_session):
    applicant.complete()
    applicant.send()
    response = applicant.post(f"{applicant.base}/equality", {})
    assert response.status_code == 302
    assert count(db_session, EqualityMonitoring) == 0


def test_an_equality_answer_that_is_not_an_option_is_refused(applicant, db_session):
    applicant.complete()
    applicant.send()
    response = applicant.post(f"{applicant.base}/equality", {"ethnic_group": "x" * 500})
    assert response.status_code == 400
    assert error_messages(check_page(response)) == ["Select one of the options, or leave it blank"]
    assert count(db_session, EqualityMonitoring) == 0


# Withdrawing by link


def withdraw_url(app, application) -> str:
    return "/applications/withdraw/" + applications.withdraw_token(
        app.config["SECRET_KEY"], application
    )


def test_the_applicant_withdraws_with_the_link_once(app, client, db_session, vacancy, get_page):
    application = builders.create_application(db_session, vacancy)
    url = withdraw_url(app, application)
    page = get_page(url)
    assert page.select_one("h1").get_text(strip=True) == "Withdraw your application"
    assert application.reference in text_of(page)
    assert application.name not in text_of(page)

    token = csrf_token(client)
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 302 and response.location == url
    db_session.expire_all()
    assert db_session.get(Application, application.id).stage == Stage.WITHDRAWN.value
    event = db_session.scalars(
        select(ApplicationEvent).order_by(ApplicationEvent.id.desc())
    ).first()
    assert (event.from_stage, event.to_stage, event.actor_user_id) == (
        "submitted",
        "withdrawn",
        None,
    )
    page = get_page(url)
    assert page.select_one("h1").get_text(strip=True) == "Your application has been withdrawn"
    assert page.select_one("main form") is None

    again = client.post(url, data={"csrf_token": token})
    assert again.status_code == 409
    assert error_messages(check_page(again)) == ["You have already withdrawn this application"]
    assert count(db_session, ApplicationEvent) == 2


def test_a_hired_applicant_cannot_withdraw_by_link(app, client, db_session, vacancy, get_page):
    application = builders.create_application(db_session, vacancy, stage=Stage.HIRED)
    url = withdraw_url(app, application)
    page = get_page(url)
    assert page.select_one("h1").get_text(strip=True) == (
        "You cannot withdraw this application online"
    )
    assert page.select_one("main form") is None
    response = client.post(url, data={"csrf_token": csrf_token(client)})
    assert response.status_code == 409
    db_session.expire_all()
    assert db_session.get(Application, application.id).stage == Stage.HIRED.value


def test_an_invalid_withdrawal_link_is_refused_clearly(app, client, db_session, vacancy):
    application = builders.create_application(db_session, vacancy)
    good = applications.withdraw_token(app.config["SECRET_KEY"], application)
    for token in [good[:-3] + "abc", "nonsense", "x" * 600]:
        response = client.get(f"/applications/withdraw/{token}")
        assert response.status_code == 400
        assert check_page(response).select_one("h1").get_text(strip=True) == (
            "This link is not valid"
        )
        response = client.post(
            f"/applications/withdraw/{token}", data={"csrf_token": csrf_token(client)}
        )
        assert response.status_code == 400
    db_session.expire_all()
    assert db_session.get(Application, application.id).stage == Stage.SUBMITTED.value
