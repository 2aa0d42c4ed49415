"""One small runner per language: file name, compile and run commands, limits, environment.

Every language goes through the same two steps (``compile`` when there is one, then ``run``) and
the same verdict rules (:mod:`codestilts.execution.verdict`). What differs is data:

- the program and its tests are wrapped by :mod:`codestilts.execution.harness` (the tests report
  completion with a per-run secret; what they rely on is re-asserted before them), so entry points
  are the harness's: ``CodestiltsLauncher`` on the JVM and .NET, ``--wrap=main`` for C/C++;
- commands always enable assertions: ``java -ea``, ``php -d zend.assertions=1 -d
  assert.exception=1``, ``g++ -UNDEBUG`` (never ``-DNDEBUG``), Node's ``console.assert`` made to
  throw (by default it only prints);
- memory (RLIMIT_DATA) and process limits are sized per language: JVMs, Go, Node and Mono get more;
- ``weight`` is how many scheduler slots a program of the language holds (heavy compilers: javac,
  kotlinc, scalac, tsc);
- toolchains outside ``/usr`` (rustup's Rust in ``~/.rustup``) are bound read-only at ``/opt/...``.
"""

from __future__ import annotations

import functools
import glob
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field, replace

from codestilts.execution.harness import JS_PRELUDE_FILE, LAUNCHER, Harnessed, Source, wrap
from codestilts.execution.sandbox import Limits, Mount, Step

CACHE_DIR = os.environ.get(
    "CODESTILTS_EXEC_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "codestilts", "execution")
)
NODE_MODULES = "/usr/lib/node_modules"
GOPATH_DEBIAN = "/usr/share/gocode"
PATH = "/opt/rust/bin:/usr/local/bin:/usr/bin:/bin"

# Marks an assertion/test failure (verdict ``failed``) rather than a crash (``runtime_error``):
# assert statements of every language and the messages the benchmarks' test harnesses raise.
COMMON_FAILURE_MARKERS = (
    r"AssertionError",
    r"[Aa]ssertion\b[^\n]*\bfailed",
    r"assertion failed",
    r"test case \d+ (did not pass|failed to pass)",
    r"Error at \d+\w* assert statement",
    r"Error at test case \d+",
)

_BUILD_LOCK = threading.RLock()  # one-time host-side builds (crates, Go cache, C# stand-in)


def _locked(fn):
    """lru_cache'd builder that runs at most once even when threads ask at the same time."""
    cached = functools.lru_cache(maxsize=None)(fn)

    @functools.wraps(fn)
    def wrapper():
        with _BUILD_LOCK:
            return cached()

    wrapper.cache_clear = cached.cache_clear
    return wrapper


@dataclass(frozen=True)
class RunPlan:
    """What to run for one program: files in the work folder and the steps; ``harnessed`` says how
    the tests report (the secret, the files removed once compiled...)."""

    files: dict[str, bytes]
    steps: list[Step]
    env: dict[str, str]
    mounts: list[Mount]
    symlinks: list[tuple[str, str]]
    harnessed: Harnessed


