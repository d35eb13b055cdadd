import pytest

from heco.publish.builder import Publisher
from heco.publish.tests.helpers import make_catalogue


@pytest.fixture
def catalogue(db):
    return make_catalogue()


@pytest.fixture
def publish(tmp_path):
    """publish(pagefind=False) -> PublishResult, into tmp_path / "site" each time."""

    def run(**options):
        options.setdefault("pagefind", False)
        return Publisher(tmp_path / "site", base_url="https://heco.example.org", **options).run()

    run.out = tmp_path / "site"
    return run
