"""Wrap a program and its tests so that a run counts as passed only on positive evidence.

A program's verdict is ``passed`` only if the benchmark's test code itself reports that it ran to
its end: after its last assertion, the harness writes a per-run random secret to stdout (file
descriptor 1, below any buffering the program could redirect), and the host looks for it. The
secret is new for every run and appears only in the harness code that follows the tests; the
program is written before the secret exists, so no early exit (``exit(0)``, ``os._exit``,
``System.exit``, ``process.exit``), exit hook (``atexit``, shutdown hooks, ``END`` blocks), skipped
test (Go's ``-test.run``) or forged output can produce it. Nor can the program read it: compiled
languages' sources hold a placeholder, which the sandbox's driver replaces in the compiled files
only (so the compiler, whatever the program makes it read, never sees the secret); interpreted
sources are removed by the harness's first statement before any of the program runs (JavaScript:
by a preloaded module); Perl gets it on a descriptor its first ``BEGIN`` block reads and closes;
the JVM and Mono launchers delete their own class file or assembly once loaded.

Between the program and the tests, the harness re-asserts what the tests rely on and the program
could have replaced: JavaScript's ``console``, ``console.assert``, ``require`` and the ``assert``
module; C/C++ macros the program defined (``main``, ``assert``...), ``NDEBUG``, ``<assert.h>`` and
``__assert_fail``; PHP's assertion settings; Scala's ``assert`` (called fully qualified); Go's
``TestMain`` (the harness defines it, so a program defining one does not compile) and every test
function (each must report that it finished without failing).

``Source.test`` empty means the whole text is trusted test code (``codestilts.synth``'s programs):
then everything is wrapped as the test.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace

LAUNCHER = "CodestiltsLauncher"  # JVM and .NET entry point that runs the tests, then reports


@dataclass(frozen=True)
class Source:
    """A program to judge: ``program`` (prompt + completion: untrusted) then ``test`` (the
    benchmark's tests, run after the program's definitions)."""

    program: str
    test: str = ""

    @property
    def text(self) -> str:
        return self.program + self.test


@dataclass(frozen=True)
class Harnessed:
    """The files to run. ``secret`` is what the tests write once they have all passed.

    ``placeholder``: compiled languages' files hold this instead of the secret, and the sandbox's
    driver puts the secret in the compiled files once the compiler is done (so nothing the program
    makes the compiler read, ``include_str!``, ``//go:embed``, ``.incbin``, can reveal it);
    ``secret_fd``: the run step gets the secret on descriptor 3 (Perl's harness reads and closes it
    before a line of the program is parsed)."""

    files: dict[str, str]
    secret: str
    sources: tuple[str, ...] = field(default=())  # removed by the driver once compiled
    placeholder: str | None = None
    secret_fd: bool = False


def new_secret() -> str:
    return secrets.token_hex(16)


def _marker(secret: str) -> str:
    return "\\n" + secret + "\\n"  # as written inside a string literal of the target language


COMPILED = ("c", "cpp", "go", "rust", "java", "kotlin", "scala", "csharp", "ts")


def wrap(language: str, source: Source, secret: str | None = None) -> Harnessed:
    """The harnessed files for ``source`` in ``language`` (a canonical language name)."""
    secret = secret or new_secret()
    tag = secrets.token_hex(6)  # names of harness functions the program cannot call by name
    program, test = (source.program, source.test) if source.test else ("", source.program)
    if language not in COMPILED:
        return _WRAPPERS[language](program, test, secret, tag)
    placeholder = new_secret()
    harnessed = _WRAPPERS[language](program, test, placeholder, tag)
    return replace(harnessed, secret=secret, placeholder=placeholder)


def _python(program: str, test: str, secret: str, tag: str) -> Harnessed:
    prelude = "import os as _codestilts_os; _codestilts_os.unlink(__file__); del _codestilts_os\n"
    epilogue = f"\nimport os as _codestilts_os\n_codestilts_os.write(1, b\"{_marker(secret)}\")\n"
    return Harnessed({"main.py": prelude + program + test + epilogue}, secret)


# JavaScript's harness runs before main.js as a preloaded module of its own (``node --require``), so
# no declaration of the program (hoisted before any statement of main.js) can take its names. It
# makes console.assert throw (Node's only prints) and unreplaceable on the real console, freezes
# the assert module, and removes main.js once Node has read it, before any of it runs. It keeps the
# real console, require and loader in a frozen global under a name the program cannot know when it
# is written; the code before the tests binds the tests' names to them again (a program that hides
# that global only makes the tests fail).
JS_PRELUDE_FILE = "codestilts_prelude.js"


def _js_prelude(tag: str) -> str:
    return f"""'use strict';
const Module = require('module');
const fs = require('fs');
const path = require('path');
const main = path.resolve('main.js');
const realRequire = Module.prototype.require;
const load = Module._load;
const console = globalThis.console;
const check = (cond, ...msg) => {{
  if (!cond) {{
    const e = new Error('console.assert failed' + (msg.length ? ': ' + msg.join(' ') : ''));
    e.name = 'AssertionError';
    throw e;
  }}
}};
Object.defineProperty(console, 'assert', {{ value: check, writable: false, configurable: false }});
const assert = require('assert');
Object.freeze(assert);
Object.freeze(assert.strict);
const h = {{ console, fs, Module, load, req: realRequire }};
const compileJs = Module._extensions['.js'];
Module._extensions['.js'] = function (module, filename) {{
  if (filename !== main) return compileJs(module, filename);
  Module._extensions['.js'] = compileJs;
  const source = fs.readFileSync(filename, 'utf8');
  fs.unlinkSync(filename);
  const mainRequire = (id) => realRequire.call(module, id);
  mainRequire.cache = Module._cache;
  mainRequire.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  h.require = mainRequire;
  Object.freeze(h);
  return module._compile(source, filename);
}};
Object.defineProperty(globalThis, '__codestilts{tag}', {{ value: h, writable: false, configurable: false, enumerable: false }});
"""


def _javascript(program: str, test: str, secret: str, tag: str, typed: bool = False) -> Harnessed:
    h = f"globalThis.__codestilts{tag}"
    reassert = (f"\n;console = {h}.console; require = {h}.require;\n"
                f"{h}.Module._load = {h}.load; {h}.Module.prototype.require = {h}.req;\n"
                f"for (const k of Object.keys({h}.Module._cache)) {{ delete {h}.Module._cache[k]; }}\n")
    epilogue = f"\n;{h}.fs.writeSync(1, \"{_marker(secret)}\");\n"
    name = "main.ts" if typed else "main.js"
    files = {name: program + reassert + test + epilogue, JS_PRELUDE_FILE: _js_prelude(tag)}
    return Harnessed(files, secret, sources=(name,) if typed else ())


def _typescript(program: str, test: str, secret: str, tag: str) -> Harnessed:
    return _javascript(program, test, secret, tag, typed=True)


_C_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)", re.M)
_C_WORDS = ("main", "assert", "NDEBUG", "int", "char", "void", "const", "unsigned", "static", "return",
            "if", "extern", "sizeof", "write", "dprintf", "__real_main", "__wrap_main", "__assert_fail",
            "noexcept")


def _c_undefs(program: str) -> str:
    names = dict.fromkeys([*_C_DEFINE.findall(program), *_C_WORDS])
    return "".join(f"#undef {n}\n" for n in names)


def _c(program: str, test: str, secret: str, tag: str, cpp: bool = False) -> Harnessed:
    """C and C++: the program's macros are undefined before the tests; ``assert`` comes from a
    fresh ``<assert.h>`` and fails through the harness's ``__assert_fail`` (a program defining its
    own no longer links); the tests' ``main`` keeps its name and its implicit ``return 0``, and the
    linker (``--wrap=main``) routes the entry point through the harness, which reports after it
    returned 0."""
    c_linkage = 'extern "C" ' if cpp else ""
    nothrow = " noexcept" if cpp else ""
    undefs = _c_undefs(program)
    before = (f"\n{undefs}#include <assert.h>\n#include <stdio.h>\n#include <unistd.h>\n"
              f"{c_linkage}void __assert_fail(const char *e, const char *file, unsigned int line, "
              f"const char *fn){nothrow} {{\n"
              "  dprintf(2, \"prog: %s:%u: %s: Assertion `%s' failed.\\n\", file, line, fn, e);\n"
              "  __builtin_trap();\n}\n")
    after = (f"\n{undefs}{c_linkage}int __real_main(int, char **, char **);\n"
             f"{c_linkage}int __wrap_main(int argc, char **argv, char **envp) {{\n"
             "  int rc = __real_main(argc, argv, envp);\n"
             f"  static const char done[] = \"{_marker(secret)}\";\n"
             "  if (rc == 0 && write(1, done, sizeof done - 1) < 0) return 1;\n"
             "  return rc;\n}\n")
    name = "main.cpp" if cpp else "main.c"
    return Harnessed({name: program + before + test + after}, secret, sources=(name,))


def _cpp(program: str, test: str, secret: str, tag: str) -> Harnessed:
    return _c(program, test, secret, tag, cpp=True)


_GO_TEST_FUNC = re.compile(r"^func (Test\w*)\((\w+) \*testing\.T\)\s*\{", re.M)
_GO_MAIN = re.compile(r"^func main\(\)\s*\{", re.M)


def _go(program: str, test: str, secret: str, tag: str) -> Harnessed:
    """Test files (HumanEval-X): each test function records, when it ends without failing, that it
    passed; the harness's ``TestMain`` reports only if every test of the benchmark did (a program
    cannot skip some with ``-test.run``, nor define its own ``TestMain``). Programs with ``main``
    (MBXP style): the tests' ``main`` is renamed and the harness's ``main`` calls it."""
    names = [m.group(1) for m in _GO_TEST_FUNC.finditer(test)]
    if names:
        test = _GO_TEST_FUNC.sub(lambda m: m.group(0) + f" codestiltsTrack{tag}({m.group(2)});", test)
        expected = ", ".join(f'"{n}"' for n in names)
        harness = (
            'package main\n\nimport (\n\t"os"\n\t"sync"\n\t"testing"\n)\n\n'
            f"var codestiltsPassed{tag} sync.Map\n\n"
            f"func codestiltsTrack{tag}(t *testing.T) {{\n"
            f"\tt.Cleanup(func() {{ if !t.Failed() {{ codestiltsPassed{tag}.Store(t.Name(), true) }} }})\n}}\n\n"
            "func TestMain(m *testing.M) {\n\tcode := m.Run()\n"
            f"\tfor _, name := range []string{{{expected}}} {{\n"
            f"\t\tif _, ok := codestiltsPassed{tag}.Load(name); !ok {{ code = 1 }}\n\t}}\n"
            f"\tif code == 0 {{ os.Stdout.WriteString(\"{_marker(secret)}\") }}\n"
            "\tos.Exit(code)\n}\n")
        files = {"main_test.go": program + test, "zz_codestilts_test.go": harness}
    else:
        test = _GO_MAIN.sub(f"func codestiltsMain{tag}() {{", test)
        harness = ('package main\n\nimport "os"\n\n'
                   f"func main() {{\n\tcodestiltsMain{tag}()\n"
                   f"\tos.Stdout.WriteString(\"{_marker(secret)}\")\n}}\n")
        files = {"main.go": program + test, "zz_codestilts.go": harness}
    return Harnessed(files, secret, sources=tuple(files))


_RUST_TEST_FN = re.compile(r"#\[test\]\s*fn\s+\w+\s*\(\s*\)\s*\{")
_RUST_MAIN = re.compile(r"^fn main\(\)\s*\{", re.M)


def _rust(program: str, test: str, secret: str, tag: str) -> Harnessed:
    """``#[test]`` functions each hold a guard that counts the test when it ends without a panic;
    at process exit the harness reports only if every test of the benchmark was counted (a
    ``process::exit`` in the middle of the tests finds the count short). Programs with ``main``:
    the tests' ``main`` is renamed and called by the harness's."""
    count = len(_RUST_TEST_FN.findall(test))
    if count:
        test = _RUST_TEST_FN.sub(lambda m: m.group(0) + f" let _guard = crate::codestilts_guard_{tag}();", test)
        harness = f"""
