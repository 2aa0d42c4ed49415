"""The generated programs, rendered in six languages, pass their own tests when executed in the
sandbox (where the language's toolchain exists), and their mutants fail."""

from __future__ import annotations

import pytest

from codestilts.execution.verdict import Verdict
from codestilts.synth.generate import generate
from codestilts.synth.render import LANGUAGES
from codestilts.synth.verify import run_tests, unavailable

PROGRAMS = generate(0, 80)
SLOT = 11  # apart from the slots the execution tests use


@pytest.mark.parametrize("language", LANGUAGES)
def test_programs_pass_their_tests_and_mutants_fail(language: str) -> None:
    reason = unavailable(language)
    if reason:
        pytest.skip(f"{language}: {reason}")
    outcome = run_tests(language, PROGRAMS, slot=SLOT)
    assert outcome.verdict is Verdict.PASSED, (outcome.reason, outcome.compile_log[-2000:])
    for program in [p for p in PROGRAMS if p.mutant is not None][:3]:
        assert run_tests(language, [program], mutants=True, slot=SLOT).verdict is Verdict.FAILED


def test_at_least_six_languages_are_rendered() -> None:
    assert {"python", "js", "java", "cpp", "go", "rust"} <= set(LANGUAGES)
