"""A slice of the validation on real data: canonical solutions pass, HumanEvalPack's buggy ones
fail. The full table (every task) is produced with `codestilts exec-eval --reference ...` and kept
in docs/execution.md."""

from __future__ import annotations

import pytest

from codestilts.execution.benchmarks import build_program, load_problems
from codestilts.execution.languages import get_language
from codestilts.execution.verdict import Verdict

from exec_helpers import needs_bwrap, needs_data, run

pytestmark = [pytest.mark.data, pytest.mark.slow, needs_bwrap]

HX_LANGS = ["python", "cpp", "java", "javascript", "go", "rust"]
TASKS = [0, 13, 162]  # 162 is string_to_md5: OpenSSL in C++, js-md5 in JS, the md5 crate in Rust


def _skip_missing(lang):
    reason = get_language(lang).missing()
    if reason:
        pytest.skip(f"{lang}: {reason}")


@needs_data("humanevalpack")
@pytest.mark.parametrize("lang", HX_LANGS)
def test_humanevalpack_canonical_pass_and_buggy_fail(lang):
    _skip_missing(lang)
    problems = list(load_problems("humanevalpack", lang).values())
    for n in TASKS:
        p = problems[n]
        ok = run(lang, build_program(p, p.canonical_solution), timeout=20)
        assert ok.verdict is Verdict.PASSED, (p.task_id, ok.reason, ok.stderr[-500:], ok.compile_log[-500:])
        bad = run(lang, build_program(p, p.buggy_solution), timeout=20)
        assert bad.verdict is not Verdict.PASSED, p.task_id


@needs_data("humaneval-x")
@pytest.mark.parametrize("lang", HX_LANGS)
def test_humaneval_x_canonical_pass(lang):
    _skip_missing(lang)
    problems = list(load_problems("humaneval-x", lang).values())
    for n in TASKS:
        p = problems[n]
        out = run(lang, build_program(p, p.canonical_solution), timeout=20)
        assert out.verdict is Verdict.PASSED, (p.task_id, out.reason, out.stderr[-500:], out.compile_log[-500:])


MBXP_LANGS = ["python", "java", "javascript", "typescript", "kotlin", "ruby", "php", "cpp", "csharp"]


@needs_data("mbxp")
@pytest.mark.parametrize("lang", MBXP_LANGS)
def test_mbxp_canonical_pass(lang):
    """MBXP's canonical solutions include wrong ones (docs/execution.md lists them): most of a
    handful must pass, and none may hit an infrastructure fault."""
    _skip_missing(lang)
    problems = [p for p in load_problems("mbxp", lang).values() if p.canonical_solution][:4]
    outs = [run(lang, build_program(p, p.canonical_solution), timeout=20) for p in problems]
    verdicts = [o.verdict for o in outs]
    assert verdicts.count(Verdict.PASSED) >= 3, [(p.task_id, o.verdict, o.reason) for p, o in zip(problems, outs)]
    assert Verdict.SANDBOX_ERROR not in verdicts
