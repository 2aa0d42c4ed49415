"""Every runner: a correct program passes, a wrong answer fails, a compile error is one."""

from __future__ import annotations

import pytest

from codestilts.errors import UserError
from codestilts.execution.runner import runner_for
from codestilts.execution.runners import RUNNERS
from codestilts.execution.verdict import Verdict

from exec_helpers import needs_bwrap, needs_language, run

pytestmark = needs_bwrap

# language -> (program template with {bug}, a program that does not compile)
PROGRAMS = {
    "python": ("def add(a, b):\n    return a + b{bug}\nassert add(1, 1) == 2\n", "def f(:\n"),
    "c": ("#include <assert.h>\nint add(int a, int b) {{ return a + b{bug}; }}\n"
          "int main(void) {{ assert(add(1, 1) == 2); return 0; }}\n", "int main( {"),
    "cpp": ("#include <cassert>\n#include <vector>\nint add(int a, int b) {{ return a + b{bug}; }}\n"
            "int main() {{ assert(add(1, 1) == 2); }}\n", "int main() { return x; }"),
    "java": ("public class Main {{ static int add(int a, int b) {{ return a + b{bug}; }}\n"
             "  public static void main(String[] args) {{ if (add(1, 1) != 2) throw new AssertionError(); }} }}\n",
             "public class Main { void f( }"),
    "js": ("const add = (a, b) => a + b{bug};\nconsole.assert(add(1, 1) === 2);\n", "const x = ;\n"),
    "ts": ("import * as assert from 'assert'\nconst add = (a: number, b: number): number => a + b{bug};\n"
                   "assert.deepEqual(add(1, 1), 2, 'Exception --- test case 0 failed to pass');\n",
                   "const x: number = ;\n"),
    "go": ("package main\n\nimport (\n\t\"testing\"\n\t\"github.com/stretchr/testify/assert\"\n)\n\n"
           "func Add(a, b int) int {{ return a + b{bug} }}\n\n"
           "func TestAdd(t *testing.T) {{\n\tassert := assert.New(t)\n\tassert.Equal(2, Add(1, 1))\n}}\n",
           "package main\nfunc main() { x := 1 }\n"),
    "rust": ("fn add(a: i32, b: i32) -> i32 {{ a + b{bug} }}\n#[cfg(test)]\nmod tests {{\n  use super::*;\n"
             "  #[test]\n  fn t() {{ assert_eq!(add(1, 1), 2); }}\n}}\n", "fn main() { let x: i32 = \"s\"; }"),
    "php": ("<?php\nfunction add($a, $b) {{ return $a + $b{bug}; }}\nassert(add(1, 1) == 2);\n",
            "<?php\nfunction f( {\n"),
    "ruby": ("def add(a, b)\n  a + b{bug}\nend\nraise StandardError, 'Error at test case 1' if add(1, 1) != 2\n",
             "def f(\n"),
    "perl": ("use Data::Compare;\nsub add {{ my ($a, $b) = @_; return $a + $b{bug}; }}\n"
             "unless (Compare(add(1, 1), 2)) {{ die \"Exception -- test case 0 did not pass.\"; }}\n", "sub f {\n"),
    "kotlin": ("fun add(a: Int, b: Int): Int = a + b{bug}\nfun main() {{\n"
               "  if (add(1, 1) != 2) throw Exception(\"Exception -- test case 0 did not pass.\")\n}}\n",
               "fun main() { val x: Int = \"s\" }"),
    "scala": ("object Main extends App {{\n  def add(a: Int, b: Int): Int = a + b{bug}\n"
              "  assert(add(1, 1) == 2, \"Exception -- test case 0 did not pass.\")\n}}\n",
              "object Main extends App { val x: Int = \"s\" }"),
    "csharp": ("using System;\nusing KellermanSoftware.CompareNetObjects;\nclass P {{\n"
               "  static int Add(int a, int b) {{ return a + b{bug}; }}\n"
               "  static void Main() {{ var r = new CompareLogic().Compare(Add(1, 1), 2);\n"
               "    if (!r.AreEqual) throw new Exception(\"Exception --- test case 0 failed to pass\"); }}\n}}\n",
               "class P { static void Main() { int x = \"s\"; } }"),
}


def test_every_runnable_language_has_a_test_program():
    runnable = {name for name, runner in RUNNERS.items() if runner.unavailable_reason is None}
    assert runnable == set(PROGRAMS)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_runner_verdicts(name):
    reason = runner_for(name).missing()
    if reason:
        pytest.skip(f"{name}: {reason}")
    template, broken = PROGRAMS[name]
    ok = run(name, template.format(bug=""), timeout=20)
    assert ok.verdict is Verdict.PASSED, (ok.reason, ok.stderr[-800:], ok.compile_log[-800:])
    bad = run(name, template.format(bug=" + 1"), timeout=20)
    assert bad.verdict is Verdict.FAILED, (bad.reason, bad.stderr[-800:])
    if broken:
        out = run(name, broken, timeout=20)
        assert out.verdict is Verdict.COMPILE_ERROR, (out.reason, out.stderr[-500:])


@needs_language("rust")
def test_rust_crates_of_humaneval_x_are_available():
    prog = ("use rand::Rng;\nuse regex::Regex;\nuse md5;\n"
            "fn main() { let d = md5::compute(b\"Hello world\");\n"
            "  assert_eq!(format!(\"{:x}\", d), \"3e25960a79dbc69b674cd4ec67a72c62\");\n"
            "  assert!(Regex::new(\"^a+$\").unwrap().is_match(\"aaa\"));\n"
            "  let _x: u8 = rand::thread_rng().gen(); }\n")
    out = run("rust", prog, timeout=20)
    assert out.verdict is Verdict.PASSED, (out.reason, out.compile_log[-800:])


@needs_language("typescript")
def test_typescript_type_errors_do_not_stop_the_run_as_in_mxeval():
    out = run("typescript", "const x: number = 'text' as any as string as any;\nconst y: number = 'oops';\n"
              "console.log('ran', y);\n", timeout=20)
    assert out.verdict is Verdict.PASSED and "ran oops" in out.stdout
    assert "error TS2322" in out.compile_log


def test_swift_is_reported_unavailable():
    assert "Swift" in (runner_for("swift").missing() or "")


def test_aliases_resolve():
    assert runner_for("JS").name == runner_for("javascript").name == "js"
    assert runner_for("c++").name == "cpp"
    with pytest.raises(UserError, match="unknown language 'cobol'"):
        runner_for("cobol")
