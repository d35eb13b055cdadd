"""The six OAI-PMH 2.0 verbs, argument checking and every error condition.

``respond(args, base_url)`` takes the request arguments (a dict of lists, as from a QueryDict;
None when they could not be read) and returns the whole response document as bytes. Lists use
keyset pagination on (updated_at, id) with no OFFSET, so every page costs the same, and a
record that changes during a harvest moves behind the cursor instead of shifting the others:
records whose datestamp does not change are each returned exactly once; a record changed after
it was sent comes again, later in the same list, with its new datestamp (allowed by the
protocol, §3.5).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass, replace
from urllib.parse import urlparse

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone
from lxml import etree

from heco.core.cache import catalogue_version
from heco.heritage.models import Asset

from ..crosswalks import common, dc, edm
from ..crosswalks.namespaces import (
    DC,
    EDM_SCHEMA,
    OAI,
    OAI_DC,
    OAI_DC_SCHEMA,
    OAI_IDENTIFIER,
    OAI_IDENTIFIER_SCHEMA,
    OAI_SCHEMA,
    RDF,
    XSI,
    q,
)
from ..selectors import (
    is_tombstone,
    oai_assets,
    oai_assets_in_key_order,
    with_crosswalk_relations,
)
from . import sets, tokens

PAGE_SIZE = 100
SIZE_CACHE_SECONDS = 3600
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    build: object  # callable(asset, ctx) -> etree element


FORMATS = {
    "oai_dc": MetadataFormat("oai_dc", OAI_DC_SCHEMA, OAI_DC, dc.build_dc),
    "edm": MetadataFormat("edm", EDM_SCHEMA, RDF, edm.build_rdf),
}

# verb -> (required arguments, optional arguments, exclusive argument)
VERBS = {
    "Identify": (set(), set(), None),
    "ListMetadataFormats": (set(), {"identifier"}, None),
    "ListSets": (set(), set(), "resumptionToken"),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), None),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
}

ERROR_CODES = (
    "badArgument",
    "badResumptionToken",
    "badVerb",
    "cannotDisseminateFormat",
    "idDoesNotExist",
    "noRecordsMatch",
    "noMetadataFormats",
    "noSetHierarchy",
)

DAY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SECOND_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
# Patterns of the request element's attributes in OAI-PMH.xsd: echo only what fits them
# (always with fullmatch: "$" would let a trailing newline through).
PREFIX_RE = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
REPOSITORY_ID_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+$")


class OAIError(Exception):
    def __init__(self, code: str, message: str):
        assert code in ERROR_CODES
        super().__init__(message)
        self.code = code
        self.message = message


def datestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def repository_host() -> str:
    return urlparse(settings.SITE_URL).hostname or "localhost"


def oai_identifier(asset_or_id) -> str:
    pk = getattr(asset_or_id, "pk", asset_or_id)
    return f"oai:{repository_host()}:asset/{pk}"


def parse_identifier(identifier: str) -> uuid.UUID | None:
    """The asset id of one of our identifiers, exactly as ``oai_identifier`` writes it (the
    other spellings uuid.UUID accepts, upper case, braces, urn:uuid:, would be aliases)."""
    prefix = f"oai:{repository_host()}:asset/"
    if not identifier.startswith(prefix):
        return None
    try:
        pk = uuid.UUID(identifier[len(prefix) :])
    except ValueError:
        return None
    return pk if oai_identifier(pk) == identifier else None


def parse_datestamp(value: str) -> tuple[dt.datetime, str]:
    """-> (instant, granularity) with granularity "day" or "second"; ValueError if neither."""
    if DAY_RE.fullmatch(value):
        day = dt.date.fromisoformat(value)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC), "day"
    if SECOND_RE.fullmatch(value):
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC), "second"
    raise ValueError(value)


def _is_datestamp(value: str) -> bool:
    try:
        parse_datestamp(value)
    except ValueError:
        return False
    return True


class Repository:
    """One request to the data provider."""

    def __init__(self, args: dict[str, list[str]] | None, base_url: str):
        self.args = args
        self.base_url = base_url
        self.ctx = common.CrosswalkContext()
        self.echo: dict[str, str] = {}

    # --- envelope -----------------------------------------------------------------------
    def respond(self) -> bytes:
        root = etree.Element(q(OAI, "OAI-PMH"), nsmap={None: OAI, "xsi": XSI})
        root.set(q(XSI, "schemaLocation"), f"{OAI} {OAI_SCHEMA}")
        etree.SubElement(root, q(OAI, "responseDate")).text = datestamp(timezone.now())
        request_el = etree.SubElement(root, q(OAI, "request"))
        request_el.text = self.base_url
        try:
            verb = self.check_arguments()
            body = getattr(self, verb)()
        except OAIError as error:
            if error.code not in ("badVerb", "badArgument"):
                self._echo_into(request_el)
            el = etree.SubElement(root, q(OAI, "error"), code=error.code)
            el.text = common.xml_text(error.message)
        else:
            self._echo_into(request_el)
            root.append(body)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def _echo_into(self, request_el) -> None:
        for key, value in self.echo.items():
            if key == "metadataPrefix" and not PREFIX_RE.fullmatch(value):
                continue
            if key == "set" and not sets.SETSPEC_RE.fullmatch(value):
                continue
            if key in ("from", "until") and not _is_datestamp(value):
                continue
            if key == "identifier" and parse_identifier(value) is None:
                continue  # not one of ours, perhaps not even a URI (the schema wants anyURI)
            request_el.set(key, common.xml_text(value))

    def check_arguments(self) -> str:
        if self.args is None:
            raise OAIError("badArgument", "The request's arguments cannot be read.")
        verbs = self.args.get("verb", [])
        if len(verbs) != 1:
            raise OAIError("badVerb", "Exactly one verb argument is required.")
        verb = verbs[0]
        if verb not in VERBS:
            raise OAIError("badVerb", f"Illegal OAI verb: {verb}")
        required, optional, exclusive = VERBS[verb]
        given = {k: v for k, v in self.args.items() if k != "verb"}
        for key, values in given.items():
            if len(values) != 1:
                raise OAIError("badArgument", f"The argument {key} is repeated.")
        allowed = required | optional | ({exclusive} if exclusive else set())
        illegal = sorted(set(given) - allowed)
        if illegal:
            raise OAIError("badArgument", f"Illegal argument(s) for {verb}: {', '.join(illegal)}")
        if exclusive and exclusive in given:
            if len(given) > 1:
                raise OAIError("badArgument", f"{exclusive} is an exclusive argument.")
        else:
            missing = sorted(required - set(given))
            if missing:
                raise OAIError("badArgument", f"Missing argument(s): {', '.join(missing)}")
        self.echo = {"verb": verb, **{k: v[0] for k, v in given.items()}}
        return verb

    def arg(self, name: str) -> str | None:
        values = self.args.get(name)
        return values[0] if values else None

    def metadata_format(self, prefix: str) -> MetadataFormat:
        fmt = FORMATS.get(prefix)
        if fmt is None:
            raise OAIError(
                "cannotDisseminateFormat", f"The metadata format {prefix!r} is not supported."
            )
        return fmt

    def find_asset(self, identifier: str, relations: bool = False):
        pk = parse_identifier(identifier)
        qs = oai_assets()
        if relations:
            qs = with_crosswalk_relations(qs)
        asset = qs.filter(pk=pk).first() if pk else None
        if asset is None:
            raise OAIError("idDoesNotExist", f"No record with identifier {identifier}.")
        return asset

    # --- verbs --------------------------------------------------------------------------
    def Identify(self):  # noqa: N802 - OAI verb names
        el = etree.Element(q(OAI, "Identify"))
        self._text(el, "repositoryName", self.ctx.provider_name)
        self._text(el, "baseURL", self.base_url)
        self._text(el, "protocolVersion", "2.0")
        self._text(el, "adminEmail", admin_email())
        first = oai_assets().order_by("updated_at").values_list("updated_at", flat=True).first()
        earliest = first or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        self._text(el, "earliestDatestamp", datestamp(earliest))
        self._text(el, "deletedRecord", "persistent")
        self._text(el, "granularity", GRANULARITY)
        host = repository_host()
        if REPOSITORY_ID_RE.match(host):
            description = etree.SubElement(el, q(OAI, "description"))
            ident = etree.SubElement(
                description, q(OAI_IDENTIFIER, "oai-identifier"), nsmap={None: OAI_IDENTIFIER}
            )
            ident.set(q(XSI, "schemaLocation"), f"{OAI_IDENTIFIER} {OAI_IDENTIFIER_SCHEMA}")
            for name, value in (
                ("scheme", "oai"),
                ("repositoryIdentifier", host),
                ("delimiter", ":"),
                ("sampleIdentifier", oai_identifier(uuid.UUID(int=0))),
            ):
                etree.SubElement(ident, q(OAI_IDENTIFIER, name)).text = value
        return el

    def ListMetadataFormats(self):  # noqa: N802
        identifier = self.arg("identifier")
        if identifier is not None:
            self.find_asset(identifier)  # every record is available in every format
        formats = list(FORMATS.values())
        if not formats:  # kept for completeness: we always offer oai_dc and edm
            raise OAIError("noMetadataFormats", "No metadata formats are available.")
        el = etree.Element(q(OAI, "ListMetadataFormats"))
        for fmt in formats:
            mf = etree.SubElement(el, q(OAI, "metadataFormat"))
            self._text(mf, "metadataPrefix", fmt.prefix)
            self._text(mf, "schema", fmt.schema)
            self._text(mf, "metadataNamespace", fmt.namespace)
        return el

    def ListSets(self):  # noqa: N802
        if self.arg("resumptionToken") is not None:
            raise OAIError("badResumptionToken", "ListSets is complete in one response.")
        el = etree.Element(q(OAI, "ListSets"))
        for info in sets.list_sets(oai_assets()):
            set_el = etree.SubElement(el, q(OAI, "set"))
            self._text(set_el, "setSpec", info.spec)
            self._text(set_el, "setName", info.name)
            if info.names and len(info.names) > 1:
                description = etree.SubElement(set_el, q(OAI, "setDescription"))
                dc_el = etree.SubElement(
                    description, q(OAI_DC, "dc"), nsmap={"oai_dc": OAI_DC, "dc": DC}
                )
                dc_el.set(q(XSI, "schemaLocation"), f"{OAI_DC} {OAI_DC_SCHEMA}")
                for lang, text in info.names.items():
                    dc.dc_element(dc_el, "title", text, lang)
        return el

    def GetRecord(self):  # noqa: N802
        fmt = self.metadata_format(self.arg("metadataPrefix"))
        asset = self.find_asset(self.arg("identifier"), relations=True)
        el = etree.Element(q(OAI, "GetRecord"))
        el.append(self.record(asset, fmt))
        return el

    def ListIdentifiers(self):  # noqa: N802
        return self.list_items("ListIdentifiers", with_records=False)

    def ListRecords(self):  # noqa: N802
        return self.list_items("ListRecords", with_records=True)

    # --- lists ----------------------------------------------------------------------------
    def list_state(self) -> tokens.ListState:
        token = self.arg("resumptionToken")
        if token is not None:
            try:
                state = tokens.decode(token)
            except tokens.InvalidToken:
                raise OAIError("badResumptionToken", "The resumptionToken is invalid.")
            if state.metadata_prefix not in FORMATS:
                raise OAIError("badResumptionToken", "The resumptionToken is invalid.")
            return state
        prefix = self.arg("metadataPrefix")
        self.metadata_format(prefix)
        bounds = {}
        granularities = set()
        for name in ("from", "until"):
            value = self.arg(name)
            if value is None:
                continue
            try:
                bounds[name], granularity = parse_datestamp(value)
            except ValueError:
                raise OAIError("badArgument", f"{name}={value} is not a valid UTC datestamp.")
            granularities.add(granularity)
        if len(granularities) > 1:
            raise OAIError("badArgument", "from and until must have the same granularity.")
        if "from" in bounds and "until" in bounds and bounds["from"] > bounds["until"]:
            raise OAIError("badArgument", "from must not be later than until.")
        until = bounds.get("until")
        if until is not None:  # inclusive at the given granularity -> exclusive instant
            step = dt.timedelta(days=1) if granularities == {"day"} else dt.timedelta(seconds=1)
            try:
                until = until + step
            except OverflowError:  # until 9999-12-31(T23:59:59Z): no upper bound at all
                until = None
        set_spec = self.arg("set")
        if set_spec is not None:
            try:
                sets.set_filter(set_spec)
            except sets.UnknownSet:
                raise OAIError("badArgument", f"There is no set {set_spec!r}.")
        return tokens.ListState(prefix, set_spec, bounds.get("from"), until)

    def list_items(self, verb: str, with_records: bool):
        state = self.list_state()
        fmt = FORMATS[state.metadata_prefix]
        try:
            total = complete_list_size(state)
            page_qs = page_queryset(state)
        except sets.UnknownSet:
            raise OAIError("badResumptionToken", "The resumptionToken is invalid.")
        if with_records:
            page_qs = with_crosswalk_relations(page_qs)
        else:
            page_qs = page_qs.select_related("organisation", "community")
        page = list(page_qs)
        if not page:
            raise OAIError("noRecordsMatch", "No records match the request.")
        has_more = len(page) > PAGE_SIZE
        page = page[:PAGE_SIZE]

        el = etree.Element(q(OAI, verb))
        for asset in page:
            el.append(self.record(asset, fmt) if with_records else self.header(asset))
        if has_more or state.cursor:
            token_el = etree.SubElement(el, q(OAI, "resumptionToken"))
            if total:
                token_el.set("completeListSize", str(max(total, state.cursor + len(page))))
            token_el.set("cursor", str(state.cursor))
            if has_more:
                last = page[-1]
                token_el.text = tokens.encode(
                    replace(
                        state,
                        last_updated=last.updated_at,
                        last_id=last.pk,
                        cursor=state.cursor + len(page),
                    )
                )
        return el

    # --- records --------------------------------------------------------------------------
    def header(self, asset):
        header = etree.Element(q(OAI, "header"))
        if is_tombstone(asset):
            header.set("status", "deleted")
        self._text(header, "identifier", oai_identifier(asset))
        self._text(header, "datestamp", datestamp(asset.updated_at))
        for spec in sets.record_sets(asset):
            self._text(header, "setSpec", spec)
        return header

    def record(self, asset, fmt: MetadataFormat):
        record = etree.Element(q(OAI, "record"))
        record.append(self.header(asset))
        if not is_tombstone(asset):
            metadata = etree.SubElement(record, q(OAI, "metadata"))
            metadata.append(fmt.build(asset, self.ctx))
        return record

    @staticmethod
    def _text(parent, name: str, text: str):
        el = etree.SubElement(parent, q(OAI, name))
        el.text = common.xml_text(text)
        return el


def list_queryset(state: tokens.ListState, in_key_order: bool = False) -> QuerySet[Asset]:
    """Every record of the list ``state`` describes (set, from, until); UnknownSet if the set
    is outside our hierarchy. ``in_key_order``: the same rows, filtered so that they are read
    along the keyset index (see ``oai_assets_in_key_order``)."""
    qs = oai_assets_in_key_order() if in_key_order else oai_assets()
    if state.set_spec:
        qs = qs.filter(sets.set_filter(state.set_spec))
    if state.from_ is not None:
        qs = qs.filter(updated_at__gte=state.from_)
    if state.until is not None:
        qs = qs.filter(updated_at__lt=state.until)
    return qs


def complete_list_size(state: tokens.ListState) -> int:
    """``completeListSize``: counted once per list and catalogue version, not on every page
    (a count reads every record of the list: 30 ms at 100,000 assets on SQLite). Any write to
    the catalogue changes the version (heco.core.cache), so the size is recounted after it."""
    bounds = f"{state.metadata_prefix}|{state.set_spec}|{state.from_}|{state.until}"
    key = f"heco:oai:size:{catalogue_version()}:{hashlib.sha256(bounds.encode()).hexdigest()}"
    return cache.get_or_set(key, lambda: list_queryset(state).count(), SIZE_CACHE_SECONDS)


def page_queryset(state: tokens.ListState) -> QuerySet[Asset]:
    """The next page of the list after the token's key, plus one record to tell if more follow.

    Keyset: (updated_at, id) > (last_updated, last_id), written so that the database reads a
    range of the ``asset_oai_keyset`` index (updated_at, id) from the key on, in index order,
    and stops after PAGE_SIZE + 1 rows: page 1,000 costs what page 1 costs (no OFFSET).
    """
    qs = list_queryset(state, in_key_order=True)
    if state.last_updated is not None:
        qs = qs.filter(updated_at__gte=state.last_updated).filter(
            Q(updated_at__gt=state.last_updated) | Q(id__gt=state.last_id)
        )
    return qs.order_by("updated_at", "id")[: PAGE_SIZE + 1]


EMAIL_RE = re.compile(r"^\S+@(\S+\.)+\S+$")


def admin_email() -> str:
    """An address that fits OAI-PMH's emailType: ADMINS, then DEFAULT_FROM_EMAIL, else made up."""
    from email.utils import parseaddr

    candidates = [email for _name, email in getattr(settings, "ADMINS", [])]
    candidates.append(parseaddr(settings.DEFAULT_FROM_EMAIL)[1])
    for candidate in candidates:
        if candidate and EMAIL_RE.match(candidate):
            return candidate
    host = repository_host()
    return f"oai-admin@{host}" if "." in host else f"oai-admin@{host}.invalid"


def respond(args: dict[str, list[str]] | None, base_url: str) -> bytes:
    return Repository(args, base_url).respond()
