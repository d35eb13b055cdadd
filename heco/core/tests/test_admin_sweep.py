"""A sweep of the whole back office for server errors and scoping leaks.

For every model registered in the admin, as a superuser and as an editor: hostile changelist
query strings, malformed ids in the object URLs, garbage in every field of the change form,
bulk actions and autocomplete with another organisation's objects. Nothing may answer 5xx, a
bad form re-renders with its errors, and the editor never reaches the other organisation.
"""

import datetime as dt

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import InlineForeignKeyField
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from heco.comms.models import Channel, Delivery, Item
from heco.core.admin import CommaSeparatedListField
from heco.core.langmap import LanguageMapFormField
from heco.core.models import Status
from heco.core.tests.test_admin_scoping import admin_form_data, admin_url, changelist_objects
from heco.harvest.models import DuplicateCandidate, HarvestRun, Source, SourceRecord
from heco.heritage.models import Asset
from heco.network.models import Community, Membership, Network, Organisation
from heco.newsletters.models import Edition, Subscriber, SubscriberList
from heco.printing.models import ShortLink
from heco.programme.models import Event, Service
from heco.systems.models import HeritagePass, PassBenefit, Route, RouteStop
from heco.testing.factories import (
    AssetFactory,
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    ServiceFactory,
    UserFactory,
)

MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)
LABELS = [m._meta.label for m in MODELS]


# --- the world: one of everything for each organisation -------------------------------------


def build(org, tag, network=None):
    """One object of each organisation-owned model for ``org``, keyed by model."""
    asset = AssetFactory(organisation=org, slug=f"{tag}-asset")
    event = EventFactory(organisation=org, slug=f"{tag}-event", asset=asset)
    route = Route.objects.create(
        slug=f"{tag}-route", title={"en": "Route"}, organisation=org, status=Status.PUBLISHED
    )
    RouteStop.objects.create(route=route, position=1, asset=asset, name={"en": "Stop"})
    heritage_pass = HeritagePass.objects.create(
        slug=f"{tag}-pass", name={"en": "Pass"}, organisation=org, status=Status.PUBLISHED
    )
    PassBenefit.objects.create(
        heritage_pass=heritage_pass, organisation=org, asset=asset, kind="free-entry"
    )
    item = Item.objects.create(slug=f"{tag}-item", title={"en": "News"}, organisation=org)
    channel = Channel.objects.create(
        organisation=org, kind="mastodon", name="Mastodon", language="en",
        base_url="https://mastodon.example", account="@museum@mastodon.example",
    )  # fmt: skip
    news = SubscriberList.objects.create(slug=f"{tag}-news", name={"en": "News"}, organisation=org)
    objs = {
        Asset: asset,
        Service: ServiceFactory(organisation=org, slug=f"{tag}-service"),
        Event: event,
        Route: route,
        HeritagePass: heritage_pass,
        Item: item,
        Channel: channel,
        Delivery: Delivery.objects.create(item=item, channel=channel, idempotency_key=tag),
        SubscriberList: news,
        Subscriber: Subscriber.objects.create(
            list=news, email=f"{tag}@example.org", consent_wording_version="test"
        ),
        Edition: Edition.objects.create(
            list=news, slug=f"{tag}-2026-11", month=dt.date(2026, 11, 1), title={"en": "News"}
        ),
        Organisation: org,
        Community: org.community,
        Membership: MembershipFactory(organisation=org, role="editor"),
    }
    if network is not None:
        objs[Network] = network
    return objs


@pytest.fixture
def world(db, home_org, other_org, network, editor):
    root = UserFactory(username="root", is_superuser=True)
    own = build(home_org, "own", network)
    theirs = build(other_org, "theirs", NetworkFactory(slug="theirs-network"))
    theirs[Network].organisations.add(other_org)
    source = Source.objects.create(
        kind="oai-pmh", name="Source", url="https://oai.example/", organisation=home_org
    )
    run = HarvestRun.objects.create(source=source, started_at=timezone.now())
    own.update(
        {
            Source: source,
            HarvestRun: run,
            SourceRecord: SourceRecord.objects.create(
                source=source, identifier="oai:1", asset=own[Asset], fetched_at=timezone.now()
            ),
            DuplicateCandidate: DuplicateCandidate.objects.create(
                asset=own[Asset], other=theirs[Asset], reason="near", source=source
            ),
            ShortLink: ShortLink.objects.create(
                code="abc123", target_type="asset", target_id=own[Asset].pk, medium="poster"
            ),
            type(root): root,
        }
    )
    return {"root": root, "editor": editor, "own": own, "theirs": theirs}