@dataclass(frozen=True)
class Runner:
    name: str
    run: tuple[str, ...]
    compile: tuple[str, ...] | None = None
    tools: tuple[str, ...] = ()  # host binaries that must exist
    memory_mb: int = 1024
    compile_memory_mb: int = 2048
    nproc: int = 64
    weight: int = 1
    compile_wall_s: float = 60.0
    env: dict[str, str] = field(default_factory=dict)
    failure_markers: tuple[str, ...] = ()
    # Interpreted languages: a parse error the interpreter reports before running anything is a
    # compile_error too. ``syntax_marker`` finds it; ``frame_marker`` (a stack frame of the
    # program) shows the error was raised at run time instead (eval, JSON.parse...).
    syntax_marker: str | None = None
    frame_marker: str | None = None
    unavailable_reason: str | None = None  # set for languages that cannot be supported here

    def missing(self) -> str | None:
        """Why this language cannot run on this machine, or None."""
        if self.unavailable_reason:
            return self.unavailable_reason
        for tool in self.tools:
            if shutil.which(tool) is None:
                return f"{tool} not found (run scripts/install-toolchains.sh)"
        return None

    def mounts(self) -> list[Mount]:
        return []

    def prepare(self) -> None:
        """One-time host-side set-up (building helper libraries); mounts() calls it anyway."""
        self.mounts()

    def symlinks(self) -> list[tuple[str, str]]:
        return []

    def plan(self, source: Source | str, run_limits: Limits) -> RunPlan:
        """``source``: a program and its tests; a plain string is trusted test code as a whole."""
        harnessed = wrap(self.name, source if isinstance(source, Source) else Source(source))
        return self._plan(harnessed, self.compile, self.run, run_limits)

    def _plan(self, harnessed: Harnessed, compile_argv, run_argv, run_limits: Limits) -> RunPlan:
        run = replace(run_limits, memory_mb=max(run_limits.memory_mb, self.memory_mb),
                      nproc=max(run_limits.nproc, self.nproc))
        steps = []
        if compile_argv:
            steps.append(Step("compile", tuple(compile_argv), Limits(
                wall_s=self.compile_wall_s, cpu_s=int(self.compile_wall_s), memory_mb=self.compile_memory_mb,
                nproc=max(self.nproc, 256), fsize_mb=256)))
        steps.append(Step("run", tuple(run_argv), run))
        env = {"PATH": PATH, "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8", **self.env}
        mounts = self.mounts()
        if any(m.dest == "/opt/go-build" for m in mounts):
            env["GOCACHE"] = "/opt/go-build"
        elif "GOPATH" in env:
            env["GOCACHE"] = "/tmp/go-build"
        files = {name: text.encode() for name, text in harnessed.files.items()}
        return RunPlan(files, steps, env, mounts, self.symlinks(), harnessed)

    def failure_pattern(self) -> re.Pattern:
        return _compile_markers(COMMON_FAILURE_MARKERS + self.failure_markers)

    def is_syntax_error(self, output: str) -> bool:
        if not self.syntax_marker or not re.search(self.syntax_marker, output, re.M):
            return False
        return not (self.frame_marker and re.search(self.frame_marker, output, re.M))


@functools.lru_cache(maxsize=None)
def _compile_markers(markers: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{m})" for m in markers))


def _jvm_opts(heap_mb: int) -> list[str]:
    return [f"-Xmx{heap_mb}m", "-Xss8m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData", "-Xshare:auto"]


JVM_ENV: dict[str, str] = {}
# JVM-hosted compilers start faster with C1 only and the serial collector.
_JVM_TOOL_OPTS = ("-J-Xmx1g", "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-XX:-UsePerfData")


class CRunner(Runner):
    """C and C++: assertions always on (``-UNDEBUG``, never ``-DNDEBUG``); links OpenSSL's libcrypto
    when the program includes it (HumanEval-X CPP/162 uses its MD5)."""

    def plan(self, source: Source | str, run_limits: Limits) -> RunPlan:
        source = source if isinstance(source, Source) else Source(source)
        argv = list(self.compile or ())
        if "openssl/" in source.text:
            argv.append("-lcrypto")
        return self._plan(wrap(self.name, source), argv, self.run, run_limits)


class NodeRunner(Runner):
    def symlinks(self) -> list[tuple[str, str]]:
        # Node and tsc look for packages in every ancestor's node_modules, / included.
        return [(NODE_MODULES, "/node_modules")] if os.path.isdir(NODE_MODULES) else []


GO_ENV = {"GOPATH": GOPATH_DEBIAN, "GO111MODULE": "off", "CGO_ENABLED": "0", "GOFLAGS": "",
          "GOTOOLCHAIN": "local"}
_GO_SEED_TEST = (
    'package main\n\nimport (\n\t"testing"\n\t"github.com/stretchr/testify/assert"\n)\n\n'
    "func TestSeed(t *testing.T) {\n\tassert.New(t).Equal(1, 1)\n}\n"
)


@_locked
def go_cache_seed() -> str | None:
    """A Go build cache holding testify and its dependencies, built once on the host and mounted
    read-only as GOCACHE in the sandbox (Go 1.19 reads a read-only cache and skips writing), so a
    test file does not recompile testify (about 10 s) every time."""
    go = shutil.which("go")
    if go is None or not os.path.isdir(os.path.join(GOPATH_DEBIAN, "src", "github.com", "stretchr")):
        return None
    cache = os.path.join(CACHE_DIR, "go-build")
    src = os.path.join(CACHE_DIR, "go-seed")
    os.makedirs(src, exist_ok=True)
    with open(os.path.join(src, "main_test.go"), "w") as fh:
        fh.write(_GO_SEED_TEST)
    env = {**os.environ, **GO_ENV, "GOCACHE": cache, "HOME": CACHE_DIR}
    out = subprocess.run([go, "test", "-c", "-o", os.devnull, "main_test.go"], cwd=src, env=env,
                         capture_output=True, timeout=600)
    return cache if out.returncode == 0 else None


