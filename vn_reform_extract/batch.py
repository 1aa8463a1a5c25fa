"""Many texts in, one result per text out, in input order, optionally in parallel.

``extract_many`` never raises for a bad input: every item yields exactly one
``Article`` or one ``ErrorRecord`` (with its position and the reason).

Time budget: with ``timeout`` a record that takes longer becomes an error record
("timed out after ...") and the batch goes on. The record is interrupted by a
SIGALRM timer in the process that extracts it (a worker, or the main thread with
one worker; elsewhere, e.g. in a thread, the budget is not enforced).

A worker process that dies (killed, out of memory, crashed) costs only the record it
was extracting: the batch it held is re-run record by record in a fresh pool. Workers
stop when the process that started them dies.
"""
from __future__ import annotations

import atexit
import concurrent.futures as cf
import multiprocessing
import multiprocessing.context as _mpc
import os
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Optional, Union

from pydantic import BaseModel

from .schema import Article

__all__ = ["extract_many", "ErrorRecord", "Task", "run_tasks", "DEFAULT_BATCH_SIZE", "RETRIED_ERRORS"]

DEFAULT_BATCH_SIZE = 32
WORKER_DIED = "worker process died while extracting this record"
# error records a resumed run tries again (the cause was the machine, not the input)
RETRIED_ERRORS = (WORKER_DIED.split(" while")[0], "timed out after")


class _RecordTimeout(BaseException):
    """Raised by the SIGALRM handler inside ``extract`` (a BaseException, so no
    ``except Exception`` in an extractor swallows it)."""


_ARMED = False


def _on_alarm(signum, frame):  # noqa: ARG001
    if _ARMED:
        raise _RecordTimeout()


class _TimeBudget:
    """Arms a SIGALRM timer around each record, when possible in this thread."""

    def __init__(self, seconds: Optional[float]):
        self.seconds = seconds if seconds and seconds > 0 else None
        self.active = (self.seconds is not None and hasattr(signal, "setitimer")
                       and threading.current_thread() is threading.main_thread())
        self._old: Any = None

    def __enter__(self) -> "_TimeBudget":
        if self.active:
            self._old = signal.signal(signal.SIGALRM, _on_alarm)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old or signal.SIG_DFL)

    def run(self, fn, *args):
        global _ARMED
        if not self.active:
            return fn(*args)
        try:
            _ARMED = True
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
            return fn(*args)
        except _RecordTimeout:
            return f"timed out after {self.seconds:g} s (--timeout-per-record); the record was skipped"
        finally:
            _ARMED = False
            signal.setitimer(signal.ITIMER_REAL, 0)


class ErrorRecord(BaseModel):
    """Why one input produced no Article."""
    id: Optional[str] = None
    error: str
    source: Optional[str] = None     # input file, when known
    line: Optional[int] = None       # 1-based line (JSONL/CSV record start), when known
    position: Optional[int] = None   # 0-based index of the input in the stream

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "error": self.error}
        if self.line is not None:
            out["line"] = self.line
        if self.source is not None:
            out["source"] = self.source
        if self.position is not None:
            out["position"] = self.position
        return out


Result = Union[Article, ErrorRecord]


@dataclass
class Task:
    """One input. ``error`` set means it is already known to be broken (not extracted)."""
    text: Any = None
    id: Optional[str] = None
    published: Any = None
    source: Optional[str] = None     # passed to extract(source=...) and kept as the input file
    line: Optional[int] = None
    position: Optional[int] = None
    error: Optional[str] = None
    context: Any = None
    extra: dict[str, Any] = field(default_factory=dict)   # input fields kept for the outputs (--keep-fields)
    warnings: list[str] = field(default_factory=list)  # problems that did not stop extraction
    columns: Optional[list[str]] = None   # the record's field names, when its text field is missing
    no_date: bool = False                 # a date field was asked for and the record has no value

    def fail(self, reason: str) -> ErrorRecord:
        return ErrorRecord(id=self.id, error=reason, source=self.source, line=self.line, position=self.position)


