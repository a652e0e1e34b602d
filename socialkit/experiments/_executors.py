"""Where a sweep's runs execute: in this process, on local processes (concurrent.futures) or on
any Dask cluster (a ``dask.distributed.Client``). socialkit schedules nothing itself: each
executor gets one task per run and hands back its record as it finishes.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Callable, Iterator
from typing import Any

from socialkit.experiments import _worker

EXECUTORS = ("inline", "processes", "dask")


class Inline:
    """Runs one after the other in this process (no pickling: the objects are used as given).

    Every executor's ``run`` yields each task's record as it finishes; once the sweep asks to
    stop (the budget ran out), the tasks not yet started skip themselves (a stop file in the
    folder), so no executor needs to cancel anything."""

    name = "inline"
    workers = 1

    def run(self, token: str, payload: _worker.Payload, blob: Callable[[], bytes],
            specs: list[dict], stop: Callable[[], bool]) -> Iterator[dict]:
        _worker.put(token, payload)
        try:
            for spec in specs:
                if stop():
                    return
                yield _worker.run_task(token, None, spec)
        finally:
            _worker.drop(token)

    def close(self) -> None:
        pass


class Futures:
    """A ``concurrent.futures`` executor: a process pool of our own (spawned workers, each
    given the payload once by its initializer), or one the user passes (the payload then
    travels with each task and is kept by the worker after the first)."""

    def __init__(self, executor: cf.Executor | None = None, workers: int | None = None):
        self.own = executor is None
        self.pool = executor
        self.workers = workers or (os.cpu_count() or 1) if executor is None else \
            getattr(executor, "_max_workers", None)
        self.name = "processes" if executor is None else type(executor).__name__

    def run(self, token, payload, blob, specs, stop):
        data = blob()
        if self.own:
            self.pool = cf.ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker.install, initargs=(token, data))
            data = None
        futures = [self.pool.submit(_worker.run_task, token, data, s) for s in specs]
        try:
            for f in cf.as_completed(futures):  # after a stop, the tasks left skip themselves
                yield f.result()
        except cf.process.BrokenProcessPool as err:
            raise RuntimeError(
                "a worker process died or could not load the sweep (target, inputs, measure "
                "or models); run with executor=None to see the error in this process. In a "
                "script, start sweeps under `if __name__ == \"__main__\":` (process workers "
                "import the script)") from err
        finally:
            for f in futures:
                f.cancel()
            if self.own:
                self.pool.shutdown(wait=True, cancel_futures=True)
                self.pool = None

    def close(self) -> None:
        if self.own and self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)


class Dask:
    """A ``dask.distributed.Client`` (a LocalCluster, or a scheduler's address). The payload is
    scattered to every worker once; tasks carry a reference to it."""

    def __init__(self, client: Any, own: bool = False):
        self.client, self.own = client, own
        self.name = "dask"
        try:
            self.workers = len(client.scheduler_info()["workers"])
        except Exception:  # noqa: BLE001 - informative only
            self.workers = None

    def run(self, token, payload, blob, specs, stop):
        from distributed import as_completed

        ref = self.client.scatter(blob(), broadcast=True, hash=False)
        futures = [self.client.submit(_worker.run_task, token, ref, s, pure=False,
                                      key=f"socialkit-run-{s['run_id']}-{token[:8]}")
                   for s in specs]
        try:
            for f in as_completed(futures):  # after a stop, the tasks left skip themselves
                yield f.result()
        finally:
            self.client.cancel([f for f in futures if not f.done()])
            self.client.cancel([ref])

    def close(self) -> None:
        if self.own:
            cluster = getattr(self.client, "cluster", None)
            self.client.close()
            if cluster is not None:
                cluster.close()


def _is_dask_client(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "distributed" and hasattr(x, "submit") and \
        hasattr(x, "scatter")


def check(executor: Any, workers: int | None) -> None:
    """Refuse a bad executor or worker count before anything is written or started."""
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise ValueError(f"sweep: workers must be a positive integer, got {workers!r}")
    ok = (executor is None or executor in ("inline", "processes", "dask")
          or isinstance(executor, cf.Executor) or _is_dask_client(executor)
          or (isinstance(executor, str) and "://" in executor))
    if not ok:
        raise ValueError(f"sweep: executor must be None (this process), 'processes', 'dask', a "
                         f"Dask scheduler address, a concurrent.futures.Executor or a "
                         f"dask.distributed.Client; got {executor!r}")
    if executor == "dask" or (isinstance(executor, str) and "://" in executor):
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise ImportError("executor='dask' needs dask.distributed: pip install "
                              "'socialkit[experiments]' (or 'dask[distributed]')") from None


def resolve(executor: Any, workers: int | None) -> Inline | Futures | Dask:
    """``None``/"inline", "processes", "dask" (a LocalCluster made for the sweep), a scheduler
    address ("tcp://host:8786"), a ``concurrent.futures.Executor`` or a Dask ``Client``."""
    check(executor, workers)
    if executor is None or executor == "inline":
        return Inline()
    if executor == "processes":
        return Futures(None, workers)
    if isinstance(executor, cf.Executor):
        return Futures(executor)
    if _is_dask_client(executor):
        return Dask(executor)
    if isinstance(executor, str) and (executor == "dask" or "://" in executor):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ImportError("executor='dask' needs dask.distributed: pip install "
                              "'socialkit[experiments]' (or 'dask[distributed]')") from None
        if executor == "dask":
            cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1,
                                   threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            return Dask(Client(cluster), own=True)
        return Dask(Client(executor), own=True)
    raise ValueError(f"sweep: executor must be None (this process), 'processes', 'dask', a "
                     f"Dask scheduler address, a concurrent.futures.Executor or a "
                     f"dask.distributed.Client; got {executor!r}")
