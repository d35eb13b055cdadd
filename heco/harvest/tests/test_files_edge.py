"""CSV/XLSX sources with the inputs a small museum's spreadsheet export really has: real files
in tmp_path, real harvests. Bad rows are reported with their line and the rest goes in; a
file or mapping that does not fit fails the run and changes nothing."""

import datetime as dt

import pytest

from heco.core.models import Status
from heco.harvest.models import HarvestRun, SourceRecord
from heco.harvest.services import source_add, source_harvest
from heco.heritage.models import Asset

pytestmark = pytest.mark.django_db

MAPPING = {
    "columns": {"ID": "identifier", "Pavadinimas": "title@lt", "WKT": "wkt"},
    "delimiter": ";",
}
GOOD = "ID;Pavadinimas;WKT\nk1;Plungės dvaras;POINT(21.84 55.91)\nk2;Alka;POINT(21.95 56.05)\n"


def harvest(provider, path, content, mapping=MAPPING):
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    source = source_add(kind="csv", url=str(path), organisation=provider, mapping=mapping)
    return source, source_harvest(source=source)


def reasons(run):
    return [e["reason"] for e in run.errors]


def published():
    return sorted(
        SourceRecord.objects.filter(asset__status=Status.PUBLISHED).values_list(
            "identifier", flat=True
        )
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file has no header row (it is empty)"),
        (b"\n\r\n;;\n", "the file has no header row (it is empty)"),
        # an export whose ID column was renamed: rows read without identifiers would become
        # new records and the old ones tombstones
        ("Id;Pavadinimas;WKT\nk1;Plungės dvaras;POINT(21.84 55.91)\n", "the file has no column ID"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a CSV text file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "an .xls workbook must be saved as .xlsx"),
    ],
)
def test_a_file_that_does_not_fit_fails_and_deletes_nothing(provider, tmp_path, content, reason):
    source, first = harvest(provider, tmp_path / "export.csv", GOOD)
    assert first.status == HarvestRun.Status.COMPLETED and first.created == 2
    (tmp_path / "export.csv").write_bytes(
        content if isinstance(content, bytes) else content.encode()
    )

    run = source_harvest(source=source)

    assert run.status == HarvestRun.Status.FAILED
    assert (run.created, run.updated, run.deleted) == (0, 0, 0)
    assert reason in reasons(run)[-1], reasons(run)
    assert published() == ["k1", "k2"]
    assert SourceRecord.objects.count() == 2


@pytest.mark.parametrize(
    ("mapping", "reason"),
    [
        (
            {"columns": {"ID": "identifier", "Pavadinimas": "title@lt", "WKT": "geometry"}},
            "unknown fields in the mapping: WKT: geometry",
        ),
        ({"columns": {}}, "no column is mapped (the file's columns: ID, Pavadinimas, WKT)"),
        (
            {"columns": ["ID", "Pavadinimas"]},
            'the mapping\'s "columns" must be an object of column: field',
        ),
        (
            {"columns": {"ID": "identifier", "Pavadinimas": "title@lt"}, "encoding": "baltic"},
            "unknown encoding in the mapping: baltic",
        ),
    ],
)
def test_a_mapping_that_names_unknown_fields_fails_clearly(provider, tmp_path, mapping, reason):
    _source, run = harvest(provider, tmp_path / "export.csv", GOOD, mapping)

    assert run.status == HarvestRun.Status.FAILED
    assert reasons(run) == [reason]
    assert not Asset.objects.exists()


def test_a_column_the_mapping_names_twice_in_the_file_fails(provider, tmp_path):
    content = "ID;Pavadinimas;Pavadinimas;WKT\nk1;Dvaras;Rūmai;POINT(21.84 55.91)\n"
    _source, run = harvest(provider, tmp_path / "export.csv", content)

    assert run.status == HarvestRun.Status.FAILED
    assert reasons(run) == ["the file has the column Pavadinimas more than once"]


