from math import comb

import pytest

from codestilts.execution.passk import mean_pass_at_k, pass_at_k, summarize


@pytest.mark.parametrize("n,c,k", [(10, 3, 1), (10, 3, 5), (20, 0, 1), (20, 20, 10), (100, 7, 10), (5, 4, 2)])
def test_pass_at_k_matches_the_combinatorial_definition(n, c, k):
    expected = 1 - comb(n - c, k) / comb(n, k)
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_pass_at_1_is_the_pass_fraction():
    assert pass_at_k(10, 1, 1) == pytest.approx(0.1)
    assert pass_at_k(4, 0, 1) == 0.0
    assert pass_at_k(4, 4, 1) == 1.0


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        pass_at_k(3, 4, 1)
    with pytest.raises(ValueError):
        pass_at_k(3, 1, 4)


def test_tasks_with_fewer_samples_than_k_are_left_out():
    out = mean_pass_at_k([(1, 1), (10, 0)], [1, 5])
    assert out["pass@1"] == pytest.approx(0.5)
    assert out["pass@5"] == 0.0  # only the task with 10 samples counts
    assert mean_pass_at_k([(1, 1)], [5])["pass@5"] is None


def test_summary_excludes_sandbox_errors_and_counts_them():
    results = [
        {"task_id": "t1", "language": "python", "verdict": "passed"},
        {"task_id": "t1", "language": "python", "verdict": "sandbox_error"},
        {"task_id": "t2", "language": "python", "verdict": "failed"},
        {"task_id": "t2", "language": "python", "verdict": "passed"},
    ]
    s = summarize(results, [1])
    assert s["overall"]["sandbox_errors"] == 1
    # t1: 1/1 passed, t2: 1/2 passed
    assert s["languages"]["python"]["pass@1"] == pytest.approx(0.75)
    assert s["languages"]["python"]["verdicts"] == {"failed": 1, "passed": 2, "sandbox_error": 1}
