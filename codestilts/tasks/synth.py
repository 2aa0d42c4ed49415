"""Built-in tasks on generated programs (:mod:`codestilts.synth`): no data folder needed.

The corpus is :data:`PROGRAMS` programs of seed :data:`SEED`, rendered in Python, JavaScript, Java,
C++, Go and Rust; program ``synth/i`` is one problem in every language, so every task here splits
by program with :data:`SYNTH_PROGRAMS`, the same split in every language and task. Inputs of
retrieval, clone and defect tasks mask the function's name (``func``) as the benchmark tasks do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path

from codestilts.synth.describe import describe
from codestilts.synth.evaluate import outputs
from codestilts.synth.generate import Program, generate
from codestilts.synth.mutate import function_mutants
from codestilts.synth.render import LANGUAGES, RENDERERS
from codestilts.formats import CLASSIFICATION, MULTIPLE_CHOICE, PAIR_CLASSIFICATION, RETRIEVAL, TOKEN_TAGGING, ClassificationExample, Format, MultipleChoiceExample, PairExample
from codestilts.tasks.base import Record, Task, TaskData
from codestilts.tasks.code_pairs import CLONE_LABELS, Solution, Table, clone_pairs, code_text, retrieval_items, split_by_problem
from codestilts.tasks.code_pairs import _hash as stable_hash
from codestilts.tasks.splits import SplitRule
from codestilts.tasks.syntax_roles import TAGS, tagging_examples

SEED = 0
PROGRAMS = 300
SPLIT_RULE = SplitRule("synth", (("train", 0.7), ("dev", 0.1), ("test", 0.2)))
CHOICES = 4
PARAPHRASE_LABELS = ("different", "paraphrase")


@cache
def corpus() -> tuple[Program, ...]:
    return tuple(generate(SEED, PROGRAMS))


class CorpusSplit:
    """:data:`SPLIT_RULE` cut over the whole corpus (its ``universe``): a task that leaves programs
    out (no mutant, a boolean result) keeps every other program in the split it has in every other
    task. The corpus is generated on first use, not at import."""

    def assign(self, groups: Iterable[str]) -> dict[str, str]:
        return _corpus_rule().assign(groups)


@cache
def _corpus_rule() -> SplitRule:
    return replace(SPLIT_RULE, universe=tuple(p.id for p in corpus()))


SYNTH_PROGRAMS = CorpusSplit()
"""One split of the generated programs, shared by every language and every synth task."""


@cache
def table() -> Table:
    """Every program in every language: code, English description, and the mutant as ``buggy``."""
    return {
        lang: {
            p.id: Solution(
                id=f"{lang}/{p.id}",
                group=p.id,
                code=renderer.function(p.function),
                description=describe(p.function),
                entry_point=renderer.name(p.function),
                buggy=renderer.function(p.mutant) if p.mutant is not None else None,
            )
            for p in corpus()
        }
        for lang, renderer in RENDERERS.items()
    }


def load_defect(_: Path) -> TaskData:
    """The description (the spec) and the code: correct (label 0) or a mutant failing a test (1)."""
    per_language: dict[str, list[Record]] = {}
    for lang, problems in table().items():
        per_language[lang] = [
            ClassificationExample(f"{s.id}/{kind}", s.group, f"{s.description}\n{code_text(s, lang, code=code)}", label)
            for s in problems.values()
            if s.buggy is not None
            for kind, code, label in (("correct", s.code, 0), ("buggy", s.buggy, 1))
        ]
    return split_by_problem(per_language, SYNTH_PROGRAMS)


def _distractors(program: Program) -> list:
    """Wrong outputs for the first test's input: the mutants' outputs, then other tests' outputs."""
    args, right = program.tests[0].args, program.tests[0].expected
    found: list = []
    for value in [*(outputs(m, [args])[0] for m in function_mutants(program.function)), *(t.expected for t in program.tests[1:])]:
        if value != right and value not in found:
            found.append(value)
    return found[: CHOICES - 1]


def load_output(_: Path) -> TaskData:
    """Output prediction: the program and a call with its result masked; pick the result of 4."""
    per_language: dict[str, list[Record]] = {lang: [] for lang in LANGUAGES}
    for program in corpus():
        wrong = _distractors(program)
        if len(wrong) < CHOICES - 1:
            continue  # a boolean result has one wrong value only
        label = stable_hash(f"label/{program.id}") % CHOICES  # the same position in every language
        values = [*wrong[:label], program.tests[0].expected, *wrong[label:]]
        for lang, renderer in RENDERERS.items():
            solution = table()[lang][program.id]
            code = code_text(solution, lang)
            question = renderer.question(program.function, program.tests[0].args, name="func")
            choices = tuple(renderer.literal(v, program.function.returns) for v in values)
            per_language[lang].append(MultipleChoiceExample(f"{solution.id}/output", program.id, f"{code}\n{question}", choices, label))
    return split_by_problem(per_language, SYNTH_PROGRAMS)


