"""Pages made ahead of the writer: in a forked process (Linux) or a thread."""

import os
import threading

import pytest

from heco.harvest import pipeline
from heco.harvest.sources.base import HarvestedRecord, Page, SourceUnavailable


def three_pages_then(error=None):
    def make():
        for n in range(3):
            yield Page([HarvestedRecord(identifier=f"r{n}", fields={"pid": os.getpid()})])
        if error is not None:
            raise error

    return make


@pytest.fixture(params=["process", "thread"])
def mode(request, monkeypatch):
    monkeypatch.setattr(pipeline, "use_process", lambda: request.param == "process")
    return request.param


def test_pages_come_in_order_from_another_process_or_thread(mode):
    pages = list(pipeline.ahead(three_pages_then()))
    assert [p.records[0].identifier for p in pages] == ["r0", "r1", "r2"]
    pids = {p.records[0].fields["pid"] for p in pages}
    assert (pids != {os.getpid()}) == (mode == "process")


def test_an_error_of_the_source_comes_after_the_pages_before_it(mode):
    got = []
    with pytest.raises(SourceUnavailable, match="gone"):
        for page in pipeline.ahead(three_pages_then(SourceUnavailable("gone"))):
            got.append(page)
    assert len(got) == 3


def test_an_exception_that_cannot_be_pickled_still_says_what_it_was(monkeypatch):
    monkeypatch.setattr(pipeline, "use_process", lambda: True)

    class Odd(Exception):
        def __init__(self, lock):
            super().__init__("odd failure")
            self.lock = lock  # a lock cannot be pickled

    with pytest.raises(SourceUnavailable, match="Odd: odd failure"):
        list(pipeline.ahead(three_pages_then(Odd(threading.Lock()))))


def test_records_are_prepared_ahead_and_bad_ones_keep_their_reason(mode):
    def prepare(records):
        for record in records:
            record.prepared = {"ok": record.identifier}
            if record.identifier == "r1":
                record.error = "no title"

    pages = list(pipeline.ahead(lambda: pipeline.prepared_pages(three_pages_then()(), prepare)))
    assert [p.records[0].prepared for p in pages] == [{"ok": "r0"}, {"ok": "r1"}, {"ok": "r2"}]
    assert pages[1].records[0].error == "no title"


def test_a_writer_that_stops_early_stops_the_fetching_process(monkeypatch):
    monkeypatch.setattr(pipeline, "use_process", lambda: True)
    started = []

    def endless():
        n = 0
        while True:
            n += 1
            yield Page([HarvestedRecord(identifier=str(n), fields={"pid": os.getpid()})])

    pages = pipeline.ahead(endless)
    first = next(pages)
    started.append(first.records[0].fields["pid"])
    pages.close()
    with pytest.raises(ProcessLookupError):
        os.kill(started[0], 0)  # the child is gone (terminated and joined)


def test_the_fetching_process_stops_even_under_a_graceful_sigterm_handler(monkeypatch):
    # a task worker run in this process installs a "finish the task first" SIGTERM handler;
    # the forked child must not inherit it, or closing the pages would leave it running
    import signal

    monkeypatch.setattr(pipeline, "use_process", lambda: True)
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:

        def endless():
            while True:
                yield Page([HarvestedRecord(identifier="x", fields={"pid": os.getpid()})])

        pages = pipeline.ahead(endless)
        child = next(pages).records[0].fields["pid"]
        pages.close()
    finally:
        signal.signal(signal.SIGTERM, previous)
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)


def test_a_run_collects_garbage_less_often_and_restores_the_collector():
    import gc

    before = gc.get_threshold()
    with pytest.raises(RuntimeError), pipeline.fewer_collections():
        assert gc.get_threshold() == pipeline.GC_THRESHOLDS
        raise RuntimeError("the run failed")
    assert gc.get_threshold() == before


def test_the_fetching_process_runs_ahead_only_so_many_records(monkeypatch, tmp_path):
    import time

    monkeypatch.setattr(pipeline, "use_process", lambda: True)
    monkeypatch.setattr(pipeline, "RECORDS_AHEAD", 5)  # pages of 2 records: 2 pages ahead
    made = tmp_path / "made"

    def endless():
        n = 0
        while True:
            n += 1
            with made.open("a") as log:  # the child's count, seen from here
                log.write(f"{n}\n")
            yield Page([HarvestedRecord(identifier=f"{n}-{i}") for i in range(2)])

    def count() -> int:
        return len(made.read_text().split()) if made.exists() else 0

    pages = pipeline.ahead(endless)
    try:
        assert next(pages).records[0].identifier == "1-0"
        deadline = time.monotonic() + 10
        while count() < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)  # time enough to run further, were it allowed to
        # taken: 1; ahead: 2 pages (4 of 5 records); made and waiting for room: 1
        assert count() == 4
        assert next(pages).records[0].identifier == "2-0"
        while count() < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)
        assert count() == 5  # one page taken, room for one more
    finally:
        pages.close()
