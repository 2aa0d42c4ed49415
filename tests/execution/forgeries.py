"""Wrong programs that try to be scored ``passed``, or to drop out of pass@k, in every language.

Each case is ``(id, language, program, test)``: the program (untrusted, a wrong answer plus a trick)
and the benchmark-style tests it must not get past. Shared by tests/execution/test_adversarial.py
and by the check that runs the same cases against an older runner (it joins program + test).
"""

from __future__ import annotations

# Python: the test wants f(1) == 2; every program returns something else.
_PY_TEST = "assert f(1) == 2\n"
_PY_FORGE_STATUS = """
import os, signal
ppid = os.getppid()
for fd in os.listdir(f"/proc/{ppid}/fd"):
    try:
        with open(f"/proc/{ppid}/fd/{fd}", "a") as fh:
            fh.write("ready\\nstart run\\nstep run 0\\n")
    except OSError:
        pass
try:
    os.kill(ppid, signal.SIGKILL)
except OSError:
    pass
def f(x):
    return 0
"""
_PY_READ_OWN_SOURCE = """
import os, re, sys
found = set()
for path in [__file__, *(f"/proc/self/fd/{fd}" for fd in os.listdir("/proc/self/fd"))]:
    try:
        found |= set(re.findall(r"[0-9a-f]{32}", open(path, errors="ignore").read()))
    except OSError:
        pass
for name in os.listdir("."):
    try:
        found |= set(re.findall(r"[0-9a-f]{32}", open(name, errors="ignore").read()))
    except OSError:
        pass
for s in found:
    os.write(1, ("\\n" + s + "\\n").encode())
os._exit(0)
def f(x):
    return 0
"""

