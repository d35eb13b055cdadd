"""The command line: heco source add …, heco harvest ID [--full] [--json]."""

import json
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from heco.harvest.models import Source

from .conftest import DC_LIST, FIXTURES

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    try:
        call_command(*args, stdout=out, stderr=StringIO())
        code = 0
    except SystemExit as exc:
        code = exc.code
    return out.getvalue(), code


def test_source_add_prints_the_new_id_as_its_last_word(remote, provider, tmp_path):
    out, code = run(
        "source", "add", "oai-pmh", remote.url, "--metadata-prefix", "edm",
        "--set", "plunge", "--organisation", "kvr",
    )  # fmt: skip
    source = Source.objects.get(pk=int(out.split()[-1]))
    assert (source.kind, source.metadata_prefix, source.set_spec) == ("oai-pmh", "edm", "plunge")
    assert source.organisation == provider

    csv_path = tmp_path / "h.csv"
    shutil.copy(FIXTURES / "heritage.csv", csv_path)
    out, _ = run(
        "source", "add", "csv", str(csv_path), "--mapping",
        str(FIXTURES / "heritage_mapping.json"), "--organisation", "kvr",
    )  # fmt: skip
    assert Source.objects.get(pk=int(out.split()[-1])).mapping["separator"] == "|"
    for kind in ("ical", "jsonld"):
        out, _ = run("source", "add", kind, remote.base + "/x", "--organisation", "kvr")
        assert Source.objects.get(pk=int(out.split()[-1])).kind == kind


def test_harvest_json_prints_one_report_line_and_exits_0_when_completed(remote, provider):
    remote.routes.update(DC_LIST)
    out, _ = run("source", "add", "oai-pmh", remote.url, "--organisation", "kvr")
    source_id = out.split()[-1]
    out, code = run("harvest", source_id, "--json")
    assert code == 0
    [line] = out.strip().splitlines()
    report = json.loads(line)
    assert report["status"] == "completed"
    assert {k: report[k] for k in ("fetched", "created", "updated", "deleted", "failed")} == {
        "fetched": 6, "created": 4, "updated": 0, "deleted": 0, "failed": 2,
    }  # fmt: skip
    assert {"identifier": "oai:kvr.example.lt:3", "reason": "no title"} in report["errors"]


def test_harvest_exits_non_zero_when_partial_or_failed(remote, provider):
    remote.routes.update(DC_LIST)
    remote.routes["dc-2"] = "malformed.xml"
    out, _ = run("source", "add", "oai-pmh", remote.url, "--organisation", "kvr")
    source_id = out.split()[-1]
    out, code = run("harvest", source_id, "--json")
    assert code == 1 and json.loads(out)["status"] == "partial"
    remote.routes["ListRecords"] = "cannot_disseminate.xml"
    out, code = run("harvest", source_id, "--full")
    assert code == 2 and out.startswith("failed")


def test_harvest_task_runs_a_source(remote, provider):
    from heco.harvest.tasks import harvest_source

    remote.routes.update(DC_LIST)
    out, _ = run("source", "add", "oai-pmh", remote.url, "--organisation", "kvr")
    source_id = int(out.split()[-1])
    report = harvest_source.call(source_id)
    assert report["status"] == "completed" and report["created"] == 4
    # the images the records name are fetched by a task of their own, queued for the worker
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.get(task_path="heco.harvest.tasks.harvest_images")
    assert queued.args_kwargs["args"] == [source_id]


def test_a_mapping_saved_with_a_byte_order_mark_is_read(provider, tmp_path):
    csv_path = tmp_path / "h.csv"
    shutil.copy(FIXTURES / "heritage.csv", csv_path)
    mapping = tmp_path / "mapping.json"
    mapping.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "heritage_mapping.json").read_bytes())
    out, _ = run(
        "source", "add", "csv", str(csv_path), "--mapping", str(mapping), "--organisation", "kvr",
    )  # fmt: skip
    assert Source.objects.get(pk=int(out.split()[-1])).mapping["separator"] == "|"


def test_a_mapping_that_is_not_an_object_is_refused_with_the_reason(provider, tmp_path):
    from django.core.management.base import CommandError

    csv_path = tmp_path / "h.csv"
    shutil.copy(FIXTURES / "heritage.csv", csv_path)
    mapping = tmp_path / "mapping.json"
    mapping.write_text('["ID", "title@lt"]')
    with pytest.raises(CommandError, match="mapping: The mapping must be a JSON object"):
        call_command(
            "source", "add", "csv", str(csv_path), "--mapping", str(mapping),
            "--organisation", "kvr", stdout=StringIO(),
        )  # fmt: skip
    assert not Source.objects.exists()
