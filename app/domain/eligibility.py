"""Who may apply for a vacancy: Hackney's rule, as each vacancy sets it.

An applicant qualifies by one of three routes: living in an eligible borough, having been
educated in the employing borough (a secondary school or college there), or being a care leaver
the employing borough supports; the vacancy says which routes it accepts and which boroughs'
residents qualify. They must also be old enough on the cohort's start date, have the right to
work in the UK, and not be in full-time education then. An ineligible applicant is told why and
may still apply; the outcome and its reasons are stored with the application.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from app.domain.apprenticeship_rules import age_on
from app.models import ResidenceRule


@dataclass(frozen=True)
class EligibilityRule:
    employing_borough_id: int
    residence_rule: ResidenceRule
    eligible_borough_ids: frozenset[int]  # used when the rule is LIST
    educated_route: bool
    care_leaver_route: bool
    minimum_age: int
    start_date: date  # the cohort's start, when age is measured


@dataclass(frozen=True)
class EligibilityAnswers:
    date_of_birth: date
    residence_borough_id: int | None  # None: outside London
    educated_in_borough: bool
    care_leaver: bool
    right_to_work: bool
    full_time_education: bool


@dataclass(frozen=True)
class Assessment:
    eligible: bool
    # Why, in plain words: the route that qualifies, or every rule that is not met.
    reasons: tuple[str, ...]
    is_local: bool


def lives_in_eligible_borough(rule: EligibilityRule, residence_borough_id: int | None) -> bool:
    if residence_borough_id is None:
        return False
    if rule.residence_rule is ResidenceRule.LONDON:
        return True
    if rule.residence_rule is ResidenceRule.LIST:
        return residence_borough_id in rule.eligible_borough_ids
    return residence_borough_id == rule.employing_borough_id


def assess(
    rule: EligibilityRule, answers: EligibilityAnswers, borough_names: Mapping[int, str]
) -> Assessment:
    employer = borough_names[rule.employing_borough_id]
    routes = []
    home = answers.residence_borough_id
    if home is not None and lives_in_eligible_borough(rule, home):
        routes.append(f"Lives in {borough_names[home]}")
    if rule.educated_route and answers.educated_in_borough:
        routes.append(f"Went to a secondary school or college in {employer}")
    if rule.care_leaver_route and answers.care_leaver:
        routes.append(f"Is a care leaver supported by {employer}")

    problems = []
    if not routes:
        problems.append(_no_route(rule, employer))
    age = age_on(answers.date_of_birth, rule.start_date)
    if age < rule.minimum_age:
        problems.append(
            f"Will be {age} on {rule.start_date.day} {rule.start_date:%B %Y}, when the "
            f"apprenticeship starts; the youngest who can apply is {rule.minimum_age}"
        )
    if not answers.right_to_work:
        problems.append("Does not have the right to work in the UK")
    if answers.full_time_education:
        problems.append("Will be in full-time education when the apprenticeship starts")

    is_local = answers.residence_borough_id == rule.employing_borough_id
    if problems:
        return Assessment(eligible=False, reasons=tuple(problems), is_local=is_local)
    return Assessment(eligible=True, reasons=tuple(routes), is_local=is_local)


def _no_route(rule: EligibilityRule, employer: str) -> str:
    where = {
        ResidenceRule.OWN: f"does not live in {employer}",
        ResidenceRule.LIST: "does not live in one of the boroughs this vacancy is open to",
        ResidenceRule.LONDON: "does not live in a London borough",
    }[rule.residence_rule]
    others = []
    if rule.educated_route:
        others.append(f"did not go to a secondary school or college in {employer}")
    if rule.care_leaver_route:
        others.append(f"is not a care leaver supported by {employer}")
    parts = [where, *others]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return joined[0].upper() + joined[1:]


def age_band(date_of_birth: date, on: date) -> str:
    """The age band reports use (the bands of the national apprenticeship statistics)."""
    age = age_on(date_of_birth, on)
    if age < 16:
        return "under 16"
    if age <= 18:
        return "16-18"
    if age <= 23:
        return "19-23"
    return "24+"
