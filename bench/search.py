"""Search p50/p95 with facets at N records beside the naive full-text query (SQLite, PostgreSQL).

``heco bench search --records 1000000 [--database sqlite|postgres|both] [--queries 200]``
(or ``python bench/search.py …``).

For each database the benchmark runs in a child process whose Django settings point at a
separate bench database (environment variables, exactly as a deployment would set them):

* SQLite: ``HECO_DATA_DIR=<temp dir>/heco-bench-search`` (a fresh ``heco.sqlite3`` there);
* PostgreSQL: ``HECO_DATABASE_URL=…/heco_bench``; the database ``heco_bench`` is dropped and
  created by the parent through psycopg on ``--postgres-url`` (the server's ``postgres``
  database by default).

The child migrates, builds the seeded synthetic catalogue (``bench.common.Catalogue``: Zipf
vocabulary in six languages, five countries, communities with clustered coordinates,
organisations of very unequal size, the nine ``Asset.Kind`` values) and loads it through the
documented bulk path ``heco.search.bulk.bulk_load()`` straight into the search tables,
timing the load (generation excluded). It then times a single edit through the ordinary write
path (``index_assets([one id])``) and checks that the edit is found at once. Finally, for
each query class (one common word, one rare word, two words, a two-letter prefix; each with
facet counts, then again with a bounding box; a common word with filters; the unfiltered
browse) it runs ``heco.search.search()`` and, interleaved, the naive query on the same data:

* SQLite: ``SELECT rowid, bm25(search_fts) FROM search_fts WHERE search_fts MATCH ? ORDER BY
  rank LIMIT 20`` plus one ``GROUP BY`` per facet (country, kind, themes, organisation);
* PostgreSQL: ``ts_rank`` ``ORDER BY`` over all matches ``LIMIT 20`` plus the same
  ``GROUP BY`` queries.

Wall-clock p50/p95 (and the client process' CPU time per query) are printed for both, with
the ratio naive/ours. No caching between queries other than the databases' own.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    LANGS,
    Catalogue,
    Timer,
    machine,
    machine_line,
    summary,
)

DEFAULT_POSTGRES_URL = "postgres://root@%2Fvar%2Frun%2Fpostgresql/postgres"
BENCH_DB = "heco_bench"
FACETS_NAIVE = ("country", "kind", "themes", "organisation")


def add_arguments(parser) -> None:
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument(
        "--database", choices=("sqlite", "postgres", "both"), default="both", dest="database"
    )
    parser.add_argument("--queries", type=int, default=200, help="timed queries per class")
    parser.add_argument(
        "--baseline-queries",
        type=int,
        default=40,
        help="timed naive queries per class (the naive query can take seconds)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep an existing bench database of the same size and seed (skip the build)",
    )
    parser.add_argument("--json", default="", help="also write the results to this file")


def run(options, stdout) -> None:
    databases = ["sqlite", "postgres"] if options["database"] == "both" else [options["database"]]
    results = []
    for database in databases:
        stdout.write(f"== {database}: {options['records']:,} records (seed {options['seed']})")
        results.append(_run_child(database, options, stdout))
    pg_version = next((r.get("server_version") for r in results if r.get("server_version")), None)
    info = machine(pg_version)
    stdout.write("")
    stdout.write(machine_line(info))
    for result in results:
        stdout.write("")
        stdout.write(report(result))
    if options.get("json"):
        Path(options["json"]).write_text(
            json.dumps({"machine": info, "results": results}, indent=1), encoding="utf-8"
        )


def _run_child(database: str, options, stdout) -> dict:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "heco.settings")
    if database == "sqlite":
        env.pop("HECO_DATABASE_URL", None)
        data_dir = Path(tempfile.gettempdir()) / f"heco-bench-search-{options['records']}"
        data_dir.mkdir(exist_ok=True)
        env["HECO_DATA_DIR"] = str(data_dir)
        if not options["reuse"]:
            for suffix in ("", "-wal", "-shm"):
                (data_dir / f"heco.sqlite3{suffix}").unlink(missing_ok=True)
    else:
        env["HECO_DATABASE_URL"] = _prepare_postgres(options["postgres_url"], options["reuse"])
    out = Path(tempfile.mkstemp(prefix="heco-bench-search-", suffix=".json")[1])
    args = {k: options[k] for k in ("records", "queries", "baseline_queries", "seed", "reuse")}
    command = [sys.executable, str(Path(__file__)), "--child", json.dumps(args), str(out)]
    process = subprocess.Popen(command, env=env, cwd=str(ROOT), stdout=subprocess.PIPE, text=True)
    for line in process.stdout:
        stdout.write("   " + line.rstrip())
    if process.wait() != 0:
        raise RuntimeError(f"the {database} benchmark failed (exit {process.returncode})")
    result = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    return result


def _prepare_postgres(url: str, reuse: bool) -> str:
    import dj_database_url
    import psycopg

    params = dj_database_url.parse(url)
    conninfo = {
        "dbname": params["NAME"] or "postgres",
        "host": params["HOST"] or None,
        "port": params["PORT"] or None,
        "user": params["USER"] or None,
        "password": params["PASSWORD"] or None,
    }
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if exists and not reuse:
            conn.execute(f"DROP DATABASE {BENCH_DB} WITH (FORCE)")
            exists = None
        if not exists:
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
    base, _sep, _name = url.rpartition("/")
    return f"{base}/{BENCH_DB}"


# ---- reporting ----------------------------------------------------------------------------


def report(result: dict) -> str:
    lines = [f"### {result['vendor']} · {result['records']:,} records"]
    build = result.get("build")
    if build:
        per_cpu = build.get("records_per_cpu_s", 0.0)
        lines.append(
            f"bulk load: {build['records_per_s']:,.0f} records/s wall, {per_cpu:,.0f} records "
            f"per CPU-second of this process ({build['seconds']:.1f} s wall, "
            f"{build['cpu']:.1f} s CPU; "
            f"rows {build['rows']:.1f} s, full-text {build['fulltext']:.1f} s, "
            f"indexes {build['indexes']:.1f} s, analyze + facet counts {build['analyze']:.1f} s;"
            f" generation {build['generation']:.1f} s not counted)"
        )
    edit = result["edit"]
    lines.append(
        f"single edit: index_assets([id]) {edit['index_ms']:.1f} ms, "
        f"found by the next search: {'yes' if edit['found'] else 'NO'}"
    )
    if result.get("size"):
        lines.append(f"index size: {result['size']}")
    lines.append("")
    lines.append(
        "| query | ours p50 | ours p95 | ours CPU/query | approx. | naive p50 | naive p95 "
        "| naive CPU/query | ratio p95 (naive/ours) |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, row in result["classes"].items():
        ours, naive = row["ours"], row["naive"]
        lines.append(
            f"| {name} | {ours['p50']:.1f} ms | {ours['p95']:.1f} ms | {row['ours_cpu']:.1f} ms "
            f"| {row['approximate']:.0%} | {naive['p50']:.1f} ms | {naive['p95']:.1f} ms "
            f"| {row['naive_cpu']:.1f} ms | {naive['p95'] / max(ours['p95'], 1e-6):.1f}× |"
        )
    return "\n".join(lines)


# ---- the child process ----------------------------------------------------------------


def child(args: dict, out: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print("migrating…", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    catalogue = Catalogue(args["records"], args["seed"])
    result = {"vendor": connection.vendor, "records": args["records"]}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            result["server_version"] = cursor.fetchone()[0].split()[0]
    if not (args["reuse"] and _indexed(args["records"])):
        result["build"] = build(catalogue)
        print("  build: " + json.dumps(result["build"]), flush=True)
    result["edit"] = single_edit()
    result["size"] = _size()
    result["classes"] = measure(catalogue, args)
    out.write_text(json.dumps(result), encoding="utf-8")


def _indexed(records: int) -> bool:
    from heco.search.models import SearchDocument

    # the single-edit measurement adds one asset per run
    return records <= SearchDocument.objects.count() <= records + 100


def build(catalogue) -> dict:
    from heco.search.bulk import BulkDocument, bulk_load

    generation = [0.0, 0.0]  # wall, CPU spent generating (not loading)

    def documents():
        iterator = catalogue.records()
        namespace = uuid.UUID("6f1c1c3e-1d5b-4a53-9a53-2f1d8c3b7a10")
        while True:
            started, cpu = time.perf_counter(), time.process_time()
            try:
                r = next(iterator)
                doc = BulkDocument(
                    uuid.uuid5(namespace, str(r.n)),
                    r.title,
                    r.meta,
                    r.body,
                    r.country,
                    r.community,
                    r.organisation,
                    r.kind,
                    r.themes,
                    r.accessibility,
                    r.start_year,
                    r.end_year,
                    r.lat,
                    r.lon,
                    r.weight,
                    r.sort_title,
                )
            except StopIteration:
                generation[0] += time.perf_counter() - started
                generation[1] += time.process_time() - cpu
                return
            generation[0] += time.perf_counter() - started
            generation[1] += time.process_time() - cpu
            yield doc

    def progress(done):
        if done % 100_000 == 0:
            print(f"  loaded {done:,}", flush=True)

    timings: dict = {}
    print(f"building {catalogue.size:,} records through heco.search.bulk…", flush=True)
    with Timer() as t:
        count = bulk_load(documents(), progress=progress, timings=timings)
    seconds = t.wall - generation[0]
    cpu = t.cpu - generation[1]
    return {
        "count": count,
        "seconds": seconds,
        "cpu": cpu,
        "generation": generation[0],
        "records_per_s": count / seconds if seconds > 0 else 0.0,
        "records_per_cpu_s": count / cpu if cpu > 0 else 0.0,
        **timings,
    }


def single_edit() -> dict:
    """One asset created and indexed through the ordinary write path, then found at once."""
    from heco.search import SearchQuery, search
    from heco.search.index import index_assets
    from heco.testing.factories import AssetFactory, CommunityFactory, OrganisationFactory

    tag = uuid.uuid4().hex[:8]
    word = "qzbenchedit" + tag[:6]
    community = CommunityFactory(slug=f"bench-community-{tag}")
    organisation = OrganisationFactory(slug=f"bench-org-{tag}", community=community)
    asset = AssetFactory(
        slug=f"bench-asset-{tag}",
        organisation=organisation,
        title={"en": f"Restored granary {word}"},
    )
    index_assets([asset.id])  # first index: appended
    asset.title = {"en": f"Restored windmill {word}x"}
    asset.save()
    with Timer() as t:
        index_assets([asset.id])  # the edit
    found = search(SearchQuery(q=f"{word}x", facets=False)).ids == [asset.id]
    return {"index_ms": t.wall * 1000, "cpu_ms": t.cpu * 1000, "found": found}


def _size() -> str:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        path = Path(settings.DATABASES["default"]["NAME"])
        return f"{path.stat().st_size / 2**20:,.0f} MiB database file"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_total_relation_size('search_document'), "
            "pg_total_relation_size('search_text')"
        )
        doc, text = cursor.fetchone()
    return f"search_document {doc / 2**20:,.0f} MiB, search_text {text / 2**20:,.0f} MiB"


def query_sets(catalogue, rng: random.Random) -> dict[str, list[dict]]:
    words = catalogue.words
    common = [words[lang][r] for lang in LANGS for r in range(3)]
    rare = [words[lang][r] for lang in LANGS for r in range(8000, 8040)]
    two = [
        f"{words[lang][a]} {words[lang][b]}"
        for lang in LANGS
        for a, b in ((0, 12), (1, 30), (3, 7), (5, 60), (2, 100))
    ]
    prefixes = sorted({words[lang][r][:2] for lang in LANGS for r in range(6)})
    boxes = []
    for community in catalogue.communities[:40]:
        lat, lon = community[3], community[4]
        boxes.append((lon - 0.5, lat - 0.35, lon + 0.5, lat + 0.35))
    sets = {
        "common word": [{"q": w} for w in common],
        "rare word": [{"q": w} for w in rare],
        "two words": [{"q": q} for q in two],
        "prefix (2 letters)": [{"q": p} for p in prefixes],
    }
    for name in list(sets):
        sets[f"{name} + bbox"] = [
            {**params, "bbox": boxes[i % len(boxes)]} for i, params in enumerate(sets[name])
        ]
    sets["common word + country + theme"] = [
        {"q": w, "country": (c,), "theme": (t,)}
        for w in common[:6]
        for c, t in (("LT", "public-space"), ("MT", "entrepreneurship"), ("IT", "adult-education"))
    ]
    sets["browse (no text)"] = [{}]
    sets["browse + country"] = [{"country": (c,)} for c in ("LT", "IT", "SI", "MT", "NL")]
    for params_list in sets.values():
        rng.shuffle(params_list)
    return sets


def measure(catalogue, args) -> dict:
    from heco.search import SearchQuery, search

    naive = Naive()
    rng = random.Random(args["seed"])
    results = {}
    for name, params_list in query_sets(catalogue, rng).items():
        for params in params_list[:5]:  # warm-up
            search(SearchQuery(**params))
            naive.run(params)
        ours, ours_cpu, base, base_cpu, approx = [], [], [], [], 0
        for i in range(args["queries"]):
            params = params_list[i % len(params_list)]
            with Timer() as t:
                result = search(SearchQuery(**params))
            ours.append(t.wall * 1000)
            ours_cpu.append(t.cpu * 1000)
            approx += not (result.total_exact and result.facets_exact)
            if i < args["baseline_queries"]:
                with Timer() as t:
                    naive.run(params)
                base.append(t.wall * 1000)
                base_cpu.append(t.cpu * 1000)
        results[name] = {
            "ours": summary(ours),
            "ours_cpu": sum(ours_cpu) / len(ours_cpu),
            "approximate": approx / len(ours),
            "naive": summary(base),
            "naive_cpu": sum(base_cpu) / len(base_cpu),
        }
        row = results[name]
        print(
            f"  {name}: ours p50 {row['ours']['p50']:.1f} / p95 {row['ours']['p95']:.1f} ms; "
            f"naive p50 {row['naive']['p50']:.1f} / p95 {row['naive']['p95']:.1f} ms",
            flush=True,
        )
    return results


class Naive:
    """The raw full-text query and naive GROUP BY facet counts, on the same tables."""

    def __init__(self):
        from django.db import connection

        self.vendor = connection.vendor

    def run(self, params: dict) -> None:
        from django.db import connection

        from heco.search.backends import common

        terms = common.tokenize(params.get("q", ""))
        where, args = [], []
        if terms:
            if self.vendor == "sqlite":
                from heco.search.backends.sqlite import match_expression

                where.append("search_fts MATCH %s")
                args.append(match_expression(terms, True))
            else:
                from heco.search.backends.postgres import TSQUERY, tsquery_text

                where.append(f"d.tsv @@ {TSQUERY}")
                args.append(tsquery_text(terms, True))
        if params.get("bbox"):
            clause = common.bbox_clause(*params["bbox"])
            where.append(clause.sql)
            args += clause.params
        if params.get("country"):
            where.append("d.country = %s")
            args.append(params["country"][0])
        if params.get("theme"):
            where.append("d.themes LIKE %s")
            args.append(f"%|{params['theme'][0]}|%")
        sqlite_fts = self.vendor == "sqlite" and terms
        source = (
            "search_fts JOIN search_document d ON d.docid = search_fts.rowid"
            if sqlite_fts
            else "search_document d"
        )
        where_sql = (" WHERE " + " AND ".join(where)) if where else ""
        with connection.cursor() as cursor:
            if sqlite_fts and where == ["search_fts MATCH %s"]:
                cursor.execute(
                    "SELECT rowid, bm25(search_fts) FROM search_fts WHERE search_fts MATCH %s "
                    "ORDER BY rank LIMIT 20",
                    args,
                )
            elif sqlite_fts:
                cursor.execute(
                    f"SELECT d.docid, bm25(search_fts) AS r FROM {source}{where_sql} "  # noqa: S608
                    "ORDER BY r LIMIT 20",
                    args,
                )
            elif terms:
                from heco.search.backends.postgres import TSQUERY

                cursor.execute(
                    f"SELECT d.docid, ts_rank(d.tsv, {TSQUERY}) AS r FROM {source}{where_sql} "  # noqa: S608
                    "ORDER BY r DESC LIMIT 20",
                    [args[0], *args],
                )
            else:
                cursor.execute(
                    f"SELECT d.docid FROM {source}{where_sql} "  # noqa: S608
                    "ORDER BY d.weight DESC, d.sort_title LIMIT 20",
                    args,
                )
            cursor.fetchall()
            for column in FACETS_NAIVE:
                cursor.execute(
                    f"SELECT d.{column}, COUNT(*) FROM {source}{where_sql} "  # noqa: S608
                    f"GROUP BY d.{column}",
                    args,
                )
                cursor.fetchall()


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        child(json.loads(argv[1]), Path(argv[2]))
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "heco.settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    options = vars(parser.parse_args(argv))

    class Out:
        def write(self, text):
            print(text, flush=True)

    run(options, Out())


if __name__ == "__main__":
    main()