def test_a_quote_never_closed_costs_its_row_only(provider, tmp_path):
    content = (
        "ID;Pavadinimas;WKT\n"
        "k1;Plungės dvaras;POINT(21.84 55.91)\n"
        'k2;"Alka;POINT(21.95 56.05)\n'
        "k3;Piliakalnis;POINT(21.9 56.0)\n"
        "k4;Bažnyčia;POINT(21.8 55.9)\n"
    )
    _source, run = harvest(provider, tmp_path / "export.csv", content)

    assert run.status == HarvestRun.Status.COMPLETED
    assert (run.created, run.failed) == (3, 1), run.errors
    assert reasons(run) == ["line 3: unreadable row: unexpected end of data"]
    assert published() == ["k1", "k3", "k4"]


def test_a_stray_quote_closed_rows_later_costs_its_row_only(provider, tmp_path):
    content = (
        "ID;Pavadinimas;WKT\n"
        'k1;Plungės dvaras;"POINT(21.84 55.91)\n'
        "k2;Alka;POINT(21.95 56.05)\n"
        'k3";Piliakalnis;POINT(21.9 56.0)\n'
        "k4;Bažnyčia;POINT(21.8 55.9)\n"
    )
    _source, run = harvest(provider, tmp_path / "export.csv", content)

    assert (run.created, run.failed) == (3, 1), run.errors
    assert reasons(run) == [
        "line 2: unreadable row: 5 cells over lines 2-4 (is a quote not closed?)"
    ]
    assert published() == ["k2", 'k3"', "k4"]


def test_a_cell_over_the_csv_size_limit_costs_its_row_only(provider, tmp_path):
    content = (
        "ID;Pavadinimas;WKT\n"
        f"k1;{'Ilgas ' * 30000};POINT(21.84 55.91)\n"
        "k2;Alka;POINT(21.95 56.05)\n"
        "k3;Piliakalnis;POINT(21.9 56.0)\n"
    )
    mapping = {"columns": MAPPING["columns"]}  # the delimiter sniffed
    _source, run = harvest(provider, tmp_path / "export.csv", content, mapping)

    assert (run.created, run.failed) == (2, 1), run.errors
    assert reasons(run) == ["line 2: unreadable row: field larger than field limit (131072)"]
    assert published() == ["k2", "k3"]


def test_one_bad_byte_in_a_utf8_file_costs_its_row_not_the_letters_of_the_others(
    provider, tmp_path
):
    content = (
        "ID;Pavadinimas;WKT\nk1;Plungės dvaras;POINT(21.84 55.91)\n".encode()
        + b"k2;Caf\xe9;POINT(21.95 56.05)\n"  # pasted from a cp1252 document
        + "k3;Žemaičių muziejus;POINT(21.9 56.0)\n".encode()
    )
    _source, run = harvest(provider, tmp_path / "export.csv", content)

    assert run.status == HarvestRun.Status.COMPLETED
    assert (run.created, run.failed) == (2, 1), run.errors
    assert run.errors == [
        {
            "identifier": "k2",
            "reason": 'line 3: bytes that are not UTF-8 text: set "encoding" in the mapping',
        }
    ]
    titles = {sr.identifier: sr.asset.title["lt"] for sr in SourceRecord.objects.all()}
    assert titles == {"k1": "Plungės dvaras", "k3": "Žemaičių muziejus"}


def test_an_excel_unicode_text_export_with_its_empty_last_line(provider, tmp_path):
    """UTF-16 with a BOM, tabs, CRLF, an empty line at the end: the delimiter is sniffed."""
    content = "ID\tPavadinimas\tWKT\r\nk1\tPlungės dvaras\tPOINT(21.84 55.91)\r\n\r\n"
    mapping = {"columns": MAPPING["columns"]}
    _source, run = harvest(provider, tmp_path / "export.txt", content.encode("utf-16"), mapping)

    assert (run.status, run.created, run.failed) == (HarvestRun.Status.COMPLETED, 1, 0), run.errors
    assert Asset.objects.get().title == {"lt": "Plungės dvaras"}


def test_a_windows_1252_file_still_reads_without_an_encoding(provider, tmp_path):
    content = "ID;Pavadinimas;WKT\nk1;Café Šnipiškės;POINT(21.84 55.91)\n".replace("ė", "e")
    _source, run = harvest(provider, tmp_path / "export.csv", content.encode("cp1252"))

    assert (run.created, run.failed) == (1, 0), run.errors
    assert Asset.objects.get().title == {"lt": "Café Šnipiškes"}


