from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from joinedup.access import passwords
from joinedup.access.model import PasswordPolicyError


@pytest.fixture(autouse=True)
def real_argon2(cheap_hashing: None) -> Iterator[None]:
    previous = passwords.use_hasher(PasswordHasher())
    yield
    passwords.use_hasher(previous)


def test_hash_is_argon2id_salted_and_verifies() -> None:
    first = passwords.hash_password("correct horse battery")
    second = passwords.hash_password("correct horse battery")
    assert first.startswith("$argon2id$")
    assert first != second  # a fresh salt each time
    assert "correct horse battery" not in first
    assert passwords.verify_password(first, "correct horse battery")
    assert not passwords.verify_password(first, "correct horse batterY")
    assert not passwords.verify_password("not a hash", "correct horse battery")


def test_same_password_typed_in_another_unicode_form_verifies() -> None:
    stored = passwords.hash_password("ｃｏｒｒｅｃｔ horse battery")  # fullwidth letters
    assert passwords.verify_password(stored, "correct horse battery")


def test_needs_rehash_for_weaker_parameters_or_a_corrupt_hash() -> None:
    assert not passwords.needs_rehash(passwords.hash_password("correct horse battery"))
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("x")
    assert passwords.needs_rehash(weak)
    assert passwords.needs_rehash("garbage")


@pytest.mark.parametrize(
    ("password", "username", "complaint"),
    [
        ("correct horse battery", "ana", None),
        ("twelve chars", None, None),
        ("eleven char", None, "at least 12"),
        ("", None, "at least 12"),
        ("aaaaaaaaaaaaaaaa", None, "different"),
        ("abababababababab", None, "different"),
        ("            ", None, "spaces"),
        ("x" * 1025, None, "at most 1024"),
        ("fiona.testuser", "fiona.testuser", "username"),
        ("FIONA.TESTUSER", "fiona.testuser", "username"),
        ("my fiona.testuser pw", "fiona.testuser", "username"),
        ("abc long password", "abc", None),  # a short username is not searched for
    ],
)
def test_policy(password: str, username: str | None, complaint: str | None) -> None:
    if complaint is None:
        passwords.check_policy(password, username)
        return
    with pytest.raises(PasswordPolicyError, match=complaint):
        passwords.check_policy(password, username)
