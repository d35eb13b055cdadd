"""Publishing in worker processes (``--workers N``) gives the files and the manifest of a
single-process publish."""

import json

import pytest
from django.db import connection

from heco.heritage.services import asset_update
from heco.publish.builder import MANIFEST, Publisher
from heco.publish.tests.helpers import AMBER_MILL, make_catalogue
from heco.publish.tests.test_incremental import tree
from heco.testing.instance import heco

BASE = "https://heco.example.org"


def pages_of(out) -> dict:
    """The manifest's page entries with their tables, records and links spelled out."""
    data = json.loads((out / MANIFEST).read_text())
    tables, records, urls = data["tables"], data["records"], data["urls"]
    return {
        key: (
            file,
            collection,
            [tables[i] for i in t],
            [records[i] for i in r],
            [urls[i] for i in links],
        )
        for key, (file, collection, t, r, links) in data["pages"].items()
    }


@pytest.fixture
def committed_catalogue(transactional_db):
    """Workers open their own connections: they see committed data in a database file or on
    a server (so not SQLite's in-memory test database)."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "worker processes cannot share an in-memory SQLite database (the SQLite file test "
            "below covers SQLite)"
        )
    return make_catalogue()


def test_two_workers_write_what_one_process_writes(committed_catalogue, tmp_path):
    one = Publisher(tmp_path / "one", base_url=BASE, pagefind=False).run()
    two = Publisher(tmp_path / "two", base_url=BASE, pagefind=False, workers=2).run()
    assert two.pages == one.pages and sorted(two.rendered) == sorted(one.rendered)
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert pages_of(tmp_path / "two") == pages_of(tmp_path / "one")  # same dependencies

    asset_update(asset=committed_catalogue["mill"], title={**AMBER_MILL, "en": "Old Amber Mill"})
    again = Publisher(tmp_path / "two", base_url=BASE, pagefind=False, workers=2).run()
    assert not again.full and 0 < again.pages_rendered < one.pages_rendered
    fresh = Publisher(tmp_path / "fresh", base_url=BASE, pagefind=False).run()
    assert fresh.full
    assert tree(tmp_path / "two") == tree(tmp_path / "fresh")


@pytest.mark.django_db
def test_workers_refuse_data_inside_a_transaction(tmp_path):
    make_catalogue()  # inside the test's transaction: a worker would not see it
    with pytest.raises(RuntimeError, match="workers"):
        Publisher(tmp_path / "site", base_url=BASE, pagefind=False, workers=2).run()


def test_two_workers_on_a_sqlite_file_write_what_one_process_writes(tmp_path):
    """The same comparison on SQLite, the embedded default: the test database is in memory,
    so here ``heco`` runs as a separate instance with its own database file."""
    data = tmp_path / "instance"
    heco(data, "migrate", "--noinput", "-v", "0")
    catalogue = "from heco.publish.tests.helpers import make_catalogue\nmake_catalogue()\n"
    heco(data, "shell", "--no-imports", "-c", catalogue)
    for name, workers in (("one", "1"), ("two", "2")):
        done = heco(
            data, "publish", "--out", str(tmp_path / name), "--base-url", BASE,
            "--no-search", "--no-progress", "--workers", workers,
        )  # fmt: skip
        assert "pages" in done.stdout
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert pages_of(tmp_path / "two") == pages_of(tmp_path / "one")
    assert any(path.startswith("lt/assets/") for path in tree(tmp_path / "one"))
