"""Password hashes (argon2id) and API tokens (random secret; only its SHA-256 is stored)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): on the 2-core machine a login
# costs about 50 ms instead of 0.5 s with the library's defaults, and --demo seeds 24 accounts quickly.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
TOKEN_PREFIX = "dgt_"
# A hash to verify against when the user does not exist, so both cases take the same time.
_DUMMY = _HASHER.hash("docgen-no-such-user")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A token as shown once to its owner: prefix + 32 random bytes (url-safe)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
