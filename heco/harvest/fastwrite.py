"""A lean multi-row INSERT for the harvest's hot path.

``bulk_create`` spends most of its time preparing each value through the generic field
machinery; a harvest page inserts thousands of values of a handful of types, so we prepare
them with one converter per column, chosen once, and hand the rows to ``executemany``.
Only for models without signals or save() logic that matters here (assets, source records,
events): like bulk_create, it sends no signals and does not call save().
"""

from __future__ import annotations

import json
import os
import time
import uuid
from types import SimpleNamespace

from django.db import connection, models


class Row(SimpleNamespace):
    """A row to insert: attribute names are the model's attnames (``asset_id``…)."""

    @property
    def pk(self):
        return self.id


_DEFAULTS: dict = {}


def _defaults(model) -> tuple[dict, list]:
    """(constant defaults, [(attname, callable default)]) of ``model``'s concrete fields."""
    found = _DEFAULTS.get(model)
    if found is None:
        constants, makers = {}, []
        for f in model._meta.concrete_fields:
            if isinstance(f, models.AutoField):
                continue
            if f.has_default() and callable(f.default):
                makers.append((f.attname, f.default))  # dict, list, uuid4…: a new one each
            else:
                constants[f.attname] = f._get_default()  # the value model instances get
        found = _DEFAULTS[model] = (constants, makers)
    return found


def new_row(model, **values) -> Row:
    """A Row with every field's default filled in (callable defaults called), then values.

    Much cheaper than a model instance; enough for insert_rows and for reading fields back.
    """
    constants, makers = _defaults(model)
    data = dict(constants)
    for attname, make in makers:
        if attname not in values:
            data[attname] = make()
    data.update(values)
    return Row(**data)


class UUIDs:
    """Time-ordered UUIDs (version 7, RFC 9562): 48 bits of Unix time in milliseconds, a
    12-bit counter for ids made in the same millisecond, then 62 random bits.

    Ids made one after another sort one after another, so a harvest's inserts append to the
    right edge of every index keyed by the id (the asset's primary key, the source records'
    and the search documents' asset ids) instead of landing on a random page each: fewer
    pages touched, fewer pages written per commit. Nothing reads meaning into an id; the
    time in it is when the harvest wrote the row. Random bits come from one ``os.urandom``
    call per batch.
    """

    def __init__(self, batch: int = 512, clock=time.time_ns):
        self.batch = batch
        self.clock = clock  # nanoseconds since the epoch
        self.random: list[int] = []
        self.last = 0  # the last id's time and counter, as (milliseconds << 12) | counter

    def __call__(self) -> uuid.UUID:
        if not self.random:
            data = os.urandom(8 * self.batch)
            self.random = [
                int.from_bytes(data[i : i + 8], "big") & _RAND_B for i in range(0, len(data), 8)
            ]
        # the counter runs into the next millisecond if a millisecond has over 4,096 ids, and
        # a clock set back does not make ids go back
        self.last = max(self.clock() // 1_000_000 << 12, self.last + 1)
        ms, counter = self.last >> 12, self.last & 0xFFF
        value = ms << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | self.random.pop()
        return uuid.UUID(int=value)


_RAND_B = (1 << 62) - 1


def _converter(field):
    ops = connection.ops
    if isinstance(field, models.ForeignKey):
        return _converter(field.target_field)
    if isinstance(field, models.UUIDField):
        if connection.features.has_native_uuid_field:
            return None
        return lambda value: value.hex if value is not None else None
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        empty = {
            "dict": ops.adapt_json_value({}, encoder),
            "list": ops.adapt_json_value([], encoder),
        }

        def adapt_json(value):
            if not value and type(value) in (dict, list):
                return empty[type(value).__name__]
            return ops.adapt_json_value(value, encoder)

        return adapt_json
    if isinstance(field, models.DateTimeField):
        cache: dict = {}  # a page writes the same "now" many times

        def adapt_datetime(value):
            if value not in cache:
                if len(cache) > 1000:
                    cache.clear()
                cache[value] = ops.adapt_datetimefield_value(value)
            return cache[value]

        return adapt_datetime
    if isinstance(
        field,
        (
            models.CharField,
            models.TextField,
            models.BooleanField,
            models.IntegerField,
            models.FloatField,
        ),
    ):
        return None
    return lambda value, field=field: field.get_db_prep_save(value, connection)


_PLANS: dict = {}
_NOTHING: dict = {}


def _plan(model) -> tuple[str, list, dict]:
    """(INSERT statement, [(attname, converter)], {attname: converter} of the JSON columns
    when the database takes JSON as text, else {}) of ``model``, made once."""
    found = _PLANS.get(model)
    if found is None:
        fields = [
            f
            for f in model._meta.concrete_fields
            if not (f.primary_key and isinstance(f, models.AutoField))
        ]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        table = connection.ops.quote_name(model._meta.db_table)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        converters = [(f.attname, _converter(f)) for f in fields]
        json_columns = {
            f.attname: convert
            for f, (_attname, convert) in zip(fields, converters, strict=True)
            if isinstance(f, models.JSONField)
        }
        # PostgreSQL's driver takes an adapter object and encodes it at execution
        if any(not isinstance(convert(["x"]), str) for convert in json_columns.values()):
            json_columns = {}
        found = _PLANS[model] = (sql, converters, json_columns)
    return found


def encoded_json(model, values: dict, texts: dict | None = None) -> dict:
    """The JSON fields among ``values`` (attname -> value) as insert_rows writes them, and
    ``texts`` (attname -> JSON text already made), for a row's ``_encoded``: so the encoding
    can be done ahead, in another process. Empty where the database does not take JSON as
    text (PostgreSQL): there the row's own values are written as usual."""
    _sql, _converters, json_columns = _plan(model)
    if not json_columns:
        return {}
    out = {
        attname: None if values[attname] is None else convert(values[attname])
        for attname, convert in json_columns.items()
        if attname in values
    }
    out.update(texts or {})
    return out


def insert_rows(model, objects) -> None:
    """INSERT ``objects`` (instances of ``model``) in one executemany. Auto ids are not read
    back, so use it for rows whose id is set in Python (UUID) or not needed afterwards.

    A row's ``_encoded`` (attname -> database value, from ``encoded_json``) is used as it is
    for those columns."""
    if not objects:
        return
    sql, converters, _json = _plan(model)
    rows = []
    for obj in objects:
        encoded = getattr(obj, "_encoded", None) or _NOTHING
        row = []
        for attname, convert in converters:
            if attname in encoded:
                row.append(encoded[attname])
                continue
            value = getattr(obj, attname)
            row.append(value if convert is None or value is None else convert(value))
        rows.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def present(model, column: str, values, **equal) -> set:
    """The ``values`` that ``model``'s ``column`` holds (where every ``equal`` column has
    its value): one query with the values as one parameter (a JSON array on SQLite, an
    array on PostgreSQL), which costs a page of a hundred records far less than ``__in``."""
    values = list(values)
    if not values:
        return set()
    ops = connection.ops
    if connection.vendor == "postgresql":
        clause, params = f"{ops.quote_name(column)} = ANY(%s)", [values]
    else:
        clause = f"{ops.quote_name(column)} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        params = [json.dumps(values)]
    for name, value in equal.items():
        field = model._meta.get_field(name)
        clause += f" AND {ops.quote_name(field.column)} = %s"
        params.append(field.get_db_prep_value(value, connection))
    table = ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {ops.quote_name(column)} FROM {table} WHERE {clause}", params)  # noqa: S608
        return {row[0] for row in cursor.fetchall()}