def registered(label):
    return next(m for m in MODELS if m._meta.label == label)


def obj_of(world, model, side="own"):
    obj = world[side].get(model)
    if obj is None and side == "own":
        obj = model._default_manager.first()
    return obj


def history_form_url(model, object_id, version_id):
    opts = model._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[object_id, version_id]
    )


def assert_no_server_error(response, what):
    assert response.status_code < 500, f"{what}: {response.status_code}"


# --- the changelist ---------------------------------------------------------------------------

HOSTILE_QUERIES = [
    {"status__exact": "nope"},
    {"kind__exact": "nope"},
    {"organisation__id__exact": "not-a-uuid"},
    {"organisation__id__exact": "99999999999999999999"},
    {"o": "garbage"},
    {"o": "-999.x.3"},
    {"p": "-1"},
    {"p": "99999999999"},
    {"p": "x"},
    {"q": "a\x00b"},
    {"q": "x" * 10000},
    {"e": "1"},
    {"all": ""},
    {"_to_field": "password"},
    {"_to_field": "id", "_popup": "1"},
    {"organisation__id__gt": "0"},
    {"organisation__community__name__icontains": "x"},
    {"missing_language": "xx"},
    {"start__year": "abc"},
    {"start__year": "2026", "start__month": "13"},
    {"active__exact": "maybe"},
    {"id__in": "not,uuids"},
]


@pytest.mark.parametrize("label", LABELS)
def test_changelist_survives_hostile_queries(client, world, label):
    model = registered(label)
    url = admin_url(model, "changelist")
    theirs = None if model is Community else world["theirs"].get(model)  # communities are shared
    for who in ("root", "editor"):
        client.force_login(world[who])
        for query in HOSTILE_QUERIES:
            response = client.get(url, query)
            assert_no_server_error(response, f"{who} {label} {query!r:.60}")
            if who == "editor" and theirs is not None and response.status_code == 200:
                if "cl" in (response.context or {}):
                    assert theirs not in changelist_objects(response), query


# --- object pages with malformed ids ---------------------------------------------------------

MALFORMED_IDS = ["not-a-uuid", "%00", "99999999999999999999", "-1", "a" * 300]


@pytest.mark.parametrize("label", LABELS)
def test_object_pages_survive_malformed_ids(client, world, label):
    model = registered(label)
    views = ["change", "delete", "history"]
    for who in ("root", "editor"):
        client.force_login(world[who])
        assert_no_server_error(client.get(admin_url(model, "add")), f"{who} add")
        for object_id in MALFORMED_IDS:
            for view in views:
                response = client.get(admin_url(model, view, object_id))
                assert_no_server_error(response, f"{who} {view} {object_id:.20}")
            if isinstance(admin.site._registry[model], SimpleHistoryAdmin):
                url = history_form_url(model, object_id, "x")
                assert_no_server_error(client.get(url), f"{who} history form {object_id:.20}")


@pytest.mark.parametrize("label", LABELS)
def test_editor_never_opens_another_organisations_object(client, world, label):
    model = registered(label)
    theirs = world["theirs"].get(model)
    if theirs is None or model is Community:  # communities are shared, not owned
        return
    before = list(model._default_manager.filter(pk=theirs.pk).values())
    client.force_login(world["editor"])
    for view in ("change", "delete", "history"):
        response = client.get(admin_url(model, view, theirs.pk))
        assert response.status_code in (302, 403, 404), view
        response = client.post(admin_url(model, view, theirs.pk), {"post": "yes"})
        assert response.status_code in (302, 403, 404), view
    if isinstance(admin.site._registry[model], SimpleHistoryAdmin):
        version = theirs.history.first() if hasattr(theirs, "history") else None
        if version is not None:
            url = history_form_url(model, theirs.pk, version.history_id)
            assert client.get(url).status_code in (302, 403, 404)
    assert list(model._default_manager.filter(pk=theirs.pk).values()) == before
    client.force_login(world["root"])  # the superuser can
    for view in ("change", "history"):
        assert client.get(admin_url(model, view, theirs.pk)).status_code == 200, view


# --- the change form with garbage in every field ---------------------------------------------


def text_jpg():
    return SimpleUploadedFile("photo.jpg", b"this is not an image", content_type="image/jpeg")


