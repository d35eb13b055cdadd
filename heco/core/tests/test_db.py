"""refresh_statistics: the planner's statistics after bulk writes (heco.core.db)."""

from django.db import connection

from heco.core.db import BULK_ROWS, refresh_statistics
from heco.testing.factories import AssetFactory


def test_small_changes_leave_statistics_alone(db):
    assert refresh_statistics("heritage_asset", changed=BULK_ROWS - 1) is False


def test_bulk_changes_analyze_the_tables(db):
    AssetFactory.create_batch(3)
    assert refresh_statistics("heritage_asset", changed=BULK_ROWS) is True
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'heritage_asset'")
            assert {row[0] for row in cursor.fetchall()} >= {"asset_latlon", "asset_recent"}
        else:
            cursor.execute(
                "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'heritage_asset'"
            )
            assert cursor.fetchone()[0] is not None
