"""Images named by harvested records become Media (heco.harvest.images), fetched from a local
HTTP server (the fake remote) that serves images made with Pillow at test time."""

import io
import json
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image

from heco.core.cache import catalogue_version
from heco.core.rights import COPYRIGHT_NOT_EVALUATED
from heco.harvest.images import ImageFetchError, download, fetch_images, host_problem, image_url
from heco.harvest.models import SourceRecord
from heco.harvest.services import source_add, source_harvest
from heco.heritage.models import Media
from heco.heritage.services import media_add, media_delete
from heco.search.models import SearchDocument

pytestmark = pytest.mark.django_db

BY_SA = "http://creativecommons.org/licenses/by-sa/4.0/"
SCHEMAS = Path(__file__).resolve().parents[3] / ".." / "shared" / "schemas"


# --- images and records made at test time ---


def jpeg(size=(640, 480), color=(180, 120, 60), gps=False) -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    if gps:
        exif[0x8825] = {1: "N", 2: (55.0, 54.0, 41.0)}  # GPSInfo: where the photo was taken
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def noise(side=300, fmt="PNG") -> bytes:
    """An image that does not compress (a PNG: about side² × 3 bytes)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, fmt)
    return buffer.getvalue()


def edm_record(identifier, title, *, shown_by=None, obj=None, rights=BY_SA, provider=None):
    links = ""
    if shown_by:
        links += f'<edm:isShownBy rdf:resource="{shown_by}"/>'
    if obj:
        links += f'<edm:object rdf:resource="{obj}"/>'
    if rights:
        links += f'<edm:rights rdf:resource="{rights}"/>'
    if provider:
        links += f"<edm:dataProvider>{provider}</edm:dataProvider>"
    return f"""
    <record>
      <header><identifier>{identifier}</identifier>
        <datestamp>2024-08-01T12:00:00Z</datestamp></header>
      <metadata>
        <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
            xmlns:dc="http://purl.org/dc/elements/1.1/"
            xmlns:edm="http://www.europeana.eu/schemas/edm/"
            xmlns:ore="http://www.openarchives.org/ore/terms/">
          <edm:ProvidedCHO rdf:about="https://museum.example.si/item/{identifier}">
            <dc:title xml:lang="sl">{title["sl"]}</dc:title>
            <dc:title xml:lang="it">{title["it"]}</dc:title>
            <dc:type xml:lang="en">building</dc:type>
          </edm:ProvidedCHO>
          <ore:Aggregation rdf:about="https://museum.example.si/aggregation/{identifier}">
            <edm:isShownAt rdf:resource="https://museum.example.si/item/{identifier}"/>
            {links}
          </ore:Aggregation>
        </rdf:RDF>
      </metadata>
    </record>"""


def list_records(*records) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
  <responseDate>2024-10-01T08:00:00Z</responseDate>
  <request verb="ListRecords" metadataPrefix="edm">https://museum.example.si/oai</request>
  <ListRecords>{"".join(records)}
    <resumptionToken completeListSize="{len(records)}" cursor="0"/>
  </ListRecords>
</OAI-PMH>""".encode()


TARTINI = {"sl": "Tartinijeva hiša", "it": "Casa Tartini"}
CHURCH = {"sl": "Cerkev sv. Jurija", "it": "Chiesa di San Giorgio"}


def harvest(remote, provider, *records, source=None):
    remote.routes["ListRecords"] = list_records(*records)
    if source is None:
        source = source_add(
            kind="oai-pmh", url=remote.url, organisation=provider, metadata_prefix="edm"
        )
    run = source_harvest(source=source, full=True)
    assert run.status == "completed", run.errors
    return source


def asset_of(source, identifier):
    return SourceRecord.objects.get(source=source, identifier=identifier).asset


def harvested_media(asset):
    return list(asset.media.exclude(url="").order_by("position", "created_at"))


# --- the images go in ---


