"""Harvests at the same time as other harvests and staff edits.

The runs are real processes (``heco harvest``: the command line, a worker's task) against the
test database on PostgreSQL, or a database file of their own on SQLite (the test database is
in memory there). The writes inside one transaction are raced in threads on PostgreSQL (on
SQLite a transaction takes the write lock as it begins: nothing can come in between).
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import quote

import pytest
from django.db import connection, transaction

from heco.harvest.ingest import Ingestor
from heco.harvest.models import DuplicateCandidate, SourceRecord
from heco.harvest.sources.base import HarvestedRecord
from heco.heritage.models import Asset
from heco.heritage.services import asset_update
from heco.testing.instance import TIMEOUT, instance_env

from .conftest import DC_LIST, FIXTURES

MANOR = "oai:kvr.example.lt:1"  # a record of dc_page1.xml


class Instance:
    """``heco`` in processes of their own, on the database the test sees."""

    def __init__(self, env):
        self.env = env

    def start(self, *args) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "heco.cli", *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: killed with its fetching child
        )

    def run(self, *args) -> tuple[int, str, str]:
        process = self.start(*args)
        try:
            out, err = process.communicate(timeout=TIMEOUT)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        return process.returncode, out, err

    def python(self, code: str):
        """Run ``code`` in ``heco shell``; it prints JSON as its last line: return that."""
        code_, out, err = self.run("shell", "--no-imports", "-c", code)
        assert code_ == 0, err
        return json.loads(out.strip().splitlines()[-1])

    def add_source(self, url: str) -> int:
        return self.python(
            "import json\n"
            "from heco.harvest.services import source_add\n"
            "from heco.testing.factories import CommunityFactory, OrganisationFactory\n"
            "community = CommunityFactory(slug='plunge', default_language='lt')\n"
            "org = OrganisationFactory(slug='kvr', community=community)\n"
            f"print(source_add(kind='oai-pmh', url={url!r}, organisation=org).pk)\n"
        )

    def state(self) -> dict:
        return self.python(
            "import json\n"
            "from heco.harvest.models import HarvestRun, SourceRecord\n"
            "from heco.heritage.models import Asset\n"
            "print(json.dumps({\n"
            "    'assets': Asset.objects.count(),\n"
            "    'records': SourceRecord.objects.count(),\n"
            "    'runs': sorted(HarvestRun.objects.values_list('status', flat=True)),\n"
            "    'unfinished': HarvestRun.objects.filter(finished_at=None).count(),\n"
            "}))\n"
        )


@pytest.fixture
def instance(transactional_db, tmp_path):
    env = instance_env(tmp_path / "instance")
    if connection.vendor == "sqlite":
        done = Instance(env).run("migrate", "--noinput", "-v", "0")
        assert done[0] == 0, done[2]
    else:  # the test database itself: what the processes commit, the test sees, and removes
        db = connection.settings_dict
        auth = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            auth += ":" + quote(db["PASSWORD"], safe="")
        host = quote(db["HOST"] or "", safe="") + (f":{db['PORT']}" if db["PORT"] else "")
        env["HECO_DATABASE_URL"] = f"postgres://{auth}@{host}/{db['NAME']}"
    return Instance(env)


class Gate:
    """A page the fake remote holds back until ``opened``: the run asking for it stays in
    the middle of its list. ``reached`` is set once it asked."""

    def __init__(self, fixture: str):
        self.body = (FIXTURES / fixture).read_bytes()
        self.reached = threading.Event()
        self.opened = threading.Event()

    def __call__(self, handler):
        self.reached.set()
        self.opened.wait(TIMEOUT)
        try:
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(self.body)))
            handler.end_headers()
            handler.wfile.write(self.body)
        except OSError:  # the run was killed meanwhile
            pass


@pytest.fixture
def gate(remote):
    """dc_page2.xml held back the first time it is asked for (later runs get it at once)."""
    remote.routes.update(DC_LIST)
    gate = Gate("dc_page2.xml")
    remote.routes["dc-2"] = [gate, "dc_page2.xml"]
    yield gate
    gate.opened.set()


def test_a_second_run_of_a_source_does_not_start_while_one_is_under_way(instance, remote, gate):
    source_id = str(instance.add_source(remote.url))
    first = instance.start("harvest", source_id, "--json")
    try:
        assert gate.reached.wait(TIMEOUT)
        code, out, err = instance.run("harvest", source_id, "--json")
        assert code == 3, err
        assert f"source {source_id} is being harvested by another run (run " in err
        task = (
            "import json\nfrom heco.harvest.tasks import harvest_source\n"
            f"print(json.dumps(harvest_source.call({source_id})))"
        )
        report = instance.python(task)
        assert report["status"] == "skipped" and "another run" in report["reason"]
    finally:
        gate.opened.set()
        out, err = first.communicate(timeout=TIMEOUT)
    assert first.returncode == 0, err
    assert json.loads(out)["created"] == 4
    # the refused runs left nothing: one run, and each record and asset once
    assert instance.state() == {"assets": 4, "records": 4, "runs": ["completed"], "unfinished": 0}


def test_a_killed_run_is_marked_failed_by_the_next_run_which_completes(instance, remote, gate):
    source_id = str(instance.add_source(remote.url))
    first = instance.start("harvest", source_id)
    assert gate.reached.wait(TIMEOUT)
    os.killpg(first.pid, signal.SIGKILL)  # the process and its fetching child
    first.wait()
    gate.opened.set()
    code, out, err = instance.run("harvest", source_id, "--json")
    assert code == 0, err
    state = instance.state()
    assert state == {
        "assets": 4, "records": 4, "runs": ["completed", "failed"], "unfinished": 0,
    }  # fmt: skip


def test_a_staff_edit_is_saved_while_a_run_waits_for_a_slow_source(instance, remote, gate):
    gate.opened.set()
    source_id = str(instance.add_source(remote.url))
    assert instance.run("harvest", source_id)[0] == 0
    second = Gate("dc_page2.xml")
    remote.routes["dc-2"] = [second, "dc_page2.xml"]
    remote.served["dc-2"] = 0
    full = instance.start("harvest", source_id, "--full", "--json")
    try:
        assert second.reached.wait(TIMEOUT)
        edit = (
            "import json\nfrom heco.heritage.models import Asset\n"
            "from heco.heritage.services import asset_update\n"
            f"asset = Asset.objects.get(source_records__identifier={MANOR!r})\n"
            "asset_update(asset=asset, title={'lt': 'Vietinis pavadinimas'})\n"
            "print(json.dumps(asset.title))"
        )
        # the run holds no lock while it waits: the edit does not wait for the source
        assert instance.python(edit) == {"lt": "Vietinis pavadinimas"}
    finally:
        second.opened.set()
        out, err = full.communicate(timeout=TIMEOUT)
    assert full.returncode == 0, err
    title = instance.python(
        "import json\nfrom heco.heritage.models import Asset\n"
        f"print(json.dumps(Asset.objects.get(source_records__identifier={MANOR!r}).title))"
    )
    assert title == {"lt": "Vietinis pavadinimas"}  # the local edit stays


# --- two transactions raced in threads (PostgreSQL) ---

postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite: a transaction takes the write lock as it begins (IMMEDIATE): one at a time",
)


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def until_done_or_blocked(done: threading.Event, pid: dict) -> None:
    """Wait until the other thread set ``done`` or its connection waits for a lock."""
    while not done.wait(0.05):
        if pid.get("pid"):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid["pid"]]
                )
                row = cursor.fetchone()
            if row and row[0] == "Lock":
                return


def in_thread(target, *args) -> threading.Thread:
    errors = []

    def run():
        try:
            target(*args)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.errors = errors
    thread.start()
    return thread


def finish(*threads) -> None:
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive()
        assert not thread.errors, thread.errors


def record(identifier, title, lat, qid=None) -> HarvestedRecord:
    fields = {"title": {"lt": title}, "lat": lat, "lon": 21.84}
    if qid:
        fields["identifiers"] = [["wikidata", qid]]
    return HarvestedRecord(identifier=identifier, fields=fields)


@postgres_only
def test_two_sources_sending_one_qid_at_once_make_one_asset(transactional_db, monkeypatch):
    from heco.harvest.services import source_add
    from heco.testing.factories import OrganisationFactory

    sources = [
        source_add(kind="oai-pmh", url=f"https://{n}.example.org/oai", organisation=org)
        for n, org in enumerate([OrganisationFactory(), OrganisationFactory()])
    ]
    read = {s.pk: threading.Event() for s in sources}
    pids = {s.pk: {} for s in sources}
    merge_targets = Ingestor._merge_targets

    def read_then_wait_for_the_other(self, prepared_list):
        found = merge_targets(self, prepared_list)
        read[self.source.pk].set()
        [other] = [s.pk for s in sources if s.pk != self.source.pk]
        until_done_or_blocked(read[other], pids[other])
        return found

    monkeypatch.setattr(Ingestor, "_merge_targets", read_then_wait_for_the_other)

    def write(source, n):
        pids[source.pk]["pid"] = backend_pid()
        records = [
            record(f"{n}-manor", "Plungės dvaro rūmai", 55.9116, qid="Q3397395"),
            record(f"{n}-mill", "Senasis malūnas", 55.9200),  # same title, same place
        ]
        with transaction.atomic():
            Ingestor(source).write_page(records)

    finish(*[in_thread(write, source, n) for n, source in enumerate(sources)])
    manor = {SourceRecord.objects.get(identifier=f"{n}-manor").asset_id for n in (0, 1)}
    assert len(manor) == 1  # merged, not two assets for one QID
    mills = {SourceRecord.objects.get(identifier=f"{n}-mill").asset_id for n in (0, 1)}
    assert len(mills) == 2
    assert set(DuplicateCandidate.objects.values_list("asset_id", "other_id")) in (
        {tuple(mills)},
        {tuple(reversed(tuple(mills)))},
    )
    assert Asset.objects.count() == 3


@postgres_only
def test_a_staff_edit_saved_while_a_page_is_written_is_kept(transactional_db, monkeypatch):
    from heco.harvest.services import source_add
    from heco.testing.factories import OrganisationFactory

    source = source_add(
        kind="oai-pmh", url="https://x.example.org/oai", organisation=OrganisationFactory()
    )
    with transaction.atomic():
        Ingestor(source).write_page([record("r1", "Senasis malūnas", 55.92)])
    asset_id = SourceRecord.objects.get(identifier="r1").asset_id
    harvest_read, staff_done, staff_pid = threading.Event(), threading.Event(), {}
    apply = Ingestor._apply

    def read_then_wait_for_the_edit(self, sr, target, prepared, field_names):
        harvest_read.set()
        until_done_or_blocked(staff_done, staff_pid)
        return apply(self, sr, target, prepared, field_names)

    monkeypatch.setattr(Ingestor, "_apply", read_then_wait_for_the_edit)

    def harvest():
        with transaction.atomic():
            Ingestor(source).write_page([record("r1", "Naujasis malūnas", 55.92)])

    def staff():
        staff_pid["pid"] = backend_pid()
        assert harvest_read.wait(TIMEOUT)
        asset_update(asset=Asset.objects.get(pk=asset_id), title={"lt": "Vietinis pavadinimas"})
        staff_done.set()

    finish(in_thread(harvest), in_thread(staff))
    assert Asset.objects.get(pk=asset_id).title == {"lt": "Vietinis pavadinimas"}


def test_harvest_now_in_the_back_office_says_when_a_run_is_under_way(admin_client, remote, db):
    from django.urls import reverse

    from heco.harvest import services
    from heco.harvest.models import Source
    from heco.testing.factories import OrganisationFactory

    source = services.source_add(
        kind="oai-pmh", url=remote.url, organisation=OrganisationFactory(), name="Register"
    )
    url = reverse("admin:harvest_source_changelist")
    with services._source_lock(source) as free:  # a run of this process holds the source
        assert free
        page = admin_client.post(
            url, {"action": "harvest_now", "_selected_action": [source.pk]}, follow=True
        )
    assert page.status_code == 200
    shown = [str(m) for m in page.context["messages"]]
    assert shown == ["Register: not started, another run of this source is under way."]
    assert not Source.objects.get(pk=source.pk).runs.exists()
    # nor queued: the worker would only find the source busy (or harvest it a second time)
    from django_tasks_db.models import DBTaskResult

    assert not DBTaskResult.objects.filter(task_path="heco.harvest.tasks.harvest_source").exists()


def test_the_fetching_process_does_not_outlive_a_killed_run(instance, remote, gate):
    """Only the run's own process killed (the out-of-memory killer picks one): its forked
    fetching process goes with it, so it holds no connection (on PostgreSQL, the source's
    lock) and the next run can start."""
    source_id = str(instance.add_source(remote.url))
    first = instance.start("harvest", source_id)
    assert gate.reached.wait(TIMEOUT)  # the fetching process waits for page 2
    os.kill(first.pid, signal.SIGKILL)  # the run, not its process group
    first.wait()
    # well before the remote lets page 2 go (TIMEOUT): a fetching process that outlived its
    # run would still be waiting for it
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(first.pid, 0)  # anyone left in the run's process group?
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.killpg(first.pid, signal.SIGKILL)
        pytest.fail("the fetching process outlived its run")
    gate.opened.set()
    code, out, err = instance.run("harvest", source_id, "--json")
    assert code == 0, err
    assert instance.state()["runs"] == ["completed", "failed"]
