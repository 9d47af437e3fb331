"""Property-based tests of the application journey (Hypothesis, with the conftest's profile:
fixed and repeatable under CI=true).

Random text, overlong input, control characters and odd dates at every step, and at the end:
the service never answers with a 5xx, every answer it saves passes the domain's checks, and an
application is stored only when every one of its answers is valid.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import select

from app.clock import today
from app.domain import application_drafts as drafts
from app.domain import applications
from app.domain import vacancies as vacancy_rules
from app.models import Application
from tests import builders
from tests.web.public.test_apply import Applicant

# Anything a browser could send (it cannot send unpaired surrogates in UTF-8).
CHARACTERS = st.characters(exclude_categories=("Cs",))
TEXT = st.text(CHARACTERS, max_size=40)
CONTROL = st.text(st.characters(categories=("Cc",)), min_size=1, max_size=8)
OVERLONG = st.builds(lambda piece, n: (piece or "x") * n, TEXT, st.integers(200, 6000)).map(
    lambda text: text[:6001]
)
MARKUP = st.sampled_from(['<script>alert("x")</script>', "' OR 1=1 --", "{{ 7 * 7 }}", "&amp;"])
NOISE = st.one_of(TEXT, CONTROL, OVERLONG, MARKUP, st.just(""))

VALID: dict[str, list[str]] = {
    "name": ["Amara Jones", "Siân Ŵyn ap Dafydd", "Zoë O’Brien-Smith", "李小龍"],
    "email": ["amara@example.org", "Z@Example.ORG", "a.b+c@example.co.uk"],
    "phone": ["07700 900 982", "+44 (0)20 7946 0000", "01632 960001"],
    "postcode": ["E8 1EA", "sw1a1aa", " n1 9gu ", "EC1A 1BB"],
    "residence": [applications.OUTSIDE_LONDON, "{hackney}", "{camden}"],
    "educated_in_borough": ["yes", "no"],
    "care_leaver": ["yes", "no"],
    "right_to_work": ["yes", "no"],
    "full_time_education": ["yes", "no"],
    "guaranteed_interview": ["no", "disability_confident", "care_leaver"],
    "supporting_statement": ["I want to learn.", "Line one.\r\n\r\nLine two.", "x" * 5000],
}

DATE_PART = st.one_of(
    st.integers(-50, 100_000).map(str),
    st.integers(10**9, 10**40).map(str),  # too large to be a day, month or year
    st.sampled_from(["", " ", "0", "00", "29", "31", "13", "١٢", "２０", "1e3", "0x10"]),
    TEXT,
)
ODD_DATES = st.sampled_from(
    [
        ["29", "2", "2007"],
        ["29", "2", "2008"],
        ["31", "4", "2006"],
        ["0", "0", "0"],
        ["1", "1", "1900"],
        ["1", "1", "9999"],
        ["27", "11", "2026"],
        ["28", "11", "2012"],
        ["27", "11", "2012"],
        ["14", "3", "2006"],
    ]
)
DATES = st.one_of(ODD_DATES, st.lists(DATE_PART, min_size=0, max_size=4))


EMAILS = itertools.count()
VALID_DATES = [["14", "3", "2006"], ["29", "2", "2008"], ["27", "11", "2012"], ["1", "1", "1990"]]


def fields_of(step: applications.Step) -> list[str]:
    return [field for field, asks in applications.FIELD_STEPS.items() if asks is step]


def valid_values(field: str, boroughs: dict[str, str]) -> st.SearchStrategy[Any]:
    if field == "date_of_birth":
        return st.sampled_from(VALID_DATES)
    return st.sampled_from([value.format(**boroughs) for value in VALID[field]])


def page_input(
    data: st.DataObject, step: applications.Step, boroughs: dict[str, str]
) -> dict[str, Any]:
    """What a page might be sent: a valid answer for each field, except some (often none),
    which are random, overlong, control characters, odd dates, or missing altogether."""
    fields = fields_of(step)
    spoilt = data.draw(st.sets(st.sampled_from(fields)), label="spoilt")
    values: dict[str, Any] = {}
    for field in fields:
        if field in spoilt:
            noise = DATES if field == "date_of_birth" else NOISE
            value = data.draw(st.one_of(st.none(), noise), label=field)
            if value is not None:
                values[field] = value
        else:
            values[field] = data.draw(valid_values(field, boroughs), label=field)
    return values


@pytest.fixture
def boroughs(db_session) -> dict[str, str]:
    return {
        "hackney": str(builders.get_borough(db_session, "Hackney").id),
        "camden": str(builders.get_borough(db_session, "Camden").id),
    }


@pytest.fixture
def vacancy(db_session):
    return builders.create_vacancy(db_session, borough="Hackney")


def assert_saved_answers_are_valid(db_session, vacancy_id: int, saved: dict) -> None:
    """Every answer a page saved passes the domain's check and is kept as checked."""
    vacancy = vacancy_rules.published_vacancy(db_session, vacancy_id)
    names = applications.borough_names(db_session)
    checked = applications.check_answers(saved, vacancy, names.keys(), today())
    answered = {field for values in saved.values() for field in values}
    problems = [problem for problem in checked.problems if problem.field in answered]
    assert problems == [], problems
    for values in saved.values():
        for value in values.values():
            assert isinstance(value, str)
            assert len(value) <= applications.STATEMENT_MAX_LENGTH


