"""Pages fetched, parsed and prepared ahead of the writer, on the other core where possible.

A harvest is a pipeline: fetch a page (network), parse it (lxml), validate and normalise each
record (``Ingestor.prepare_records``: language maps, rights, coordinates, the content hash),
then write it (the database). Only the last step needs the database. ``ahead()`` runs the
first three in a forked child process on Linux, so parsing and preparing do not compete with
the writer for the interpreter lock, and hands the pages over through a bounded queue
(pickled); elsewhere it uses a thread. Either way errors of the source (``SourceError``,
``SourceUnavailable``…) come out in their place, after the pages before them.

While a run lasts, the cyclic garbage collector runs less often (``fewer_collections``): a run
allocates millions of short-lived objects (parsed records, rows, documents) and keeps up to
20,000 search documents waiting, and with Python's default thresholds the collector spent a
third of both processes' time walking them (measured in ``heco bench harvest``). Reference
counting still frees nearly everything at once; the rare cycles wait a little longer.

The child never touches the database connections it inherits: source kinds' ``fetch`` and
the record preparation are pure (documented in ``sources/base.py``); it leaves with
``os._exit`` (multiprocessing does that for forked children), so no connection is closed
or reused from there.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
from collections.abc import Callable, Iterator

from heco.harvest.sources.base import Page, SourceUnavailable

# how far the fetching process may run ahead of the writer: far enough to keep working while
# the writer brings the search index up to date (about a second per 20,000 assets), within a
# bounded memory whatever the source's page size
RECORDS_AHEAD = 5_000  # records prepared and not yet taken by the writer (at least one page)
DEPTH = 64  # pages, likewise
GC_THRESHOLDS = (50_000, 20, 100)  # during a run; Python's defaults are (700, 10, 10)
POLL = 1.0  # seconds between two checks that the child process is still there


@contextlib.contextmanager
def fewer_collections():
    """Run the block with the collector's GC_THRESHOLDS (the forked fetching process
    inherits them), then restore the thresholds it had."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def prepared_pages(pages: Iterator[Page], prepare: Callable[[list], None]) -> Iterator[Page]:
    """``pages`` with ``prepare(page.records)`` applied to each before it is handed on."""
    for page in pages:
        prepare(page.records)
        yield page


def ahead(make_pages: Callable[[], Iterator[Page]]) -> Iterator[Page]:
    """Yield the pages of ``make_pages()`` while the next ones are made in a child process
    (Linux) or a thread (elsewhere), at most DEPTH pages and RECORDS_AHEAD records ahead.
    Closing the generator stops the producer."""
    if use_process():
        return _in_process(make_pages)
    return _in_thread(make_pages())


def use_process() -> bool:
    # fork only where it is the platform's own start method: macOS and Windows use spawn,
    # which would need a fresh interpreter and Django set-up for every run
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes, just made
    except Exception:  # noqa: BLE001 - any exception that cannot cross: say what it was
        return SourceUnavailable(f"{type(exc).__name__}: {exc}")
    return exc


def _produce(make_pages, items, budget, parent: int) -> None:
    # a forked child inherits the parent's signal handlers: a worker's "shut down gracefully"
    # SIGTERM handler would keep it alive when the writer terminates it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with(parent)
    try:
        for page in make_pages():
            units = _units(page)
            for _ in range(units):
                budget.acquire()  # given back by the writer when it takes the page
            items.put(("page", page, units))
        items.put(("end", None, 0))
    except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
        items.put(("error", _picklable(exc), 0))


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with(parent: int) -> None:
    """Have the kernel kill this (forked) process when the writer dies without stopping it,
    e.g. killed by the out-of-memory killer: it would otherwise go on fetching for nobody,
    holding the inherited database connection (on PostgreSQL, the source's lock)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - not Linux: the thread is used there
        return
    if os.getppid() != parent:  # the writer died before the request took effect
        os._exit(1)


def _units(page: Page) -> int:
    return max(1, min(len(page.records), RECORDS_AHEAD))


def _in_process(make_pages) -> Iterator[Page]:
    context = multiprocessing.get_context("fork")
    items = context.Queue(maxsize=DEPTH)
    budget = context.Semaphore(RECORDS_AHEAD)
    process = context.Process(
        target=_produce,
        args=(make_pages, items, budget, os.getpid()),
        name="harvest-fetch",
        daemon=True,
    )
    process.start()
    try:
        while True:
            try:
                what, value, units = items.get(timeout=POLL)
            except queue.Empty:
                if process.is_alive():
                    continue
                raise SourceUnavailable(
                    f"the fetching process stopped unexpectedly (exit code {process.exitcode})"
                )
            for _ in range(units):
                budget.release()
            if what == "page":
                yield value
            elif what == "error":
                raise value
            else:
                return
    finally:
        if process.is_alive():
            process.terminate()  # the writer stopped early (an error, an interruption)
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join()
        items.close()
        items.cancel_join_thread()


def _in_thread(pages: Iterator[Page]) -> Iterator[Page]:
    items: queue.Queue = queue.Queue(maxsize=2)  # a thread shares the interpreter: no gain deeper
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for page in pages:
                if not put(("page", page)):
                    return
            put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            put(("error", exc))

    thread = threading.Thread(target=produce, name="harvest-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            what, value = items.get()
            if what == "page":
                yield value
            elif what == "error":
                raise value
            else:
                return
    finally:
        stop.set()  # the producer stops at its next page (a fetch under way finishes first)
