"""Harvests on a schedule: each source's interval, the due-harvest check the worker's tick and
``heco harvest-due`` run, "Harvest now" in the back office (queued for the worker), and one
image download per source at a time.

Tasks run for real: django-tasks' database backend and ``heco worker --batch`` (which runs
``db_worker``) in this process, or ``heco`` processes of their own (``instance``, see
test_concurrency) where two runs must really overlap. Time is moved by passing ``now``.
"""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from heco.harvest import services
from heco.harvest.models import HarvestRun, Source
from heco.harvest.schedule import TICK_EVERY, harvest_tick_ensure, harvests_enqueue_due
from heco.harvest.services import source_add, source_harvest
from heco.testing.instance import TIMEOUT

from .conftest import DC_LIST
from .test_concurrency import Gate, instance  # noqa: F401 - the fixture, used by name
from .test_images import BY_SA, TARTINI, edm_record, jpeg, list_records

pytestmark = pytest.mark.django_db

HARVEST = "heco.harvest.tasks.harvest_source"
IMAGES = "heco.harvest.tasks.harvest_images"
TICK = "heco.harvest.tasks.harvest_due"


def tasks(path, status=TaskResultStatus.READY) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=path, status=status))


def queued_sources() -> list[int]:
    return sorted(result.args_kwargs["args"][0] for result in tasks(HARVEST))


@pytest.fixture
def source(remote, provider):
    remote.routes.update(DC_LIST)
    return source_add(kind="oai-pmh", url=remote.url, organisation=provider, name="Register")


def with_last_start(source) -> Source:
    return Source.objects.with_last_started_at().get(pk=source.pk)


# --- the interval and what is due ---


def test_a_new_source_is_harvested_daily_and_due_at_once(source):
    assert source.harvest_every == Source.Interval.DAILY
    assert with_last_start(source).next_harvest_at() == source.created_at


def test_a_source_never_harvested_is_queued_once_and_an_inactive_one_never(source, provider):
    paused = source_add(kind="ical", url=source.url + "/x.ics", organisation=provider)
    paused.active = False
    paused.save()

    report = harvests_enqueue_due()
    assert report.queued == [source.pk]
    assert queued_sources() == [source.pk]

    again = harvests_enqueue_due()  # the tick comes again before a worker took the task
    assert (again.queued, again.already_queued) == ([], [source.pk])
    assert queued_sources() == [source.pk]
    assert with_last_start(paused).next_harvest_at() is None


@pytest.mark.parametrize("interval", list(Source.Interval))
def test_the_next_harvest_counts_from_the_start_of_the_last_run_even_a_failed_one(
    source, remote, interval
):
    source.harvest_every = interval
    source.save()
    remote.routes["ListRecords"] = "cannot_disseminate.xml"
    run = source_harvest(source=source)
    assert run.status == HarvestRun.Status.FAILED
    every = timedelta(hours=interval)

    assert with_last_start(source).next_harvest_at() == run.started_at + every
    # a source that fails is not tried again at every tick, but after its interval
    assert harvests_enqueue_due(now=run.started_at + TICK_EVERY).queued == []
    assert harvests_enqueue_due(now=run.started_at + every / 2).queued == []
    assert harvests_enqueue_due(now=run.started_at + every).queued == [source.pk]


def test_a_run_started_just_after_its_tick_is_due_at_the_same_tick_next_time(source):
    """The worker starts a run a little after the tick that queued it: an hourly source
    must not slip by a tick every hour."""
    source.harvest_every = Source.Interval.HOURLY
    source.save()
    run = source_harvest(source=source)
    tick = run.started_at - timedelta(seconds=40)  # the tick that queued it
    assert harvests_enqueue_due(now=tick + timedelta(hours=1) - TICK_EVERY).queued == []
    assert harvests_enqueue_due(now=tick + timedelta(hours=1)).queued == [source.pk]


def test_a_source_being_harvested_is_not_queued(source):
    with services._source_lock(source) as free:  # a run of this process holds the source
        assert free
        report = harvests_enqueue_due()
    assert (report.queued, report.running) == ([], [source.pk])
    assert queued_sources() == []


