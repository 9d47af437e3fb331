"""Eligibility for each route and rule combination."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.eligibility import (
    EligibilityAnswers,
    EligibilityRule,
    age_band,
    assess,
)
from app.models import ResidenceRule

HACKNEY, CAMDEN, ISLINGTON = 12, 7, 19
NAMES = {HACKNEY: "Hackney", CAMDEN: "Camden", ISLINGTON: "Islington"}
START = date(2027, 9, 1)


def rule(**changes):
    values = {
        "employing_borough_id": HACKNEY,
        "residence_rule": ResidenceRule.OWN,
        "eligible_borough_ids": frozenset(),
        "educated_route": True,
        "care_leaver_route": True,
        "minimum_age": 16,
        "start_date": START,
    }
    return EligibilityRule(**{**values, **changes})


def answers(**changes):
    values = {
        "date_of_birth": date(2007, 3, 14),
        "residence_borough_id": HACKNEY,
        "educated_in_borough": False,
        "care_leaver": False,
        "right_to_work": True,
        "full_time_education": False,
    }
    return EligibilityAnswers(**{**values, **changes})


def test_a_resident_of_the_employing_borough_is_eligible_and_local():
    result = assess(rule(), answers(), NAMES)
    assert result.eligible and result.is_local
    assert result.reasons == ("Lives in Hackney",)


@pytest.mark.parametrize(
    ("residence_rule", "listed", "lives_in", "eligible"),
    [
        (ResidenceRule.OWN, set(), CAMDEN, False),
        (ResidenceRule.LIST, {CAMDEN, HACKNEY}, CAMDEN, True),
        (ResidenceRule.LIST, {CAMDEN}, ISLINGTON, False),
        (ResidenceRule.LONDON, set(), ISLINGTON, True),
        (ResidenceRule.LONDON, set(), None, False),  # outside London
    ],
)
def test_the_residence_route_follows_the_vacancys_rule(residence_rule, listed, lives_in, eligible):
    result = assess(
        rule(
            residence_rule=residence_rule,
            eligible_borough_ids=frozenset(listed),
            educated_route=False,
            care_leaver_route=False,
        ),
        answers(residence_borough_id=lives_in),
        NAMES,
    )
    assert result.eligible is eligible
    assert result.is_local is False


def test_education_in_the_borough_qualifies_someone_living_elsewhere():
    result = assess(rule(), answers(residence_borough_id=CAMDEN, educated_in_borough=True), NAMES)
    assert result.eligible
    assert result.reasons == ("Went to a secondary school or college in Hackney",)


def test_a_care_leaver_the_borough_supports_qualifies_from_anywhere():
    result = assess(rule(), answers(residence_borough_id=None, care_leaver=True), NAMES)
    assert result.eligible
    assert result.reasons == ("Is a care leaver supported by Hackney",)


def test_routes_the_vacancy_does_not_accept_do_not_count():
    result = assess(
        rule(educated_route=False, care_leaver_route=False),
        answers(residence_borough_id=CAMDEN, educated_in_borough=True, care_leaver=True),
        NAMES,
    )
    assert not result.eligible
    assert result.reasons == ("Does not live in Hackney",)


def test_without_any_route_the_reason_names_every_route():
    result = assess(rule(), answers(residence_borough_id=CAMDEN), NAMES)
    assert result.reasons == (
        "Does not live in Hackney, did not go to a secondary school or college in Hackney and "
        "is not a care leaver supported by Hackney",
    )


@pytest.mark.parametrize(
    ("born", "eligible"),
    [(date(2011, 9, 1), True), (date(2011, 9, 2), False)],  # 16 on the start date, or a day short
)
def test_age_is_measured_on_the_cohorts_start_date(born, eligible):
    result = assess(rule(), answers(date_of_birth=born), NAMES)
    assert result.eligible is eligible
    if not eligible:
        assert result.reasons == (
            "Will be 15 on 1 September 2027, when the apprenticeship starts; the youngest who "
            "can apply is 16",
        )


def test_a_higher_minimum_age_is_respected():
    assert not assess(rule(minimum_age=18), answers(date_of_birth=date(2010, 1, 1)), NAMES).eligible


def test_right_to_work_and_full_time_education_are_required_whatever_the_route():
    result = assess(rule(), answers(right_to_work=False, full_time_education=True), NAMES)
    assert not result.eligible
    assert result.reasons == (
        "Does not have the right to work in the UK",
        "Will be in full-time education when the apprenticeship starts",
    )
    assert result.is_local  # local whatever the outcome


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2011, 9, 1), "16-18"),
        (date(2008, 9, 2), "16-18"),
        (date(2008, 9, 1), "19-23"),
        (date(2003, 9, 2), "19-23"),
        (date(2003, 9, 1), "24+"),
    ],
)
def test_age_bands(born, band):
    assert age_band(born, START) == band