def test_an_edm_image_becomes_media_with_renditions_rights_credit_and_alt(remote, provider):
    remote.routes["/media/tartini.jpg"] = jpeg(gps=True)
    remote.routes["/media/church-thumb.jpg"] = jpeg((200, 150))
    source = harvest(
        remote,
        provider,
        edm_record(
            "tartini",
            TARTINI,
            shown_by=remote.base + "/media/tartini.jpg",
            obj=remote.base + "/media/tartini-thumb.jpg",
            provider="Pomorski muzej Piran",
        ),
        # only edm:object, rights off the list (CNE at ingest), no data provider
        edm_record(
            "church",
            CHURCH,
            obj=remote.base + "/media/church-thumb.jpg",
            rights="http://example.org/our-own-licence",
        ),
        edm_record("no-image", {"sl": "Brez slike", "it": "Senza immagine"}),
    )
    house = asset_of(source, "tartini")
    weight_before = SearchDocument.objects.get(asset_id=house.pk).weight
    version_before = catalogue_version()

    report = fetch_images(source)

    assert (report.assets, report.fetched, report.stored, report.failed) == (2, 2, 2, 0)
    assert report.errors == []
    assert remote.served["/media/tartini-thumb.jpg"] == 0  # isShownBy wins over edm:object
    [media] = house.media.all()
    assert media.kind == Media.Kind.IMAGE
    assert media.url == remote.base + "/media/tartini.jpg"
    assert media.rights == BY_SA
    assert media.credit == "Pomorski muzej Piran"
    assert media.alt_text == house.title == {"sl": "Tartinijeva hiša", "it": "Casa Tartini"}
    assert (media.width, media.height) == (640, 480)
    assert set(media.renditions) == {"320", "800", "1600"}
    root = Path(settings.MEDIA_ROOT)
    assert root != Path(settings.DATA_DIR) / "media"  # the tests' temporary folder
    for path in media.renditions.values():
        assert (root / path).is_file()
    with media.file.open("rb") as handle, Image.open(handle) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()  # camera and GPS metadata stripped
    church = asset_of(source, "church")
    [thumb] = church.media.all()
    assert thumb.url == remote.base + "/media/church-thumb.jpg"
    assert thumb.rights == COPYRIGHT_NOT_EVALUATED
    assert thumb.credit == "Heritage register"  # the source's organisation
    assert not asset_of(source, "no-image").media.exists()
    # search: re-indexed (having media weighs), cached pages retired
    assert SearchDocument.objects.get(asset_id=house.pk).weight > weight_before
    assert catalogue_version() != version_before


