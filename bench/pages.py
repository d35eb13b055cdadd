"""Public pages for an anonymous visitor under gunicorn, beside a minimal view and nginx.

``heco bench pages [--records 1000] [--seconds 10] [--concurrency 8] [--workers 2]``
(or ``python bench/pages.py …``). SQLite (the embedded default) only.

In one run, on one machine:

1. **Catalogue.** A child process with ``HECO_DATA_DIR=<dir>`` migrates a fresh SQLite
   database there and builds the seeded synthetic catalogue of ``bench.common.Catalogue``
   (the one the search benchmark uses: Zipf vocabulary in six languages, five countries,
   600 communities, 2,500 organisations of very unequal size): communities and organisations
   with ``bulk_create``, assets with ``heco.harvest.fastwrite.insert_rows`` (executemany) in
   the same pass that feeds the documented bulk path of the search index
   (``heco.search.bulk.bulk_load``); one record in 40 has "manor" in its English title; a
   few services with opening hours and events. ``--data-dir`` keeps and reuses it.
2. **Server.** gunicorn (``--workers 2 --threads 1`` by default: sync workers, one per core
   on the 2-core machine this was written on) serves ``bench.settings_bench`` — the project's
   settings with one extra URL, ``/bench/minimal`` returning ``HttpResponse("ok")`` through
   the same middleware — the baseline for "what a Django request costs here".
3. **nginx** (``/usr/sbin/nginx``, generated config on a free localhost port, as many worker
   processes as gunicorn workers) serves the very bytes the pages returned, saved to files:
   the baseline for "what answering with these bytes costs here".
4. **Load.** ``wrk`` (``apt-get install wrk``) for ``--seconds`` per URL with
   ``--concurrency`` connections on 1 thread (so it takes as little as possible of the two
   cores from the servers); without wrk, a Python generator (threads, http.client keep-alive).
   Pages measured: home ``/en/``, search results ``/en/search/?q=manor``, the same filtered by
   two facets, an asset's detail page. First with the page cache (the default: the second
   request onwards is a hit), then with ``HECO_PAGE_CACHE_SECONDS=0`` — every request renders
   — which is what a visitor of a rarely visited page gets.

Printed: requests/s, p50 and p99 latency per URL, each page's requests/s as a share of the
minimal view's (measured right before the page, since the load of a shared machine drifts)
and of nginx's. ``--json`` writes the figures to a file as well.

gunicorn's sync workers close the connection after each response (as behind nginx, which
speaks HTTP/1.0 to its upstream by default); nginx keeps connections alive. The load
generator shares the cores with the servers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from math import nan
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NGINX = "/usr/sbin/nginx"
NAMESPACE = uuid.UUID("6f1c1c3e-1d5b-4a53-9a53-2f1d8c3b7a10")  # as bench/search.py
MANOR_EVERY = 40
BATCH = 5_000


def add_arguments(parser) -> None:
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0, help="per URL")
    parser.add_argument("--concurrency", type=int, default=8, help="open connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--data-dir", default="", help="keep the catalogue here and reuse it on later runs"
    )
    parser.add_argument(
        "--no-uncached", action="store_true", help="skip the pass with the page cache off"
    )
    parser.add_argument(
        "--loadgen", choices=["auto", "wrk", "python"], default="auto", help="load generator"
    )
    parser.add_argument("--json", default="", help="also write the results to this file")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)


# ---- the catalogue (runs in the child, inside Django, on the bench database) -------------


def build(records: int, seed: int, out) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.common import COUNTRY_LANG, Catalogue, lang_map, network_rows
    from heco.core.models import Status
    from heco.harvest.fastwrite import insert_rows, new_row
    from heco.heritage.models import Asset
    from heco.network.models import Community, Network, Organisation
    from heco.programme.models import Event, Service
    from heco.search.bulk import BulkDocument, bulk_load

    started = time.perf_counter()
    catalogue = Catalogue(records, seed=seed)
    now = timezone.now()
    communities, organisations_by_slug = network_rows(catalogue)
    Community.objects.bulk_create(communities.values(), batch_size=1000)
    Organisation.objects.bulk_create(organisations_by_slug.values(), batch_size=1000)
    community_ids = {slug: c.id for slug, c in communities.items()}
    community_slugs = {slug: c.slug for slug, c in communities.items()}
    organisation_ids = {slug: o.id for slug, o in organisations_by_slug.items()}
    organisations = list(organisations_by_slug.values())
    network = Network.objects.create(slug="bench", name={"en": "Bench network"})
    network.organisations.add(*organisations[:200])

    first_ids: list = []  # the heaviest records' asset ids (services and events hang on them)
    first_ns: list = []
    pending: list = []

    def flush():
        insert_rows(Asset, pending)
        pending.clear()

    def documents():
        for r in catalogue.records():
            home = COUNTRY_LANG[r.country]
            titles = lang_map(r.title.split("\n"), home)
            if r.n % MANOR_EVERY == 0:
                titles["en"] = f"{titles.get('en') or titles[home]} manor"
            bodies = lang_map(r.body.split("\n"), home)
            asset_id = uuid.uuid5(NAMESPACE, str(r.n))
            if len(first_ids) < 50:
                first_ids.append(asset_id)
                first_ns.append(r.n)
            pending.append(
                new_row(
                    Asset,
                    id=asset_id,
                    slug=f"asset-{r.n}",
                    status=Status.PUBLISHED,
                    created_at=now,
                    updated_at=now,
                    published_at=now - dt.timedelta(seconds=r.n),
                    title=titles,
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
                    featured=r.n % 33 == 0,
                )
            )
            if len(pending) >= BATCH:
                flush()
            yield BulkDocument(
                asset_id,
                "\n".join(titles.values()),
                r.meta,
                r.body,
                r.country,
                community_slugs[r.community],
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
        flush()

    def progress(done):
        if done % 100_000 == 0:
            out.write(f"  {done:,} assets\n")
            out.flush()

    with transaction.atomic():
        count = bulk_load(documents(), progress=progress)
    hours = [
        "Mo-Su 00:00-24:00",
        "Mo-Fr 09:00-17:00",
        "Tu-Su 10:00-18:00; PH off",
        "Sa 10:00-14:00",
    ]
    services = [
        Service(
            slug=f"service-{i}",
            name={"en": f"Guided tour {i}"},
            kind="guided-tour",
            organisation_id=organisations[i % len(organisations)].id,
            asset_id=first_ids[i % len(first_ids)],
            opening_hours=hours[i % len(hours)],
            status=Status.PUBLISHED,
        )
        for i in range(max(5, min(records // 100, 1000)))
    ]
    Service.objects.bulk_create(services, batch_size=1000)
    events = [
        Event(
            slug=f"event-{i}",
            title={"en": f"Open day {i}"},
            start=now + dt.timedelta(hours=3 + 7 * i),
            end=now + dt.timedelta(hours=5 + 7 * i),
            timezone="Europe/Rome",
            rrule="FREQ=WEEKLY;COUNT=8" if i % 5 == 0 else "",
            organisation_id=organisations[i % len(organisations)].id,
            asset_id=first_ids[i % len(first_ids)],
            status=Status.PUBLISHED,
        )
        for i in range(max(5, min(records // 200, 500)))
    ]
    Event.objects.bulk_create(events, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "assets": count,
        "seconds": time.perf_counter() - started,
        "asset": f"asset-{first_ns[0]}",  # the heaviest record: services and events on it
    }


# ---- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(data_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("HECO_DATABASE_URL",)}
    env.update(
        {
            "HECO_DATA_DIR": str(data_dir),
            "HECO_DEBUG": "0",
            "HECO_LOG_LEVEL": "ERROR",
            "HECO_SEARCH_BACKEND": "sqlite",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        }
    )
    env.pop("HECO_CACHE_URL", None)  # per-process locmem, the default
    env.update(extra)
    return env


def wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer")
        time.sleep(0.2)


class Gunicorn:
    def __init__(self, data_dir: Path, workers: int, threads: int, **env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "heco.wsgi:application",
            f"--workers={workers}",
            f"--threads={threads}",
            f"--bind=127.0.0.1:{self.port}",
            "--backlog=2048",
            "--log-level=warning",
            f"--pythonpath={ROOT}",
        ]
        self.log = open(data_dir / "gunicorn.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            command,
            env=child_env(data_dir, DJANGO_SETTINGS_MODULE="bench.settings_bench", **env),
            stdout=self.log,
            stderr=self.log,
            cwd=ROOT,
        )
        wait_http(self.base + "/bench/minimal")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Nginx:
    def __init__(self, data_dir: Path, root: Path, workers: int):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        prefix = data_dir / "nginx"
        prefix.mkdir(exist_ok=True)
        user = "user root;" if os.geteuid() == 0 else ""
        temp = "\n".join(
            f"  {name}_temp_path {prefix}/{name};"
            for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        config = f"""{user}