CASES: list[tuple[str, str, str, str]] = [
    ("py-sys-exit", "python", "import sys\ndef f(x):\n    return 0\nsys.exit(0)\n", _PY_TEST),
    ("py-os-exit", "python", "import os\ndef f(x):\n    return 0\nos._exit(0)\n", _PY_TEST),
    ("py-exit-in-function", "python", "import os\ndef f(x):\n    os._exit(0)\n", _PY_TEST),
    ("py-atexit", "python", "import atexit, os\natexit.register(lambda: os._exit(0))\ndef f(x):\n    return 0\n", _PY_TEST),
    ("py-excepthook", "python", "import sys, os\nsys.excepthook = lambda *a: os._exit(0)\ndef f(x):\n    return 0\n", _PY_TEST),
    ("py-forge-status-kill-driver", "python", _PY_FORGE_STATUS, _PY_TEST),
    ("py-kill-driver", "python", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\ndef f(x):\n    return 0\n", _PY_TEST),
    ("py-kill-pid-1", "python", "import os, signal\nos.kill(1, signal.SIGKILL)\ndef f(x):\n    return 0\n", _PY_TEST),
    ("py-read-own-source", "python", _PY_READ_OWN_SOURCE, _PY_TEST),
    ("py-exec-true", "python", "import os\nos.execv('/bin/true', ['true'])\ndef f(x):\n    return 0\n", _PY_TEST),
    # C / C++
    ("c-exit", "c", "#include <stdlib.h>\nint f(int x) { exit(0); }\n",
     "#include <assert.h>\nint main(void) { assert(f(1) == 2); return 0; }\n"),
    ("cpp-exit", "cpp", "#include <cstdlib>\nint f(int x) { std::exit(0); }\n",
     "#undef NDEBUG\n#include <assert.h>\nint main() { assert(f(1) == 2); }\n"),
    ("cpp-define-main", "cpp",
     "#include <cstdlib>\nint f(int x) { return 0; }\nint main() { return 0; }\n#define main not_main\n",
     "#undef NDEBUG\n#include <assert.h>\nint main() { assert(f(1) == 2); }\n"),
    ("cpp-define-assert", "cpp", "#include <cassert>\nint f(int x) { return 0; }\n#define assert(x) ((void)0)\n",
     "int main() { assert(f(1) == 2); }\n"),
    ("cpp-ndebug", "cpp", "#define NDEBUG\n#include <cassert>\nint f(int x) { return 0; }\n",
     "#include <assert.h>\nint main() { assert(f(1) == 2); }\n"),
    ("cpp-assert-fail-interposed", "cpp",
     '#include <cassert>\nextern "C" void __assert_fail(const char*, const char*, unsigned int, const char*) noexcept {}\n'
     "int f(int x) { return 0; }\n",
     "#undef NDEBUG\n#include <assert.h>\nint main() { assert(f(1) == 2); }\n"),
    ("cpp-define-if", "cpp", "#include <stdexcept>\nint f(int x) { return 0; }\n#define if(x) if (false)\n",
     "int main() { if (f(1) != 2) { throw std::runtime_error(\"test case 0 did not pass\"); } return 0; }\n"),
    ("cpp-exit-before-main", "cpp", "#include <unistd.h>\nstatic int early = (_exit(0), 0);\nint f(int x) { return 0; }\n",
     "#undef NDEBUG\n#include <assert.h>\nint main() { assert(f(1) == 2); }\n"),
    ("c-abort-message", "c", "#include <stdio.h>\n#include <stdlib.h>\nint f(int x) { fprintf(stderr, \"f gave up\\n\"); abort(); }\n",
     "#include <assert.h>\nint main(void) { assert(f(1) == 2); return 0; }\n"),
    # Java, Kotlin, Scala, C#
    ("java-system-exit", "java",
     "import java.util.*;\nclass Solution { int f(int x) { System.exit(0); return 0; } }\n",
     "public class Main { public static void main(String[] a) { if (new Solution().f(1) != 2) throw new AssertionError(); } }\n"),
    ("java-shutdown-hook-halt", "java",
     "import java.util.*;\nclass Solution { static { Runtime.getRuntime().addShutdownHook(new Thread(() -> Runtime.getRuntime().halt(0))); }\n"
     "  int f(int x) { return 0; } }\n",
     "public class Main { public static void main(String[] a) { if (new Solution().f(1) != 2) throw new AssertionError(); } }\n"),
    ("kotlin-exit", "kotlin", "fun f(x: Int): Int { System.exit(0); return 0 }\n",
     'fun main() {\n    if (f(1) != 2) { throw Exception("Exception -- test case 0 did not pass.") }\n}\n'),
    ("scala-exit", "scala", "object Main extends App {\n  def f(x: Int): Int = { System.exit(0); 0 }\n",
     '  assert(f(1) == 2, "Exception -- test case 0 did not pass.")\n}\n'),
    ("scala-shadow-assert", "scala",
     "object Main extends App {\n  def assert(b: Boolean, m: => Any): Unit = ()\n  def f(x: Int): Int = 0\n",
     '  assert(f(1) == 2, "Exception -- test case 0 did not pass.")\n}\n'),
    ("csharp-environment-exit", "csharp",
     "using System;\nnamespace Solution {\n  public class Program {\n    public static int F(int x) { Environment.Exit(0); return 0; }\n",
     '    public static void Main(string[] args) {\n      if (F(1) != 2) { throw new Exception("Exception --- test case 0 failed to pass"); }\n    }\n  }\n}\n'),
    # JavaScript, TypeScript
    ("js-process-exit", "javascript", "const f = (x) => { process.exit(0); };\n", "console.assert(f(1) === 2);\n"),
    ("js-reassign-console-assert", "javascript", "console.assert = () => {};\nconst f = (x) => 0;\n",
     "console.assert(f(1) === 2);\n"),
    ("js-shadow-console", "javascript", "var console = { assert() {} };\nconst f = (x) => 0;\n",
     "console.assert(f(1) === 2);\n"),
    ("js-exit-code-hook", "javascript", "process.on('exit', () => { process.exitCode = 0; });\nconst f = (x) => 0;\n",
     "console.assert(f(1) === 2);\n"),
    ("js-patch-assert-module", "javascript", "require('assert').deepEqual = () => {};\nconst f = (x) => 0;\n",
     "const assert = require('assert');\nassert.deepEqual(f(1), 2, 'Exception --- test case 0 failed to pass');\n"),
    ("js-patch-lodash", "javascript", "require('lodash').isEqual = () => true;\nconst f = (x) => 0;\n",
     "const _ = require('lodash');\nif (!_.isEqual(f(1), 2)) { throw 'Error at 1th assert statement.'; }\n"),
    ("ts-process-exit", "typescript", "const f = function (x: number): number { process.exit(0); return 0; };\n",
     "import * as assert from 'assert'\nassert.deepEqual(f(1), 2, 'Exception --- test case 0 failed to pass');\n"),
    # Go
    ("go-testmain", "go",
     'package main\n\nimport (\n\t"testing"\n\t"github.com/stretchr/testify/assert"\n)\n\nfunc F(x int) int { return 0 }\n\n'
     "func TestMain(m *testing.M) {}\n",
     "func TestF(t *testing.T) {\n\tassert := assert.New(t)\n\tassert.Equal(2, F(1))\n}\n"),
    ("go-skip-tests", "go",
     'package main\n\nimport (\n\t"flag"\n\t"testing"\n\t"github.com/stretchr/testify/assert"\n)\n\n'
     'func init() { flag.Set("test.run", "^$") }\n\nfunc F(x int) int { return 0 }\n',
     "func TestF(t *testing.T) {\n\tassert := assert.New(t)\n\tassert.Equal(2, F(1))\n}\n"),
    ("go-os-exit", "go",
     'package main\n\nimport (\n\t"os"\n\t"testing"\n\t"github.com/stretchr/testify/assert"\n)\n\n'
     "func F(x int) int { os.Exit(0); return 0 }\n",
     "func TestF(t *testing.T) {\n\tassert := assert.New(t)\n\tassert.Equal(2, F(1))\n}\n"),
    ("go-main-os-exit", "go", 'package main\n\nimport "os"\n\nfunc F(x int) int { os.Exit(0); return 0 }\n',
     'func main() {\n\tif F(1) != 2 { panic("Exception --- test case 0 failed to pass") }\n}\n'),
    # Rust
    ("rust-process-exit", "rust", "fn f(x: i32) -> i32 { std::process::exit(0) }\n",
     "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn test_f() { assert_eq!(f(1), 2); }\n}\n"),
    # PHP, Ruby, Perl
    ("php-exit", "php", "<?php\nfunction f($x) { exit(0); }\n",
     'if (f(1) != 2) { throw new Exception("Error at 1th assert statement."); }\n'),
    ("php-shutdown-exit", "php", "<?php\nregister_shutdown_function(function () { exit(0); });\nfunction f($x) { return 0; }\n",
     'if (f(1) != 2) { throw new Exception("Error at 1th assert statement."); }\n'),
    ("php-assertions-off", "php", "<?php\nini_set('zend.assertions', '0');\nfunction f($x) { return 0; }\n",
     "assert(f(1) == 2);\n"),
    ("ruby-exit", "ruby", "def f(x)\n  exit(0)\nend\n", 'raise StandardError, "Error at test case 1" if f(1) != 2\n'),
    ("ruby-at-exit", "ruby", "at_exit { exit!(0) }\ndef f(x)\n  0\nend\n", 'raise StandardError, "Error at test case 1" if f(1) != 2\n'),
    ("perl-exit", "perl", "sub f { exit 0; }\n", 'die "Exception -- test case 0 did not pass." unless f(1) == 2;\n'),
    ("perl-end-block", "perl", "END { $? = 0; }\nsub f { return 0; }\n",
     'die "Exception -- test case 0 did not pass." unless f(1) == 2;\n'),
]

# The same tests with a right answer and no trick: each passes (the harness does not get in the way).
CORRECT: dict[str, tuple[str, str]] = {
    "python": ("def f(x):\n    return x + 1\n", _PY_TEST),
    "c": ("int f(int x) { return x + 1; }\n", "#include <assert.h>\nint main(void) { assert(f(1) == 2); return 0; }\n"),
    "cpp": ("#include <stdexcept>\nint f(int x) { return x + 1; }\n",
            "int main() { if (f(1) != 2) { throw std::runtime_error(\"test case 0 did not pass\"); } return 0; }\n"),
    "java": ("import java.util.*;\nclass Solution { int f(int x) { return x + 1; } }\n",
             "public class Main { public static void main(String[] a) { if (new Solution().f(1) != 2) throw new AssertionError(); } }\n"),
    "kotlin": ("fun f(x: Int): Int = x + 1\n",
               'fun main() {\n    if (f(1) != 2) { throw Exception("Exception -- test case 0 did not pass.") }\n}\n'),
    "scala": ("object Main extends App {\n  def f(x: Int): Int = x + 1\n",
              '  assert(f(1) == 2, "Exception -- test case 0 did not pass.")\n}\n'),
    "csharp": ("using System;\nnamespace Solution {\n  public class Program {\n    public static int F(int x) { return x + 1; }\n",
               '    public static void Main(string[] args) {\n      if (F(1) != 2) { throw new Exception("Exception --- test case 0 failed to pass"); }\n    }\n  }\n}\n'),
    "javascript": ("const f = (x) => x + 1;\n", "console.assert(f(1) === 2);\n"),
    "typescript": ("const f = function (x: number): number { return x + 1; };\n",
                   "import * as assert from 'assert'\nassert.deepEqual(f(1), 2, 'Exception --- test case 0 failed to pass');\n"),
    "go": ('package main\n\nimport (\n\t"testing"\n\t"github.com/stretchr/testify/assert"\n)\n\nfunc F(x int) int { return x + 1 }\n',
           "func TestF(t *testing.T) {\n\tassert := assert.New(t)\n\tassert.Equal(2, F(1))\n}\n"),
    "rust": ("fn f(x: i32) -> i32 { x + 1 }\n",
             "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn test_f() { assert_eq!(f(1), 2); }\n}\n"),
    "php": ("<?php\nfunction f($x) { return $x + 1; }\n", "assert(f(1) == 2);\n"),
    "ruby": ("def f(x)\n  x + 1\nend\n", 'raise StandardError, "Error at test case 1" if f(1) != 2\n'),
    "perl": ("sub f { return $_[0] + 1; }\n", 'die "Exception -- test case 0 did not pass." unless f(1) == 2;\n'),
}

# A compiled program searching its own executable for the harness's secret.
CASES.append(("cpp-read-own-binary", "cpp",
              "#include <cstdio>\n#include <cctype>\n#include <unistd.h>\n#include <string>\n"
              "static int scan() {\n"
              "  const char *paths[] = {\"/proc/self/exe\", \"./prog\"};\n"
              "  for (const char *p : paths) { FILE *f = fopen(p, \"rb\"); if (!f) continue;\n"
              "    std::string run; int c;\n"
              "    while ((c = fgetc(f)) != EOF) { if (isxdigit(c) && !isupper(c)) { run += (char)c; if (run.size() == 32) { std::string m = \"\\n\" + run + \"\\n\"; write(1, m.data(), m.size()); } } else run.clear(); }\n"
              "    fclose(f); }\n  _exit(0);\n}\nstatic int early = scan();\nint f(int x) { return 0; }\n",
              "#undef NDEBUG\n#include <assert.h>\nint main() { assert(f(1) == 2); }\n"))

# A JavaScript function declaration is hoisted above every statement of its file: one named like
# something the harness calls would run before the harness could remove the source.
CASES.append(("js-hoisted-require-reads-source", "javascript",
              "function require(id) {\n  const fs = module.constructor._load('fs');\n"
              "  const src = fs.readFileSync(__filename, 'utf8');\n"
              "  for (const m of src.match(/[0-9a-f]{32}/g) || []) fs.writeSync(1, '\\n' + m + '\\n');\n"
              "  process.exit(0);\n}\nconst f = (x) => 0;\n",
              "console.assert(f(1) === 2);\n"))

# Ending the script early so that the rest of the file (the tests and the harness) becomes data
# the program can read, or output it can filter.
CASES += [
    ("ruby-end-data", "ruby",
     "def f(x)\n  0\nend\nDATA.read.scan(/\\h{32}/).each { |s| $stdout.syswrite(\"\\n#{s}\\n\") }\nexit!(0)\n__END__\n",
     'raise StandardError, "Error at test case 1" if f(1) != 2\n'),
    ("perl-end-data", "perl",
     "sub f { return 0; }\nmy $rest = do { local $/; <DATA> };\n"
     "while ($rest =~ /([0-9a-f]{32})/g) { syswrite(STDOUT, \"\\n$1\\n\"); }\nexit 0;\n__END__\n",
     'die "Exception -- test case 0 did not pass." unless f(1) == 2;\n'),
    ("perl-begin-reads-open-script", "perl",
     "use POSIX ();\nBEGIN {\n  for my $fd (glob '/proc/self/fd/*') {\n    open(my $fh, '<', $fd) or next; local $/; my $text = <$fh>;\n"
     "    while (defined $text && $text =~ /([0-9a-f]{32})/g) { syswrite(STDOUT, \"\\n$1\\n\"); }\n  }\n  POSIX::_exit(0);\n}\n"
     "sub f { return 0; }\n",
     'die "Exception -- test case 0 did not pass." unless f(1) == 2;\n'),
    ("php-closing-tag-output-filter", "php",
     "<?php\nfunction f($x) { return 0; }\n"
     "ob_start(function ($out) { preg_match_all('/[0-9a-f]{32}/', $out, $m); return implode('', array_map(fn($s) => \"\\n$s\\n\", $m[0])); });\n?>\n",
     'if (f(1) != 2) { throw new Exception("Error at 1th assert statement."); }\n'),
]

# Making the compiler read the tests' file into the program: what it finds is a placeholder (the
# driver puts the secret in the compiled files once the compiler is done).
_RUST_TEST = "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn test_f() { assert_eq!(f(1), 2); }\n}\n"
CASES += [
    ("rust-include-str", "rust",
     "extern \"C\" {\n    fn write(fd: i32, buf: *const u8, n: usize) -> isize;\n}\n"
     "fn f(x: i32) -> i32 {\n    let src = include_str!(\"main.rs\");\n    let b = src.as_bytes();\n"
     "    let mut i = 0;\n    while i + 32 <= b.len() {\n"
     "        if b[i..i + 32].iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c)) {\n"
     "            let m = format!(\"\\n{}\\n\", &src[i..i + 32]);\n"
     "            unsafe { write(1, m.as_ptr(), m.len()); }\n            i += 32;\n        } else { i += 1; }\n    }\n"
     "    std::process::exit(0)\n}\n", _RUST_TEST),
    ("go-embed", "go",
     'package main\n\nimport (\n\t_ "embed"\n\t"fmt"\n\t"os"\n\t"regexp"\n\t"testing"\n\t"github.com/stretchr/testify/assert"\n)\n\n'
     "//go:embed zz_codestilts_test.go\nvar harness string\n\n"
     'func F(x int) int {\n\tfor _, s := range regexp.MustCompile("[0-9a-f]{32}").FindAllString(harness, -1) {\n'
     '\t\tfmt.Printf("\\n%s\\n", s)\n\t}\n\tos.Exit(0)\n\treturn 0\n}\n',
     "func TestF(t *testing.T) {\n\tassert := assert.New(t)\n\tassert.Equal(2, F(1))\n}\n"),
    ("cpp-incbin", "cpp",
     '#include <cstdio>\n#include <cctype>\n#include <unistd.h>\n#include <string>\n'
     'asm(".section .rodata\\n.global src_start\\nsrc_start:\\n.incbin \\"main.cpp\\"\\n.byte 0\\n.text\\n");\n'
     'extern "C" const char src_start[];\n'
     "static int scan() {\n  std::string run;\n  for (const char *p = src_start; *p; ++p) {\n"
     "    if (isxdigit(*p) && !isupper(*p)) { run += *p; if (run.size() == 32) { std::string m = \"\\n\" + run + \"\\n\"; write(1, m.data(), m.size()); } }\n"
     "    else run.clear();\n  }\n  _exit(0);\n}\nstatic int early = scan();\nint f(int x) { return 0; }\n",
     "#undef NDEBUG\n#include <assert.h>\nint main() { assert(f(1) == 2); }\n"),
]

# Stopped only by the root driver (a binary it owns, execute-only for the program): as a normal
# user the program and the driver share one uid (docs/execution.md).
ROOT_ONLY = {"cpp-read-own-binary"}
