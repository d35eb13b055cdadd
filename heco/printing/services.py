"""Writes for short links: create (idempotent per target and medium) and count a scan."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from heco.printing.models import ShortLink, ShortLinkScanDay
from heco.printing.selectors import target_type_of

# Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper is unambiguous.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 7  # 32**7 ≈ 3.4e10 codes: short on paper, not practical to enumerate


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise_code(code: str) -> str:
    """Read a code the way Crockford base32 intends: case-insensitive, O→0, I/L→1, no dashes."""
    code = (code or "").strip().upper().replace("-", "")
    return code.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def shortlink_for(*, target, medium: str = "") -> ShortLink:
    """The short link for ``target`` (an Asset, Event or Organisation) printed on ``medium``.

    Printing the same thing again reuses its code, so older copies keep counting.
    """
    target_type = target_type_of(target)
    existing = ShortLink.objects.filter(
        target_type=target_type, target_id=target.pk, medium=medium
    ).first()
    if existing:
        return existing
    for _attempt in range(8):
        link = ShortLink(
            code=new_code(), target_type=target_type, target_id=target.pk, medium=medium
        )
        link.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                link.save()
            return link
        except IntegrityError:
            # either another request created this target's link meanwhile, or the random
            # code was taken: look for the former, otherwise draw a new code
            existing = ShortLink.objects.filter(
                target_type=target_type, target_id=target.pk, medium=medium
            ).first()
            if existing:
                return existing
    raise RuntimeError("could not allocate a unique short link code")


def shortlink_record_scan(*, link: ShortLink) -> None:
    """Count one scan: the total and today's row, both with atomic ``F() + 1`` updates."""
    today = timezone.localdate()
    with transaction.atomic():
        ShortLink.objects.filter(pk=link.pk).update(scan_count=F("scan_count") + 1)
        updated = ShortLinkScanDay.objects.filter(link=link, day=today).update(count=F("count") + 1)
        if updated:
            return
        try:
            with transaction.atomic():
                ShortLinkScanDay.objects.create(link=link, day=today, count=1)
        except IntegrityError:  # a concurrent scan created today's row first
            ShortLinkScanDay.objects.filter(link=link, day=today).update(count=F("count") + 1)
