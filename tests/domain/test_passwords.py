"""Password hashes meet OWASP ASVS (argon2id, at least 19 MiB and 2 passes)."""

from __future__ import annotations

import re

from app.domain.passwords import hash_password, needs_rehash, verify_password


def test_hashes_are_argon2id_at_asvs_parameters():
    stored = hash_password("correct horse battery staple")
    match = re.match(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$", stored)
    assert match, stored
    memory_kib, passes, lanes = map(int, match.groups())
    assert memory_kib >= 19 * 1024
    assert passes >= 2
    assert lanes >= 1


def test_each_hash_is_salted():
    assert hash_password("same password here") != hash_password("same password here")


def test_verification():
    stored = hash_password("correct horse battery staple")
    assert verify_password(stored, "correct horse battery staple")
    assert not verify_password(stored, "correct horse battery stapler")
    assert not verify_password(None, "anything at all")  # an account with no password yet
    assert not verify_password("not-a-hash", "anything at all")


def test_weaker_old_hashes_are_upgraded_at_sign_in():
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("a passphrase")
    assert needs_rehash(weak)
    assert not needs_rehash(hash_password("a passphrase"))
