"""Code generation, scored by running the completions: ``nl2code-mbpp-gen``.

Trained on MBPP (Python: the problem's prompt, a signature with the description and examples as its
docstring, then the canonical solution), evaluated zero-shot by execution in every language with a
runner: MBXP's translations of MBPP's test problems, and HumanEval's test problems from HumanEval-X
(its six languages) or multilingual HumanEval (MBXP's others). Each record keeps its benchmark
problem, so the ``execute`` stage builds the program exactly as ``codestilts exec-eval`` does.

Both benchmarks keep the split every other task of theirs uses (:data:`MBPP_PROBLEMS`,
:data:`HUMANEVAL_PROBLEMS`): no problem is tested here that an intermediate task trained on.
"""

from __future__ import annotations

from pathlib import Path

from codestilts.execution.benchmarks import benchmark_files, completion_prompt, read_problems
from codestilts.execution.problem import Problem
from codestilts.formats import GENERATION, GenerationExample
from codestilts.tasks.base import SPLITS, Task, TaskData
from codestilts.tasks.mbxp import FILES as MBXP_FILES
from codestilts.tasks.mbxp import problem_group
from codestilts.tasks.splits import HUMANEVAL_PROBLEMS, MBPP_PROBLEMS

HUMANEVAL_X = {lang: str(path) for lang, path in benchmark_files("humaneval-x", root=Path()).items()}
"""HumanEval-X's files, relative to the data folder."""
MULTILINGUAL = {
    "csharp": "HumanEval_csharp_v1.jsonl.gz", "kotlin": "HumanEval_kotlin_v1.1.jsonl.gz", "perl": "HumanEval_perl_v1.1.jsonl.gz",
    "php": "HumanEval_php_v1.1.jsonl.gz", "ruby": "HumanEval_ruby_v1.1.jsonl.gz", "scala": "HumanEval_scala_v1.1.jsonl.gz",
    "ts": "HumanEval_typescript_v1.jsonl.gz",
}
"""Multilingual HumanEval (MXEval) files of the languages HumanEval-X lacks (Swift has no toolchain here)."""
HUMANEVAL_FILES = HUMANEVAL_X | {lang: f"code/multilingual-humaneval-mxeval/{name}" for lang, name in MULTILINGUAL.items()}
LANGUAGES = ("python", "cpp", "java", "js", "ts", "go", "rust", "csharp", "php", "ruby", "kotlin", "scala", "perl")
"""Every language of MBXP or HumanEval-X with a runner here (Swift's toolchain is not installable)."""


def humaneval_group(task_id: str) -> str:
    """``"CPP/12"``, ``"HumanEval_go/12"`` -> ``"humaneval/12"``."""
    return f"humaneval/{task_id.rsplit('/', 1)[1]}"


def example(problem: Problem, group: str) -> GenerationExample:
    return GenerationExample(
        id=problem.task_id, group=group, prompt=completion_prompt(problem), target=problem.canonical_solution or "", problem=problem
    )


def load_nl2code_gen(data_dir: Path) -> TaskData:
    data: dict[str, dict[str, list[GenerationExample]]] = {lang: {split: [] for split in SPLITS} for lang in LANGUAGES}
    for lang in LANGUAGES:
        if lang in MBXP_FILES:
            problems = read_problems(data_dir / MBXP_FILES[lang], "mbxp", lang)
            assignment = MBPP_PROBLEMS.assign(problem_group(t) for t in problems)
            for task_id, problem in sorted(problems.items(), key=lambda item: int(item[0].rsplit("/", 1)[1])):
                split = assignment[problem_group(task_id)]
                if split == "test" or problem.canonical_solution:  # training needs the reference solution
                    data[lang][split].append(example(problem, problem_group(task_id)))
        benchmark = "humaneval-x" if lang in HUMANEVAL_X else "multilingual-humaneval"
        problems = read_problems(data_dir / HUMANEVAL_FILES[lang], benchmark, lang)
        assignment = HUMANEVAL_PROBLEMS.assign(humaneval_group(t) for t in problems)
        for task_id, problem in problems.items():
            if assignment[humaneval_group(task_id)] == "test":
                data[lang]["test"].append(example(problem, humaneval_group(task_id)))
    return data


TASKS = (
    Task(
        name="nl2code-mbpp-gen",
        format=GENERATION,
        languages=LANGUAGES,
        source_language="python",
        metric="pass@1",
        description=(
            "NL -> code generation: complete a function from its signature and docstring (description and examples); trained "
            "on MBPP in Python, scored by running each completion against the benchmark's tests in the sandbox: MBXP (MBPP "
            "translated) and HumanEval (HumanEval-X, or multilingual HumanEval) in 13 languages"
        ),
        splits_note=(
            "MBPP's official ids (train 1-10 + 601-974, dev 511-600, test 11-510; train and dev where a language has "
            "solutions) and HumanEval's test problems of the split every HumanEval task shares (test only)"
        ),
        data_files=(*MBXP_FILES.values(), *HUMANEVAL_FILES.values()),
        hf_dataset="mxeval/mbxp, THUDM/humaneval-x, mxeval/multi-humaneval",
        load=load_nl2code_gen,
    ),
)