def test_duplicate_identifiers_in_one_file_are_reported_not_merged(provider, tmp_path):
    content = (
        "ID;Pavadinimas;WKT\n"
        "k1;Plungės dvaras;POINT(21.84 55.91)\n"
        "k2;Alka;POINT(21.95 56.05)\n"
        " k1 ;Kitas dvaras;POINT(21.9 56.0)\n"
    )
    _source, run = harvest(provider, tmp_path / "export.csv", content)

    assert (run.created, run.failed) == (2, 1), run.errors
    assert run.errors == [{"identifier": "k1", "reason": "line 4: identifier k1 already on line 2"}]
    assert SourceRecord.objects.get(identifier="k1").asset.title == {"lt": "Plungės dvaras"}


def test_wkt_points_with_z_m_and_exponents(provider, tmp_path):
    content = (
        "ID;Pavadinimas;WKT\n"
        "k1;A;POINT Z (21.84 55.91 12.5)\n"
        "k2;B;point zm(21.95 56.05 0 1)\n"
        "k3;C;POINT(2.19e1 +56)\n"
        "k4;D;POINT(21.9)\n"
    )
    _source, run = harvest(provider, tmp_path / "export.csv", content)

    assert (run.created, run.failed) == (3, 1), run.errors
    assert reasons(run) == ["line 5: not a WKT POINT: POINT(21.9)"]
    points = {sr.identifier: (sr.asset.lat, sr.asset.lon) for sr in SourceRecord.objects.all()}
    assert points == {"k1": (55.91, 21.84), "k2": (56.05, 21.95), "k3": (56.0, 21.9)}


def test_xlsx_date_cells_and_a_sheet_that_is_not_there(provider, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Register")
    sheet.append(["ID", "Name", "Dating", "Lat", "Lon"])
    sheet.append([1001, "Plungės dvaras", dt.datetime(1879, 1, 1), 55.9116, 21.8447])
    path = tmp_path / "register.xlsx"
    book.save(path)
    mapping = {
        "columns": {
            "ID": "identifier",
            "Name": "title@lt",
            "Dating": "dating",
            "Lat": "lat",
            "Lon": "lon",
        },
        "sheet": "Registry",
    }
    source = source_add(kind="csv", url=str(path), organisation=provider, mapping=mapping)

    run = source_harvest(source=source)

    assert run.status == HarvestRun.Status.FAILED
    assert reasons(run) == ["no sheet 'Registry' in the workbook (its sheets: Notes, Register)"]

    source.mapping["sheet"] = "Register"
    source.save()
    run = source_harvest(source=source)

    assert (run.created, run.failed) == (1, 0), run.errors
    manor = SourceRecord.objects.get(identifier="1001").asset
    assert (manor.dating, manor.start_year, manor.end_year) == ("1879-01-01", 1879, 1879)
    assert (manor.lat, manor.lon) == (55.9116, 21.8447)


def test_a_file_that_is_not_an_xlsx_workbook(provider, tmp_path):
    _source, run = harvest(provider, tmp_path / "register.xlsx", b"PK\x03\x04 not really a zip")

    assert run.status == HarvestRun.Status.FAILED
    assert reasons(run)[0].startswith("not a readable XLSX workbook: BadZipFile")


def test_a_nul_character_or_an_over_long_identifier_costs_its_row_only(provider, tmp_path):
    """PostgreSQL text cannot hold NUL (the whole group was rolled back and the run failed);
    a longer identifier than SourceRecord holds was cut to 500 characters there, so the next
    run could not find it and failed on the unique constraint."""
    good = "".join(f"g{i};Dvaras {i};POINT(21.84 55.91)\n" for i in range(200))  # > 4 KiB
    content = (
        "ID;Pavadinimas;WKT\n"
        + good
        + "k1;Al\x00ka;POINT(21.95 56.05)\n"
        + f"{'k' * 501};Piliakalnis;POINT(21.9 56.0)\n"
    )
    source, run = harvest(provider, tmp_path / "export.csv", content)

    assert run.status == HarvestRun.Status.COMPLETED, run.errors
    assert (run.created, run.failed) == (200, 2)
    assert reasons(run) == [
        "line 202: a NUL character in a cell",
        "line 203: identifier longer than 500 characters",
    ]
    again = source_harvest(source=source)
    assert again.status == HarvestRun.Status.COMPLETED, again.errors
    assert (again.created, again.updated, again.deleted, again.failed) == (0, 0, 0, 2)


def test_an_xlsx_that_states_a_wrong_size_is_read_whole(provider, tmp_path):
    """Some exporters write <dimension ref="A1"/>; read-only openpyxl believed it and read
    the one cell."""
    import io
    import re
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["ID", "Name", "Lat", "Lon"])
    book.active.append(["k1", "Plungės dvaras", 55.9116, 21.8447])
    book.active.append(["k2", "Alka", 56.05, 21.95])
    saved = io.BytesIO()
    book.save(saved)
    path = tmp_path / "register.xlsx"
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            dst.writestr(item, data)
    mapping = {"columns": {"ID": "identifier", "Name": "title@lt", "Lat": "lat", "Lon": "lon"}}
    source = source_add(kind="csv", url=str(path), organisation=provider, mapping=mapping)

    run = source_harvest(source=source)

    assert (run.status, run.created, run.failed) == (HarvestRun.Status.COMPLETED, 2, 0)
    manor = SourceRecord.objects.get(identifier="k1").asset
    assert (manor.lat, manor.lon) == (55.9116, 21.8447)


