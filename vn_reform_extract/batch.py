"""Many texts in, one result per text out, in input order, optionally in parallel.

``extract_many`` never raises for a bad input: every item yields exactly one
``Article`` or one ``ErrorRecord`` (with its position and the reason).
"""
from __future__ import annotations

import atexit
import concurrent.futures as cf
import multiprocessing
import os
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Optional, Union

from pydantic import BaseModel

from .schema import Article

__all__ = ["extract_many", "ErrorRecord", "Task", "run_tasks", "DEFAULT_BATCH_SIZE"]

DEFAULT_BATCH_SIZE = 32


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
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # problems that did not stop extraction

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


def _work(payload: list[tuple[Any, Any, Optional[str]]], max_chars: Optional[int]) -> list[Union[Article, str]]:
    return [_extract_one(text, published, source, max_chars) for text, published, source in payload]


def _work_remote(payload: list[tuple[Any, Any, Optional[str]]], max_chars: Optional[int]) -> list[Union[bytes, str]]:
    """``_work`` in a worker process: Articles travel back as JSON, which is cheaper to
    write and to read than a pickle of the model; error reasons stay strings."""
    out: list[Union[bytes, str]] = []
    for r in _work(payload, max_chars):
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


def _mp_context():
    methods = multiprocessing.get_all_start_methods()
    # fork is fast but unsafe once threads exist (progress bars, dask); forkserver is not
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


_POOLS: dict[int, cf.ProcessPoolExecutor] = {}


def _warm_worker() -> None:
    """Compile the patterns and load the gazetteers before the first batch arrives."""
    from .pipeline import extract
    extract("UBND tỉnh Bình Dương ngày 2/11/2022 đạt 87,87% theo Nghị quyết 76/NQ-CP.")


def _pool(workers: int, renew: bool = False) -> cf.ProcessPoolExecutor:
    """One warmed-up process pool per worker count, reused by later calls in the process
    (starting workers and compiling the patterns costs about half a second)."""
    pool = _POOLS.get(workers)
    if pool is None or renew:
        pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(), initializer=_warm_worker)
        _POOLS[workers] = pool
    return pool


def shutdown_pools() -> None:
    """Stop the worker processes kept for ``extract_many``."""
    while _POOLS:
        _, pool = _POOLS.popitem()
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown_pools)


def run_tasks(tasks: Iterable[Task], *, workers: int = 1, batch_size: int = DEFAULT_BATCH_SIZE,
              max_chars: Optional[int] = None) -> Iterator[tuple[Task, Result]]:
    """Yield ``(task, Article | ErrorRecord)`` for every task, in input order.

    With ``workers > 1`` batches run in a process pool; at most ``2 * workers``
    batches are in flight, so memory stays bounded on endless streams.
    """
    batch_size = max(1, int(batch_size))
    workers = max(1, int(workers or 1))
    if workers == 1:
        for batch in _batches(tasks, batch_size):
            yield from _finish(batch, _work(_payload(batch), max_chars) if any(t.error is None for t in batch) else [])
        return
    pool = _pool(workers)
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
                fut = pool.submit(_work_remote, payload, max_chars) if payload else None
                pending.append((batch, fut))
            if not pending:
                break
            batch, fut = pending.popleft()
            if fut is None:
                yield from _finish(batch, [])
                continue
            try:
                results = fut.result()
            except cf.process.BrokenProcessPool:
                results = ["worker process died while extracting this batch"] * len(_payload(batch))
                # resubmit what was queued behind it on a fresh pool
                pool.shutdown(wait=False, cancel_futures=True)
                pool = _pool(workers, renew=True)
                pending = deque((b, pool.submit(_work_remote, _payload(b), max_chars) if _payload(b) else None)
                                for b, _ in pending)
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
                 max_chars: Optional[int] = None) -> Iterator[Any]:
    """Stream ``extract`` over ``items``, in order.

    ``items``: texts, or with ``as_tuples=True`` ``(text, context)`` pairs (like
    spaCy's ``nlp.pipe(..., as_tuples=True)``); results are then ``(result, context)``.
    A mapping context may carry ``id``, ``published`` and ``source`` for that text.
    Every item yields exactly one ``Article`` or one ``ErrorRecord`` (non-str text,
    over ``max_chars``, or any exception inside ``extract``).
    ``workers > 1`` uses that many processes (``workers=0`` or ``None``: one per CPU).
    """
    if workers is None or workers == 0:
        workers = os.cpu_count() or 1
    tasks = (_task_from_item(it, i, as_tuples, published, source) for i, it in enumerate(items))
    for task, result in run_tasks(tasks, workers=workers, batch_size=batch_size, max_chars=max_chars):
        yield (result, task.context) if as_tuples else result
