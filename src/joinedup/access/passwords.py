"""Password hashing (Argon2id via argon2-cffi) and the password policy.

The policy follows NIST SP 800-63B: length over composition rules. Passwords are
NFKC-normalised before hashing so the same password typed on another keyboard matches.
"""

from __future__ import annotations

import functools
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from joinedup.access.model import PasswordPolicyError

MIN_LENGTH = 12
MAX_LENGTH = 1024  # far beyond any passphrase; stops a megabyte "password" costing CPU
MIN_DISTINCT = 5  # "aaaaaaaaaaaa" and "abababababab" are not passwords

_hasher = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A real hash of a random string, made with `hasher`'s parameters: verifying against
    it makes an unknown username cost the same time as a wrong password, so timing does
    not reveal who has an account. Made at the first login that needs it, not at import:
    a hash costs about 0.1 s of CPU and 64 MiB, which every CLI command and every ingest
    worker would otherwise pay."""
    return hasher.hash("joinedup-timing-equaliser-not-a-password")


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Swap the hasher (a deployment tuning cost, or tests using argon2's CHEAPEST profile);
    returns the previous one. Existing hashes keep verifying: parameters live in each hash."""
    global _hasher
    previous, _hasher = _hasher, hasher
    return previous


def _normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def check_policy(password: str, username: str | None = None) -> None:
    """Raise PasswordPolicyError naming the broken rule; return None when the password is fine."""
    pw = _normalise(password)
    if len(pw) < MIN_LENGTH:
        raise PasswordPolicyError(
            f"the password is {len(pw)} characters long; it must have at least {MIN_LENGTH} "
            "(a few unrelated words make a long password that is easy to remember)"
        )
    if len(pw) > MAX_LENGTH:
        raise PasswordPolicyError(f"the password must have at most {MAX_LENGTH} characters")
    if pw.strip() == "":
        raise PasswordPolicyError("the password must not be only spaces")
    if len(set(pw)) < MIN_DISTINCT:
        raise PasswordPolicyError(
            f"the password repeats too few characters; use at least {MIN_DISTINCT} different ones"
        )
    if username:
        name = username.casefold()
        folded = pw.casefold()
        if folded == name or (len(name) >= 4 and name in folded):
            raise PasswordPolicyError("the password must not be or contain the username")


def hash_password(password: str) -> str:
    """An Argon2id hash string (salt and parameters included) for storing."""
    return _hasher.hash(_normalise(password))


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches `password_hash`; False for a mismatch or a corrupt hash."""
    try:
        return _hasher.verify(password_hash, _normalise(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def verify_dummy(password: str) -> None:
    """Spend the time of one verification, for a login whose username does not exist."""
    verify_password(_dummy_hash(_hasher), password)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's; rehash at next login."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
