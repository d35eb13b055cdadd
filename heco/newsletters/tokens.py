"""Signed links: the subscriber's random token, signed with SECRET_KEY.

The confirmation link expires (``CONFIRM_MAX_AGE``); the unsubscribe link never does (a
newsletter from years ago must still unsubscribe); the "your data" link (export, erasure)
expires after ``DATA_MAX_AGE``. Each link kind has its own salt, so one
cannot stand in for the other.
"""

from __future__ import annotations

from django.core import signing

CONFIRM_SALT = "heco.newsletters.confirm"
UNSUBSCRIBE_SALT = "heco.newsletters.unsubscribe"
DATA_SALT = "heco.newsletters.data-request"
CONFIRM_MAX_AGE = 14 * 24 * 3600
DATA_MAX_AGE = 7 * 24 * 3600


def confirm_token(subscriber) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(subscriber.token)


def unsubscribe_token(subscriber) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(subscriber.token)


def read_confirm_token(value: str) -> str | None:
    try:
        return signing.TimestampSigner(salt=CONFIRM_SALT).unsign(value, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None


def read_unsubscribe_token(value: str) -> str | None:
    try:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(value)
    except signing.BadSignature:
        return None


def data_token(subscriber) -> str:
    """The "your data" link: a subscriber's random token (never the address) signed with the
    time, valid for ``DATA_MAX_AGE``; it gives access to every subscription of that address."""
    return signing.TimestampSigner(salt=DATA_SALT).sign(subscriber.token)


def read_data_token(value: str) -> str | None:
    try:
        return signing.TimestampSigner(salt=DATA_SALT).unsign(value, max_age=DATA_MAX_AGE)
    except signing.BadSignature:
        return None
