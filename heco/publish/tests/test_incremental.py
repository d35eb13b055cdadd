"""The second run renders only what depends on a change, and its output is the output of a
fresh publish, byte for byte."""

from pathlib import Path

import pytest

from heco.heritage.services import asset_update, asset_withdraw
from heco.publish.builder import MANIFEST, Publisher
from heco.publish.tests.helpers import AMBER_MILL, LANGS

pytestmark = pytest.mark.django_db
BASE = "https://heco.example.org"


def tree(out: Path) -> dict[str, bytes]:
    """Every file of an export but the manifest, by its path."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def fresh(tmp_path) -> dict[str, bytes]:
    out = tmp_path / "fresh"
    result = Publisher(out, base_url=BASE, pagefind=False).run()
    assert result.full and result.pages_reused == 0
    return tree(out)


def test_nothing_changed_nothing_is_rendered(catalogue, publish):
    first = publish()
    second = publish()
    assert first.full and first.pages_reused == 0
    assert not second.full
    assert second.pages_rendered == 0
    assert second.pages_reused == first.pages_rendered  # (the root index.html is no page)
    assert second.pages_written == 0 and second.removed == 0


def test_a_title_change_renders_the_assets_pages_and_the_lists_showing_it_only(
    catalogue, publish, tmp_path
):
    first = publish()
    asset_update(asset=catalogue["mill"], title={**AMBER_MILL, "en": "Old Amber Mill"})
    second = publish()
    rendered = set(second.rendered)
    assert not second.full
    for code in LANGS:
        # the asset's own pages, and the pages that list it
        assert f"/{code}/assets/amber-mill/" in rendered
        assert f"/{code}/" in rendered
        assert f"/{code}/organisations/plunge-library/" in rendered
        assert f"/{code}/communities/plunge/" in rendered
        assert f"/{code}/services/mill-tours/" in rendered  # the mill's guided tour
        # unrelated record pages are reused, not rendered
        assert f"/{code}/assets/salt-tower/" not in rendered
        assert f"/{code}/assets/hill-chapel/" not in rendered
        assert f"/{code}/organisations/piran-museum/" not in rendered
        assert f"/{code}/events/salt-festival/" not in rendered
    assert second.pages_reused >= 4 * len(LANGS)  # (most pages of this small site are lists)
    assert second.pages == first.pages
    page = (publish.out / "en" / "assets" / "amber-mill" / "index.html").read_text()
    assert "Old Amber Mill" in page
    assert tree(publish.out) == fresh(tmp_path)


def test_a_withdrawn_asset_loses_its_pages_and_the_rest_matches_a_fresh_publish(
    catalogue, publish, tmp_path
):
    publish()
    asset_withdraw(asset=catalogue["tower"])
    second = publish()
    assert not second.full
    for code in LANGS:
        assert not (publish.out / code / "assets" / "salt-tower").exists()
        assert f"{code}/assets/salt-tower/index.html" in second.removed_paths
    assert tree(publish.out) == fresh(tmp_path)


def test_full_renders_every_page_again(catalogue, publish):
    first = publish()
    again = publish(full=True)
    assert again.full
    assert again.pages_rendered == first.pages_rendered and again.pages_reused == 0
    assert again.pages_written == 0
