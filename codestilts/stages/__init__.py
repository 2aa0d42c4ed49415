"""Stage runners, by stage kind. Each reads its parameters and its parents' folders, and writes
only into its own folder."""

from collections.abc import Callable

from codestilts.stages.common import StageContext
from codestilts.stages.evaluate import run_evaluate
from codestilts.stages.execute import run_execute
from codestilts.stages.generate import run_generate
from codestilts.stages.pretrain import run_pretrain
from codestilts.stages.probe import run_probe
from codestilts.stages.train import run_intermediate, run_target

RUNNERS: dict[str, Callable[[StageContext], None]] = {
    "pretrain": run_pretrain,
    "intermediate": run_intermediate,
    "target": run_target,
    "evaluate": run_evaluate,
    "probe": run_probe,
    "generate": run_generate,
    "execute": run_execute,
}

__all__ = ["RUNNERS", "StageContext"]