GARBAGE_BY_NAME = {
    "lat": ["95", "nan", "-1e400"],
    "lon": ["181", "inf"],
    "dating": ["18th century", "garbage", "1850/"],
    "geometry": [
        '{"type": "Point", "coordinates": [',
        '{"type": "Point", "coordinates": [999, 999]}',
        '"a string"',
        "[]",
        '{"type": "Nope"}',
    ],  # fmt: skip
    "start_year": ["99999999999999999999", "1.5"],
    "end_year": ["99999999999999999999"],
    "rrule": ["FREQ=garbage", "FREQ=SECONDLY;INTERVAL=0"],
    "timezone": ["Mars/Olympus", "\x00"],
    "opening_hours": ["garbage", "Mo-Su 25:00-99:00"],
    "languages": ["not a language, 123"],
    "exdates": ["garbage"],
}


def garbage_for(name, field):
    short = name.rsplit("-", 1)[-1]
    if short in GARBAGE_BY_NAME:
        return GARBAGE_BY_NAME[short]
    if isinstance(field, InlineForeignKeyField):  # the parent's id, ignored on an empty form
        return []
    if isinstance(field, LanguageMapFormField):
        return ["   ", "a\x00b"]
    if isinstance(field, forms.FileField):
        return [text_jpg]
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return [["nope"], ["99999999999999999999"]]
    if isinstance(field, forms.ModelChoiceField):
        return ["not-a-uuid", "99999999999999999999"]
    if isinstance(field, forms.ChoiceField):
        return ["nope"]
    if isinstance(field, forms.JSONField):
        return ['{"broken": ', "\x00", '{"a": "\\u0000"}']
    if isinstance(field, forms.FloatField | forms.DecimalField):  # before IntegerField
        return ["1e400", "nan"]
    if isinstance(field, forms.IntegerField):
        return ["99999999999999999999", "-99999999999999999999", "1.5"]
    if isinstance(field, forms.EmailField):
        return ["not an email", "a@b"]
    if isinstance(field, forms.URLField):
        return ["javascript:alert(1)", "http://"]
    if isinstance(field, forms.SplitDateTimeField | forms.DateTimeField | forms.DateField):
        return ["18th century", "9999-99-99"]
    if isinstance(field, forms.BooleanField):
        return []
    if isinstance(field, forms.CharField):
        return ["a\x00b", "x" * 10000]
    return ["garbage"]


def form_fields(response):
    """Every editable field on a change page: (html name, form field)."""
    form = response.context["adminform"].form
    fields = [(form.add_prefix(n), f) for n, f in form.fields.items() if not f.disabled]
    for inline in response.context.get("inline_admin_formsets") or []:
        for inline_form in inline.formset.forms:
            fields += [(inline_form.add_prefix(n), f) for n, f in inline_form.fields.items()
                       if not f.disabled]  # fmt: skip
    return fields


def with_value(data, name, field, value):
    """``data`` with the field ``name`` (all its inputs, for a multi-input widget) set."""
    widget = getattr(field.widget, "widget", field.widget)  # inside a related wrapper
    suffixes = getattr(widget, "widgets_names", [""])
    out = dict(data)
    for suffix in suffixes:
        out[f"{name}{suffix}"] = value() if callable(value) else value
    return out


def has_errors(response):
    errors = response.context.get("errors") if response.context else None
    return bool(errors)


# fields where anything typed is acceptable text: garbage may be saved
FREE_TEXT = (forms.CharField, CommaSeparatedListField)


def sweep_form(client, url, page, who):
    """POST the form of ``page`` with garbage in one field at a time, then in all at once."""
    data = admin_form_data(page)
    baseline = client.post(url, data)
    assert baseline.status_code == 302, (who, url, baseline.context and baseline.context["errors"])
    everything = dict(data)
    for name, field in form_fields(page):
        values = garbage_for(name, field)
        for value in values if who == "root" else values[:1]:
            check_garbage(client, url, with_value(data, name, field, value), field,
                          f"{who} {url} {name}={value!r:.40}")  # fmt: skip
        if values:
            everything = with_value(everything, name, field, values[0])
    check_garbage(client, url, everything, None, f"{who} {url} everything")
    add = {k: v for k, v in everything.items() if not k.endswith(("-id", "INITIAL_FORMS"))}
    check_garbage(client, url.rsplit("/", 3)[0] + "/add/", add, None, f"{who} add everything")


def check_garbage(client, url, data, field, what):
    try:
        response = client.post(url, data)
    except Exception as exc:
        raise AssertionError(what) from exc
    assert_no_server_error(response, what)
    if response.status_code == 200:
        assert has_errors(response), what
    elif field is not None and not (
        type(field) in FREE_TEXT or isinstance(field, LanguageMapFormField)
    ):
        assert response.status_code == 403 or what.split("=")[0].endswith("-DELETE"), what


