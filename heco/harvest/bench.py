"""Harvest records/s: the full harvest and ingest against raw lxml + executemany into SQLite.

A local OAI-PMH server (its own process, so it does not share our interpreter lock) serves
seeded synthetic oai_dc records in pages of 100. We time ``source_harvest`` into a fresh
database (a temporary SQLite file, or a throw-away PostgreSQL database when
HECO_DATABASE_URL points there), then the practical limit measured the same way: the same
pages fetched over HTTP, parsed with lxml and written with executemany into a SQLite file with
the same pragmas. Prints both figures and the ratio, CPU time beside wall time, and how much
of ours went to the search indexing at the end of the run.
"""

from __future__ import annotations

import json
import multiprocessing
import platform
import random
import resource
import shutil
import sqlite3
import tempfile
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from lxml import etree

COUNTRIES = {  # bounding boxes (lat, lon) of the five partner countries
    "LT": (54.0, 56.4, 21.0, 26.8),
    "IT": (37.0, 46.5, 7.0, 18.0),
    "SI": (45.4, 46.8, 13.4, 16.5),
    "MT": (35.8, 36.0, 14.2, 14.5),
    "NL": (50.8, 53.5, 3.4, 7.2),
}
LANGS = ["lt", "it", "sl", "mt", "nl", "en"]
SOURCE_LANGS = ["lit", "ita", "slv", "mlt", "dut", "eng"]
RIGHTS = [
    "http://creativecommons.org/licenses/by/4.0/",
    "https://creativecommons.org/publicdomain/zero/1.0/",
    "http://rightsstatements.org/vocab/InC/1.0/",
    "",
]
TYPES = ["building", "monument", "church", "archaeological site", "park", "collection"]


def add_arguments(parser) -> None:
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    syllables = ["ka", "lo", "ri", "sta", "ven", "mal", "dor", "ija", "ūn", "še", "za", "pi"]
    return [
        "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))).capitalize()
        for _ in range(size)
    ]


def zipf_word(rng: random.Random, words: list[str]) -> str:
    # Zipf-like: rank r with probability ~ 1/r
    index = int(len(words) ** rng.random()) - 1
    return words[index]


def synthetic_records(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = vocabulary(rng)
    out = []
    for n in range(count):
        country = rng.choice(list(COUNTRIES))
        lat0, lat1, lon0, lon1 = COUNTRIES[country]
        lang_index = rng.randrange(len(LANGS))
        title = " ".join(zipf_word(rng, words) for _ in range(rng.randint(2, 5)))
        desc = " ".join(zipf_word(rng, words) for _ in range(rng.randint(10, 40)))
        parts = [
            f'<dc:title xml:lang="{LANGS[lang_index]}">{title} {n}</dc:title>',
        ]
        if rng.random() < 0.5:
            parts.append(f'<dc:title xml:lang="en">{title} (en) {n}</dc:title>')
        parts += [
            f'<dc:description xml:lang="{LANGS[lang_index]}">{desc}</dc:description>',
            f"<dc:type>{rng.choice(TYPES)}</dc:type>",
            f"<dc:subject>{zipf_word(rng, words)}</dc:subject>",
            f"<dc:subject>{zipf_word(rng, words)}</dc:subject>",
            f"<dc:date>{rng.randint(1200, 1950)}</dc:date>",
            f"<dc:language>{SOURCE_LANGS[lang_index]}</dc:language>",
            f"<dc:coverage>{rng.uniform(lat0, lat1):.6f}, "
            f"{rng.uniform(lon0, lon1):.6f}</dc:coverage>",
            f"<dc:identifier>https://example.org/{country.lower()}/{n}</dc:identifier>",
        ]
        rights = rng.choice(RIGHTS)
        if rights:
            parts.append(f"<dc:rights>{rights}</dc:rights>")
        out.append(
            "<record><header>"
            f"<identifier>oai:bench.example.org:{n}</identifier>"
            f"<datestamp>2024-0{1 + n % 9}-1{n % 10}T10:00:00Z</datestamp>"
            "</header><metadata>"
            '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">' + "".join(parts) + "</oai_dc:dc>"
            "</metadata></record>"
        )
    return out


def render_pages(records: list[str], page_size: int) -> list[bytes]:
    total = len(records)
    pages = []
    for number, start in enumerate(range(0, total, page_size)):
        chunk = records[start : start + page_size]
        more = start + page_size < total
        token = (
            f'<resumptionToken completeListSize="{total}" cursor="{start}">p{number + 1}'
            "</resumptionToken>"
            if more
            else f'<resumptionToken completeListSize="{total}" cursor="{start}"/>'
        )
        pages.append(
            (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
                "<responseDate>2024-10-01T00:00:00Z</responseDate>"
                '<request verb="ListRecords">http://127.0.0.1/oai</request>'
                "<ListRecords>" + "".join(chunk) + token + "</ListRecords></OAI-PMH>"
            ).encode()
        )
    return pages


def make_handler(pages: list[bytes]):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once

        def do_GET(self):  # noqa: N802
            query = parse_qs(urlparse(self.path).query)
            token = query.get("resumptionToken", [""])[0]
            index = int(token[1:]) if token.startswith("p") else 0
            body = pages[index] if index < len(pages) else b""
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


def _serve(pages, port_queue) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(pages))
    port_queue.put(server.server_address[1])
    server.serve_forever()