# --- the worker's tick ---


def ticks_pending() -> list[DBTaskResult]:
    return tasks(TICK)


def test_one_tick_is_pending_however_often_it_is_ensured(db):
    harvest_tick_ensure()
    harvest_tick_ensure()
    [tick] = ticks_pending()
    assert tick in DBTaskResult.objects.ready()  # the first one checks at once

    from heco.harvest.tasks import harvest_due

    harvest_due.call()  # a tick that runs while another is pending adds none
    assert len(ticks_pending()) == 1


# the worker closes connections it finds inside a transaction (close_old_connections), which
# on PostgreSQL would end a test wrapped in one: these tests commit for real
@pytest.mark.django_db(transaction=True)
def test_the_worker_harvests_what_is_due_and_keeps_one_tick_for_later(source):
    started = timezone.now()
    call_command("worker", "--batch")

    run = source.runs.get()
    assert run.status == HarvestRun.Status.COMPLETED and run.created == 4
    assert len(tasks(IMAGES, TaskResultStatus.SUCCESSFUL)) == 1  # its images after it
    [tick] = ticks_pending()
    # the next tick, on the next 10-minute mark: ticks do not drift with the worker's delays
    assert started < tick.run_after <= started + TICK_EVERY
    assert tick.run_after.minute % 10 == 0 and tick.run_after.second == 0

    call_command("worker", "--batch")  # started again before the source is due
    assert source.runs.count() == 1
    assert len(ticks_pending()) == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_for_other_queues_only_adds_no_tick(db):
    call_command("worker", "--batch", "--queue-name", "newsletters")
    assert ticks_pending() == []


# --- heco harvest-due (cron) ---