def assert_application_is_valid(db_session, application: Application) -> None:
    assert applications.clean_name(application.name) == application.name
    assert applications.clean_email(application.email) == application.email
    assert applications.clean_phone(application.phone) == application.phone
    assert applications.clean_postcode(application.postcode) == application.postcode
    assert applications.clean_statement(application.supporting_statement) == (
        application.supporting_statement
    )
    assert applications.check_date_of_birth(application.date_of_birth, today())
    assert application.guaranteed_interview in {"no", "disability_confident", "care_leaver"}
    assert application.stage == "submitted" and application.reference
    vacancy = vacancy_rules.published_vacancy(db_session, application.vacancy_id)
    answers = applications.ApplicationAnswers(
        name=application.name,
        email=application.email,
        phone=application.phone,
        date_of_birth=application.date_of_birth,
        postcode=application.postcode,
        residence_borough_id=application.residence_borough_id,
        educated_in_borough=application.educated_in_borough,
        care_leaver=application.care_leaver,
        right_to_work=application.right_to_work,
        full_time_education=application.full_time_education,
        guaranteed_interview=applications.GuaranteedInterview(application.guaranteed_interview),
        supporting_statement=application.supporting_statement,
    )
    assessment = applications.assessment_for(
        vacancy, answers, applications.borough_names(db_session)
    )
    assert (application.eligible, application.eligibility_reasons, application.is_local) == (
        assessment.eligible,
        list(assessment.reasons),
        assessment.is_local,
    )


@pytest.fixture
def applicant(client, db_session, vacancy) -> Applicant:
    """One resident's draft, started once and reused by every example."""
    person = Applicant(client, db_session, vacancy)
    person.start()
    return person


@given(data=st.data())
def test_any_input_at_any_step_is_saved_valid_or_refused_never_a_5xx(
    applicant, db_session, vacancy, boroughs, data
):
    step = data.draw(st.sampled_from(list(applications.Step)), label="step")
    values = page_input(data, step, boroughs)
    response = applicant.answer(step.value, values)
    assert response.status_code in (302, 400), response.status_code
    event(f"{response.status_code}")
    saved = drafts.all_answers(applicant.draft())
    if response.status_code == 400:
        page = response.get_data(as_text=True)
        assert "govuk-error-summary" in page
        assert "<script>alert" not in page
    else:
        assert step.value in saved
    assert_saved_answers_are_valid(db_session, vacancy.id, saved)


# What a draft might hold by the time it is sent (say, from an older version of the pages):
# each answer valid, random or missing. Dates are kept as ISO strings.
STORED_DATES = st.one_of(
    st.sampled_from(
        ["2006-03-14", "2007-02-29", "2008-02-29", "2006-3-14", "0001-01-01", "9999-12-31",
         "2026-11-27", "2012-11-28", "1926-11-27", "14/03/2006"]
    ),
    st.dates().map(str),
    TEXT,
)  # fmt: skip


def stored_values(
    data: st.DataObject, spoilt: set[str], boroughs: dict[str, str]
) -> dict[str, dict[str, str]]:
    """A draft's answers, step by step: valid except the spoilt ones (random or missing)."""
    steps: dict[str, dict[str, str]] = {}
    for field, step in applications.FIELD_STEPS.items():
        if field in spoilt:
            noise = STORED_DATES if field == "date_of_birth" else NOISE
            value = data.draw(st.one_of(st.none(), noise), label=field)
        elif field == "date_of_birth":
            value = data.draw(st.sampled_from(["2006-03-14", "2008-02-29", "1990-01-01"]))
        elif field == "email":
            value = f"applicant{next(EMAILS)}@example.org"  # not a duplicate
        else:
            value = data.draw(valid_values(field, boroughs), label=field)
        if value is not None:
            steps.setdefault(step.value, {})[field] = value
    return steps


@pytest.fixture
def no_submission_limit(app, monkeypatch):
    """Every example applies from the test client's one address."""
    monkeypatch.setitem(app.config, "APPLICATION_SUBMISSION_LIMIT", 1_000_000)


@given(data=st.data())
def test_an_application_is_stored_only_when_every_answer_is_valid(
    applicant, db_session, vacancy, boroughs, no_submission_limit, data
):
    draft = applicant.draft()
    if drafts.submitted_application_id(draft) is not None:  # the last example sent it
        applicant.start()
        draft = applicant.draft()
    # Half the time nothing is spoilt, so applications get through to be checked.
    spoilt = data.draw(
        st.one_of(st.just(set()), st.sets(st.sampled_from(list(applications.FIELD_STEPS)))),
        label="spoilt",
    )
    for step, values in stored_values(data, spoilt, boroughs).items():
        drafts.save_answers(draft, step, values)
    db_session.commit()

    response = applicant.send()
    assert response.status_code in (302, 400), response.status_code
    db_session.expire_all()
    sent = drafts.submitted_application_id(applicant.draft())
    stored = db_session.scalars(select(Application)).all()
    event("sent" if sent is not None else f"not sent ({response.status_code})")
    assert (sent is not None) == any(application.id == sent for application in stored)
    for application in stored:
        assert_application_is_valid(db_session, application)
