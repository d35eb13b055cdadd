"""`heco print …` on the command line: writes a PDF, or fails clearly and writes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from heco.printing.tests.conftest import ASSET_TITLE_LT
from heco.printing.tests.pdfcheck import A4, same_size, text_of, trim_size

pytestmark = pytest.mark.django_db


@pytest.fixture
def out_dir(tmp_path):
    folder = tmp_path / "out"  # tmp_path itself also holds the media folder
    folder.mkdir()
    return folder


def test_prints_a_panel_to_the_given_file(out_dir, lt_asset):
    out = out_dir / "panel.pdf"
    call_command("print", "panel", "plunges-dvaras", "--lang", "lt", "--size", "A4", "--out", out)
    assert same_size(trim_size(PdfReader(out).pages[0]), A4)
    assert ASSET_TITLE_LT in text_of(out)
    assert [p.name for p in out_dir.iterdir()] == ["panel.pdf"]  # no temporary file left


def test_accepts_the_uuid_too(tmp_path, lt_asset):
    out = tmp_path / "labels.pdf"
    call_command("print", "labels", str(lt_asset.pk), "--lang", "en", "--out", str(out))
    assert out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["poster", "no-such-thing", "--lang", "lt"], "Nothing with the id or slug"),
        (["poster", "plunges-dvaras", "--lang", "lt"], "needs an event"),
        (["leaflet", "amatu-muge", "--lang", "lt"], "needs an organisation"),
        (["panel", "plunges-dvaras", "--lang", "xx"], "Unknown language"),
        (["panel", "plunges-dvaras", "--lang", "lt", "--lang2", "klingon"], "second language"),
        (["poster", "amatu-muge", "--lang", "lt", "--size", "A5"], "not A5"),
        (["programme", "plunges-biblioteka", "--lang", "lt", "--month", "June"], "YYYY-MM"),
        (["panel", "plunges-dvaras", "--lang", "lt", "--month", "2025-06"], "programme only"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(out_dir, lt_event, args, message):
    out = out_dir / "out.pdf"
    with pytest.raises(CommandError, match=message):
        call_command("print", *args, "--out", str(out))
    assert list(out_dir.iterdir()) == []


def test_the_heco_console_script_exits_non_zero_on_bad_input(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "out.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "heco.cli", "print", "teapot", "x", "--lang", "lt", "--out", out],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "invalid choice" in result.stderr
    assert not out.exists()
