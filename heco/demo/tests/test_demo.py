import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from heco.core.models import Status
from heco.demo import data
from heco.demo.loader import DEMO_PASSWORD
from heco.heritage.models import Asset, ExternalIdentifier, Media
from heco.network.models import Community, Network, Organisation
from heco.network.selectors import can_edit_organisation
from heco.programme.models import Event, Service
from heco.programme.recurrence import upcoming_occurrences
from heco.testing.factories import AssetFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_builds_the_five_community_network(settings):
    output = run()
    assert "editor-plunge" in output and DEMO_PASSWORD in output

    network = Network.objects.get(slug="heco-heritage-network")
    assert str(network) == "HE.CO Heritage Network"
    assert set(Community.objects.values_list("country", flat=True)) == {
        "LT",
        "IT",
        "SI",
        "MT",
        "NL",
    }
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {
        "library",
        "museum",
        "heritage_site",
        "association",
        "academy",
        "municipality",
        "business",
    } <= kinds
    assert network.organisations.count() == Organisation.objects.count()
    assert set(Asset.objects.values_list("kind", flat=True)) == set(Asset.Kind.values)

    now = timezone.now()
    for spec in data.COMMUNITIES:
        community = Community.objects.get(slug=spec["slug"])
        assets = Asset.objects.filter(community=community, status=Status.PUBLISHED)
        assert assets.count() >= 15
        services = Service.objects.filter(organisation__community=community)
        assert services.count() >= 5
        upcoming = upcoming_occurrences(
            Event.objects.filter(organisation__community=community, status=Status.PUBLISHED),
            now,
            now + dt.timedelta(days=90),
            limit=None,
        )
        assert len({o.event.pk for o in upcoming}) >= 10
        assert any(e.rrule for e in Event.objects.filter(organisation__community=community))
        for asset in assets:
            assert asset.title.get("en") and asset.title.get(spec["lang"])
            assert asset.summary.get("en") and asset.summary.get(spec["lang"])
            count = asset.media.count()
            assert 1 <= count <= 2
        events = Event.objects.filter(organisation__community=community)
        assert {e.timezone for e in events} == {spec["tz"]}

    assert Asset.objects.filter(title__en__icontains="manor").count() >= 3
    assert Asset.objects.filter(slug="plunge-manor", start_year=1870, end_year=1879).exists()
    assert ExternalIdentifier.objects.exists()
    for model in (Community, Organisation, Network, Asset, Service, Event):
        assert not model.objects.filter(is_demo=False).exists(), model

    media = Media.objects.select_related("asset").first()
    assert media.rights and media.credit and media.alt_text.get("en")
    assert set(media.renditions) == {"320", "800", "1600"}
    assert (Path(settings.MEDIA_ROOT) / media.renditions["320"]).is_file()

    editor = authenticate(username="editor-plunge", password=DEMO_PASSWORD)
    assert editor is not None and editor.is_staff
    plunge_library = Organisation.objects.get(slug="plunge-public-library")
    zutphen_library = Organisation.objects.get(slug="zutphen-public-library")
    assert can_edit_organisation(editor, plunge_library.pk)
    assert not can_edit_organisation(editor, zutphen_library.pk)
    coordinator = get_user_model().objects.get(username="coordinator")
    assert can_edit_organisation(coordinator, zutphen_library.pk)


def test_if_empty_does_nothing_when_assets_exist():
    run("--no-images")
    counts = (Asset.objects.count(), Event.objects.count(), Service.objects.count())
    output = run("--if-empty", "--no-images")
    assert "not loaded" in output
    assert (Asset.objects.count(), Event.objects.count(), Service.objects.count()) == counts


def test_if_empty_skips_a_database_with_real_assets():
    AssetFactory()
    run("--if-empty", "--no-images")
    assert not Network.objects.filter(slug="heco-heritage-network").exists()


def test_loading_twice_without_reset_is_refused():
    run("--no-images")
    with pytest.raises(CommandError):
        run("--no-images")


def test_reset_replaces_only_demo_records():
    own = AssetFactory(slug="our-own-asset")
    run("--no-images")
    demo_count = Asset.objects.filter(is_demo=True).count()
    run("--reset", "--no-images")
    assert Asset.objects.filter(is_demo=True).count() == demo_count
    assert Asset.objects.filter(pk=own.pk).exists()
    assert Organisation.objects.filter(pk=own.organisation_id).exists()
    assert get_user_model().objects.filter(username="coordinator").count() == 1
