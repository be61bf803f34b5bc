import subprocess
import sys
from collections.abc import Iterator

import argon2
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


def test_no_hash_is_made_at_import() -> None:
    # Every CLI command and every ingest worker imports this module: a hash there costs
    # each of them about 0.1 s of CPU and 64 MiB.
    code = (
        "import joinedup.cli\n"
        "from joinedup.access import passwords\n"
        "print(passwords._dummy_hash.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_an_unknown_user_costs_what_the_hasher_in_use_costs() -> None:
    cheap = PasswordHasher.from_parameters(argon2.profiles.CHEAPEST)
    previous = passwords.use_hasher(cheap)
    try:
        passwords.verify_dummy("any password at all")
        made = passwords._dummy_hash(cheap)
        assert argon2.extract_parameters(made) == argon2.profiles.CHEAPEST
    finally:
        passwords.use_hasher(previous)
    default = passwords._dummy_hash(previous)
    assert argon2.extract_parameters(default) == argon2.extract_parameters(
        previous.hash("another password")
    )
