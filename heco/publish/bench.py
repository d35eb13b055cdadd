"""Static export: ``heco bench publish --assets 10000`` (pages per second beside copying files).

The demo network is loaded into a temporary SQLite database and scaled to ``--assets`` heritage
assets with titles, summaries and descriptions in all six languages (seeded, Zipf-shaped
vocabulary), and the planner's statistics are refreshed as after a harvest. Then, in one run:

1. a full ``heco publish`` into an empty directory: pages per second;
2. the limit: ``shutil.copyfile`` of the same number of files with the same sizes (the files
   the export wrote), into another empty directory: files per second, and the ratio;
3. one asset's title changed through ``asset_update``, then ``heco publish`` again: pages
   rendered (only what depends on that asset, see deps.py), reused and written, and the time,
   beside the full run.

Wall-clock seconds and the CPU seconds of this process (and of its rendering workers with
``--workers N``) are both reported: on a shared machine the CPU time is the steadier figure.
"""

from __future__ import annotations

import json
import platform
import random
import resource
import shutil
import tempfile
import time
from pathlib import Path

LANGS = ("en", "lt", "it", "sl", "mt", "nl")
KINDS = ("building", "monument", "archaeological-site", "landscape", "natural", "collection")
VOCABULARY = {
    "en": "old mill church chapel tower manor park river oak bridge farmstead cross museum "
    "hill fort castle garden wall gate well school village",
    "lt": "senas malūnas bažnyčia koplyčia bokštas dvaras parkas upė ąžuolas tiltas sodyba "
    "kryžius muziejus piliakalnis pilis sodas siena vartai šulinys mokykla kaimas",
    "it": "vecchio mulino chiesa cappella torre villa parco fiume quercia ponte cascina croce "
    "museo colle fortezza castello giardino mura porta pozzo scuola borgo",
    "sl": "star mlin cerkev kapela stolp dvorec park reka hrast most kmetija križ muzej grič "
    "utrdba grad vrt zid vrata vodnjak šola vas",
    "mt": "qadim mitħna knisja kappella torri palazz ġnien xmara ballut pont razzett salib "
    "mużew għolja fortizza kastell ġnien ħajt bieb bir skola raħal",
    "nl": "oude molen kerk kapel toren havezate park rivier eik brug boerderij kruis museum "
    "heuvel schans kasteel tuin muur poort put school dorp",
}