def test_bad_images_are_reported_and_the_rest_goes_in(remote, provider, settings):
    settings.HECO_HARVEST_IMAGE_MAX_BYTES = 100_000
    settings.HECO_HARVEST_TIMEOUT = 0.5
    big = noise()
    assert len(big) > 100_000

    def streamed_without_length(handler):
        handler.send_response(200)
        handler.end_headers()  # HTTP/1.0: the body ends when the connection closes
        try:
            handler.wfile.write(big)
        except OSError:  # the client hung up after the limit
            pass

    def slow(handler):
        time.sleep(1.5)
        handler.send_response(200)
        handler.end_headers()

    def cut_short(handler):  # promises a whole picture, sends some of it, hangs up
        picture = jpeg()
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(picture)))
        handler.end_headers()
        handler.wfile.write(picture[:100])
        handler.close_connection = True

    remote.routes.update(
        {
            "/img/good.jpg": jpeg(),
            "/img/page.html": b"<html><body>Not a picture</body></html>",
            "/img/truncated.jpg": noise(200, "JPEG")[:5000],
            "/img/big.png": big,
            "/img/big-streamed.png": streamed_without_length,
            "/img/slow.jpg": slow,
            "/img/cut.jpg": cut_short,
            "/img/gone.jpg": 410,
        }
    )
    names = ["missing", "page", "truncated", "big", "big-streamed", "slow", "gone", "good", "cut"]
    records = [
        edm_record(f"r-{name}", TARTINI, shown_by=f"{remote.base}/img/{name}.jpg")
        for name in ("missing", "gone", "good", "truncated", "cut")
    ] + [
        edm_record("r-page", TARTINI, shown_by=f"{remote.base}/img/page.html"),
        edm_record("r-big", TARTINI, shown_by=f"{remote.base}/img/big.png"),
        edm_record("r-big-streamed", TARTINI, shown_by=f"{remote.base}/img/big-streamed.png"),
        edm_record("r-slow", TARTINI, shown_by=f"{remote.base}/img/slow.jpg"),
        edm_record("r-ftp", TARTINI, shown_by="ftp://museum.example.si/img.jpg"),
    ]
    source = harvest(remote, provider, *records)

    report = fetch_images(source)

    assert (report.assets, report.stored, report.failed) == (10, 1, 9)
    assert report.fetched == len(names)  # the ftp:// URL is refused without a request
    reasons = {e["identifier"]: e["reason"] for e in report.errors}
    assert reasons["r-missing"] == "HTTP 404 (Not Found)"
    assert reasons["r-gone"].startswith("HTTP 410")
    assert "not an image" in reasons["r-page"]
    assert "not an image" in reasons["r-truncated"]
    assert reasons["r-big"].startswith("too large: ")
    assert reasons["r-big-streamed"] == "too large: more than 100,000 bytes"
    assert reasons["r-slow"].startswith("timed out")
    assert reasons["r-cut"].startswith("cut short: ") and reasons["r-cut"].endswith("missing")
    assert reasons["r-ftp"] == "not an http(s) URL"
    for error in report.errors:
        assert error["url"] and error["asset"] == str(asset_of(source, error["identifier"]).pk)
    assert asset_of(source, "r-good").media.get().url == f"{remote.base}/img/good.jpg"
    assert Media.objects.count() == 1
    # nothing of the refused files stays in media storage
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert len([p for p in stored if p.parts[-3] == "assets"]) == 1


# --- idempotence, changes at the source, local media ---


def test_a_second_call_fetches_nothing(remote, provider):
    remote.routes["/a.jpg"] = jpeg()
    remote.routes["/b.jpg"] = jpeg()
    source = harvest(
        remote,
        provider,
        edm_record("a", TARTINI, shown_by=remote.base + "/a.jpg"),
        edm_record("b", CHURCH, shown_by=remote.base + "/b.jpg"),
    )
    first = fetch_images(source)
    ids = sorted(Media.objects.values_list("pk", flat=True))

    second = fetch_images(source)

    assert (first.fetched, first.stored) == (2, 2)
    assert (second.assets, second.unchanged, second.fetched, second.stored) == (2, 2, 0, 0)
    assert sorted(Media.objects.values_list("pk", flat=True)) == ids
    assert (remote.served["/a.jpg"], remote.served["/b.jpg"]) == (1, 1)
    # a re-harvest that changes nothing does not bring the images back either
    harvest(remote, provider, source=source)
    assert fetch_images(source).fetched == 0


def test_a_copy_stored_twice_is_cleaned_up(remote, provider):
    remote.routes["/a.jpg"] = jpeg()
    source = harvest(remote, provider, edm_record("a", TARTINI, shown_by=remote.base + "/a.jpg"))
    fetch_images(source)
    asset = asset_of(source, "a")
    [first] = harvested_media(asset)
    media_add(  # as two calls running at once would leave it
        asset=asset,
        file=ContentFile(jpeg(), name="a.jpg"),
        rights=BY_SA,
        alt_text={"en": "copy"},
        url=first.url,
    )

    report = fetch_images(source)

    assert (report.fetched, report.unchanged, report.replaced) == (0, 1, 1)
    assert harvested_media(asset) == [first]