#[allow(non_upper_case_globals, non_camel_case_types, dead_code)]
static codestilts_passed_{tag}: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
#[allow(non_camel_case_types, dead_code)]
struct codestilts_Guard_{tag};
impl Drop for codestilts_Guard_{tag} {{
    fn drop(&mut self) {{
        if !std::thread::panicking() {{
            codestilts_passed_{tag}.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }}
    }}
}}
extern "C" {{
    #[link_name = "atexit"]
    fn codestilts_atexit_{tag}(f: extern "C" fn()) -> i32;
    #[link_name = "write"]
    fn codestilts_write_{tag}(fd: i32, buf: *const u8, n: usize) -> isize;
}}
extern "C" fn codestilts_done_{tag}() {{
    if codestilts_passed_{tag}.load(std::sync::atomic::Ordering::SeqCst) == {count} {{
        let done = b"{_marker(secret)}";
        unsafe {{ codestilts_write_{tag}(1, done.as_ptr(), done.len()); }}
    }}
}}
#[allow(dead_code)]
fn codestilts_guard_{tag}() -> codestilts_Guard_{tag} {{
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| unsafe {{ codestilts_atexit_{tag}(codestilts_done_{tag}); }});
    codestilts_Guard_{tag}
}}
"""
    else:
        test = _RUST_MAIN.sub(f"fn codestilts_main_{tag}() {{", test)
        harness = f"""
