"""The report shows each intermediate stage's dev scores, so that an option that learned nothing is seen."""

from __future__ import annotations

from pathlib import Path

from codestilts.api import write_report
from codestilts.store import Store, write_json
from tests.report.fixture import write_fixture

HISTORIES = {
    "snli": ("snli/accuracy", 60, [(25, 0.5), (50, 0.5)], 25),
    "clone": ("clone-mbxp/accuracy", 40, [(25, 0.625), (50, 0.875)], 50),
}
SECTION = """\
## Intermediate training

Each intermediate task's score on its source-language dev split at every evaluation (step: score), \
and the score of the weights the stage kept (its best mean dev score). An option whose dev score \
stays at chance learned nothing from its task.

| intermediate | seed | task/metric | dev examples | dev score by step | kept |
|---|---|---|---|---|---|
| snli | 0 | `snli/accuracy` | 60 | 25: 0.500, 50: 0.500 | 0.500 (step 25) |
| clone | 0 | `clone-mbxp/accuracy` | 40 | 25: 0.625, 50: 0.875 | 0.875 (step 50) |
"""


def _train(out: Path, option: str) -> None:
    """A complete intermediate stage of ``option`` with the dev history of :data:`HISTORIES`."""
    key, examples, curve, kept = HISTORIES[option]
    folder = Store(out).stage(f"intermediate-{option}")
    folder.begin({"id": f"intermediate-{option}"})
    history = [{"step": step, "loss": 0.5, key: value, "score": value} for step, value in curve]
    write_json(folder / "metrics.json", {"history": history, "best_step": kept, "dev_examples": {key.split("/")[0]: examples}})
    folder.complete()


def test_report_shows_the_dev_scores_of_complete_intermediate_stages(tmp_path: Path) -> None:
    out = write_fixture(tmp_path)
    write_report(out, ("md",))
    assert "## Intermediate training" not in (out / "report.md").read_text()  # no stage has run

    for option in HISTORIES:
        _train(out, option)
    write_report(out, ("md",))
    assert SECTION in (out / "report.md").read_text()
