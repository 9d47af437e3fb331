"""What makes a password acceptable (NCSC and OWASP ASVS guidance).

Length is what counts: at least 12 characters, any characters at all (spaces, emoji, any
script), pasting allowed, no composition rules. Refused: the most common passwords, and
passwords made only of words anyone could guess here (the service's name, a borough's name,
the person's own name or email), dressed up with digits and symbols or not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 1000  # long enough for any passphrase, short enough to hash cheaply

COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"

# Words anyone would try against this service, on top of borough names and the person's own.
SERVICE_WORDS = (
    "digital",
    "apprentice",
    "apprentices",
    "apprenticeship",
    "apprenticeships",
    "council",
    "borough",
    "london",
    "loti",
    "password",
    "passw0rd",
    "welcome",
    "letmein",
)


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def _letters_only(text: str) -> str:
    normalised = unicodedata.normalize("NFKC", text).casefold()
    return "".join(char for char in normalised if char.isalpha())


def _words(texts: Iterable[str]) -> set[str]:
    """The guessable words in names and emails: "Tower Hamlets" gives tower, hamlets and
    towerhamlets; "priya.shah@example.org" gives priya, shah, priyashah and example."""
    words: set[str] = set()
    for text in texts:
        local = text.split("@", 1)[0] if "@" in text else text
        parts = [_letters_only(part) for part in re.split(r"[\s._@+-]+", local)]
        words.update(part for part in parts if len(part) >= 3)
        whole = _letters_only(local)
        if len(whole) >= 3:
            words.add(whole)
    return words


def _made_only_of(letters: str, words: set[str]) -> bool:
    """Whether the letters can be split entirely into the given words (each used any number of
    times), e.g. "hackneycouncilhackney" from {hackney, council}."""
    if not letters:
        return True
    reachable = [False] * (len(letters) + 1)
    reachable[0] = True
    for end in range(1, len(letters) + 1):
        reachable[end] = any(
            reachable[end - len(word)] and letters.endswith(word, 0, end)
            for word in words
            if len(word) <= end
        )
    return reachable[-1]


def password_problem(
    password: str, *, borough_names: Iterable[str] = (), personal: Iterable[str] = ()
) -> str | None:
    """Why this password is refused, in words to show the person, or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lowered = password.casefold()
    stripped = re.sub(r"[\W\d_]+$", "", lowered)  # "Password2024!" is still "password"
    common = common_passwords()
    if lowered in common or stripped in common or lowered.replace(" ", "") in common:
        return "Password is too common. Choose one that would be hard to guess, like 3 random words"
    personal = [text for text in personal if text]
    if any(text.casefold() in lowered for text in personal if "@" in text):
        return "Password must not contain your email address"
    letters = _letters_only(password)
    guessable = _words([*SERVICE_WORDS, *borough_names, *personal])
    if _made_only_of(letters, guessable):
        return (
            "Password must not be based on your name, your email address, a borough's name "
            "or the name of this service"
        )
    return None