def load_syntax_roles(_: Path) -> TaskData:
    return split_by_problem(
        {lang: tagging_examples([(s.id, s.group, s.code) for s in problems.values()], lang) for lang, problems in table().items()},
        SYNTH_PROGRAMS,
    )


def load_paraphrase(_: Path) -> TaskData:
    """English only: two wordings of one program's description (paraphrase), or the first wording
    against the second wording of another program of the same split (different), chosen by a stable
    hash, so that the texts of a pair share the templates but not the program."""
    programs = {p.id: p for p in corpus()}
    assignment = SYNTH_PROGRAMS.assign(programs)
    examples: list[Record] = []
    for group, program in programs.items():
        others = sorted(g for g in programs if assignment[g] == assignment[group] and g != group)
        other = others[stable_hash(f"negative/{group}") % len(others)]
        first = describe(program.function, 0)
        examples.append(PairExample(f"{group}/paraphrase", group, first, describe(program.function, 1), 1))
        examples.append(PairExample(f"{group}/other:{other}", group, first, describe(programs[other].function, 1), 0))
    return split_by_problem({"en": examples}, SYNTH_PROGRAMS)


SPLIT_NOTE = f"by program, shared across languages and tasks: 70/10/20 of the {PROGRAMS} generated programs (train/dev/test)"
ORIGIN = f"{PROGRAMS} programs generated by codestilts.synth (seed {SEED}) in {', '.join(LANGUAGES)}"


def synth_task(name: str, fmt: Format, metric: str, description: str, load, *, languages=LANGUAGES, labels=(), note=SPLIT_NOTE) -> Task:
    return Task(
        name=name,
        format=fmt,
        languages=languages,
        source_language=languages[0],
        metric=metric,
        labels=labels,
        description=f"{description}; {ORIGIN}",
        splits_note=note,
        data_files=(),
        load=load,
    )


TASKS = (
    synth_task(
        "synth-retrieval", RETRIEVAL, "acc@1",
        "cross-language retrieval of generated programs, the function name masked; both directions",
        lambda _: retrieval_items(table(), SYNTH_PROGRAMS, with_query=False), note=SPLIT_NOTE + "; the probe ranks within the test programs",
    ),
    synth_task(
        "synth-code-search", RETRIEVAL, "acc@1",
        "NL -> code search: a program's English description retrieves its code (name masked); trainable with in-batch negatives",
        lambda _: retrieval_items(table(), SYNTH_PROGRAMS, with_query=True), note=SPLIT_NOTE + "; ranking within each split",
    ),
    synth_task(
        "synth-clone", PAIR_CLASSIFICATION, "accuracy",
        "clone detection within a language: a program vs a rewrite of it (names renamed, re-indented), or vs a rewrite of its "
        "mutant or of the program with the most similar description; balanced; name masked",
        lambda _: clone_pairs(table(), SYNTH_PROGRAMS), labels=CLONE_LABELS, note=SPLIT_NOTE + "; negatives come from the same split",
    ),
    synth_task(
        "synth-defect", CLASSIFICATION, "accuracy",
        "defect detection against a spec: a program's English description then its code, correct or a single-point mutant "
        "that fails at least one of its tests (decided by running the Python version); balanced; name masked",
        load_defect, labels=("correct", "buggy"),
    ),
    synth_task(
        "synth-output", MULTIPLE_CHOICE, "accuracy",
        "output prediction: a program and a call with the result masked as ????; choose it among 4 (the true one, the outputs "
        "of mutants on that input and of the program on other inputs); programs returning booleans are left out",
        load_output,
    ),
    synth_task(
        "synth-syntax-roles", TOKEN_TAGGING, "accuracy",
        f"syntactic role of every code token of the generated programs, tagged with syntax-roles' tree-sitter mapping: {', '.join(TAGS)}",
        load_syntax_roles, labels=TAGS,
    ),
    synth_task(
        "synth-paraphrase", PAIR_CLASSIFICATION, "accuracy",
        "English only, no code (a templated NL stand-in for MRPC/SNLI when no data folder is set): are two descriptions of programs "
        "the same program in other words (paraphrase), or two programs of the same split (different)? balanced",
        load_paraphrase, languages=("en",), labels=PARAPHRASE_LABELS,
    ),
)