worker_processes {workers};
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
{temp}
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type "text/html; charset=utf-8";
  server {{
    listen 127.0.0.1:{self.port};
    root {root};
    location / {{ }}
  }}
}}
"""
        (prefix / "nginx.conf").write_text(config)
        self.process = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "stderr"],
            stdout=subprocess.DEVNULL,
            stderr=open(prefix / "stderr.log", "ab"),  # noqa: SIM115
        )
        wait_http(self.base + "/home.html", 20)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# ---- load -------------------------------------------------------------------------------------

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()
    return float(number) * UNITS[unit]


def wrk(url: str, seconds: float, concurrency: int) -> dict:
    command = [
        "wrk",
        "-t1",
        f"-c{concurrency}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout=10s",
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    result["p50"] = result["p99"] = nan  # wrk prints no distribution without answers
    for pct, value in re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M):
        result[f"p{pct}"] = _ms(value)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    result["errors"] = int(errors.group(1)) if errors else 0
    if socket_errors:
        result["socket_errors"] = socket_errors.group(1)
    result["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    return result


def python_load(url: str, seconds: float, concurrency: int) -> dict:
    """Threads with http.client keep-alive connections (reconnecting when the server closes)."""
    import http.client
    from urllib.parse import urlsplit

    from bench.common import percentile

    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker():
        mine, bad = [], 0
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.perf_counter() < stop_at:
            began = time.perf_counter()
            try:
                conn.request("GET", target)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
                if response.will_close:
                    conn.close()
            except OSError:
                bad += 1
                conn.close()
                continue
            mine.append((time.perf_counter() - began) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "errors": errors[0],
        "requests": len(latencies),
    }


# ---- the run ---------------------------------------------------------------------------------

PAGES = {
    "home": "/en/",
    "search": "/en/search/?q=manor",
    "search+facets": "/en/search/?q=manor&country=IT&kind=building",
    "asset": None,  # filled with the heaviest asset's slug
}


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return response.status, dict(response.headers), response.read()


def _machine() -> dict:
    from bench.common import machine

    info = machine()
    versions = {}
    for name, command in (
        ("gunicorn", [str(Path(sys.executable).with_name("gunicorn")), "--version"]),
        ("nginx", [NGINX, "-v"]),
        ("wrk", ["wrk", "--version"]),
    ):
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=10)
            text = (done.stdout + done.stderr).strip().splitlines()[0]
            versions[name] = text
        except (OSError, IndexError, subprocess.SubprocessError):
            versions[name] = "absent"
    info["versions"] = versions
    return info


def run(options, stdout) -> None:
    if options.get("build_only"):
        result = build(options["records"], options["seed"], stdout)
        stdout.write("BUILT " + json.dumps(result) + "\n")
        return
    records = options["records"]
    if options["data_dir"]:
        data_dir = Path(options["data_dir"]).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        keep = True
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="heco-bench-pages-"))
        keep = False
    loadgen = options["loadgen"]
    if loadgen == "auto":
        loadgen = "wrk" if shutil.which("wrk") else "python"
    measure = wrk if loadgen == "wrk" else python_load
    say = stdout.write
    nginx = None
    try:
        built = data_dir / f"catalogue-{records}-{options['seed']}.json"
        if not built.exists():
            if (data_dir / "heco.sqlite3").exists():
                raise SystemExit(f"{data_dir} holds another catalogue: use a fresh --data-dir")
            say(f"building {records:,} records in {data_dir} …\n")
            env = child_env(data_dir)
            heco = [sys.executable, "-m", "heco.cli"]
            subprocess.run([*heco, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
            done = subprocess.run(
                [*heco, "bench", "pages", "--build-only", f"--records={records}"]
                + [f"--seed={options['seed']}"],
                env=env,
                check=True,
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            line = [x for x in done.stdout.splitlines() if x.startswith("BUILT ")][-1]
            built.write_text(line[len("BUILT ") :])
        catalogue = json.loads(built.read_text())
        say(f"catalogue: {catalogue['assets']:,} assets (built in {catalogue['seconds']:.0f} s)\n")
        pages = {**PAGES, "asset": f"/en/assets/{catalogue['asset']}/"}
        info = _machine()
        say(f"load generator: {loadgen}; {options['concurrency']} connections\n")
        results = {"machine": info, "records": records, "loadgen": loadgen, "passes": {}}

        www = data_dir / "www"
        www.mkdir(exist_ok=True)
        passes = [("cached", {})]
        if not options["no_uncached"]:
            passes.append(("uncached", {"HECO_PAGE_CACHE_SECONDS": "0"}))
        for name, env in passes:
            server = Gunicorn(data_dir, options["workers"], options["threads"], **env)
            try:
                figures = {}
                samples = {}
                for page, path in pages.items():
                    # warm each worker (and its cache), keep the bytes for nginx
                    for _ in range(options["workers"] * 3):
                        status, headers, body = fetch(server.base + path)
                    samples[page] = (status, headers.get("X-Page-Cache", "-"), len(body))
                    if name == "cached":
                        (www / f"{page.replace('+', '-')}.html").write_bytes(body)
                if name == "cached":
                    nginx = Nginx(data_dir, www, options["workers"])
                # the machine's load drifts: each page is measured right after the minimal
                # view, and its share is taken against that neighbouring minimal figure
                minimal_runs = []
                for page, path in pages.items():
                    minimal_runs.append(
                        measure(
                            server.base + "/bench/minimal",
                            options["seconds"],
                            options["concurrency"],
                        )
                    )
                    figures[page] = measure(
                        server.base + path, options["seconds"], options["concurrency"]
                    )
                    figures[page]["minimal_rps"] = minimal_runs[-1]["rps"]
                    figures[page]["bytes"] = samples[page][2]
                    figures[page]["cache"] = samples[page][1]
                    figures[page]["status"] = samples[page][0]
                if name == "cached":
                    for page in pages:
                        figures[f"nginx {page}"] = measure(
                            f"{nginx.base}/{page.replace('+', '-')}.html",
                            options["seconds"],
                            options["concurrency"],
                        )
                figures["minimal"] = {
                    "rps": sum(m["rps"] for m in minimal_runs) / len(minimal_runs),
                    "p50": sorted(m.get("p50", nan) for m in minimal_runs)[len(minimal_runs) // 2],
                    "p99": max(m.get("p99", nan) for m in minimal_runs),
                    "runs": [round(m["rps"]) for m in minimal_runs],
                }
            finally:
                server.stop()
            results["passes"][name] = figures
            say(report(name, figures, pages, results["passes"].get("cached", {})))
        results["load_after"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
        say(
            f"\n{info['date']} · {info['nproc']} cores ({info['cpu']}) · {info['ram_gib']} GiB · "
            f"load before {info['load']}, after {results['load_after']} · Python "
            f"{info['python']} · SQLite {info['sqlite']} · Django {info['django']} · "
            + " · ".join(info["versions"].values())
            + f" · gunicorn --workers {options['workers']} --threads {options['threads']}\n"
        )
        if options["json"]:
            Path(options["json"]).write_text(json.dumps(results, indent=2))
    finally:
        if nginx is not None:
            nginx.stop()
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)


def report(name: str, figures: dict, pages: dict, cached: dict) -> str:
    minimal = figures["minimal"]["rps"]
    lines = [
        "",
        f"== {name}: page cache {'on' if name == 'cached' else 'off'} ==",
        f"{'URL':<16}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'/minimal':>10}{'/nginx':>8}"
        f"{'bytes':>9}  cache",
    ]

    def row(label, fig, nginx_rps=None, extra=""):
        base = fig.get("minimal_rps", minimal)
        share = f"{fig['rps'] / base:>9.0%}" if base else f"{'-':>9}"
        vs_nginx = f"{fig['rps'] / nginx_rps:>8.1%}" if nginx_rps else f"{'':>8}"
        errors = f"  errors {fig['errors']}" if fig.get("errors") else ""
        return (
            f"{label:<16}{fig['rps']:>9.0f}{fig.get('p50', 0):>9.1f}{fig.get('p99', 0):>9.1f}"
            f" {share}{vs_nginx}{fig.get('bytes', ''):>9}  {extra}{errors}"
        )

    runs = ", ".join(str(r) for r in figures["minimal"].get("runs", []))
    lines.append(row("minimal view", figures["minimal"], extra=f"mean of runs {runs}"))
    for page in pages:
        nginx = cached.get(f"nginx {page}", {}).get("rps")
        fig = figures[page]
        lines.append(row(page, fig, nginx, f"{fig.get('status')} {fig.get('cache')}"))
    for page in pages:
        if f"nginx {page}" in figures:
            lines.append(row(f"nginx {page}", figures[f"nginx {page}"]))
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "heco.settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    run(vars(parser.parse_args(argv)), sys.stdout)


if __name__ == "__main__":
    main()