def test_limit_caps_the_downloads_and_the_next_call_goes_on(remote, provider):
    for name in "abc":
        remote.routes[f"/{name}.jpg"] = jpeg()
    source = harvest(
        remote,
        provider,
        *[edm_record(n, TARTINI, shown_by=f"{remote.base}/{n}.jpg") for n in "abc"],
    )
    assert fetch_images(source, limit=2).stored == 2
    rest = fetch_images(source, limit=2)
    assert (rest.fetched, rest.stored, rest.unchanged) == (1, 1, 2)
    assert Media.objects.count() == 3


def test_a_new_image_url_at_the_source_replaces_the_harvested_media(remote, provider):
    remote.routes["/old.jpg"] = jpeg((400, 300))
    remote.routes["/new.jpg"] = jpeg((300, 400), color=(20, 40, 200))
    source = harvest(remote, provider, edm_record("a", TARTINI, shown_by=remote.base + "/old.jpg"))
    asset = asset_of(source, "a")
    staff = media_add(  # uploaded by staff before the harvest brought its image
        asset=asset,
        file=ContentFile(jpeg((100, 100)), name="staff.jpg"),
        rights=BY_SA,
        alt_text={"en": "Our own photo"},
    )
    fetch_images(source)
    [old] = harvested_media(asset)
    old_files = [old.file.path] + [Path(settings.MEDIA_ROOT) / p for p in old.renditions.values()]

    harvest(
        remote, provider, edm_record("a", TARTINI, shown_by=remote.base + "/new.jpg"), source=source
    )
    report = fetch_images(source)

    assert (report.fetched, report.stored, report.replaced) == (1, 1, 1)
    [new] = harvested_media(asset)
    assert new.url == remote.base + "/new.jpg" and (new.width, new.height) == (300, 400)
    assert new.position == old.position
    assert not Media.objects.filter(pk=old.pk).exists()
    assert not any(Path(p).exists() for p in old_files)
    staff.refresh_from_db()
    assert staff.url == "" and staff.file and staff.renditions  # untouched
    assert set(asset.media.values_list("pk", flat=True)) == {staff.pk, new.pk}


def test_a_replacement_that_fails_keeps_the_old_image(remote, provider):
    remote.routes["/old.jpg"] = jpeg()
    source = harvest(remote, provider, edm_record("a", TARTINI, shown_by=remote.base + "/old.jpg"))
    fetch_images(source)
    harvest(
        remote, provider, edm_record("a", TARTINI, shown_by=remote.base + "/404.jpg"), source=source
    )

    report = fetch_images(source)

    assert (report.failed, report.replaced) == (1, 0)
    assert [m.url for m in harvested_media(asset_of(source, "a"))] == [remote.base + "/old.jpg"]


def test_an_image_dropped_at_the_source_is_removed_and_staff_media_stay(remote, provider):
    remote.routes["/a.jpg"] = jpeg()
    source = harvest(remote, provider, edm_record("a", TARTINI, shown_by=remote.base + "/a.jpg"))
    asset = asset_of(source, "a")
    staff = media_add(
        asset=asset,
        file=ContentFile(jpeg((120, 90)), name="staff.jpg"),
        rights=BY_SA,
        alt_text={"en": "Our own photo"},
    )
    fetch_images(source)
    assert asset.media.count() == 2

    harvest(remote, provider, edm_record("a", TARTINI), source=source)
    report = fetch_images(source)

    assert (report.removed, report.assets) == (1, 0)
    assert list(asset.media.all()) == [staff]


def test_an_image_staff_deleted_is_not_fetched_again(remote, provider, editor):
    remote.routes["/a.jpg"] = jpeg()
    source = harvest(remote, provider, edm_record("a", TARTINI, shown_by=remote.base + "/a.jpg"))
    fetch_images(source)
    [media] = harvested_media(asset_of(source, "a"))
    media._history_user = editor  # as the admin records it (HistoryRequestMiddleware)
    media_delete(media=media)

    report = fetch_images(source)

    assert (report.deleted_locally, report.fetched) == (1, 0)
    assert not Media.objects.exists()


