"""A slice of the validation on real data: canonical solutions pass, HumanEvalPack's buggy ones
fail. The full table (every task) is produced with `codestilts exec-eval --reference ...` and kept
in docs/execution.md."""

from __future__ import annotations

import pytest

from codestilts.execution.benchmarks import build_source, load_problems
from codestilts.execution.runner import runner_for
from codestilts.execution.verdict import Verdict

from exec_helpers import DATA, needs_bwrap, needs_data, run

pytestmark = [pytest.mark.data, pytest.mark.slow, needs_bwrap]

HX_LANGS = ["python", "cpp", "java", "javascript", "go", "rust"]
TASKS = [0, 162]  # 162 is string_to_md5: OpenSSL in C++, js-md5 in JS, crypto/md5 in Go, the md5 crate in Rust


def needs_data_path(benchmark):
    return DATA / "code" / benchmark


def _skip_missing(lang):
    reason = runner_for(lang).missing()
    if reason:
        pytest.skip(f"{lang}: {reason}")


@pytest.mark.parametrize("benchmark", ["humaneval-x", "humanevalpack"])
@pytest.mark.parametrize("lang", HX_LANGS)
def test_canonical_pass_and_buggy_fail(benchmark, lang):
    if not needs_data_path(benchmark).exists():
        pytest.skip(f"data folder absent: {needs_data_path(benchmark)}")
    _skip_missing(lang)
    problems = list(load_problems(benchmark, lang).values())
    for n in TASKS:
        p = problems[n]
        out = run(lang, build_source(p, p.canonical_solution), timeout=20)
        assert out.verdict is Verdict.PASSED, (p.task_id, out.reason, out.stderr[-500:], out.compile_log[-500:])
        if p.buggy_solution:  # HumanEvalPack
            bad = run(lang, build_source(p, p.buggy_solution), timeout=20)
            assert bad.verdict is not Verdict.PASSED, p.task_id


MBXP_LANGS = ["python", "java", "javascript", "typescript", "kotlin", "ruby", "php", "cpp", "csharp"]


@needs_data("mbxp")
@pytest.mark.parametrize("lang", MBXP_LANGS)
def test_mbxp_canonical_pass(lang):
    """MBXP's canonical solutions include wrong ones (docs/execution.md lists them): most of a
    handful must pass, and none may hit an infrastructure fault."""
    _skip_missing(lang)
    problems = [p for p in load_problems("mbxp", lang).values() if p.canonical_solution][:4]
    outs = [run(lang, build_source(p, p.canonical_solution), timeout=20) for p in problems]
    verdicts = [o.verdict for o in outs]
    assert verdicts.count(Verdict.PASSED) >= 3, [(p.task_id, o.verdict, o.reason) for p, o in zip(problems, outs)]
    assert Verdict.SANDBOX_ERROR not in verdicts
