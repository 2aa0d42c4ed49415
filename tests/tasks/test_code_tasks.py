"""Built-in code tasks: splits by problem (train and test problems disjoint in every language),
no answer leaks, balanced clone pairs, bug spans, multiple-choice distractors."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from codestilts.formats import MULTIPLE_CHOICE
from codestilts.tasks import TASKS, codexglue, humaneval, humaneval_package, load, mbxp
from codestilts.tasks.code_pairs import Solution, rewrite
from codestilts.tasks.code_text import defined_functions, name_key
from codestilts.data import open_text
from codestilts.tasks.humaneval import bug_span

PARALLEL = [t.name for t in TASKS.all() if len(t.languages) > 1 and t.name not in ("xret-codexglue", "code-mlm")]
FIXTURE_TASKS = ["defect-humanevalpack", "bugloc-humanevalpack", "xret-humaneval-x", "code-search-humaneval-x", "clone-humaneval-x"]


def _groups(data, split: str) -> set[str]:
    return {r.group for per in data.values() for r in per[split]}


def _check_disjoint(data) -> None:
    seen = _groups(data, "train") | _groups(data, "dev")
    test = _groups(data, "test")
    assert seen and test and not seen & test
    for language, splits in data.items():
        assert not {r.group for r in splits["train"]} & {r.group for r in splits["test"]}, language


@pytest.mark.parametrize("name", FIXTURE_TASKS)
def test_fixture_tasks_split_by_problem(fixture_data: Path, name: str) -> None:
    _check_disjoint(load(TASKS.get(name), fixture_data))


@pytest.mark.data
@pytest.mark.parametrize("name", PARALLEL)
def test_real_parallel_tasks_split_by_problem(real_data: Path, name: str) -> None:
    _check_disjoint(load(TASKS.get(name), real_data))


@pytest.mark.data
def test_unlabelled_code_never_holds_a_test_problem(real_data: Path) -> None:
    test_problems = _groups(load(TASKS.get("xret-humaneval-x"), real_data), "test")
    mlm = load(TASKS.get("code-mlm"), real_data)
    assert _groups(mlm, "train") and not (_groups(mlm, "train") | _groups(mlm, "dev")) & test_problems
    assert _groups(mlm, "test") == set()


@pytest.mark.data
def test_one_problem_split_across_tasks_of_a_benchmark(real_data: Path) -> None:
    for family in (["xret-mbxp", "code-search-mbxp", "clone-mbxp", "nl2code-mbpp", "syntax-roles"], ["xret-humaneval-x", "clone-humaneval-x", "bugloc-humanevalpack", "syntax-roles"]):
        where: dict[str, str] = {}
        for name in family:
            for splits in load(TASKS.get(name), real_data).values():
                for split, records in splits.items():
                    for r in records:
                        assert where.setdefault(r.group, split) == split, (name, r.group)


@pytest.mark.data
def test_mbxp_uses_official_mbpp_ids(real_data: Path) -> None:
    data = load(TASKS.get("xret-mbxp"), real_data)
    ids = {split: {int(r.group.split("/")[1]) for r in data["python"][split]} for split in ("train", "dev", "test")}
    assert ids["test"] == set(range(11, 511)) and ids["dev"] == set(range(511, 601))
    assert ids["train"] == set(range(1, 11)) | set(range(601, 975))
    assert len(data) == 9


IMPORTS = {
    "python": r"^\s*(import|from)\s+[\w.]+",
    "js": r"^\s*import\b|\brequire\s*\(",
    "ts": r"^\s*import\b|\brequire\s*\(",
    "java": r"^\s*(import|package)\s",
    "kotlin": r"^\s*(import|package)\s",
    "scala": r"^\s*(import|package)\s",
    "go": r"^\s*(import|package)\b",
    "swift": r"^\s*import\s",
    "cpp": r"#\s*include|^\s*using\s+namespace\b",
    "rust": r"^\s*(pub\s+)?use\s|\bextern\s+crate\b",
    "csharp": r"^\s*using\s+(static\s+)?[\w.]+\s*(=\s*[\w.]+\s*)?;",
    "php": r"^\s*use\s|\b(require|include)(_once)?\b",
    "ruby": r"^\s*require(_relative)?\b",
    "perl": r"^\s*(use|require)\s",
}
"""An import, as a line of each language starts it (a regular expression, not the tree-sitter
grammars that clean the code, so that a statement the grammar misreads is still caught)."""
COMMENTS = r'^\s*[rRuU]?("""|\'\'\')|/\*\*|^\s*//|^\s*#\s'
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _imports(text: str, language: str) -> list[str]:
    return [m.group() for m in re.finditer(IMPORTS[language], text, re.M)]


def _named(text: str, names: set[str]) -> set[str]:
    """The identifiers of ``text`` that are one of ``names`` in any case style."""
    keys = {name_key(n) for n in names}
    return {w for w in IDENTIFIER.findall(text) if name_key(w) in keys}


def _raw_solutions(name: str, root: Path) -> dict[str, dict[str, Solution]]:
    """language -> record id -> the solution before cleaning, for the task called ``name``."""
    if name == "code-search-humaneval":
        table = humaneval_package.read_problems()
    elif name.endswith("mbxp") or name == "nl2code-mbpp":
        table = mbxp.read_mbxp(root, TASKS.get(name).languages)
    else:
        table = humaneval.read_humaneval(root, humaneval.HUMANEVAL_X_FILES if name == "xret-humaneval-x" else humaneval.HUMANEVALPACK_FILES)
        pack = humaneval.read_humaneval(root, humaneval.HUMANEVALPACK_FILES)  # HumanEval-X's rows name no entry point
        table = {lang: {g: replace(s, entry_point=pack[lang][g].entry_point) for g, s in problems.items()} for lang, problems in table.items()}
    return {lang: {s.id: s for s in problems.values()} for lang, problems in table.items()}