def test_merged_and_deleted_records_get_no_images(remote, provider):
    from heco.core.models import Status
    from heco.heritage.models import Asset

    remote.routes["/a.jpg"] = jpeg()
    source = harvest(
        remote,
        provider,
        edm_record("a", TARTINI, shown_by=remote.base + "/a.jpg"),
        edm_record("b", CHURCH, shown_by=remote.base + "/a.jpg"),
    )
    SourceRecord.objects.filter(identifier="a").update(is_origin=False)
    Asset.objects.filter(pk=asset_of(source, "b").pk).update(status=Status.DELETED)
    report = fetch_images(source)
    assert (report.assets, report.fetched) == (0, 0)


# --- what the images give: IIIF, JSON-LD sources, the command and the task ---


def test_the_harvested_asset_gets_a_iiif_manifest_listing_the_image(remote, provider, client):
    remote.routes["/tartini.jpg"] = jpeg((800, 600))
    source = harvest(
        remote,
        provider,
        edm_record(
            "tartini", TARTINI, shown_by=remote.base + "/tartini.jpg", provider="Pomorski muzej"
        ),
    )
    house = asset_of(source, "tartini")
    assert client.get(f"/iiif/{house.pk}/manifest").status_code == 404  # no image yet

    fetch_images(source)

    response = client.get(f"/iiif/{house.pk}/manifest")
    assert response.status_code == 200
    manifest = response.json()
    [canvas] = manifest["items"]
    assert (canvas["width"], canvas["height"]) == (800, 600)
    body = canvas["items"][0]["items"][0]["body"]
    [media] = house.media.all()
    assert body["id"].startswith(f"{settings.SITE_URL.rstrip('/')}/media/renditions/{house.pk}/")
    assert body["service"][0]["id"].endswith(f"/iiif/image/{media.pk}")
    assert canvas["rights"] == manifest["rights"] == BY_SA
    assert canvas["requiredStatement"]["value"] == {"none": ["Pomorski muzej"]}
    assert canvas["label"] == {"sl": ["Tartinijeva hiša"], "it": ["Casa Tartini"]}
    schema_file = SCHEMAS / "iiif" / "iiif_3_0.json"
    if schema_file.exists():
        import jsonschema

        schema = json.loads(schema_file.read_text())
        validator = jsonschema.validators.validator_for(schema)(schema)
        assert not list(validator.iter_errors(manifest))
    info = client.get(f"/iiif/image/{media.pk}/info.json")
    assert info.status_code == 200


def test_a_json_ld_image_becomes_media(remote, provider):
    page = f"""<!doctype html><html><head><script type="application/ld+json">
    {{"@context": "https://schema.org", "@graph": [
      {{"@type": "Museum", "@id": "https://comune.example.it/museo", "name": "Museo civico",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "image": {{"@type": "ImageObject", "contentUrl": "/img/museo.jpg"}}}},
      {{"@type": "Castle", "@id": "https://comune.example.it/castello", "name": "Castello",
        "image": ["{remote.base}/img/castello.jpg", "{remote.base}/img/other.jpg"]}}
    ]}}</script></head><body></body></html>"""
    remote.routes["/luoghi.html"] = page.encode()
    remote.routes["/img/museo.jpg"] = jpeg()
    remote.routes["/img/castello.jpg"] = jpeg()
    source = source_add(kind="jsonld", url=remote.base + "/luoghi.html", organisation=provider)
    source_harvest(source=source)
    museum = SourceRecord.objects.get(identifier="https://comune.example.it/museo")
    assert image_url(museum.harvested["extras"]) == remote.base + "/img/museo.jpg"

    report = fetch_images(source)

    assert (report.stored, report.failed) == (2, 0)
    media = museum.asset.media.get()
    assert media.rights == "http://creativecommons.org/licenses/by/4.0/"
    assert media.credit == "Heritage register"
    castle = SourceRecord.objects.get(identifier="https://comune.example.it/castello").asset
    assert castle.media.get().rights == COPYRIGHT_NOT_EVALUATED
    assert remote.served["/img/other.jpg"] == 0