def start_server(pages: list[bytes]):
    """The OAI-PMH server in its own process (fork: the pages are not copied through a pipe)."""
    context = multiprocessing.get_context("fork")
    port_queue = context.Queue()
    process = context.Process(target=_serve, args=(pages, port_queue), daemon=True)
    process.start()
    return process, f"http://127.0.0.1:{port_queue.get(timeout=30)}/oai"


# --- the practical limit: fetch + lxml + executemany ---

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def baseline(url: str, db_path: Path) -> int:
    db = sqlite3.connect(db_path, isolation_level=None)
    db.executescript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
        "CREATE TABLE record (identifier TEXT PRIMARY KEY, datestamp TEXT, title TEXT,"
        " description TEXT, lat REAL, lon REAL, dating TEXT, tags TEXT, rights TEXT, raw TEXT);"
    )
    params = "?verb=ListRecords&metadataPrefix=oai_dc"
    count = 0
    while True:
        with urllib.request.urlopen(url + params) as response:  # noqa: S310 - our server
            root = etree.fromstring(response.read())
        rows = []
        container = root.find(OAI + "ListRecords")
        for record in container.iterfind(OAI + "record"):
            header = record.find(OAI + "header")
            dc = record.find(OAI + "metadata")[0]
            title, description, tags = {}, {}, []
            lat = lon = None
            dating = rights = ""
            for el in dc:
                if el.tag == DC + "title":
                    title.setdefault(el.get(XML_LANG, ""), el.text)
                elif el.tag == DC + "description":
                    description.setdefault(el.get(XML_LANG, ""), el.text)
                elif el.tag == DC + "subject":
                    tags.append(el.text)
                elif el.tag == DC + "date":
                    dating = el.text
                elif el.tag == DC + "rights":
                    rights = el.text
                elif el.tag == DC + "coverage":
                    a, b = el.text.split(",")
                    lat, lon = float(a), float(b)
            rows.append(
                (
                    header.findtext(OAI + "identifier"),
                    header.findtext(OAI + "datestamp"),
                    json.dumps(title),
                    json.dumps(description),
                    lat,
                    lon,
                    dating,
                    json.dumps(tags),
                    rights,
                    etree.tostring(dc, encoding="unicode"),
                )
            )
        db.execute("BEGIN")
        db.executemany("INSERT INTO record VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        db.execute("COMMIT")
        count += len(rows)
        token = (container.findtext(OAI + "resumptionToken") or "").strip()
        if not token:
            break
        params = f"?verb=ListRecords&resumptionToken={token}"
    db.close()
    return count


# --- the full harvest ---


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process, and of its children that have ended: the harvest's
    fetching process (heco.harvest.pipeline) is joined when the run ends; the OAI-PMH
    server's process is still running, so it is not counted."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def harvest(url: str) -> tuple[float, float, object, dict]:
    """Time ``source_harvest`` (wall and CPU of this process); also how much of it went to
    the search indexing at the end of the run."""
    from heco.harvest import services
    from heco.harvest.services import source_add, source_harvest
    from heco.network.models import Community, Organisation

    community = Community.objects.create(
        slug="bench", name={"en": "Bench"}, kind="region", country="LT", default_language="lt"
    )
    organisation = Organisation.objects.create(
        slug="bench-provider", name={"en": "Bench provider"}, kind="museum", community=community
    )
    source = source_add(
        kind="oai-pmh", url=url, organisation=organisation, metadata_prefix="oai_dc"
    )
    indexing = {"seconds": 0.0, "cpu_seconds": 0.0, "assets": 0}
    index_assets = services.index_assets

    def timed_index_assets(asset_ids, documents=()) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            index_assets(asset_ids, documents)
        finally:
            indexing["seconds"] += time.perf_counter() - started
            indexing["cpu_seconds"] += time.thread_time() - cpu
            indexing["assets"] += len(asset_ids) + len(documents)

    services.index_assets = timed_index_assets
    try:
        started, (writer, fetcher) = time.perf_counter(), _cpu()
        run = source_harvest(source=source)
        seconds, (writer_end, fetcher_end) = time.perf_counter() - started, _cpu()
        indexing["writer_cpu_seconds"] = writer_end - writer
        indexing["fetcher_cpu_seconds"] = fetcher_end - fetcher
        cpu_seconds = indexing["writer_cpu_seconds"] + indexing["fetcher_cpu_seconds"]
    finally:
        services.index_assets = index_assets
    return seconds, cpu_seconds, run, indexing


def run(options, stdout) -> None:
    import django
    from django.db import connection

    records, page_size, seed = options["records"], options["page_size"], options["seed"]
    stdout.write(f"generating {records} synthetic oai_dc records (seed {seed})…")
    pages = render_pages(synthetic_records(records, seed), page_size)
    process, url = start_server(pages)
    tmp = Path(tempfile.mkdtemp(prefix="heco-bench-"))
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        settings_dict.setdefault("TEST", {})["NAME"] = str(tmp / "bench.sqlite3")
    else:
        settings_dict.setdefault("TEST", {})["NAME"] = "heco_bench_harvest"
    old_name = settings_dict["NAME"]
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            seconds, cpu_seconds, harvest_run, indexing = harvest(url)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        started, cpu = time.perf_counter(), time.process_time()
        count = baseline(url, tmp / "baseline.sqlite3")
        limit_seconds = time.perf_counter() - started
        limit_cpu = time.process_time() - cpu
    finally:
        process.terminate()
        shutil.rmtree(tmp, ignore_errors=True)  # the limit's database (ours is destroyed above)
    if not harvest_run.fetched:
        stdout.write(f"the harvest fetched nothing: {harvest_run.report()}")
        return
    ours = harvest_run.fetched / seconds
    limit = count / limit_seconds
    ours_cpu = harvest_run.fetched / cpu_seconds
    limit_cpu_rate = count / limit_cpu
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    stdout.write(
        f"harvest bench, {records} records in pages of {page_size}, "
        f"{connection.vendor}, Python {platform.python_version()}, Django {django.get_version()}, "
        f"lxml {'.'.join(map(str, etree.LXML_VERSION))}, {platform.machine()}"
    )
    stdout.write(
        f"  heco harvest+ingest: {harvest_run.fetched} records in {seconds:.2f}s = "
        f"{ours:,.0f} records/s (status {harvest_run.status}, created {harvest_run.created}, "
        f"failed {harvest_run.failed})"
    )
    stdout.write(
        f"  limit (HTTP + lxml + executemany into SQLite): {count} records in "
        f"{limit_seconds:.2f}s = {limit:,.0f} records/s"
    )
    stdout.write(f"  ratio limit/ours: {limit / ours:.2f}x  (goal: >= 5,000/s and <= 3x)")
    stdout.write(
        f"  CPU time (ours: this process and its fetching process; the server runs in "
        f"another): ours {cpu_seconds:.2f}s = "
        f"{ours_cpu:,.0f} records/s, limit {limit_cpu:.2f}s = {limit_cpu_rate:,.0f} records/s, "
        f"ratio {limit_cpu_rate / ours_cpu:.2f}x; load average {load}"
    )
    stdout.write(
        f"  of ours, the writing process {indexing['writer_cpu_seconds']:.2f}s CPU, the "
        f"fetching process {indexing['fetcher_cpu_seconds']:.2f}s CPU"
    )
    ingest_seconds = max(seconds - indexing["seconds"], 1e-9)
    stdout.write(
        f"  of ours, search indexing at the end of the run ({indexing['assets']} assets): "
        f"{indexing['seconds']:.2f}s wall, {indexing['cpu_seconds']:.2f}s CPU; the rest "
        f"(fetch, parse, validate, write) {ingest_seconds:.2f}s = "
        f"{harvest_run.fetched / ingest_seconds:,.0f} records/s, ratio "
        f"{limit / (harvest_run.fetched / ingest_seconds):.2f}x"
    )
    stdout.write(
        json.dumps(
            {
                "records": records,
                "records_per_s": round(ours),
                "limit_records_per_s": round(limit),
                "ratio": round(limit / ours, 2),
                "cpu_records_per_s": round(ours_cpu),
                "cpu_limit_records_per_s": round(limit_cpu_rate),
                "index_seconds": round(indexing["seconds"], 2),
                "index_cpu_seconds": round(indexing["cpu_seconds"], 2),
                "without_index_records_per_s": round(harvest_run.fetched / ingest_seconds),
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu_seconds, 2),
                "writer_cpu_seconds": round(indexing["writer_cpu_seconds"], 2),
                "fetcher_cpu_seconds": round(indexing["fetcher_cpu_seconds"], 2),
                "limit_seconds": round(limit_seconds, 2),
                "limit_cpu_seconds": round(limit_cpu, 2),
                "load_average": load,
                "status": harvest_run.status,
            }
        )
    )


__all__ = ["make_handler", "render_pages", "synthetic_records", "start_server"]