fn main() {{
    codestilts_main_{tag}();
    use std::io::Write;
    let mut out = std::io::stdout();
    let _ = out.write_all(b"{_marker(secret)}");
    let _ = out.flush();
}}
"""
    return Harnessed({"main.rs": program + test + harness}, secret, sources=("main.rs",))


def _jvm_report(secret: str, semicolon: str = ";") -> str:
    return (f"java.io.FileOutputStream codestiltsOut = new java.io.FileOutputStream(java.io.FileDescriptor.out){semicolon} "
            f"codestiltsOut.write(\"{_marker(secret)}\".getBytes()){semicolon} codestiltsOut.flush(){semicolon}")


def _java(program: str, test: str, secret: str, tag: str) -> Harnessed:
    launcher = (f"\nfinal class {LAUNCHER} {{\n  public static void main(String[] args) throws Throwable {{\n"
                f"    new java.io.File(\"{LAUNCHER}.class\").delete();\n    Main.main(args);\n"
                f"    {_jvm_report(secret)}\n  }}\n}}\n")
    return Harnessed({"Main.java": program + test + launcher}, secret, sources=("Main.java",))


_KOTLIN_MAIN = re.compile(r"^fun main\s*\((?P<args>[^)]*)\)", re.M)


def _kotlin(program: str, test: str, secret: str, tag: str) -> Harnessed:
    match = _KOTLIN_MAIN.search(test)
    call = f"codestiltsTestMain{tag}({'args' if match and match.group('args').strip() else ''})"
    test = _KOTLIN_MAIN.sub(lambda m: f"fun codestiltsTestMain{tag}({m.group('args')})", test, count=1)
    report = (f"val codestiltsOut = java.io.FileOutputStream(java.io.FileDescriptor.out); "
              f"codestiltsOut.write(\"{_marker(secret)}\".toByteArray()); codestiltsOut.flush()")
    launcher = (f"\nobject {LAUNCHER} {{\n  @JvmStatic fun main(args: Array<String>) {{\n"
                f"    java.io.File(\"{LAUNCHER}.class\").delete()\n    {call}\n    {report}\n  }}\n}}\n")
    return Harnessed({"main.kt": program + test + launcher}, secret, sources=("main.kt",))


_SCALA_ASSERT = re.compile(r"(?<![\w.])assert\s*\(")


def _scala(program: str, test: str, secret: str, tag: str) -> Harnessed:
    test = _SCALA_ASSERT.sub("_root_.scala.Predef.assert(", test)
    report = (f"val codestiltsOut = new java.io.FileOutputStream(java.io.FileDescriptor.out); "
              f"codestiltsOut.write(\"{_marker(secret)}\".getBytes()); codestiltsOut.flush()")
    launcher = (f"\nobject {LAUNCHER} {{\n  def main(args: Array[String]): Unit = {{\n"
                f"    new java.io.File(\"{LAUNCHER}.class\").delete(); new java.io.File(\"{LAUNCHER}$.class\").delete()\n"
                f"    Main.main(args)\n    {report}\n  }}\n}}\n")
    return Harnessed({"main.scala": program + test + launcher}, secret, sources=("main.scala",))


_CS_MAIN = re.compile(r"\bstatic\s+void\s+Main\s*\(")


def _csharp(program: str, test: str, secret: str, tag: str) -> Harnessed:
    test = _CS_MAIN.sub(f"static void CodestiltsTestMain{tag}(", test, count=1)
    launcher = f"""
