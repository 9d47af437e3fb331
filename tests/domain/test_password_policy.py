"""The password policy: length matters, common and guessable passwords do not pass."""

from __future__ import annotations

import pytest

from app.domain.password_policy import common_passwords, password_problem

BOROUGHS = ["Hackney", "Tower Hamlets", "City of London", "Kingston upon Thames"]
PERSON = ["Priya Shah", "priya.shah@example.org"]


def problem(password: str) -> str | None:
    return password_problem(password, borough_names=BOROUGHS, personal=PERSON)


@pytest.mark.parametrize(
    "password",
    [
        "twelve chars",  # exactly 12
        "x" * 64 + " and more",
        "y" * 200,
        "🦊 the quick brown fox 🦊",
        "Ünïcödé pässphräse für alle",
        "пароль из трёх слов",
        "correct horse battery staple",
        "hackney has the best market stalls",  # a borough in a real sentence is fine
        "   spaces at the ends   ",
    ],
)
def test_long_passwords_of_any_characters_are_accepted(password):
    assert problem(password) is None


def test_eleven_characters_are_too_few():
    assert problem("eleven char") == "Password must be 12 characters or more"
    assert problem("🦊" * 11) == "Password must be 12 characters or more"


@pytest.mark.parametrize(
    "password",
    [
        "1q2w3e4r5t6y",
        "QWERTY123456",
        "Qwerty123456!",
        "Password1234!",
        "PASSWORD12345",
        "qazwsxedcrfv",
    ],
)
def test_common_passwords_are_refused_whatever_the_case(password):
    assert problem(password).startswith("Password is too common")


@pytest.mark.parametrize(
    "password",
    [
        "Hackney2024!!",
        "TowerHamlets123",
        "tower hamlets tower hamlets",
        "HackneyCouncil2026",
        "Digital Apprenticeships 1",
        "apprentice apprentice",
        "KingstonUponThames",
        "priyashah2026!",
        "Shah Priya 1990!",
    ],
)
def test_passwords_built_from_guessable_words_are_refused(password):
    assert "must not be based on your name" in problem(password)


def test_own_email_is_refused_anywhere_in_the_password():
    assert problem("my priya.shah@example.org!") == "Password must not contain your email address"


def test_the_shipped_list_has_thousands_of_common_passwords():
    passwords = common_passwords()
    assert len(passwords) >= 3000
    assert {"123456", "password", "qwerty", "iloveyou"} <= passwords
