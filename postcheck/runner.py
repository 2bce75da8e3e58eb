"""Batch runs: the result cache, worker processes and bounded streaming, in input order.

The main process loads each post (text only, cheap), looks it up in the cache and sends misses in
small chunks to worker processes. Each worker builds one Engine (spaCy and face models load once
per worker, lazily) and checks a chunk with one ``nlp.pipe`` pass. Results come back in input
order whatever order workers finish in, and only a bounded window of posts is in flight, so a
1,000-post folder never holds all its images or Docs.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import queue
import sys
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from postcheck.cache import ResultCache, images_key, post_key, run_fingerprint, spec_key
from postcheck.config import Config
from postcheck.discovery import PostSpec, load
from postcheck.engine import Context, Engine
from postcheck.model import PostResult, Report
from postcheck.posts import Post, Problem, read_draft_bytes
from postcheck.rulepack import RulePack

TEXT_WEIGHT, IMAGE_WEIGHT = 1, 32
CHUNK_WEIGHT = 64  # to a worker: one nlp.pipe batch of texts, or ~2 photo posts (so photos spread)
LOCAL_CHUNK_WEIGHT = 512  # in this process: fewer, longer nlp.pipe calls (each call has a start-up cost)
POOL_MIN_WEIGHT = 256  # ~256 texts or ~8 photos: below that, starting workers (each loads spaCy) costs more
WINDOW_CHUNKS = 2  # chunks in flight per worker

# Called once per post as it finishes: (result, True) for a cache hit, (None, False) for a post just
# checked here or in a worker (results themselves still come out in input order).
Progress = Callable[[PostResult | None, bool], None]
TICK_WAIT = 0.1  # seconds between looks at the workers' "post done" queue while waiting for a chunk


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass
class RunStats:
    """How a run went (for the CLI's stderr line and the benchmark)."""

    posts: int = 0
    cached: int = 0
    checked: int = 0
    workers: int = 0  # 0 = checked in this process
    seconds: float = 0.0


class _RecordingContext(Context):
    """A Context that also notes which notices each post raised, so cached posts can replay them."""

    capture: list[str] | None = None

    def notice(self, message: str) -> None:
        if self.capture is not None and message not in self.capture:
            self.capture.append(message)
        super().notice(message)


def _recording_engine(config: Config, pack: RulePack) -> Engine:
    engine = Engine(config, pack)
    engine.ctx = _RecordingContext(engine.config, engine.ctx.nlp)
    return engine


def check_chunk(engine: Engine, posts: list[Post],
                done: Callable[[], None] | None = None) -> list[tuple[PostResult, list[str]]]:
    """Check posts with one nlp.pipe pass; each result with the notices it raised.

    ``done`` is called as each post finishes (the progress bar moves per post, not per chunk).
    """
    ctx = engine.ctx
    out = []
    results = engine.iter_results(posts)
    while True:
        capture: list[str] = []
        ctx.capture = capture  # type: ignore[attr-defined]
        try:
            result = next(results)
        except StopIteration:
            break
        out.append((result, capture))
        if done is not None:
            done()
    ctx.capture = None  # type: ignore[attr-defined]
    return out


_WORKER_ENGINE: Engine | None = None
_WORKER_TICKS: Any = None  # a multiprocessing queue: one item per post a worker finished


def _init_worker(config: Config, pack: RulePack, cwd: str, workers: int, ticks: Any = None) -> None:
    global _WORKER_ENGINE, _WORKER_TICKS
    _WORKER_TICKS = ticks
    os.chdir(cwd)  # display paths are relative to the caller's folder
    # Workers already share the cores: each face detector gets its share, not every core.
    os.environ.setdefault("POSTCHECK_FACE_THREADS", str(max(1, (os.cpu_count() or 1) // max(1, workers))))
    _WORKER_ENGINE = _recording_engine(config, pack)


def _work(posts: list[Post]) -> list[tuple[PostResult, list[str]]]:
    assert _WORKER_ENGINE is not None
    ticks = _WORKER_TICKS
    return check_chunk(_WORKER_ENGINE, posts, None if ticks is None else lambda: ticks.put(1))


@dataclass
class _Chunk:
    posts: list[Post] = field(default_factory=list)
    weight: int = 0
    future: Future | None = None
    pool: ProcessPoolExecutor | None = None  # the pool the chunk was sent to
    results: list[tuple[PostResult, list[str]]] | None = None


@dataclass
class _Slot:
    result: PostResult | None = None  # ready (cache hit)
    notices: list[str] = field(default_factory=list)
    chunk: _Chunk | None = None
    index: int = 0
    key: str | None = None


class Runner:
    """Check many posts: cache first, then this process or a pool of workers."""

    def __init__(self, config: Config, pack: RulePack, *, jobs: int | None = None,
                 cache: ResultCache | None = None, account_override: str | None = None,
                 progress: Progress | None = None):
        self.config = config
        self.pack = pack
        self.jobs_explicit = jobs is not None
        # More workers than cores only adds memory (each loads spaCy): --jobs 40 on 2 cores runs 2.
        self.jobs = max(1, min(jobs if jobs is not None else default_jobs(), default_jobs()))
        self.cache = cache
        self.account_override = account_override
        self.progress = progress
        self.stats = RunStats()
        self.notices: list[str] = []
        self._engine: Engine | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._use_pool: bool | None = None
        self._run_fp: str | None = None
        self._died: set[int] = set()  # ids of results made for posts whose worker died (never cached)
        self._ticks: Any = None  # the workers' "post done" queue
        self._ticked = 0  # posts reported done by this process or the workers
        self._shown = 0  # checked posts the progress callback has been told about

    # -- public ------------------------------------------------------------------------------
    def run(self, specs: Iterable[PostSpec]) -> Report:
        results = list(self.iter_results(specs))
        return Report(tuple(results), tuple(self.notices))

    def iter_results(self, specs: Iterable[PostSpec]) -> Iterator[PostResult]:
        """Results in input order; run-wide notices collect in ``self.notices``."""
        specs = list(specs)
        started = time.perf_counter()
        self.stats = RunStats(posts=len(specs))
        self.notices = []
        self._ticked = self._shown = 0
        self._estimate = sum(IMAGE_WEIGHT if s.kind == "image" else TEXT_WEIGHT for s in specs)
        try:
            yield from self._stream(specs)
        finally:
            self.close()
            self.stats.seconds = time.perf_counter() - started

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._ticks is not None:
            self._ticks.close()
            self._ticks = None

    # -- internals ---------------------------------------------------------------------------
    def _fingerprint(self) -> str:
        if self._run_fp is None:
            assert self.cache is not None
            self._run_fp = run_fingerprint(self.config, self.pack, self.cache, self.config.account,
                                           self.account_override)
        return self._run_fp

    def _lookup(self, spec: PostSpec) -> tuple[Post | None, str | None, tuple[PostResult, list[str]] | None]:
        """(post, key, cached). An unchanged draft is found from its bytes and images, without parsing."""
        if self.cache is None:
            return load(spec, self.config.account, self.account_override, self.config.image_roots()), None, None
        if spec.kind == "draft":
            try:
                digest = hashlib.sha256(read_draft_bytes(spec.path)).hexdigest()
            except OSError:
                digest = None
            if digest:
                first = spec_key(self._fingerprint(), spec, digest)
                images = self.cache.get_images(first)
                if images is not None:
                    cached = self.cache.get(images_key(first, images, self.cache))
                    if cached is not None:
                        return None, None, cached
        post = load(spec, self.config.account, self.account_override, self.config.image_roots())
        keys = post_key(self._fingerprint(), spec, post, self.cache)
        if keys is None:
            return post, None, None
        first, key = keys
        if spec.kind == "draft" and not post.problems:  # problems may depend on files that appear later
            self.cache.put_images(first, [(ref.display, ref.path) for ref in post.images])
        return post, key, self.cache.get(key)

    def _stream(self, specs: list[PostSpec]) -> Iterator[PostResult]:
        slots: deque[_Slot] = deque()
        chunk = _Chunk()
        in_flight: list[_Chunk] = []
        todo = iter(specs)
        exhausted = False
        window = self.jobs * WINDOW_CHUNKS
        max_slots = window * CHUNK_WEIGHT + LOCAL_CHUNK_WEIGHT  # bounds posts held (text only) at once
        while True:
            while not exhausted and len(in_flight) < window and len(slots) < max_slots:
                spec = next(todo, None)
                if spec is None:
                    exhausted = True
                    break
                post, key, cached = self._lookup(spec)
                if cached is not None:
                    slots.append(_Slot(result=cached[0], notices=cached[1]))
                    if self.progress is not None:
                        self.progress(cached[0], True)
                    continue
                assert post is not None
                slots.append(_Slot(chunk=chunk, index=len(chunk.posts), key=key))
                chunk.posts.append(post)
                chunk.weight += TEXT_WEIGHT + IMAGE_WEIGHT * len(post.images)
                if chunk.weight >= (LOCAL_CHUNK_WEIGHT if self._use_pool is False else CHUNK_WEIGHT):
                    self._submit(chunk, in_flight)
                    chunk = _Chunk()
            if not slots:
                break
            slot = slots.popleft()
            if slot.result is not None:
                self.stats.cached += 1
                yield self._emit(slot.result, slot.notices)
                continue
            assert slot.chunk is not None
            if slot.chunk.results is None:
                if slot.chunk.future is None:
                    self._submit(slot.chunk, in_flight)
                    if slot.chunk is chunk:
                        chunk = _Chunk()
                if slot.chunk.future is not None:
                    try:
                        slot.chunk.results = self._wait(slot.chunk.future, slot.chunk.pool)
                    except BrokenProcessPool:  # a worker was killed (the OOM killer?): the pool is gone
                        slot.chunk.results = self._recover(slot.chunk)
                    slot.chunk.posts = []  # the worker has them; let them go
                if slot.chunk in in_flight:
                    in_flight.remove(slot.chunk)
            result, notices = slot.chunk.results[slot.index]  # type: ignore[index]
            if self.cache is not None and slot.key and id(result) not in self._died:
                self.cache.put(slot.key, result, notices)
            self.stats.checked += 1
            self._advance(self.stats.checked)  # in case a worker's ticks are still on their way
            yield self._emit(result, notices)

    def _emit(self, result: PostResult, notices: list[str]) -> PostResult:
        for notice in notices:
            if notice not in self.notices:
                self.notices.append(notice)
        return result

    def _tick(self) -> None:
        """A post finished checking (here or in a worker)."""
        self._ticked += 1
        self._advance(self._ticked)

    def _advance(self, done: int) -> None:
        while self._shown < done:
            self._shown += 1
            if self.progress is not None:
                self.progress(None, False)

    def _wait(self, future: Future, pool: ProcessPoolExecutor | None) -> list[tuple[PostResult, list[str]]]:
        """A chunk's results; meanwhile the progress callback hears of each post a worker finishes.

        BrokenProcessPool as soon as any worker of its pool has died: the pool notices a dead worker by
        itself, except one killed before the pool first waited on it (a race in concurrent.futures),
        when the future would never finish. So look as well.
        """
        ticks = self._ticks
        seen: dict = {}
        while not future.done():
            if ticks is not None:
                try:
                    ticks.get(timeout=TICK_WAIT)
                    self._tick()
                    continue
                except queue.Empty:
                    pass
                except (OSError, ValueError, EOFError):  # the queue broke with its worker: the future says why
                    ticks = None
            else:
                try:
                    future.result(timeout=0.5)
                except FutureTimeout:
                    pass
                except Exception:  # noqa: BLE001 - raised again below
                    break
            seen.update(getattr(pool, "_processes", None) or {})
            if not future.done() and any(process.exitcode is not None for process in seen.values()):
                raise BrokenProcessPool("a worker process died")
        while ticks is not None:
            try:
                ticks.get_nowait()
            except (queue.Empty, OSError, ValueError, EOFError):
                break
            self._tick()
        return future.result()

    def _submit(self, chunk: _Chunk, in_flight: list[_Chunk]) -> None:
        if not chunk.posts:
            chunk.results = []
            return
        if self._pool_wanted(chunk):
            try:
                chunk.future = self._send(chunk.posts)
            except BrokenProcessPool:  # no worker could even be started for it: one post at a time
                chunk.results = self._recover(chunk)
                chunk.posts = []
                return
            chunk.pool = self._pool
            in_flight.append(chunk)
        else:
            chunk.results = check_chunk(self._local_engine(), chunk.posts, self._tick)
            chunk.posts = []

    def _pool_wanted(self, chunk: _Chunk) -> bool:
        if self._use_pool is None:
            # Decided once, at the first cache miss: a warm run never starts workers.
            if self.jobs <= 1 or self.stats.posts <= 1:
                self._use_pool = False
            elif self.jobs_explicit:
                self._use_pool = True
            else:
                self._use_pool = max(self._estimate, chunk.weight) >= POOL_MIN_WEIGHT
        return self._use_pool

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            method = "forkserver" if sys.platform.startswith("linux") else "spawn"
            context = multiprocessing.get_context(method)
            if method == "forkserver":
                context.set_forkserver_preload(["postcheck.runner"])  # workers fork with it imported
            self._ticks = context.Queue() if self.progress is not None else None
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=context,
                initializer=_init_worker, initargs=(self.config, self.pack, os.getcwd(), self.jobs, self._ticks),
            )
            self.stats.workers = self.jobs
        return self._pool

    def _recover(self, chunk: _Chunk) -> list[tuple[PostResult, list[str]]]:
        """Check a chunk whose worker died again, one post at a time in a fresh pool; a post that
        kills its worker again becomes an input error, and the run carries on."""
        self._discard_pool()
        out: list[tuple[PostResult, list[str]]] = []
        for post in chunk.posts:
            try:
                out.extend(self._wait(self._send([post]), self._pool))
            except BrokenProcessPool:
                self._discard_pool()
                result = self._worker_died(post)
                self._died.add(id(result))
                out.append((result, []))
        return out

    def _worker_died(self, post: Post) -> PostResult:
        """An input-error result for a post that no worker survived checking (nothing else is run)."""
        from dataclasses import replace

        from postcheck.rulepack import load_pack

        problem = Problem("the process checking this post was killed (out of memory?), so it was not checked; "
                          "check it alone, or with fewer --jobs", post.display)
        bare = replace(post, text="", segments=(), link_spans=(), images=(), problems=(problem,))
        engine = self._local_engine()
        rule = self.pack.get("input-error") or load_pack().get("input-error")
        assert rule is not None
        finding = engine._finding(rule, bare, next(iter(engine.check_for(rule).run(bare, engine.ctx))))
        return PostResult(path=post.display, account=post.account, platform=post.platform,
                          images=tuple(ref.display for ref in post.images), findings=(finding,), text=post.text)

    def _send(self, posts: list[Post]) -> Future:
        """Submit posts to the pool; a pool broken by a worker's death is replaced once. Starting a
        worker can fail too (OSError: the fork server lost a worker mid-start): BrokenProcessPool."""
        for attempt in (1, 2):
            try:
                return self._ensure_pool().submit(_work, posts)
            except (BrokenProcessPool, OSError) as exc:
                self._discard_pool()
                if attempt == 2:
                    raise BrokenProcessPool(f"no worker process could be started: {exc}") from None
        raise AssertionError("unreachable")

    def _discard_pool(self) -> None:
        """Drop a broken pool; its surviving workers (one may wait on a lock the dead one held) are ended."""
        if self._pool is not None:
            survivors = list((getattr(self._pool, "_processes", None) or {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in survivors:
                if process.exitcode is None:
                    process.kill()
            self._pool = None

    def _local_engine(self) -> Engine:
        if self._engine is None:
            self._engine = _recording_engine(self.config, self.pack)
        return self._engine