def _extract_one(text: Any, published: Any, source: Optional[str], max_chars: Optional[int]) -> Union[Article, str]:
    from .pipeline import extract
    if not isinstance(text, str):
        if text is None:
            return "text is null"
        return f"text is {type(text).__name__}, not a string"
    if max_chars is not None and len(text) > max_chars:
        return f"text has {len(text)} characters, over the limit of {max_chars} (--max-chars)"
    try:
        return extract(text, published=published, source=source)
    except Exception as exc:  # one bad document must not stop the batch
        return f"{type(exc).__name__}: {exc}"


def _work(payload: list[tuple[Any, Any, Optional[str]]], max_chars: Optional[int],
          timeout: Optional[float] = None) -> list[Union[Article, str]]:
    with _TimeBudget(timeout) as budget:
        return [budget.run(_extract_one, text, published, source, max_chars) for text, published, source in payload]


def _work_remote(payload: list[tuple[Any, Any, Optional[str]]], max_chars: Optional[int],
                 timeout: Optional[float] = None) -> list[Union[bytes, str]]:
    """``_work`` in a worker process: Articles travel back as JSON, which is cheaper to
    write and to read than a pickle of the model; error reasons stay strings."""
    out: list[Union[bytes, str]] = []
    for r in _work(payload, max_chars, timeout):
        out.append(r.model_dump_json().encode() if isinstance(r, Article) else r)
    return out


def _finish(batch: list[Task], results: list[Union[Article, str, None]]) -> list[tuple[Task, Result]]:
    out = []
    it = iter(results)
    for t in batch:
        if t.error is not None:
            out.append((t, t.fail(t.error)))
            continue
        r = next(it)
        if isinstance(r, bytes):
            r = Article.model_validate_json(r)
        if isinstance(r, Article):
            r._text = t.text
            out.append((t, r))
        else:
            out.append((t, t.fail(str(r))))
    return out