class GoRunner(Runner):
    """HumanEval-X style (``func TestX(t *testing.T)`` with testify) runs as a test binary; MBXP /
    multilingual-HumanEval style (``package main`` with ``func main``) as a program. testify comes
    from Debian's golang-github-stretchr-testify-dev in GOPATH mode (no network, no modules)."""

    def mounts(self) -> list[Mount]:
        seed = go_cache_seed()
        return [Mount(seed, "/opt/go-build")] if seed else []

    def plan(self, source: Source | str, run_limits: Limits) -> RunPlan:
        harnessed = wrap(self.name, source if isinstance(source, Source) else Source(source))
        names = tuple(harnessed.files)
        if "main_test.go" in harnessed.files:
            return self._plan(harnessed, ("go", "test", "-c", "-o", "prog", *names),
                              ("./prog", "-test.v"), run_limits)
        return self._plan(harnessed, ("go", "build", "-o", "prog", *names), ("./prog",), run_limits)


def rust_sysroot() -> str | None:
    rustc = shutil.which("rustc") or os.path.expanduser("~/.cargo/bin/rustc")
    if not os.path.exists(rustc):
        return None
    return _sysroot(rustc)


@functools.lru_cache(maxsize=None)
def _sysroot(rustc: str) -> str | None:
    try:
        out = subprocess.run([rustc, "--print", "sysroot"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


RUST_CRATES = {"rand": "0.8", "regex": "1", "md5": "0.7"}
DEBIAN_CARGO_REGISTRY = "/usr/share/cargo/registry"


@_locked
def rust_crates() -> dict[str, str]:
    """rand, regex and md5 (used by HumanEval-X Rust tests) compiled once, offline, from the crate
    sources Debian ships (librust-*-dev), with the same rustc that runs the samples.
    Returns crate name -> rlib path ({} when it cannot be built: tests using them then fail to
    compile, which the validation report explains)."""
    sysroot = rust_sysroot()
    if sysroot is None or not os.path.isdir(DEBIAN_CARGO_REGISTRY):
        return {}
    cargo = os.path.join(sysroot, "bin", "cargo")
    if not os.path.exists(cargo):
        cargo = shutil.which("cargo") or os.path.expanduser("~/.cargo/bin/cargo")
    root = os.path.join(CACHE_DIR, "rust-crates")
    deps = os.path.join(root, "target", "release", "deps")
    found = _find_rlibs(deps)
    if len(found) == len(RUST_CRATES):
        return found
    os.makedirs(os.path.join(root, "src"), exist_ok=True)
    os.makedirs(os.path.join(root, ".cargo"), exist_ok=True)
    with open(os.path.join(root, "Cargo.toml"), "w") as fh:
        fh.write('[package]\nname = "codestilts-rust-crates"\nversion = "0.0.0"\nedition = "2021"\n'
                 "[dependencies]\n" + "".join(f'{k} = "{v}"\n' for k, v in RUST_CRATES.items()))
    with open(os.path.join(root, "src", "lib.rs"), "w") as fh:
        fh.write("")
    with open(os.path.join(root, ".cargo", "config.toml"), "w") as fh:
        fh.write('[source.crates-io]\nreplace-with = "debian"\n'
                 f'[source.debian]\ndirectory = "{DEBIAN_CARGO_REGISTRY}"\n')
    env = {**os.environ, "PATH": os.path.join(sysroot, "bin") + os.pathsep + os.environ.get("PATH", ""),
           "RUSTC": os.path.join(sysroot, "bin", "rustc")}
    try:
        subprocess.run([cargo, "build", "--release", "--offline", "--quiet"], cwd=root, env=env,
                       capture_output=True, timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    return _find_rlibs(deps)


def _find_rlibs(deps: str) -> dict[str, str]:
    found = {}
    for crate in RUST_CRATES:
        rlibs = sorted(glob.glob(os.path.join(deps, f"lib{crate}-*.rlib")), key=os.path.getmtime)
        if rlibs:
            found[crate] = rlibs[-1]
    return found


class RustRunner(Runner):
    def missing(self) -> str | None:
        if rust_sysroot() is None:
            return "rustc not found (install Rust with rustup or the Debian rustc package)"
        return None

    def mounts(self) -> list[Mount]:
        mounts = [Mount(rust_sysroot(), "/opt/rust")]
        crates = rust_crates()
        if crates:
            mounts.append(Mount(os.path.dirname(next(iter(crates.values()))), "/opt/rust-crates"))
        return mounts

    def plan(self, source: Source | str, run_limits: Limits) -> RunPlan:
        source = source if isinstance(source, Source) else Source(source)
        argv = ["rustc", "--edition", "2021", "-A", "warnings", "-C", "debuginfo=0", "-o", "prog"]
        if re.search(r"#\[test\]", source.text):
            argv.append("--test")
        crates = rust_crates()
        if crates:
            argv += ["-L", "dependency=/opt/rust-crates"]
            for name, path in crates.items():
                argv += ["--extern", f"{name}=/opt/rust-crates/{os.path.basename(path)}"]
        argv.append("main.rs")
        return self._plan(wrap(self.name, source), argv, ("./prog",), run_limits)


CSHARP_SHIM_SOURCE = r"""
// A minimal stand-in for KellermanSoftware.CompareNetObjects (the NuGet package the MBXP and
// multilingual-HumanEval C# tests use, which has no Debian package): deep structural equality of
// values, sequences and dictionaries. Written for codestilts.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace KellermanSoftware.CompareNetObjects
{
    public class ComparisonResult
    {
        public bool AreEqual { get; set; }
        public string DifferencesString { get { return AreEqual ? "" : "objects differ"; } }
    }

    public class CompareLogic
    {
        public ComparisonResult Compare(object expected, object actual)
        {
            return new ComparisonResult { AreEqual = Same(expected, actual) };
        }

        static bool IsNumber(object o)
        {
            return o is sbyte || o is byte || o is short || o is ushort || o is int || o is uint
                || o is long || o is ulong || o is float || o is double || o is decimal;
        }

        static bool Same(object a, object b)
        {
            if (a == null || b == null) return a == null && b == null;
            if (a is string || b is string) return a.Equals(b);
            if (IsNumber(a) && IsNumber(b))
            {
                if (a.GetType() != b.GetType()) return false;
                return a.Equals(b);
            }
            if (a is IDictionary && b is IDictionary)
            {
                var da = (IDictionary)a; var db = (IDictionary)b;
                if (da.Count != db.Count) return false;
                foreach (DictionaryEntry e in da)
                {
                    if (!db.Contains(e.Key) || !Same(e.Value, db[e.Key])) return false;
                }
                return true;
            }
            if (a is IEnumerable && b is IEnumerable)
            {
                var la = ((IEnumerable)a).Cast<object>().ToList();
                var lb = ((IEnumerable)b).Cast<object>().ToList();
                if (la.Count != lb.Count) return false;
                for (int i = 0; i < la.Count; i++) if (!Same(la[i], lb[i])) return false;
                return true;
            }
            var ta = a.GetType();
            if (ta.IsGenericType && ta.FullName.StartsWith("System.Tuple") ||
                ta.FullName != null && ta.FullName.StartsWith("System.ValueTuple"))
            {
                return a.Equals(b);
            }
            return a.Equals(b);
        }
    }
}
"""


@_locked
def csharp_shim() -> str | None:
    """Compile the CompareNetObjects stand-in once (host side; it is our own code)."""
    mcs = shutil.which("mcs")
    if mcs is None:
        return None
    folder = os.path.join(CACHE_DIR, "csharp")
    dll = os.path.join(folder, "KellermanSoftware.Compare-NET-Objects.dll")
    src = os.path.join(folder, "CompareNetObjects.cs")
    os.makedirs(folder, exist_ok=True)
    if os.path.exists(dll) and os.path.exists(src) and open(src).read() == CSHARP_SHIM_SOURCE:
        return folder
    with open(src, "w") as fh:
        fh.write(CSHARP_SHIM_SOURCE)
    out = subprocess.run([mcs, "-target:library", f"-out:{dll}", src], capture_output=True, text=True)
    return folder if out.returncode == 0 else None


class CSharpRunner(Runner):
    def missing(self) -> str | None:
        reason = super().missing()
        if reason is None and csharp_shim() is None:
            return "could not build the CompareNetObjects stand-in with mcs"
        return reason

    def mounts(self) -> list[Mount]:
        return [Mount(csharp_shim(), "/opt/csharp")]


def _java(name="java", **kw) -> Runner:
    return Runner(name,
                    compile=("javac", "-encoding", "UTF-8", "-nowarn", "-J-Xmx512m",
                             "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-XX:-UsePerfData",
                             "Main.java"),
                    run=("java", "-ea", *_jvm_opts(512), LAUNCHER),
                    tools=("javac", "java"), memory_mb=3072, compile_memory_mb=3072, nproc=256,
                    weight=2, env=JVM_ENV, **kw)


# TypeScript as MBXP's reference harness (mxeval) runs it: tsc's JavaScript output is executed
# whatever the type checker says; type errors (TS2xxx...) stay in the compile log. Syntax errors
# (TS1xxx) or no output are compile_error.
TSC_SCRIPT = (
    "tsc --target es2020 --module commonjs --lib es2020 --skipLibCheck --types node --outDir . "
    "main.ts > tsc.log 2>&1; cat tsc.log; "
    "if grep -q 'error TS1[0-9][0-9][0-9]' tsc.log || [ ! -f main.js ]; then exit 1; fi"
)

_SCALA_LIB = "/usr/share/scala-2.11/lib/scala-library.jar"
_KOTLIN_LIB = "/usr/share/java/kotlin-stdlib.jar"  # what kotlinc's -include-runtime would bundle

RUNNERS: dict[str, Runner] = {
    runner.name: runner
    for runner in [
        Runner("python", run=("python3", "-I", "main.py"),
                 tools=("python3",), syntax_marker=r"^(SyntaxError|IndentationError|TabError): ",
                 frame_marker=r"^Traceback \(most recent call last\)"),
        CRunner("c", compile=("gcc", "-std=gnu11", "-O1", "-UNDEBUG", "-Wl,--wrap=main", "-o", "prog", "main.c", "-lm"),
                 run=("./prog",), tools=("gcc",)),
        CRunner("cpp",
                 compile=("g++", "-std=c++17", "-O1", "-UNDEBUG", "-Wl,--wrap=main", "-o", "prog", "main.cpp", "-lm"),
                 run=("./prog",), tools=("g++",)),
        _java(),
        NodeRunner("js", run=("node", "--max-old-space-size=1024", "--require", f"./{JS_PRELUDE_FILE}", "main.js"),
                     tools=("node",), memory_mb=3072, nproc=128,
                     syntax_marker=r"^SyntaxError: ", frame_marker=r"at .*/work/main\.js:\d+"),
        NodeRunner("ts", compile=("bash", "-c", TSC_SCRIPT),
                     run=("node", "--max-old-space-size=1024", "--require", f"./{JS_PRELUDE_FILE}", "main.js"),
                     tools=("tsc", "node"), memory_mb=3072, compile_memory_mb=3072, nproc=128, weight=2),
        GoRunner("go", run=("./prog",), tools=("go",),
                   memory_mb=2048, nproc=256,
                   env=GO_ENV,
                   failure_markers=(r"Error Trace:",)),
        RustRunner("rust", run=("./prog",), memory_mb=1024),
        Runner("php",
                 run=("php", "-d", "zend.assertions=1", "-d", "assert.exception=1", "-d",
                      "display_errors=stderr", "-d", "memory_limit=-1", "main.php"),
                 tools=("php",), syntax_marker=r"PHP Parse error: |^Parse error: "),
        Runner("ruby", run=("ruby", "main.rb"), tools=("ruby",),
                 syntax_marker=r"^main\.rb:\d+: syntax error"),
        Runner("perl", run=("perl", "main.pl"), tools=("perl",),
                 syntax_marker=r"aborted due to compilation errors"),
        Runner("kotlin",
                 compile=("kotlinc", "-nowarn", "-jvm-target", "1.8", *_JVM_TOOL_OPTS, "main.kt", "-d", "."),
                 run=("java", "-ea", *_jvm_opts(512), "-cp", f".:{_KOTLIN_LIB}", LAUNCHER),
                 tools=("kotlinc", "java"), memory_mb=3072, compile_memory_mb=4096, nproc=256,
                 weight=2, compile_wall_s=120.0, env=JVM_ENV),
        Runner("scala",
                 compile=("scalac", "-nowarn", *_JVM_TOOL_OPTS, "-d", ".", "main.scala"),
                 run=("java", "-ea", *_jvm_opts(512), "-cp", f".:{_SCALA_LIB}", LAUNCHER),
                 tools=("scalac", "java"), memory_mb=3072, compile_memory_mb=4096, nproc=256,
                 weight=2, compile_wall_s=120.0, env=JVM_ENV),
        CSharpRunner("csharp",
                       compile=("mcs", "-nowarn:0219,0168,0162,0414", "-r:System.Numerics",
                                "-r:/opt/csharp/KellermanSoftware.Compare-NET-Objects.dll",
                                f"-main:{LAUNCHER}", "-out:main.exe", "main.cs"),
                       run=("mono", "--debug", "main.exe"), tools=("mcs", "mono"),
                       memory_mb=2048, compile_memory_mb=2048, nproc=128,
                       env={"MONO_PATH": "/opt/csharp", "MONO_GC_PARAMS": "max-heap-size=512m"}),
        Runner("swift", run=("swift", "main.swift"),
                 unavailable_reason="no Swift toolchain in Debian 12 or npm (swift.org tarballs only)"),
    ]
}