@pytest.mark.parametrize("who", ["root", "editor"])
@pytest.mark.parametrize("label", LABELS)
def test_change_form_refuses_garbage_in_every_field(client, world, label, who):
    model = registered(label)
    obj = obj_of(world, model)
    if obj is None:
        return
    url = admin_url(model, "change", obj.pk)
    client.force_login(world[who])
    page = client.get(url)
    if page.status_code != 200 or "adminform" not in page.context:
        assert who == "editor" and page.status_code in (302, 403, 404)
        return
    if not page.context.get("has_change_permission") or "_save" not in page.content.decode():
        return
    sweep_form(client, url, page, who)


def test_asset_media_upload_of_a_text_file_named_jpg_is_refused(client, world):
    own = world["own"][Asset]
    url = admin_url(Asset, "change", own.pk)
    client.force_login(world["editor"])
    data = admin_form_data(client.get(url))
    data.update({"media-TOTAL_FORMS": "1", "media-0-kind": "image", "media-0-file": text_jpg(),
                 "media-0-rights": "http://creativecommons.org/licenses/by/4.0/",
                 "media-0-alt_text_en": "A photo", "media-0-position": "0"})  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert has_errors(response)
    assert not own.media.exists()


# --- bulk actions with another organisation's objects ----------------------------------------


@pytest.mark.parametrize("label", LABELS)
def test_bulk_actions_never_touch_another_organisations_objects(client, rf, world, label):
    model = registered(label)
    model_admin = admin.site._registry[model]
    own, theirs = world["own"].get(model), world["theirs"].get(model)
    url = admin_url(model, "changelist")
    request = rf.get(url)
    request.user = world["root"]
    actions = list(model_admin.get_actions(request))
    client.force_login(world["root"])
    for action in actions:  # malformed ids: refused, not a crash
        for bad in ("not-a-uuid", "99999999999999999999"):
            response = client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [bad]})
            assert_no_server_error(response, f"root {action} {bad}")
    if theirs is None or model is Community:
        return
    before = list(model._default_manager.filter(pk=theirs.pk).values())
    client.force_login(world["editor"])
    for action in actions:
        response = client.post(url, {
            "action": action, ACTION_CHECKBOX_NAME: [own.pk, theirs.pk], "post": "yes",
            "confirm": "yes", "index": "0",
        })  # fmt: skip
        assert_no_server_error(response, f"editor {action}")
        assert str(theirs.pk).encode() not in response.content or response.status_code == 403
        assert list(model._default_manager.filter(pk=theirs.pk).values()) == before, action


# --- autocomplete ----------------------------------------------------------------------------


def autocomplete_fields():
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.autocomplete_fields:
            yield model, name
        for inline in model_admin.inlines:
            for name in inline.autocomplete_fields:
                yield inline.model, name


AUTOCOMPLETE = sorted(
    {(m._meta.app_label, m._meta.model_name, n) for m, n in autocomplete_fields()}
)


@pytest.mark.parametrize(("app_label", "model_name", "field_name"), AUTOCOMPLETE)
def test_autocomplete_is_scoped_and_survives_garbage(
    client, world, app_label, model_name, field_name
):
    url = reverse("admin:autocomplete")
    theirs_ids = {str(o.pk) for m, o in world["theirs"].items() if m is not Community}
    params = {"app_label": app_label, "model_name": model_name, "field_name": field_name}
    for who in ("root", "editor"):
        client.force_login(world[who])
        for term in ("", "own", "theirs", "a\x00b", "x" * 10000):
            response = client.get(url, {**params, "term": term, "page": "1"})
            assert_no_server_error(response, f"{who} {params} {term:.10}")
            if who == "editor" and response.status_code == 200:
                found = {r["id"] for r in response.json()["results"]}
                assert not found & theirs_ids, (params, term)
        for bad in ({"page": "-1"}, {"page": "x"}, {"field_name": "password"},
                    {"model_name": "user"}, {"app_label": "nope"}, {"app_label": ""}):  # fmt: skip
            response = client.get(url, {**params, "term": "", **bad})
            assert_no_server_error(response, f"{who} {bad}")


def test_editor_cannot_change_a_shared_community_through_its_history(client, world):
    community = world["own"][Community]
    version = community.history.latest("history_date")
    url = history_form_url(Community, community.pk, version.history_id)
    client.force_login(world["editor"])
    page = client.get(url)
    assert page.status_code == 200  # communities are shared: the editor may look
    data = {**admin_form_data(page), "slug": "renamed"}
    assert client.post(url, data).status_code == 403
    community.refresh_from_db()
    assert community.slug != "renamed"