def test_harvest_due_queues_what_is_due_and_says_so(source):
    out = StringIO()
    call_command("harvest-due", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert (report["queued"], report["already_queued"], report["running"]) == ([source.pk], [], [])
    assert queued_sources() == [source.pk]

    out = StringIO()
    call_command("harvest-due", stdout=out)
    assert out.getvalue().strip() == (
        "queued 0 harvest(s); already queued: 1; under way: 0; the worker (heco worker) runs them"
    )


def test_source_add_takes_the_interval_and_source_list_shows_the_next_harvest(source, provider):
    out = StringIO()
    call_command(
        "source", "add", "ical", source.url + "/x.ics", "--organisation", provider.slug,
        "--every", "6-hours", stdout=out,
    )  # fmt: skip
    feed = Source.objects.get(pk=int(out.getvalue().split()[-1]))
    assert feed.harvest_every == Source.Interval.SIX_HOURLY

    run = source_harvest(source=feed)
    out = StringIO()
    call_command("source", "list", stdout=out)
    due = run.started_at + timedelta(hours=6)
    assert f"every 6-hours, next {due:%Y-%m-%d %H:%M}" in out.getvalue().splitlines()[1]


# --- the back office ---


def action(client, source):
    page = client.post(
        reverse("admin:harvest_source_changelist"),
        {"action": "harvest_now", "_selected_action": [source.pk]},
        follow=True,
    )
    assert page.status_code == 200
    return [str(m) for m in page.context["messages"]]


@pytest.mark.django_db(transaction=True)
def test_harvest_now_queues_a_run_for_the_worker_instead_of_running_it(admin_client, source):
    assert action(admin_client, source) == [
        "Register: incremental harvest queued. The background worker (heco worker) runs it; "
        "its report appears under the source's runs."
    ]
    assert not source.runs.exists()  # nothing ran inside the request
    assert queued_sources() == [source.pk]

    assert action(admin_client, source) == [
        "Register: not queued again, a harvest of this source is already waiting for the worker."
    ]
    assert queued_sources() == [source.pk]

    call_command("worker", "--batch")
    assert source.runs.get().status == HarvestRun.Status.COMPLETED
    assert queued_sources() == []


def test_the_back_office_shows_the_interval_and_when_the_next_harvest_is_due(
    admin_client, source, provider
):
    paused = source_add(
        kind="ical", url=source.url + "/x.ics", organisation=provider, name="Paused feed"
    )
    paused.active = False
    paused.save()
    listing = admin_client.get(reverse("admin:harvest_source_changelist")).content.decode()
    assert "Due now" in listing and "Not harvested on schedule" in listing
    assert "Daily" in listing

    run = source_harvest(source=source)
    due = timezone.localtime(run.started_at + timedelta(days=1))
    page = admin_client.get(reverse("admin:harvest_source_change", args=[source.pk]))
    assert date_format(due, "DATETIME_FORMAT") in page.content.decode()


# --- real processes at the same time ---


class ImageGate(Gate):
    """An image the fake remote holds back until ``opened``."""

    def __init__(self, body: bytes):
        super().__init__("identify.xml")
        self.body = body


def test_a_source_whose_run_outlasts_its_interval_is_not_queued_again(instance, remote):  # noqa: F811
    remote.routes.update(DC_LIST)
    gate = Gate("dc_page2.xml")
    remote.routes["dc-2"] = [gate, "dc_page2.xml"]
    source_id = instance.add_source(remote.url)
    first = instance.start("harvest", str(source_id))
    try:
        assert gate.reached.wait(TIMEOUT)
        # an hourly source whose run (in another process) started two hours ago
        instance.python(
            "from datetime import timedelta\nfrom django.db.models import F\n"
            "from heco.harvest.models import HarvestRun, Source\n"
            f"Source.objects.filter(pk={source_id}).update(harvest_every=1)\n"
            f"print(HarvestRun.objects.filter(source={source_id}).update(\n"
            "    started_at=F('started_at') - timedelta(hours=2)))\n"
        )
        code, out, err = instance.run("harvest-due", "--json")
        assert code == 0, err
        report = json.loads(out)
        assert (report["queued"], report["running"]) == ([], [source_id])
    finally:
        gate.opened.set()
        first.communicate(timeout=TIMEOUT)
    assert first.returncode == 0


def test_a_second_image_download_of_a_source_is_skipped_while_one_runs(instance, remote):  # noqa: F811
    instance.env["HECO_HARVEST_PRIVATE_HOSTS"] = "1"  # the fake remote is on 127.0.0.1
    url = remote.base + "/img/tartini.jpg"
    remote.routes["ListRecords"] = remote.routes["ListRecords+from"] = list_records(
        edm_record("si:1", TARTINI, shown_by=url, rights=BY_SA)
    )
    remote.routes["Identify"] = "identify.xml"
    gate = ImageGate(jpeg())
    remote.routes["/img/tartini.jpg"] = [gate, gate.body]
    source_id = instance.python(
        "from heco.harvest.services import source_add\n"
        "from heco.testing.factories import OrganisationFactory\n"
        f"print(source_add(kind='oai-pmh', url={remote.url!r}, metadata_prefix='edm',\n"
        "                  organisation=OrganisationFactory(slug='pmsp')).pk)\n"
    )
    code, out, err = instance.run("harvest", str(source_id))
    assert code == 0, out + err
    first = instance.start("harvest-images", str(source_id), "--json")
    try:
        assert gate.reached.wait(TIMEOUT)
        task = (
            "import json\nfrom heco.harvest.tasks import harvest_images\n"
            f"print(json.dumps(harvest_images.call({source_id})))"
        )
        report = instance.python(task)
        assert report["status"] == "skipped"
        assert f"images of source {source_id} are being fetched" in report["reason"]
        code, out, err = instance.run("harvest-images", str(source_id), "--json")
        assert code == 3 and "are being fetched" in err
        # a harvest of the source is not held up by its image download
        code, out, err = instance.run("harvest", str(source_id))
        assert code == 0, out + err
    finally:
        gate.opened.set()
        out, err = first.communicate(timeout=TIMEOUT)
    assert first.returncode == 0, err
    assert json.loads(out)["stored"] == 1  # the first download went on, alone