def _real_names(record, field: str, language: str, solutions: dict[str, dict[str, Solution]]) -> set[str]:
    """The names ``field`` of ``record`` must not show: the entry point of the problem whose code
    it holds (a clone negative's ``text_b`` holds the other problem's), and in code the functions
    that solution defines. ``func`` is no leak (the mask itself, and MBPP/31's real name), nor
    ``main`` (kept, see docs/tasks.md), nor Java's ``Solution``, the class that wraps every
    HumanEval-X Java problem."""
    other = record.id.split("other:")[1:]
    solution = solutions[language][other[0] if field == "text_b" and other else "/".join(record.id.split("/")[:2])]
    found = {solution.entry_point} | (set() if field == "query" else set(defined_functions(solution.code, language)))
    return {n for n in found if name_key(n) not in ("func", "solution", "main")}


CODE_FIELDS = ("text", "text_b", "context", "query")
"""The fields of a cleaned task's records that hold code or a masked query (nl2code's ``text_a``
is its unmasked description, by design)."""
MASKED = ["xret-humaneval-x", "code-search-humaneval-x", "clone-humaneval-x", "xret-mbxp", "code-search-mbxp", "clone-mbxp", "nl2code-mbpp", "code-search-humaneval"]
COMMENTS_ONLY = ["defect-humanevalpack", "bugloc-humanevalpack"]
"""Tasks that drop comments and imports but keep names (a bug needs the real names to be seen)."""


@pytest.mark.data
@pytest.mark.parametrize("name", MASKED + COMMENTS_ONLY)
def test_no_function_names_imports_or_comments_leak(real_data: Path, name: str) -> None:
    """Every test item of every cleaned task: no import, no comment, and (where names are masked)
    not the problem's real function name in any case style."""
    solutions = _raw_solutions(name, real_data)
    checked = 0
    for language, splits in load(TASKS.get(name), real_data).items():
        for record in splits["test"]:
            for field in CODE_FIELDS:
                text = getattr(record, field, None)
                if text is None:
                    continue
                names = _real_names(record, field, language, solutions) if name in MASKED else set()
                where = (language, record.id, field, text)
                assert not _imports(text, language) if field != "query" else True, where
                assert not re.search(COMMENTS, text, re.M) if field != "query" else True, where
                assert not _named(text, names), (_named(text, names), *where)
                checked += 1
    assert checked >= sum(len(s["test"]) for s in load(TASKS.get(name), real_data).values())


@pytest.mark.data
def test_codexglue_methods_and_constructors_lose_their_names(real_data: Path) -> None:
    """Every CodeXGLUE test item, Java and C#: no import, no comment, and not the name of the method
    or constructor (the class's name) it defines, outside string literals. Bare constructors are
    the case to watch: outside a class tree-sitter does not read them as constructors."""
    data = load(TASKS.get("xret-codexglue"), real_data)
    for language, splits in data.items():
        with open_text(real_data / codexglue.FILES[("test", language)]) as handle:
            raw = {f"test/{i}": line.strip() for i, line in enumerate(handle)}
        for record in splits["test"]:
            names = set(re.findall(r"\b(\w+)\s*\([^()]*\)\s*(?::\s*(?:this|base)\b|throws\b|\{)", raw[record.id])[:1]) - {"main"}
            code = re.sub(r'"(\\.|[^"\\])*"', '""', record.text)
            where = (language, record.id, record.text)
            assert not _imports(record.text, language) and not re.search(COMMENTS, record.text, re.M), where
            assert not names & set(IDENTIFIER.findall(code)), (names, *where)


@pytest.mark.data
def test_clone_pairs_balanced_and_distinct(real_data: Path) -> None:
    for name in ("clone-mbxp", "clone-humaneval-x"):
        for language, splits in load(TASKS.get(name), real_data).items():
            labels = [r.label for r in splits["train"]]
            assert labels.count(0) == labels.count(1) > 0, (name, language)
            assert all(r.text_a != r.text_b for r in splits["train"])


def test_rewrite_renames_bound_names_only() -> None:
    code = "def func(nums):\n    total = 0\n    for n in nums:\n        total += n.real\n    return len(nums) + total\n"
    out = rewrite(code, "python")
    assert "nums" not in out and "total" not in out and ".real" in out and "len(" in out
    compile(out, "<rewrite>", "exec")


def test_bug_span_marks_the_change() -> None:
    correct, buggy = "return a + b\n", "return a - b\n"
    start, end = bug_span(correct, buggy)
    assert buggy[start:end] == "-"
    start, end = bug_span("x = abs(d)\nreturn x\n", "x = d\nreturn x\n")
    assert "d" in "x = d\nreturn x\n"[start:end]


@pytest.mark.data
def test_crux_mc_choices(real_data: Path) -> None:
    task = TASKS.get("crux-mc")
    assert task.format is MULTIPLE_CHOICE and len(task.languages) == 19
    data = load(task, real_data)
    for language in ("python", "java", "bash"):
        for example in data[language]["test"][:50]:
            assert len(set(example.choices)) == 4 and "????" in example.context
    assert len({e.label for e in data["python"]["train"]}) == 4