def _batches(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    batch: list[Task] = []
    for t in tasks:
        batch.append(t)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _payload(batch: list[Task]) -> list[tuple[Any, Any, Optional[str]]]:
    return [(t.text, t.published, t.source) for t in batch if t.error is None]


_PREP_LOCK = threading.Lock()


def _without_main(prepare):
    def preparation_data(name):
        data = prepare(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data
    return preparation_data


def _start_without_main(popen, process_obj):
    """Start a worker without re-running the caller's ``__main__`` in it. The workers run
    only this module's functions, so a script calling ``extract_many(workers=2)`` at top
    level (no ``if __name__ == "__main__":`` guard) works instead of every worker dying
    while it re-imports the script, and guarded scripts do not pay for that import."""
    from multiprocessing import spawn
    with _PREP_LOCK:
        prepare = spawn.get_preparation_data
        spawn.get_preparation_data = _without_main(prepare)
        try:
            return popen(process_obj)
        finally:
            spawn.get_preparation_data = prepare


class _SpawnProcess(_mpc.SpawnProcess):
    @staticmethod
    def _Popen(process_obj):
        return _start_without_main(_mpc.SpawnProcess._Popen, process_obj)


class _SpawnContext(_mpc.SpawnContext):
    Process = _SpawnProcess


if hasattr(_mpc, "ForkServerProcess"):
    class _ForkServerProcess(_mpc.ForkServerProcess):
        @staticmethod
        def _Popen(process_obj):
            return _start_without_main(_mpc.ForkServerProcess._Popen, process_obj)

    class _ForkServerContext(_mpc.ForkServerContext):
        Process = _ForkServerProcess


def _mp_context():
    # fork is fast but unsafe once threads exist (progress bars, dask); forkserver is not
    if "forkserver" in multiprocessing.get_all_start_methods():
        return _ForkServerContext()
    return _SpawnContext()


_POOLS: dict[int, cf.ProcessPoolExecutor] = {}


def _watch_parent(main_pid: int) -> None:
    """Exit when the process that started the pool is gone: the kernel signals us when
    our parent dies (Linux), and a thread polls the parent as a fallback elsewhere."""
    ppid = os.getppid()
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != ppid:  # the parent died before prctl took effect
        os._exit(1)

    def poll() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != ppid:
                os._exit(1)
            if ppid != main_pid:  # forkserver/spawn helper in between: check the main process too
                try:
                    os.kill(main_pid, 0)
                except ProcessLookupError:
                    os._exit(1)
                except OSError:
                    pass
    threading.Thread(target=poll, name="vnre-parent-watch", daemon=True).start()


def _warm_worker(main_pid: Optional[int] = None) -> None:
    """Watch the parent, leave Ctrl-C to it, then compile the patterns and load the
    gazetteers before the first batch arrives."""
    if main_pid is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _watch_parent(main_pid)
    from .pipeline import extract
    extract("UBND tỉnh Bình Dương ngày 2/11/2022 đạt 87,87% theo Nghị quyết 76/NQ-CP.")


def _pool(workers: int, renew: bool = False) -> cf.ProcessPoolExecutor:
    """One warmed-up process pool per worker count, reused by later calls in the process
    (starting workers and compiling the patterns costs about half a second)."""
    pool = _POOLS.get(workers)
    if pool is None or renew:
        if pool is not None:
            _kill(pool)
        pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(), initializer=_warm_worker,
                                      initargs=(os.getpid(),))
        _POOLS[workers] = pool
    return pool


def _kill(pool: cf.ProcessPoolExecutor) -> None:
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        try:
            p.kill()
        except (OSError, ValueError, AttributeError):
            pass


def shutdown_pools(kill: bool = False) -> None:
    """Stop the worker processes kept for ``extract_many`` (``kill``: without waiting
    for the records they are extracting, e.g. on Ctrl-C)."""
    while _POOLS:
        _, pool = _POOLS.popitem()
        if kill:
            _kill(pool)
        else:
            pool.shutdown(wait=True, cancel_futures=True)


def _submit(workers: int, *args: Any) -> cf.Future:
    try:
        return _pool(workers).submit(*args)
    except (cf.process.BrokenProcessPool, RuntimeError):
        return _pool(workers, renew=True).submit(*args)


# A worker stuck where the SIGALRM budget cannot reach (C code that never checks for
# signals) is killed once its batch is this much over budget.
HARD_LIMIT_GRACE = 30.0


def _hard_limit(timeout: Optional[float], n: int) -> Optional[float]:
    return None if not timeout else timeout * max(1, n) + HARD_LIMIT_GRACE


def _result(workers: int, fut: cf.Future, limit: Optional[float]) -> Any:
    """``fut.result()``; past ``limit`` seconds the pool is killed (BrokenProcessPool)."""
    try:
        return fut.result(timeout=limit)
    except cf.TimeoutError:
        _kill(_pool(workers))
        raise cf.process.BrokenProcessPool("worker killed: over its time budget") from None


def _isolated(workers: int, payload: list, max_chars: Optional[int], timeout: Optional[float]) -> list:
    """The batch of a worker that died, record by record: in parallel first, then the
    ones caught in another death one at a time, so only the culprit gets the error."""
    futs = [_submit(workers, _work_remote, [item], max_chars, timeout) for item in payload]
    results: list[Any] = [None] * len(payload)
    again = []
    for i, f in enumerate(futs):
        try:
            results[i] = _result(workers, f, _hard_limit(timeout, len(payload)))[0]
        except cf.process.BrokenProcessPool:
            again.append(i)
        except Exception as exc:
            results[i] = f"{type(exc).__name__}: {exc}"
    for i in again:
        try:
            fut = _submit(workers, _work_remote, [payload[i]], max_chars, timeout)
            results[i] = _result(workers, fut, _hard_limit(timeout, 1))[0]
        except cf.process.BrokenProcessPool as exc:
            results[i] = (f"timed out after {timeout:g} s (--timeout-per-record); the worker was killed"
                          if "time budget" in str(exc) else WORKER_DIED)
            _pool(workers, renew=True)
        except Exception as exc:
            results[i] = f"{type(exc).__name__}: {exc}"
    return results


atexit.register(shutdown_pools)


def run_tasks(tasks: Iterable[Task], *, workers: int = 1, batch_size: int = DEFAULT_BATCH_SIZE,
              max_chars: Optional[int] = None, timeout: Optional[float] = None) -> Iterator[tuple[Task, Result]]:
    """Yield ``(task, Article | ErrorRecord)`` for every task, in input order.

    With ``workers > 1`` batches run in a process pool; at most ``2 * workers``
    batches are in flight, so memory stays bounded on endless streams.
    ``timeout``: seconds per record (see the module doc).
    """
    batch_size = max(1, int(batch_size))
    workers = max(1, int(workers or 1))
    if workers == 1:
        for batch in _batches(tasks, batch_size):
            yield from _finish(batch, _work(_payload(batch), max_chars, timeout) if any(t.error is None for t in batch) else [])
        return
    _pool(workers)
    pending: deque[tuple[list[Task], Optional[cf.Future]]] = deque()
    try:
        source = _batches(tasks, batch_size)
        exhausted = False
        while True:
            while not exhausted and len(pending) < 2 * workers:
                try:
                    batch = next(source)
                except StopIteration:
                    exhausted = True
                    break
                payload = _payload(batch)
                fut = _submit(workers, _work_remote, payload, max_chars, timeout) if payload else None
                pending.append((batch, fut))
            if not pending:
                break
            batch, fut = pending.popleft()
            if fut is None:
                yield from _finish(batch, [])
                continue
            try:
                results = _result(workers, fut, _hard_limit(timeout, len(_payload(batch))))
            except cf.process.BrokenProcessPool:
                # only the record being extracted when the worker died gets an error: the batch
                # is re-run record by record, then what was queued behind it is resubmitted
                _pool(workers, renew=True)
                results = _isolated(workers, _payload(batch), max_chars, timeout)
                pending = deque((b, _submit(workers, _work_remote, _payload(b), max_chars, timeout)
                                 if _payload(b) else None) for b, _ in pending)
            except Exception as exc:
                results = [f"{type(exc).__name__}: {exc}"] * len(_payload(batch))
            yield from _finish(batch, results)
    finally:
        # the pool stays up for the next call; work queued for a consumer that stopped early
        # is dropped
        for _, fut in pending:
            if fut is not None:
                fut.cancel()


def _task_from_item(item: Any, pos: int, as_tuples: bool, published: Any, source: Optional[str]) -> Task:
    context = None
    if as_tuples:
        if not (isinstance(item, tuple) and len(item) == 2):
            return Task(position=pos, error=f"as_tuples=True needs (text, context) pairs, got {type(item).__name__}")
        item, context = item
    t = Task(text=item, published=published, source=source, position=pos, context=context)
    if isinstance(context, Mapping):
        if context.get("id") is not None:
            t.id = str(context["id"])
        t.published = context.get("published", published)
        t.source = context.get("source", source)
    if isinstance(item, (bytes, bytearray)):
        t.error = "text is bytes, not a string; decode it first (e.g. data.decode('utf-8'))"
    return t


def extract_many(items: Iterable[Any], *, workers: int = 1, batch_size: int = DEFAULT_BATCH_SIZE,
                 as_tuples: bool = False, published: Any = None, source: Optional[str] = None,
                 max_chars: Optional[int] = None, timeout: Optional[float] = None) -> Iterator[Any]:
    """Stream ``extract`` over ``items``, in order.

    ``items``: texts, or with ``as_tuples=True`` ``(text, context)`` pairs (like
    spaCy's ``nlp.pipe(..., as_tuples=True)``); results are then ``(result, context)``.
    A mapping context may carry ``id``, ``published`` and ``source`` for that text.
    Every item yields exactly one ``Article`` or one ``ErrorRecord`` (non-str text,
    over ``max_chars``, or any exception inside ``extract``).
    ``workers > 1`` uses that many processes (``workers=0`` or ``None``: one per CPU).
    ``timeout``: seconds per record; a slower record becomes an ErrorRecord.
    """
    if workers is None or workers == 0:
        workers = os.cpu_count() or 1
    tasks = (_task_from_item(it, i, as_tuples, published, source) for i, it in enumerate(items))
    for task, result in run_tasks(tasks, workers=workers, batch_size=batch_size, max_chars=max_chars,
                                  timeout=timeout):
        yield (result, task.context) if as_tuples else result
