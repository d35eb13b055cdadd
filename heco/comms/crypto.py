"""Channel credentials encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256).

The key is derived from ``HECO_CREDENTIALS_KEY`` (environment or setting) when set, else from
``SECRET_KEY``. ``HECO_CREDENTIALS_KEY`` may hold several comma-separated secrets to rotate
keys: the first encrypts, every one of them decrypts (``MultiFernet``). Rotating the secret key
without keeping the old one listed makes stored credentials unreadable: re-enter them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "fernet:"  # marks the column's contents as a token, never plaintext


class CredentialsError(Exception):
    """Stored credentials could not be decrypted (wrong or rotated key)."""


def _secrets() -> list[str]:
    configured = getattr(settings, "HECO_CREDENTIALS_KEY", "") or os.environ.get(
        "HECO_CREDENTIALS_KEY", ""
    )
    secrets = [part.strip() for part in configured.split(",") if part.strip()]
    return secrets or [settings.SECRET_KEY]


def _fernet_for(secret: str) -> Fernet:
    digest = hashlib.sha256(b"heco-comms-credentials\x00" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def fernet() -> MultiFernet:
    return MultiFernet([_fernet_for(secret) for secret in _secrets()])


def encrypt_json(data: dict) -> str:
    if not data:
        return ""
    token = fernet().encrypt(json.dumps(data, sort_keys=True).encode())
    return PREFIX + token.decode()


def decrypt_json(value: str) -> dict:
    if not value:
        return {}
    if not value.startswith(PREFIX):
        raise CredentialsError("stored credentials are not an encrypted token")
    try:
        return json.loads(fernet().decrypt(value[len(PREFIX) :].encode()))
    except InvalidToken as exc:
        raise CredentialsError("stored credentials cannot be decrypted with this key") from exc
