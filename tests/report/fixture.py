"""A hand-computed run (languages appear in metrics.json order, which is sorted): none, one NL and one code option; a target with two seeds and a probe.

defect (accuracy, zero-shot java and go; 4 examples each):
    none  seed 0: java 2/4 go 2/4 -> 0.50   seed 1: java 2/4 go 4/4 -> 0.75   mean 0.625 std 0.177
    snli  seed 0: java 3/4 go 3/4 -> 0.75   seed 1: java 3/4 go 1/4 -> 0.50   mean 0.625 std 0.177
    clone seed 0: java 4/4 go 4/4 -> 1.00   seed 1: java 3/4 go 3/4 -> 0.75   mean 0.875 std 0.177
xret (acc@1 probe; ranks, 2 queries per language):
    none  (no seed, so no ±): java [1,2] go [1,1] -> 0.75
    snli  seed 0: java [1,1] go [2,2] -> 0.50   seed 1: java [1,1] go [1,2] -> 0.75   mean 0.625
    clone both seeds: all rank 1 -> 1.00
"""

from __future__ import annotations

from pathlib import Path

from tests.report.synthetic import Stage, write_run

OPTIONS = {"none": [], "snli": ["snli"], "clone": ["clone-mbxp"]}
TASK_LANGUAGES = {"snli": ["en"], "clone-mbxp": ["python", "java", "go"]}
DEFECT = {
    ("none", 0): (2, 2), ("none", 1): (2, 4),
    ("snli", 0): (3, 3), ("snli", 1): (3, 1),
    ("clone", 0): (4, 4), ("clone", 1): (3, 3),
}
XRET = {
    ("none", None): ([1, 2], [1, 1]),
    ("snli", 0): ([1, 1], [2, 2]), ("snli", 1): ([1, 1], [1, 2]),
    ("clone", 0): ([1, 1], [1, 1]), ("clone", 1): ([1, 1], [1, 1]),
}


def _accuracy_rows(correct: dict[str, int]) -> list[dict]:
    """Zero-shot rows labelled 1, the first ``hits`` right; the source language's (python) labelled
    0 and 1 alike and all right: learnt there, above the 0.5 of a constant prediction."""
    source = [{"language": "python", "id": f"python/{i}", "group": str(i), "label": i % 2, "prediction": i % 2} for i in range(4)]
    return source + [
        {"language": lang, "id": f"{lang}/{i}", "group": str(i), "label": 1, "prediction": int(i < hits)}
        for lang, hits in correct.items() for i in range(4)
    ]


def _rank_rows(ranks: dict[str, list[int]]) -> list[dict]:
    return [{"language": lang, "direction": "s2t", "group": str(i), "rank": r} for lang, found in ranks.items() for i, r in enumerate(found)]


def write_fixture(out: Path) -> Path:
    stages = [Stage(o, "defect", s, _accuracy_rows({"java": j, "go": g})) for (o, s), (j, g) in DEFECT.items()]
    stages += [Stage(o, "xret", s, _rank_rows({"java": j, "go": g}), metric="acc@1", role="probe") for (o, s), (j, g) in XRET.items()]
    return write_run(out, OPTIONS, stages, TASK_LANGUAGES)


MAIN_TABLE = """\
| intermediate | defect (accuracy, 2 seeds) | xret (acc@1, probe, 2 seeds) | avg | avg w/o retrieval |
|---|---|---|---|---|
| *no intermediate task* |  |  |  |  |
| none | 0.625 ± 0.177 | 0.750 | 0.688 | 0.625 |
| *NL tasks* |  |  |  |  |
| snli | 0.625 ± 0.177 (+0.000) | 0.625 ± 0.177 (-0.125) | 0.625 (-0.062) | 0.625 (+0.000) |
| *code tasks* |  |  |  |  |
| clone | **0.875 ± 0.177 (+0.250)** | **1.000 ± 0.000 (+0.250)** | **0.938 (+0.250)** | **0.875 (+0.250)** |
| best per target | 0.875 (+0.250) | 1.000 (+0.250) | 0.938 (+0.250) | 0.875 (+0.250) |"""

DEFECT_LANGUAGES = """\
| intermediate | python (source) | go | java |
|---|---|---|---|
| none | 1.000 | 0.750 | 0.500 |
| snli | 1.000 | 0.500 | 0.750 |
| clone | 1.000 | 0.875 | 0.875 |"""
