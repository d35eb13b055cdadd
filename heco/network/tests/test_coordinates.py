"""The database keeps organisations' and communities' coordinates on the globe, whatever path
writes them (the forms check them too); the migration that added the checks cleared values out
of range first."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from heco.network.models import Community, Organisation
from heco.testing.factories import OrganisationFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Organisation, {"lat": 90.5}),
        (Organisation, {"lat": -91}),
        (Organisation, {"lon": 180.01}),
        (Organisation, {"lon": -200}),
        (Community, {"lon": 181}),
        (Community, {"lat": 95}),
    ],
)
def test_the_database_refuses_coordinates_off_the_globe(model, values):
    organisation = OrganisationFactory(lat=54.9, lon=23.9)
    pk = organisation.pk if model is Organisation else organisation.community_id
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=pk).update(**values)


@pytest.mark.django_db
def test_coordinates_at_the_limits_are_kept():
    organisation = OrganisationFactory()
    Organisation.objects.filter(pk=organisation.pk).update(lat=-90, lon=180)
    Community.objects.filter(pk=organisation.community_id).update(lat=90, lon=-180)
    organisation.refresh_from_db()
    assert (organisation.lat, organisation.lon) == (-90, 180)
    assert (organisation.community.lat, organisation.community.lon) == (90, -180)


@pytest.mark.django_db(transaction=True)
def test_the_migration_clears_coordinates_out_of_range_and_keeps_the_rest():
    executor = MigrationExecutor(connection)
    executor.migrate([("network", "0001_initial")])
    try:
        old = executor.loader.project_state([("network", "0001_initial")]).apps
        community = old.get_model("network", "Community").objects.create(
            slug="far", name={"en": "Far"}, kind="locality", country="MT", lat=35.9, lon=14.5
        )
        organisations = old.get_model("network", "Organisation").objects
        bad = organisations.create(
            slug="bad", name={"en": "Bad"}, kind="museum", community=community, lat=95.0, lon=14.5
        )
        good = organisations.create(
            slug="good", name={"en": "Good"}, kind="museum", community=community, lat=35.9, lon=14.5
        )
        old.get_model("network", "Community").objects.filter(pk=community.pk).update(lon=190.0)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert Organisation.objects.values_list("lat", "lon").get(pk=bad.pk) == (None, 14.5)
    assert Organisation.objects.values_list("lat", "lon").get(pk=good.pk) == (35.9, 14.5)
    assert Community.objects.values_list("lat", "lon").get(pk=community.pk) == (35.9, None)