def test_an_unreadable_row_deletes_nothing_and_a_header_alone_fails(provider, tmp_path):
    path = tmp_path / "export.csv"
    source, run = harvest(provider, path, GOOD)
    assert run.created == 2
    # k2 is gone and k1's row now has a cell too many: it is reported by line, without its
    # identifier, so either may still be in the file: the run deletes nothing and says why
    path.write_text("ID;Pavadinimas;WKT\nk1;Plungės dvaras;POINT(21.84 55.91);x\n")
    run = source_harvest(source=source)
    assert (run.failed, run.deleted) == (1, 0)
    assert reasons(run)[-1] == (
        "2 record(s) no longer in the source, but 1 could not be read far enough to know "
        "which: nothing was deleted in this run"
    )
    assert published() == ["k1", "k2"]
    # a file with its header and no rows is an empty export, not "delete everything"
    path.write_text("ID;Pavadinimas;WKT\n\n;;\n")
    run = source_harvest(source=source)
    assert run.status == HarvestRun.Status.FAILED
    assert reasons(run) == ["the file has a header row and no rows: nothing was changed"]
    assert published() == ["k1", "k2"]


def test_an_event_rule_the_programme_cannot_expand_is_reported_not_shown_once(provider, tmp_path):
    content = (
        "ID;Pavadinimas;Pradžia;Kartojimas\n"
        'e1;Ekskursijos;2025-05-17 10:00;"FREQ=HOURLY;COUNT=3"\n'
        'e2;Klubas;2025-05-03 11:00;"FREQ=WEEKLY;COUNT=4;UNTIL=20250601T000000Z"\n'
        'e3;Skaitymai;2025-05-03 11:00;"FREQ=WEEKLY;COUNT=4"\n'
    )
    mapping = {
        "target": "event",
        "delimiter": ";",
        "columns": {
            "ID": "identifier", "Pavadinimas": "title@lt", "Pradžia": "start",
            "Kartojimas": "rrule",
        },
    }  # fmt: skip
    _source, run = harvest(provider, tmp_path / "renginiai.csv", content, mapping)

    assert (run.created, run.failed) == (1, 2), run.errors
    assert reasons(run) == [
        "line 2: RRULE FREQ=HOURLY;COUNT=3 not supported: "
        "FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY",
        "line 3: RRULE FREQ=WEEKLY;COUNT=4;UNTIL=20250601T000000Z not supported: "
        "COUNT and UNTIL cannot be used together",
    ]