def test_the_command_and_the_task(remote, provider):
    from heco.harvest.tasks import harvest_images

    remote.routes["/a.jpg"] = jpeg()
    source = harvest(
        remote,
        provider,
        edm_record("a", TARTINI, shown_by=remote.base + "/a.jpg"),
        edm_record("b", CHURCH, shown_by=remote.base + "/missing.jpg"),
    )
    out = io.StringIO()
    call_command("harvest-images", str(source.pk), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert (report["source"], report["fetched"], report["stored"], report["failed"]) == (
        source.pk,
        2,
        1,
        1,
    )
    [error] = report["errors"]
    assert error["identifier"] == "b" and error["reason"] == "HTTP 404 (Not Found)"
    assert error["url"] == remote.base + "/missing.jpg"

    out = io.StringIO()
    call_command("harvest-images", str(source.pk), "--limit", "5", stdout=out)
    text = out.getvalue()
    assert "fetched 1, stored 0, failed 1, unchanged 1" in text
    assert "/missing.jpg: HTTP 404" in text

    task_report = harvest_images.call(source.pk)
    assert (task_report["unchanged"], task_report["failed"]) == (1, 1)


@pytest.mark.parametrize(
    "url, refused",
    [
        ("http://127.0.0.1:8000/a.jpg", "127.0.0.1"),
        ("http://localhost/a.jpg", "localhost is a private or local address"),
        ("http://10.1.2.3/a.jpg", "10.1.2.3"),
        ("http://192.168.0.10/a.jpg", "192.168.0.10"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),  # cloud metadata
        ("http://[::1]/a.jpg", "::1"),
        ("http://[::ffff:127.0.0.1]/a.jpg", "127.0.0.1"),
        ("http://0.0.0.0/a.jpg", "0.0.0.0"),  # noqa: S104 - an address refused, not bound
    ],
)
def test_image_urls_on_local_or_private_hosts_are_refused(settings, url, refused):
    settings.HECO_HARVEST_PRIVATE_HOSTS = False
    problem = host_problem(url)
    assert problem.startswith("refused: ") and refused in problem
    with pytest.raises(ImageFetchError, match="refused"):
        download(url)


def test_public_addresses_pass_and_unresolvable_hosts_are_reported(settings):
    settings.HECO_HARVEST_PRIVATE_HOSTS = False
    assert host_problem("https://93.184.216.34/image.jpg") == ""  # a literal public address
    assert "does not resolve" in host_problem("http://no-such-host.invalid/a.jpg")


def test_a_redirect_to_a_local_host_is_refused(remote, settings):
    # the first URL is allowed (the switch is on for the fake remote), then the switch goes off
    # for the target only: the redirect itself is checked, not just the first URL
    target = "http://10.0.0.7/secret.jpg"

    def redirect(handler):
        settings.HECO_HARVEST_PRIVATE_HOSTS = False
        handler.send_response(302)
        handler.send_header("Location", target)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    remote.routes["/moved.jpg"] = redirect
    with pytest.raises(ImageFetchError, match=r"redirect refused: 10\.0\.0\.7"):
        download(remote.base + "/moved.jpg")


def test_long_image_urls_fit_up_to_two_thousand_characters():
    from heco.harvest.images import url_problem

    base = "https://images.example.org/iiif/"
    assert url_problem(base + "a" * (1500 - len(base))) == ""  # IIIF Image API URLs run long
    assert "longer than 2000" in url_problem(base + "a" * (2001 - len(base)))