static class {LAUNCHER} {{
    static void Main(string[] args) {{
        System.IO.File.Delete("main.exe");
        System.Reflection.MethodInfo test = null;
        foreach (System.Type t in typeof({LAUNCHER}).Assembly.GetTypes()) {{
            System.Reflection.MethodInfo m = t.GetMethod("CodestiltsTestMain{tag}", System.Reflection.BindingFlags.Static |
                System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic);
            if (m != null) test = m;
        }}
        try {{ test.Invoke(null, test.GetParameters().Length == 0 ? null : new object[] {{ args }}); }}
        catch (System.Reflection.TargetInvocationException e) {{
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }}
        byte[] done = System.Text.Encoding.ASCII.GetBytes("{_marker(secret)}");
        using (System.IO.Stream o = System.Console.OpenStandardOutput()) {{ o.Write(done, 0, done.Length); o.Flush(); }}
    }}
}}
"""
    return Harnessed({"main.cs": program + test + launcher}, secret, sources=("main.cs",))


def _php(program: str, test: str, secret: str, tag: str) -> Harnessed:
    """``?><?php`` after the program: back in PHP mode even if the program closed it (else the tests
    and the harness would be output, which an output-buffer callback of the program could read)."""
    prelude = "<?php unlink(__FILE__); ?>\n"
    test = test[len("<?php"):] if test.startswith("<?php") else test  # a whole program as the test
    reassert = ("\n?><?php\nini_set('zend.assertions', '1'); ini_set('assert.exception', '1'); "
                "ini_set('assert.active', '1');\n")
    epilogue = f"\nfwrite(fopen('php://stdout', 'w'), \"{_marker(secret)}\");\n"
    return Harnessed({"main.php": prelude + program + reassert + test + epilogue}, secret)


# A line ``__END__`` (or the characters NUL, ^D, ^Z) ends a Ruby script: the rest, the tests and
# the harness, would become data the program reads through DATA. Such lines are made comments.
_RUBY_END = re.compile(r"^__END__[ \t\r]*$", re.M)


def _ruby(program: str, test: str, secret: str, tag: str) -> Harnessed:
    program = _RUBY_END.sub("# __END__", program).translate({0: None, 4: None, 26: None})
    prelude = "BEGIN { File.delete(__FILE__) }\n"
    epilogue = f"\nIO.for_fd(1, autoclose: false).syswrite(\"{_marker(secret)}\")\n"
    return Harnessed({"main.rb": prelude + program + test + epilogue}, secret)


def _perl(program: str, test: str, secret: str, tag: str) -> Harnessed:
    """Perl runs a program's ``BEGIN`` blocks while it is still reading the file (which it holds
    open), and ``__END__`` makes the rest of the file readable: so the secret is in no file. The
    harness's first ``BEGIN`` block, which runs before a line of the program is read, takes it from
    descriptor 3 into a lexical and closes the descriptor."""
    var = f"$__codestilts{tag}"
    prelude = (f'my {var}; BEGIN {{ open(my $cs, "<&=", 3) or die "no secret"; {var} = <$cs>; '
               f'chomp {var}; close($cs); unlink __FILE__; }}\n')
    epilogue = f'\n{{ open(my $codestilts_out, ">&=", 1); syswrite($codestilts_out, "\\n{var}\\n"); }}\n'
    return Harnessed({"main.pl": prelude + program + test + epilogue}, secret, secret_fd=True)


_WRAPPERS = {
    "python": _python, "js": _javascript, "ts": _typescript, "c": _c, "cpp": _cpp,
    "go": _go, "rust": _rust, "java": _java, "kotlin": _kotlin, "scala": _scala, "csharp": _csharp,
    "php": _php, "ruby": _ruby, "perl": _perl,
}


def completed(stdout: bytes, secret: str) -> bool:
    """Whether the tests reported that they ran to their end."""
    return f"\n{secret}\n".encode() in stdout