def add_arguments(parser) -> None:
    parser.add_argument("--assets", type=int, default=500, help="Assets in the catalogue.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-search", action="store_true", help="Leave pagefind out of the timings."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the temporary directory.")
    parser.add_argument(
        "--workers", type=int, default=1, help="Rendering processes (heco publish --workers)."
    )


def _words(rng: random.Random, lang: str, count: int) -> str:
    vocab = VOCABULARY[lang].split()
    weights = [1 / (rank + 1) for rank in range(len(vocab))]  # Zipf
    return " ".join(rng.choices(vocab, weights=weights, k=count))


def scale_catalogue(total: int, seed: int) -> int:
    """Bulk-create assets until the catalogue has ``total`` published assets."""
    from django.utils import timezone

    from heco.core.db import refresh_statistics
    from heco.core.models import Status
    from heco.heritage.models import Asset
    from heco.heritage.services import reindex_assets
    from heco.network.models import Organisation

    rng = random.Random(seed)
    have = Asset.objects.published().count()
    orgs = list(
        Organisation.objects.exclude(community=None).select_related("community").order_by("slug")
    )
    now = timezone.now()
    batch = []
    for number in range(max(0, total - have)):
        org = orgs[number % len(orgs)]
        base_lat = org.lat or org.community.lat or 50.0
        base_lon = org.lon or org.community.lon or 15.0
        title = {code: _words(rng, code, 3).capitalize() + f" {number}" for code in LANGS}
        summary = {code: _words(rng, code, 18).capitalize() + "." for code in LANGS}
        description = {code: _words(rng, code, 120).capitalize() + "." for code in LANGS}
        batch.append(
            Asset(
                slug=f"bench-asset-{number:06d}",
                title=title,
                summary=summary,
                description=description,
                kind=rng.choice(KINDS),
                organisation=org,
                community=org.community,
                lat=base_lat + rng.uniform(-0.4, 0.4),
                lon=base_lon + rng.uniform(-0.4, 0.4),
                status=Status.PUBLISHED,
                published_at=now,
            )
        )
    Asset.objects.bulk_create(batch, batch_size=500)
    ids = list(Asset.objects.filter(slug__startswith="bench-asset-").values_list("id", flat=True))
    for start in range(0, len(ids), 1000):
        reindex_assets(ids[start : start + 1000])
    # the planner's statistics, as after a harvest (heco.core.db): without them SQLite reads
    # the whole status index for "nearby" (7 ms instead of 0.7 ms per asset page at 10,000)
    refresh_statistics()
    return Asset.objects.published().count()


def cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (publish workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def copy_baseline(source: Path, target: Path, files: list[str]) -> float:
    """Seconds to copy ``files`` (the export's own output, same count and sizes)."""
    started = time.perf_counter()
    for rel in files:
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, dest)
    return time.perf_counter() - started


def run(options, stdout) -> None:
    import django
    from django.db import connection
    from django.test import override_settings

    from heco.demo.loader import build_demo
    from heco.heritage.models import Asset
    from heco.heritage.services import asset_update
    from heco.publish.builder import MANIFEST, Publisher, run_pagefind

    tmp = Path(tempfile.mkdtemp(prefix="heco-bench-publish-"))
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        settings_dict.setdefault("TEST", {})["NAME"] = str(tmp / "bench.sqlite3")
    else:
        settings_dict.setdefault("TEST", {})["NAME"] = "heco_bench_publish"
    old_name = settings_dict["NAME"]
    search = not options["no_search"]
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            with override_settings(MEDIA_ROOT=tmp / "media"):
                stdout.write(f"loading the demo network and scaling it to {options['assets']}…")
                build_demo(images=True)
                assets = scale_catalogue(options["assets"], options["seed"])
                out = tmp / "site"
                stdout.write(f"full publish of {assets} assets…")
                workers = options["workers"]
                cpu = cpu_seconds()
                first = Publisher(out, pagefind=False, workers=workers).run()
                first_cpu = cpu_seconds() - cpu
                pagefind_s = 0.0
                if search:
                    started = time.perf_counter()
                    run_pagefind(out)
                    pagefind_s = time.perf_counter() - started
                manifest = json.loads((out / MANIFEST).read_text())["files"]
                copy_s = copy_baseline(out, tmp / "copy", sorted(manifest))
                changed = Asset.objects.published().order_by("slug").first()
                asset_update(asset=changed, title={**changed.title, "en": "Changed title"})
                stdout.write(f"second publish, {changed.slug} changed…")
                cpu = cpu_seconds()
                second = Publisher(out, pagefind=False, workers=workers).run()
                second_cpu = cpu_seconds() - cpu
                pagefind_again_s = 0.0
                if search and second.written:
                    started = time.perf_counter()
                    run_pagefind(out)  # as ``heco publish`` does when some page changed
                    pagefind_again_s = time.perf_counter() - started
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    finally:
        if not options["keep"]:
            shutil.rmtree(tmp, ignore_errors=True)
    files = len(manifest)
    pages_rate = first.pages / first.seconds
    files_rate = files / first.seconds
    copy_rate = files / copy_s
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    stdout.write(
        f"publish bench: {assets} assets x {len(LANGS)} languages, {connection.vendor}, "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"{platform.machine()}, load average {load}"
        + (f", {workers} rendering workers" if workers > 1 else "")
    )
    stdout.write(
        f"  full publish: {first.pages} pages + {first.files_copied} static/media files = "
        f"{files} files in {first.seconds:.1f}s (CPU {first_cpu:.1f}s) = {pages_rate:,.1f} "
        f"pages/s ({files_rate:,.1f} files/s, {first.pages / first_cpu:,.1f} pages per CPU "
        "second)" + (f"; pagefind index {pagefind_s:.1f}s" if search else "")
    )
    stdout.write(
        f"  limit (shutil.copyfile of the same {files} files): {copy_s:.2f}s = "
        f"{copy_rate:,.0f} files/s; ratio limit/ours: {copy_rate / files_rate:,.0f}x"
    )
    stdout.write(
        f"  one asset changed ({changed.slug}): {second.pages_rendered} of {second.pages} "
        f"pages rendered, {second.pages_reused} reused, {second.pages_written} written, "
        f"{second.removed} removed, in {second.seconds:.1f}s (CPU {second_cpu:.1f}s; "
        f"{second.seconds / first.seconds:.1%} of the full run)"
        + (f"; pagefind index again {pagefind_again_s:.1f}s" if pagefind_again_s else "")
    )
    stdout.write(
        json.dumps(
            {
                "assets": assets,
                "pages": first.pages,
                "files": files,
                "publish_s": round(first.seconds, 2),
                "publish_cpu_s": round(first_cpu, 2),
                "pages_per_s": round(pages_rate, 1),
                "copy_files_per_s": round(copy_rate),
                "ratio": round(copy_rate / files_rate, 1),
                "pagefind_s": round(pagefind_s, 2),
                "second_run_pages_rendered": second.pages_rendered,
                "second_run_pages_reused": second.pages_reused,
                "second_run_pages_written": second.pages_written,
                "second_run_s": round(second.seconds, 2),
                "second_run_cpu_s": round(second_cpu, 2),
                "second_run_pagefind_s": round(pagefind_again_s, 2),
            }
        )
    )
