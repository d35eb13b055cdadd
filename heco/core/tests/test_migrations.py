"""Every model change has its migration (a missing one would only show on a deployment)."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits 1 when a migration would be written
        pytest.fail(f"makemigrations would write migrations (exit {exc.code}):\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
