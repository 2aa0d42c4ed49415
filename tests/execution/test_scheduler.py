import threading
import time

from codestilts.execution.scheduler import WeightedSlots, run_weighted


def test_results_come_back_in_input_order():
    out = run_weighted(list(range(20)), lambda x, slot: x * x, weight=lambda x: 1, capacity=3)
    assert out == [x * x for x in range(20)]


def test_weighted_capacity_is_never_exceeded_and_slots_are_unique():
    capacity = 3
    lock = threading.Lock()
    state = {"weight": 0, "max": 0, "slots": set(), "clash": False}
    items = [1, 2, 1, 3, 1, 1, 2, 1, 5, 1] * 2

    def job(w, slot):
        w = min(w, capacity)
        with lock:
            state["weight"] += w
            state["max"] = max(state["max"], state["weight"])
            state["clash"] |= slot in state["slots"]
            state["slots"].add(slot)
        time.sleep(0.01)
        with lock:
            state["weight"] -= w
            state["slots"].discard(slot)
        return slot

    slots = run_weighted(items, job, weight=lambda w: w, capacity=capacity)
    assert state["max"] <= capacity
    assert not state["clash"]
    assert set(slots) <= set(range(capacity))


def test_weight_above_capacity_is_clamped_not_deadlocked():
    slots = WeightedSlots(2)
    held = slots.acquire(10)
    assert held == 2 and slots.free == 0
    slots.release(held)
    assert slots.free == 2
