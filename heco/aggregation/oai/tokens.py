"""Stateless, signed resumption tokens.

A token carries everything needed to continue a list: the metadataPrefix, the set and date
filters, the (updated_at, id) key of the last record sent and the cursor. It is signed with
``django.core.signing`` (SECRET_KEY), so nothing is stored on the server: a token stays
valid across restarts and processes, and cannot be forged or tampered with. Tokens do not
expire; rotating SECRET_KEY invalidates them (harvesters then get ``badResumptionToken``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core import signing

SALT = "heco.aggregation.oai.resumption"
VERSION = 1


class InvalidToken(ValueError):
    pass


@dataclass(frozen=True)
class ListState:
    metadata_prefix: str
    set_spec: str | None
    from_: dt.datetime | None  # inclusive lower bound
    until: dt.datetime | None  # exclusive upper bound (already widened to the granularity)
    last_updated: dt.datetime | None = None
    last_id: uuid.UUID | None = None
    cursor: int = 0


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_dt(value) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidToken("bad datetime")
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise InvalidToken("naive datetime")
    return parsed


def encode(state: ListState) -> str:
    payload = {
        "v": VERSION,
        "p": state.metadata_prefix,
        "s": state.set_spec,
        "f": _iso(state.from_),
        "u": _iso(state.until),
        "t": _iso(state.last_updated),
        "i": state.last_id.hex if state.last_id else None,
        "c": state.cursor,
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def decode(token: str) -> ListState:
    try:
        payload = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise InvalidToken(str(exc))
    try:
        if not isinstance(payload, dict) or payload.get("v") != VERSION:
            raise InvalidToken("unknown token version")
        cursor = payload["c"]
        if not isinstance(cursor, int) or cursor < 0:
            raise InvalidToken("bad cursor")
        prefix, set_spec = payload["p"], payload["s"]
        if not isinstance(prefix, str) or not (set_spec is None or isinstance(set_spec, str)):
            raise InvalidToken("bad arguments")
        last_id = uuid.UUID(hex=payload["i"]) if payload["i"] else None
        return ListState(
            metadata_prefix=prefix,
            set_spec=set_spec,
            from_=_parse_dt(payload["f"]),
            until=_parse_dt(payload["u"]),
            last_updated=_parse_dt(payload["t"]),
            last_id=last_id,
            cursor=cursor,
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, InvalidToken):
            raise
        raise InvalidToken(str(exc))
