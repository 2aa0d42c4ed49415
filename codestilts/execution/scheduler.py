"""Keep every core busy: a pool of worker threads (one sandbox slot, hence one uid, each) that
takes jobs in order and holds ``weight`` units of a shared capacity (two units per core by
default) while a job runs. Heavy compilers (javac, kotlinc, scalac, tsc: multi-threaded JVMs, or
memory-hungry) weigh two units, so they do not crowd the machine while light jobs wait;
acquisition is first-come first-served, so a heavy job is never starved by a stream of light
ones."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def cpu_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


OVERSUBSCRIPTION = 2


def default_capacity() -> int:
    """Two units per core: every program spends part of its life in sandbox set-up and tear-down
    (namespaces, mounts) and in I/O rather than on a CPU, so twice as many slots as cores keep the
    cores busy; a heavy compiler (weight 2) then holds a whole core's share."""
    return OVERSUBSCRIPTION * cpu_cores()


class WeightedSlots:
    def __init__(self, capacity: int):
        self.capacity = capacity
        self.free = capacity
        self._cv = threading.Condition()
        self._turnstile = threading.Lock()  # FIFO: one waiter at a time

    def acquire(self, weight: int) -> int:
        weight = max(1, min(weight, self.capacity))
        with self._turnstile:
            with self._cv:
                while self.free < weight:
                    self._cv.wait()
                self.free -= weight
        return weight

    def release(self, weight: int) -> None:
        with self._cv:
            self.free += weight
            self._cv.notify_all()


def run_weighted(
    items: Sequence[T],
    fn: Callable[[T, int], R],
    weight: Callable[[T], int],
    capacity: int | None = None,
    on_done: Callable[[int, R], None] | None = None,
) -> list[R]:
    """Run ``fn(item, slot)`` for every item, results in input order. ``slot`` is the worker's
    index in 0..capacity-1, unique among jobs running at the same time."""
    capacity = capacity or default_capacity()
    slots = WeightedSlots(capacity)
    results: list = [None] * len(items)
    next_index = iter(range(len(items)))
    lock = threading.Lock()

    def worker(slot: int) -> None:
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                return
            held = slots.acquire(weight(items[i]))
            try:
                results[i] = fn(items[i], slot)
            finally:
                slots.release(held)
            if on_done is not None:
                on_done(i, results[i])

    with ThreadPoolExecutor(max_workers=capacity) as pool:
        futures = [pool.submit(worker, slot) for slot in range(min(capacity, len(items)) or 1)]
        for f in futures:
            f.result()
    return results
