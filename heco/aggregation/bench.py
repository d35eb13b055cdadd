"""OAI-PMH ListRecords pages/s for ``edm`` at scale, beside raw keyset SQL + lxml.

``heco bench oai [--records 100000] [--repeats 20] [--database sqlite|postgres]`` (or
``python bench/oai.py …``). Needs a source checkout (it uses ``bench/common.py``).

In one run, on one machine:

1. **Catalogue.** A child process gets a bench database of its own: a fresh SQLite file
   under ``$TMPDIR`` (``HECO_DATA_DIR=<temporary dir>``), or with ``--database postgres`` a
   throw-away database ``heco_bench_oai`` on the server of ``--postgres-url``. It migrates it
   and builds a seeded synthetic catalogue from ``bench.common.Catalogue`` (Zipf vocabulary in
   six languages, five countries, 600 communities, 2,500 organisations of very unequal size):
   ``--records`` published assets with multilingual titles and descriptions, coordinates,
   dating, 1–3 media items on 60 % of them (rights from the closed list, credit, captions,
   renditions), Wikidata identifiers on a quarter; plus 1 % tombstones (exposed as deleted
   records) and 5 % drafts (not exposed, but in the index range the pages scan). Assets go in
   with ``heco.harvest.fastwrite.insert_rows`` (executemany), media and identifiers with
   ``bulk_create``. Datestamps are spread over months with runs of equal values (as a
   harvest's batch writes them), so the keyset's tie-breaker on ``id`` is exercised.
2. **Ours.** The child serves ``/oai`` through the whole Django stack (``django.test.Client``:
   URL routing, every middleware, the view, the crosswalk, lxml serialisation). It walks the
   entire ``ListRecords&metadataPrefix=edm`` list following the resumption tokens, timing
   every page (whole-list pages/s), keeps the tokens of pages 1, 100 and 1,000, then requests
   each of those pages ``--repeats`` times: p50/p95 per page position.
3. **Baseline** (the practical limit), measured the same way in the same process: the raw
   keyset SQL for the same page (``(updated_at, id) > (key)`` on the same index, one join
   for organisation and community, one query for the page's media) and a lean lxml
   serialisation of the same records into the same EDM shape inside an OAI-PMH envelope, no
   Django request/response around it.
4. **Plans.** ``EXPLAIN`` of the page query for page 1,000 and of the list's count.

Printed: a markdown table (ms per page, pages/s, ratio ours/baseline) and one JSON line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
if (ROOT / "bench" / "common.py").exists() and str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
NAMESPACE = uuid.UUID("0c4f5b1e-2a55-4c1e-9d6a-6b1f0e0a7a01")
POSITIONS = (1, 100, 1000)
BATCH = 5_000
BENCH_DB = "heco_bench_oai"
DEFAULT_PG = "postgres://root@%2Fvar%2Frun%2Fpostgresql/postgres"
MEDIA_RIGHTS = (
    "http://creativecommons.org/licenses/by/4.0/",
    "http://creativecommons.org/licenses/by-sa/4.0/",
    "http://creativecommons.org/publicdomain/zero/1.0/",
    "http://creativecommons.org/publicdomain/mark/1.0/",
    "http://rightsstatements.org/vocab/InC/1.0/",
    "http://rightsstatements.org/vocab/InC-EDU/1.0/",
)


def add_arguments(parser) -> None:
    parser.add_argument("--records", type=int, default=10_000, help="published assets")
    parser.add_argument("--repeats", type=int, default=20, help="requests per page position")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_PG,
        help="a server where the throw-away database " + BENCH_DB + " may be created",
    )
    parser.add_argument("--data-dir", default="", help="SQLite: keep the catalogue here, reuse")
    parser.add_argument("--json", default="", help="also write the results to this file")
    parser.add_argument("--child", action="store_true", help="(internal) build and measure")


# ---- parent: a bench database, a child process, the report --------------------------------


def _pg_url(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


def _recreate_pg_database(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def _drop_pg_database(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


def run(options, stdout) -> None:
    if options["child"]:
        child(options)
        return
    say = stdout.write
    data_dir = Path(options["data_dir"]).resolve() if options["data_dir"] else None
    keep = data_dir is not None
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="heco-bench-oai-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("HECO_DATABASE_URL", "HECO_CACHE_URL")}
    env.update(
        HECO_DATA_DIR=str(data_dir),
        HECO_DEBUG="0",
        HECO_LOG_LEVEL="ERROR",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    postgres = options["database"] == "postgres"
    if postgres:
        _recreate_pg_database(options["postgres_url"])
        env["HECO_DATABASE_URL"] = _pg_url(options["postgres_url"], BENCH_DB)
    heco = [sys.executable, "-m", "heco.cli"]
    try:
        say(f"bench database: {'PostgreSQL ' + BENCH_DB if postgres else data_dir}\n")
        subprocess.run([*heco, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        done = subprocess.run(
            [*heco, "bench", "oai", "--child", f"--records={options['records']}"]
            + [f"--seed={options['seed']}", f"--repeats={options['repeats']}"],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
    finally:
        if postgres:
            _drop_pg_database(options["postgres_url"])
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")][-1]
    result = json.loads(line[len("RESULT ") :])
    say(report(result))
    say(json.dumps(result["summary"]) + "\n")
    if options["json"]:
        Path(options["json"]).write_text(json.dumps(result, indent=2))


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(result: dict) -> str:
    from bench.common import machine_line

    lines = [
        f"OAI-PMH ListRecords metadataPrefix=edm, {result['records']:,} published assets "
        f"({result['exposed']:,} records in the list), {result['vendor']}, "
        f"{result['repeats']} requests per page position",
        machine_line(result["machine"]) + f" · lxml {result['lxml']}",
        f"catalogue built in {result['build_seconds']:.0f} s"
        + (" (an earlier run; reused)" if result["built"].get("reused") else ""),
        "",
        "| page | ours p50 ms | ours p95 ms | ours CPU p50 ms | baseline p50 ms | "
        "baseline p95 ms | baseline CPU p50 ms | ours/baseline (wall, CPU) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for position, row in result["positions"].items():
        ours, base = row["ours"], row["baseline"]
        ours_cpu, base_cpu = row["ours_cpu"], row["baseline_cpu"]
        lines.append(
            f"| {position} | {_ms(ours['p50'])} | {_ms(ours['p95'])} | {_ms(ours_cpu['p50'])} | "
            f"{_ms(base['p50'])} | {_ms(base['p95'])} | {_ms(base_cpu['p50'])} | "
            f"{ours['p50'] / base['p50']:.1f}×, {ours_cpu['p50'] / base_cpu['p50']:.1f}× |"
        )
    walk, base_walk = result["walk"], result["baseline_walk"]
    lines += [
        "",
        "| whole list | pages | records | seconds | pages/s | CPU s | pages per CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, fig in (("ours (Django stack)", walk), ("baseline (SQL + lxml)", base_walk)):
        lines.append(
            f"| {label} | {fig['pages']:,} | {fig['records']:,} | {fig['seconds']:.1f} | "
            f"{fig['pages_per_s']:.1f} | {fig['cpu_seconds']:.1f} | {fig['cpu_pages_per_s']:.1f} |"
        )
    lines += [
        "",
        f"ratio baseline/ours pages/s: {base_walk['pages_per_s'] / walk['pages_per_s']:.1f}× "
        f"(CPU: {base_walk['cpu_pages_per_s'] / walk['cpu_pages_per_s']:.1f}×); "
        f"page {max(result['positions'], key=int)} / page 1 (p50): "
        f"{result['summary']['last_over_first']:.2f} "
        f"(CPU: {result['summary']['last_over_first_cpu']:.2f}); "
        f"an uncached completeListSize count costs p50 {_ms(result['count']['p50'])} ms "
        "(counted once per catalogue version)",
        "",
        "EXPLAIN page query (page 1,000):",
        result["explain"]["page"],
        "EXPLAIN count:",
        result["explain"]["count"],
        "",
    ]
    if result["built"].get("plan_before_analyze"):
        lines += ["EXPLAIN page 1 before ANALYZE:", result["built"]["plan_before_analyze"], ""]
    if result["explain"].get("page_analyze"):
        lines += ["EXPLAIN ANALYZE page query:", result["explain"]["page_analyze"], ""]
    return "\n".join(lines) + "\n"


# ---- child: catalogue -----------------------------------------------------------------------


def build(records: int, seed: int, log) -> dict:
    from django.db import connection, transaction

    from bench.common import COUNTRY_LANG, Catalogue, lang_map, network_rows
    from heco.core.models import Status
    from heco.harvest.fastwrite import insert_rows, new_row
    from heco.heritage.models import Asset, ExternalIdentifier, Media
    from heco.network.models import Community, Organisation

    started = time.perf_counter()
    catalogue = Catalogue(records, seed=seed)
    rng = random.Random(seed + 7)
    communities, organisations = network_rows(catalogue)
    community_ids = {slug: c.id for slug, c in communities.items()}
    organisation_ids = {slug: o.id for slug, o in organisations.items()}

    moment = dt.datetime(2025, 1, 6, 8, 0, tzinfo=dt.UTC)
    assets, media, identifiers = [], [], []
    counts = {"published": 0, "deleted": 0, "draft": 0, "media": 0}

    def flush():
        insert_rows(Asset, assets)
        Media.objects.bulk_create(media, batch_size=1000)
        ExternalIdentifier.objects.bulk_create(identifiers, batch_size=1000)
        assets.clear()
        media.clear()
        identifiers.clear()

    def add_asset(r, n: int, status: str, moment: dt.datetime) -> uuid.UUID:
        home = COUNTRY_LANG[r.country]
        bodies = lang_map(r.body.split("\n"), home)
        asset_id = uuid.uuid5(NAMESPACE, str(n))
        assets.append(
            new_row(
                Asset,
                id=asset_id,
                slug=f"asset-{n}",
                status=status,
                created_at=moment,
                updated_at=moment,
                published_at=None if status == Status.DRAFT else moment,
                deleted_at=moment if status == Status.DELETED else None,
                title=lang_map(r.title.split("\n"), home),
                summary={home: " ".join(bodies.get(home, "").split()[:14])},
                description=bodies,
                kind=r.kind,
                organisation_id=organisation_ids[r.organisation],
                community_id=community_ids[r.community],
                address="",
                lat=r.lat,
                lon=r.lon,
                dating=str(r.start_year or ""),
                start_year=r.start_year,
                end_year=r.end_year,
                themes=list(r.themes),
            )
        )
        counts[status] += 1
        return asset_id

    with transaction.atomic():
        Community.objects.bulk_create(communities.values(), batch_size=1000)
        Organisation.objects.bulk_create(organisations.values(), batch_size=1000)
        extra = records
        for r in catalogue.records():
            # runs of equal datestamps, as one harvest batch writes them, else minutes apart
            if rng.random() > 0.3:
                moment += dt.timedelta(seconds=rng.expovariate(1 / 120), microseconds=0)
            asset_id = add_asset(r, r.n, Status.PUBLISHED, moment)
            titles = lang_map(r.title.split("\n"), COUNTRY_LANG[r.country])
            if rng.random() < 0.6:
                for position in range(rng.choice((1, 1, 1, 2, 3))):
                    image = rng.random() < 0.9
                    width = rng.choice((1600, 1200, 2400))
                    base = f"renditions/{asset_id}/{r.n}-{position}"
                    media.append(
                        Media(
                            asset_id=asset_id,
                            kind=Media.Kind.IMAGE if image else Media.Kind.DOCUMENT,
                            file=f"assets/{asset_id}/photo-{position}.jpg"
                            if image
                            else f"assets/{asset_id}/plan-{position}.pdf",
                            rights=rng.choice(MEDIA_RIGHTS),
                            credit=f"Photo: {r.organisation}" if rng.random() < 0.7 else "",
                            caption=titles,
                            alt_text={"en": next(iter(titles.values()))},
                            width=width if image else None,
                            height=width * 3 // 4 if image else None,
                            renditions={w: f"{base}/{w}.webp" for w in ("320", "800", "1600")}
                            if image
                            else {},
                            position=position,
                            created_at=moment,
                        )
                    )
                    counts["media"] += 1
            if rng.random() < 0.25:
                identifiers.append(
                    ExternalIdentifier(
                        asset_id=asset_id, scheme="wikidata", value=f"Q{r.n + 10**6}"
                    )
                )
            if r.n % 100 == 50:  # a tombstone of a once published asset: a deleted record
                extra += 1
                add_asset(r, extra, Status.DELETED, moment)
            if r.n % 20 == 7:  # a draft: in the index range, filtered out
                extra += 1
                add_asset(r, extra, Status.DRAFT, moment)
            if len(assets) >= BATCH:
                flush()
                if counts["published"] % 20_000 < BATCH:
                    log(f"  {counts['published']:,} assets")
        flush()
    if connection.vendor == "postgresql":
        from heco.aggregation.oai import tokens, verbs

        # the plan right after a bulk load, before autovacuum gathers statistics
        state = tokens.ListState("edm", None, None, None)
        counts["plan_before_analyze"] = verbs.page_queryset(state).explain()
        with connection.cursor() as cursor:  # what autovacuum does soon after a bulk load
            cursor.execute("ANALYZE")
    counts["seconds"] = time.perf_counter() - started
    return counts


# ---- child: baseline ------------------------------------------------------------------------


def baseline_page(last_updated, last_id, site: str) -> tuple[bytes, tuple | None, int]:
    """The raw keyset query for one page and a lean lxml serialisation of its records in the
    same EDM shape: (response bytes, key of the last record or None, records)."""
    from django.db import connection
    from lxml import etree

    from heco.aggregation.crosswalks.namespaces import (
        DC,
        DCTERMS,
        EDM,
        EDM_NSMAP,
        OAI,
        ORE,
        RDF,
        SKOS,
        WGS84,
        XML_LANG,
    )
    from heco.heritage.models import Asset, Media
    from heco.network.models import Community, Organisation

    ops, pg = connection.ops, connection.vendor == "postgresql"
    asset, org, com = Asset._meta.db_table, Organisation._meta.db_table, Community._meta.db_table
    # table names from the models, values as parameters
    sql = (
        "SELECT a.id, a.updated_at, a.status, a.title, a.description, a.kind, a.lat, a.lon,"  # noqa: S608
        " a.dating, o.name, o.slug, c.slug, c.country"
        f" FROM {asset} a JOIN {org} o ON o.id = a.organisation_id"
        f" JOIN {com} c ON c.id = a.community_id"
        " WHERE ({status} = 'published' OR ({status} IN ('deleted', 'withdrawn')"
        " AND a.published_at IS NOT NULL))"
    ).format(status="a.status" if pg else "+a.status")  # as oai_assets_in_key_order
    params: list = []
    if last_updated is not None:
        sql += " AND (a.updated_at, a.id) > (%s, %s)"
        params = [ops.adapt_datetimefield_value(last_updated), last_id if pg else last_id.hex]
    sql += " ORDER BY a.updated_at, a.id LIMIT 101"

    def loads(value):
        return value if isinstance(value, dict) else json.loads(value)

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        more, rows = len(rows) > 100, rows[:100]
        media: dict = {}
        if rows:
            marks = ", ".join(["%s"] * len(rows))
            cursor.execute(
                f"SELECT asset_id, kind, file, rights, credit, caption FROM {Media._meta.db_table}"  # noqa: S608
                f" WHERE asset_id IN ({marks}) ORDER BY asset_id, position, created_at, id",
                [row[0] for row in rows],
            )
            for asset_id, kind, file, rights, credit, caption in cursor.fetchall():
                media.setdefault(asset_id, []).append((kind, file, rights, credit, loads(caption)))

    def sub(parent, ns, name, text=None, lang=None, **attrs):
        el = etree.SubElement(parent, f"{{{ns}}}{name}", attrs)
        if text is not None:
            el.text = text
        if lang:
            el.set(XML_LANG, lang)
        return el

    about, resource = f"{{{RDF}}}about", f"{{{RDF}}}resource"
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI})
    sub(root, OAI, "responseDate", "2026-01-01T00:00:00Z")
    sub(root, OAI, "request", f"{site}/oai", verb="ListRecords", metadataPrefix="edm")
    listing = sub(root, OAI, "ListRecords")
    for (
        pk,
        updated,
        status,
        title,
        description,
        kind,
        lat,
        lon,
        dating,
        oname,
        oslug,
        cslug,
        cc,
    ) in rows:
        uri = f"{site}/assets/{uuid.UUID(str(pk))}"
        record = sub(listing, OAI, "record")
        header = sub(record, OAI, "header")
        if status != "published":
            header.set("status", "deleted")
        sub(header, OAI, "identifier", f"oai:127.0.0.1:asset/{uuid.UUID(str(pk))}")
        sub(header, OAI, "datestamp", str(updated)[:19])
        for spec in (f"org:{oslug}", f"community:{cslug}", f"country:{cc}", f"kind:{kind}"):
            sub(header, OAI, "setSpec", spec)
        if status != "published":
            continue
        rdf = etree.SubElement(sub(record, OAI, "metadata"), f"{{{RDF}}}RDF", nsmap=EDM_NSMAP)
        cho = sub(rdf, EDM, "ProvidedCHO", **{about: uri})
        for lang, text in sorted(loads(title).items()):
            sub(cho, DC, "title", text, lang)
        for lang, text in sorted(loads(description).items()):
            sub(cho, DC, "description", text, lang)
        sub(cho, DC, "type", kind, "en")
        if dating:
            sub(cho, DCTERMS, "created", dating)
        if lat is not None:
            sub(cho, DCTERMS, "spatial", **{resource: uri + "#place"})
        items = media.get(pk, [])
        sub(cho, EDM, "type", "IMAGE" if items and items[0][0] == "image" else "TEXT")
        for _kind, file, rights, credit, caption in items:
            web = sub(rdf, EDM, "WebResource", **{about: f"{site}/media/{file}"})
            for lang, text in sorted(caption.items()):
                sub(web, DC, "description", text, lang)
            if credit:
                sub(web, DC, "rights", credit)
            sub(web, EDM, "rights", **{resource: rights})
        if lat is not None:
            place = sub(rdf, EDM, "Place", **{about: uri + "#place"})
            sub(place, WGS84, "lat", f"{lat:.6f}")
            sub(place, WGS84, "long", f"{lon:.6f}")
        if dating:
            span = sub(rdf, EDM, "TimeSpan", **{about: uri + "#timespan"})
            sub(span, SKOS, "prefLabel", dating)
        agg = sub(rdf, ORE, "Aggregation", **{about: uri + "#aggregation"})
        sub(agg, EDM, "aggregatedCHO", **{resource: uri})
        sub(agg, EDM, "dataProvider", next(iter(loads(oname).values()), oslug))
        sub(agg, EDM, "isShownAt", **{resource: f"{site}/en/assets/{pk}/"})
        sub(agg, EDM, "provider", "HE.CO Hub")
        sub(agg, EDM, "rights", **{resource: items[0][2] if items else "CNE"})
    if more:
        sub(listing, OAI, "resumptionToken", "x" * 120, cursor="0", completeListSize="0")
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    last = rows[-1] if rows and more else None
    key = None
    if last is not None:
        updated = last[1]
        if isinstance(updated, str):
            updated = dt.datetime.fromisoformat(updated)
        if updated.tzinfo is None:
            updated = updated.replace(tzinfo=dt.UTC)
        key = (updated, uuid.UUID(str(last[0])))
    return body, key, len(rows)


# ---- child: measurements --------------------------------------------------------------------


def _token(body: bytes) -> str:
    start = body.find(b"<resumptionToken")
    if start < 0:
        return ""
    start = body.index(b">", start) + 1
    if body[start - 2 : start] == b"/>":
        return ""
    return body[start : body.index(b"</resumptionToken>", start)].decode()


def child(options) -> None:
    import django
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from lxml import etree

    from bench.common import machine, summary
    from heco.aggregation.crosswalks.common import site_url
    from heco.aggregation.oai import tokens, verbs
    from heco.heritage.models import Asset

    def log(text):
        print(text, file=sys.stderr, flush=True)

    records, repeats = options["records"], options["repeats"]
    marker = Path(settings.DATA_DIR) / "oai-catalogue.json"  # SQLite: kept with --data-dir
    if Asset.objects.exists():
        built = json.loads(marker.read_text()) if marker.exists() else {"seconds": 0.0}
        built["reused"] = True
        log("reusing the catalogue in the bench database")
    else:
        log(f"building {records:,} published assets …")
        built = build(records, options["seed"], log)
        log(f"built in {built['seconds']:.0f} s: {built}")
        if connection.vendor == "sqlite":
            marker.write_text(json.dumps(built))
    pg_version = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0]
    client = Client()
    first_url = "/oai?verb=ListRecords&metadataPrefix=edm"

    def timed(fn, *args):
        wall, cpu = time.perf_counter(), time.process_time()
        value = fn(*args)
        return time.perf_counter() - wall, time.process_time() - cpu, value

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response.content

    for _ in range(3):  # warm-up: imports, translations, connection
        get(first_url)

    # the whole list, following the tokens; keep the URL of each measured page
    log("walking the whole list …")
    urls = {1: first_url}
    walk, listed, url = [], 0, first_url
    while url:
        wall, cpu, body = timed(get, url)
        walk.append((wall, cpu))
        listed += body.count(b"<record>")
        token = _token(body)
        url = f"/oai?verb=ListRecords&resumptionToken={token}" if token else ""
        if url and len(walk) + 1 in POSITIONS:
            urls[len(walk) + 1] = url
    log(f"  {len(walk):,} pages, {listed:,} records in {sum(w for w, _c in walk):.1f} s")

    # the measured pages round-robin, ours and the baseline in turn (the load of a shared
    # machine drifts; this way every position and both sides see the same drift)
    site = site_url()
    keys = {}
    for position, url in urls.items():
        if "resumptionToken=" in url:
            state = tokens.decode(url.split("resumptionToken=", 1)[1])
            keys[position] = (state.last_updated, state.last_id)
        else:
            keys[position] = (None, None)
    ours = {position: [] for position in urls}
    base = {position: [] for position in urls}
    for _ in range(repeats):
        for position, url in urls.items():
            ours[position].append(timed(get, url)[:2])
            base[position].append(timed(baseline_page, *keys[position], site)[:2])
    positions = {}
    for position in urls:
        positions[position] = {
            "ours": summary([w for w, _c in ours[position]]),
            "ours_cpu": summary([c for _w, c in ours[position]]),
            "baseline": summary([w for w, _c in base[position]]),
            "baseline_cpu": summary([c for _w, c in base[position]]),
        }
        row = positions[position]
        log(f"  page {position}: ours p50 {row['ours']['p50'] * 1000:.1f} ms "
            f"(CPU {row['ours_cpu']['p50'] * 1000:.1f}), baseline p50 "
            f"{row['baseline']['p50'] * 1000:.1f} ms")  # fmt: skip

    log("walking the whole list with the baseline …")
    base_walk, base_records, key = [], 0, (None, None)
    while True:
        wall, cpu, (_body, next_key, count) = timed(baseline_page, *key, site)
        base_walk.append((wall, cpu))
        base_records += count
        if next_key is None:
            break
        key = next_key

    # the plans of the page query (page 1,000, or the last measured) and of the count
    last_url = urls[max(urls)]
    state = (
        tokens.decode(last_url.split("resumptionToken=", 1)[1])
        if "resumptionToken=" in last_url
        else tokens.ListState("edm", None, None, None)
    )
    qs = verbs.list_queryset(state)
    explain = {"page": verbs.page_queryset(state).explain()}
    with CaptureQueriesContext(connection) as captured:
        qs.count()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + captured.captured_queries[-1]["sql"])
        explain["count"] = "\n".join(" ".join(map(str, row)) for row in cursor.fetchall())
        if connection.vendor == "postgresql":
            sql, params = verbs.page_queryset(state).query.sql_with_params()
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            explain["page_analyze"] = "\n".join(row[0] for row in cursor.fetchall())
    counts = []
    for _ in range(repeats):
        started = time.perf_counter()
        qs.count()
        counts.append(time.perf_counter() - started)

    def walk_figures(times, records_listed):
        wall, cpu = sum(w for w, _c in times), sum(c for _w, c in times)
        return {
            "pages": len(times),
            "records": records_listed,
            "seconds": wall,
            "cpu_seconds": cpu,
            "pages_per_s": len(times) / wall,
            "cpu_pages_per_s": len(times) / cpu,
            "records_per_s": records_listed / wall,
            "page": summary([w for w, _c in times]),
        }

    first, last = positions[1], positions[max(positions)]
    result = {
        "records": records,
        "exposed": listed,
        "vendor": connection.vendor,
        "repeats": repeats,
        "lxml": ".".join(map(str, etree.LXML_VERSION)),
        "machine": machine(pg_version),
        "django": django.get_version(),
        "build_seconds": built["seconds"],
        "built": built,
        "positions": positions,
        "walk": walk_figures(walk, listed),
        "baseline_walk": walk_figures(base_walk, base_records),
        "count": summary(counts),
        "explain": explain,
    }
    result["summary"] = {
        "records": records,
        "vendor": connection.vendor,
        "pages_per_s": round(result["walk"]["pages_per_s"], 1),
        "baseline_pages_per_s": round(result["baseline_walk"]["pages_per_s"], 1),
        "last_over_first": round(last["ours"]["p50"] / first["ours"]["p50"], 2),
        "last_over_first_cpu": round(last["ours_cpu"]["p50"] / first["ours_cpu"]["p50"], 2),
        **{f"p50_ms_page_{p}": round(v["ours"]["p50"] * 1000, 1) for p, v in positions.items()},
    }
    print("RESULT " + json.dumps(result, default=str), flush=True)
