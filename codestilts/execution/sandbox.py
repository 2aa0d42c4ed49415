"""Run a few steps (compile, run) of one untrusted program in a bubblewrap sandbox.

One sandbox per program. Inside it a tiny bash driver runs each step under ``ulimit`` (CPU time,
memory, processes, file size, open files, no core dumps) and ``timeout`` (wall clock; for a
single-step program the host's deadline is the wall clock, one process less) and reports on a
private file descriptor (``ready``, ``start STEP``, ``step STEP RC``). The host never talks to the
program through pipes: stdout, stderr and the compile log are in-memory files (memfd) whose size
RLIMIT_FSIZE caps, so an output flood costs neither memory nor a blocked pipe.

Isolation (mode ``bwrap``):

- read-only ``/usr`` and ``/etc`` (plus the toolchain folders a language names, read-only), nothing
  else of the host: no ``/root``, ``/home``, ``/work``, ``/var``;
- ``/work`` (the program's folder), ``/tmp`` and ``/dev/shm`` are fresh size-capped tmpfs;
- new pid, network (loopback only), IPC, UTS and cgroup namespaces; a cleared environment;
  bubblewrap's options are passed through a descriptor, so pid 1's command line shows no host path;
- as root, the driver stays root (with only the capabilities to change uid) and each step runs as
  a dedicated unprivileged uid per scheduler slot (60000 + slot, claimed with a lock file so
  concurrent runs never share one) with every capability dropped and ``no_new_privs``: the program
  can neither signal the driver nor open its descriptors, RLIMIT_NPROC is counted per slot, and a
  fork bomb cannot starve other samples; as a normal user, bubblewrap's user namespace gives one
  uid to both (see docs/execution.md for what that allows);
- as root, one cgroup per sandbox (:mod:`codestilts.execution.cgroup`) bounds the memory and the
  processes of every step, shared memory and children included;
- a seccomp filter makes the kernel keyrings (per uid, they would outlive the sandbox) unavailable;
- the sandbox's pid 1 is bubblewrap's init: when the driver ends, or when the host kills bubblewrap
  (``--die-with-parent``), the kernel kills every process left in the pid namespace, including
  double-forked, ``setsid`` daemons.

Mode ``none`` runs the same driver on the host, in a private temporary folder, with the same limits
but no isolation. It exists for machines without bubblewrap and must be asked for explicitly.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import shlex
import shutil
import signal
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

from codestilts.execution.cgroup import SandboxCgroup
from codestilts.execution.cgroup import create as create_cgroup
from codestilts.execution.harness import Harnessed
from codestilts.execution.harness import completed as harness_completed

SANDBOX_MODES = ("bwrap", "none")

NO_SANDBOX_WARNING = (
    "WARNING: sandbox none (exec-eval --sandbox none, generation.sandbox: none) runs model-generated\n"
    "code directly on this machine, with resource limits but NO isolation: it can read and write\n"
    "your files, use the network and leave processes behind. Use it only on a throwaway machine."
)
UID_BASE = 60000
SLOTS = 256  # sandbox uids 60000..60255
LOCK_DIR = "/run/codestilts-exec"
_READ_CAP = 64 * 1024  # bytes of each output kept for diagnostics (head and tail)


@dataclass(frozen=True)
class Limits:
    """Resource limits of one step. Memory is RLIMIT_DATA (private writable memory, so the address
    space that JVMs, Go and V8 merely reserve does not count)."""

    wall_s: float = 10.0
    cpu_s: int = 10
    memory_mb: int = 1024
    nproc: int = 64
    fsize_mb: int = 16
    nofile: int = 256

    def ulimit_command(self) -> str:
        """bash's ``ulimit`` builtin (no extra process): CPU seconds (soft, then SIGKILL one second
        later), data KiB, processes, file size in 1 KiB blocks, open files, no core dumps."""
        cpu = max(1, int(self.cpu_s))
        rest = (f"-d {self.memory_mb * 1024} -u {self.nproc} -f {self.fsize_mb * 1024} "
                f"-n {self.nofile} -c 0")
        return f"ulimit -t {cpu + 1} {rest} && ulimit -S -t {cpu}"


@dataclass(frozen=True)
class Step:
    name: str  # "compile" or "run"
    argv: tuple[str, ...]
    limits: Limits = Limits()


@dataclass(frozen=True)
class Mount:
    """A host folder or file made visible read-only inside the sandbox at ``dest``."""

    host: str
    dest: str


@dataclass
class StepResult:
    name: str
    returncode: int | None  # None: never started, or started and never reported (killed)
    started: bool = False  # the driver launched it (from then on, a missing status is the program's)


@dataclass
class SandboxResult:
    steps: list[StepResult]
    stdout: str
    stderr: str
    compile_log: str
    wall_s: float
    host_killed: bool = False  # the host's deadline fired (the wall clock of a single step)
    sandbox_error: str | None = None  # the sandbox itself failed (infrastructure)
    leftovers: int = 0  # processes of this slot found alive afterwards (and killed)
    completed: bool = False  # the tests reported that they ran to their end (the harness's secret)
    output_limited: bool = False  # stdout, stderr or the compile log reached the file size limit
    extra: dict = field(default_factory=dict)  # the cgroup's memory_peak (bytes) and oom_kills


class SandboxUnavailable(RuntimeError):
    pass


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def _driver_script(steps: list[Step], fds: dict[str, int], *, uid: int | None,
                   cgroup: SandboxCgroup | None = None, harnessed: Harnessed | None = None) -> str:
    """The bash driver. It reports on ``fds["status"]``: ``ready`` once the sandbox is up, then
    ``start NAME`` before a step and ``step NAME RC`` after it. Steps write to ``fds["stdout"]``,
    ``fds["stderr"]`` (run) or ``fds["compile"]`` (compile); the driver's own messages (bash's
    job reports) go elsewhere, and no step inherits the status descriptor. With ``uid`` (root
    mode) the driver stays root and each step drops to ``uid`` (``setpriv``), so the program can
    neither signal the driver nor open its descriptors. Sources are removed once compiled, and a
    compiled binary made execute-only for the program (root mode). The harness's secret arrives on
    ``fds["secret"]``: put into the compiled files in place of the harness's placeholder, or given
    to the run step as descriptor 3 (see :class:`~codestilts.execution.harness.Harnessed`)."""
    s, c, o, e, k = fds["status"], fds["compile"], fds["stdout"], fds["stderr"], fds["secret"]
    closed = f"{s}>&- {c}>&- {o}>&- {e}>&- {k}<&-"
    sources = harnessed.sources if harnessed else ()
    drop = (f"setpriv --reuid {uid} --regid {uid} --clear-groups --inh-caps=-all --bounding-set=-all "
            "--no-new-privs -- ") if uid is not None else ""
    lines = [f"echo ready >&{s}", 'cd "${CODESTILTS_WORK:-/work}" || exit 97']
    for i, step in enumerate(steps):
        wall = f"{step.limits.wall_s:g}"
        # A single step needs no `timeout`: the host's deadline is its wall clock (one process less).
        command = " ".join(shlex.quote(a) for a in step.argv)
        command = f"{drop}{command}" if len(steps) == 1 else f"timeout -k 1 {wall} {drop}{command}"
        if cgroup is not None:
            lines += cgroup.limit_commands(step.limits.memory_mb, step.limits.nproc)
        join = "".join(f"{line} && " for line in (cgroup.join_commands() if cgroup else []))
        redir = f">&{o} 2>&{e}" if step.name == "run" else f">&{c} 2>&{c}"
        if step.name == "run" and harnessed is not None and harnessed.secret_fd:
            redir += f" 3<&{k}"
        lines.append(f"echo start {step.name} >&{s}")
        lines.append(f"( {join}{step.limits.ulimit_command()} && exec {command} ) </dev/null {redir} {closed}")
        lines.append(f'rc=$?; echo "step {step.name} $rc" >&{s}')
        if i < len(steps) - 1:
            lines.append('[ "$rc" -eq 0 ] || exit 0')
            if sources:
                lines.append("rm -f -- " + " ".join(shlex.quote(f) for f in sources))
            if harnessed is not None and harnessed.placeholder:
                if uid is not None:  # the driver has no CAP_DAC_OVERRIDE: it writes what it owns
                    lines.append("chown 0:0 -- *")
                lines.append(f"read -r CS_SECRET <&{k}")
                lines.append(f'CS_P={harnessed.placeholder} CS_S="$CS_SECRET" perl -e {shlex.quote(_PATCH)} -- *')
            binary = steps[i + 1].argv[0]
            if uid is not None and binary.startswith("./"):
                # A compiled binary holds the harness's secret: the program may run it, not read it.
                lines.append(f"chown 0:0 {shlex.quote(binary)} && chmod 0711 {shlex.quote(binary)}")
    return "\n".join(lines) + "\n"


# Put the secret in place of the placeholder in the compiled files (as bytes, and as UTF-16 for
# .NET's string heap), in place: same length, same owner and mode. Only if the placeholder is there
# exactly once: a second copy would be the program's (the compiler made to read the tests' file,
# with include_str!, //go:embed or .incbin), and would become the secret too.
_PATCH = (
    'my ($p, $s) = @ENV{qw(CS_P CS_S)}; '
    'my @pairs = ([$p, $s], [join("\\0", split //, $p) . "\\0", join("\\0", split //, $s) . "\\0"]); '
    'my (%data, $found); for my $f (grep { -f } @ARGV) { open(my $h, "<:raw", $f) or next; local $/; '
    '$data{$f} = <$h>; close($h); for my $ab (@pairs) { my $q = quotemeta($ab->[0]); '
    '$found += () = $data{$f} =~ /$q/g; } } exit 0 unless $found == 1; '
    'for my $f (keys %data) { my $n = 0; for my $ab (@pairs) { my ($from, $to) = @$ab; '
    '$n += ($data{$f} =~ s/\\Q$from\\E/$to/g); } next unless $n; '
    'open(my $h, "+<:raw", $f) or next; print $h $data{$f}; close($h); }'
)


def _memfd(name: str, data: bytes = b"") -> int:
    fd = os.memfd_create(name)
    if data:
        os.write(fd, data)
        os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _read_capped(fd: int) -> str:
    size = os.fstat(fd).st_size
    if size <= 2 * _READ_CAP:
        data = os.pread(fd, size, 0)
    else:
        head = os.pread(fd, _READ_CAP, 0)
        tail = os.pread(fd, _READ_CAP, size - _READ_CAP)
        data = head + f"\n[... {size - 2 * _READ_CAP} bytes cut ...]\n".encode() + tail
    return data.decode("utf-8", errors="replace")


def _system_mounts() -> list[str]:
    args: list[str] = []
    for top in ("bin", "lib", "lib32", "lib64", "libx32", "sbin"):
        path = f"/{top}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc", *args]


def is_root() -> bool:
    return os.geteuid() == 0


def _bwrap_args(
    files: dict[str, int],
    env: dict[str, str],
    mounts: list[Mount],
    symlinks: list[tuple[str, str]],
    work_mb: int,
    cgroup: SandboxCgroup | None,
    seccomp_fd: int | None,
) -> list[str]:
    """bubblewrap's options (given through ``--args FD``, so that the sandbox's pid 1, whose
    command line the program can read, shows no host path)."""
    argv = [*_system_mounts()]
    argv += ["--proc", "/proc", "--dev", "/dev", "--size", str(64 << 20), "--tmpfs", "/dev/shm",
             "--chmod", "1777", "/dev/shm"]
    argv += ["--size", str(work_mb << 20), "--tmpfs", "/tmp", "--chmod", "1777", "/tmp"]
    argv += ["--size", str(work_mb << 20), "--tmpfs", "/work", "--chmod", "0777", "/work"]
    made: set[str] = set()
    binds = [("--ro-bind", m.host, m.dest) for m in mounts]
    binds += [("--bind", host, dest) for host, dest in (cgroup.mounts() if cgroup else [])]
    for flag, host, dest in binds:
        # bubblewrap would create missing parents with mode 0700, unreadable by the sandbox uid.
        parent = os.path.dirname(dest)
        ancestors = []
        while parent not in ("/", "") and parent not in made:
            ancestors.append(parent)
            parent = os.path.dirname(parent)
        for folder in reversed(ancestors):
            argv += ["--perms", "0755", "--dir", folder]
            made.add(folder)
        argv += [flag, host, dest]
    for target, link in symlinks:
        argv += ["--symlink", target, link]
    for name, fd in files.items():
        argv += ["--perms", "0644", "--file", str(fd), f"/work/{name}"]
    # The sandbox's own root is a tmpfs that a non-root user owns inside its user namespace:
    # read-only, so only /work, /tmp and /dev/shm (size-capped) take writes.
    argv += ["--remount-ro", "/"]
    argv += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    argv += ["--die-with-parent", "--new-session", "--clearenv", "--chdir", "/work"]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    if is_root():
        # The driver stays root with only what it needs to drop each step to the slot's uid.
        argv += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                 "--cap-add", "CAP_SETPCAP", "--cap-add", "CAP_CHOWN"]
    else:
        argv[:0] = ["--unshare-user"]
    return argv


# seccomp: the kernel keyrings are per uid and outlive a sandbox (a key stored by one sample could
# be read by the next in the same slot), so add_key, request_key and keyctl fail with ENOSYS, as
# on a kernel without keys; so does every system call of a foreign ABI (x32, i386 on x86-64).
_AUDIT_ARCH = {"x86_64": (0xC000003E, (248, 249, 250)), "aarch64": (0xC00000B7, (217, 218, 219))}
_X32_BIT = 0x40000000


def seccomp_filter() -> bytes | None:
    """The classic BPF program (``struct sock_filter[]``) bubblewrap installs, or None on an
    architecture this does not know."""
    known = _AUDIT_ARCH.get(os.uname().machine)
    if known is None:
        return None
    arch, (add_key, request_key, keyctl) = known
    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, JMP|JEQ|K, JMP|JGE|K, RET|K
    allow, enosys = 0x7FFF0000, 0x00050000 | 38  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO|ENOSYS
    prog = [
        (ld, 0, 0, 4),  # arch
        (jeq, 1, 0, arch),
        (ret, 0, 0, enosys),
        (ld, 0, 0, 0),  # syscall number
        (jge, 4, 0, _X32_BIT),
        (jeq, 3, 0, add_key),
        (jeq, 2, 0, request_key),
        (jeq, 1, 0, keyctl),
        (ret, 0, 0, allow),
        (ret, 0, 0, enosys),
    ]
    return b"".join(struct.pack("=HBBI", *ins) for ins in prog)


def slot_processes(slot: int) -> list[int]:
    """Live (not zombie) processes owned by the slot's uid (root mode only)."""
    if not is_root():
        return []
    uid = UID_BASE + slot
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid != uid:
                continue
            with open(f"/proc/{entry}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError):
            continue
        if state not in (b"Z", b"X"):
            pids.append(int(entry))
    return pids


def kill_slot_processes(slot: int, grace_s: float = 2.0) -> int:
    """Make sure nothing of the slot survives the sample. The pid namespace normally guarantees it
    (the kernel kills the namespace when its init exits, asynchronously); this waits for that and
    SIGKILLs anything still there after ``grace_s``. Returns how many processes had to be killed."""
    deadline = time.monotonic() + grace_s
    while True:
        pids = slot_processes(slot)
        if not pids:
            return 0
        if time.monotonic() >= deadline:
            break
        time.sleep(0.01)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return len(pids)


@contextlib.contextmanager
def claim_slot(hint: int):
    """Hold a sandbox uid (60000 + slot) exclusively, across threads and processes: an flock on a
    per-uid lock file. Starts at ``hint`` (the scheduler's slot) and takes the next free one, so
    two exec-eval runs on one machine never share a uid (nor kill each other's processes)."""
    os.makedirs(LOCK_DIR, mode=0o700, exist_ok=True)
    for i in range(SLOTS):
        slot = (hint + i) % SLOTS
        fd = os.open(os.path.join(LOCK_DIR, f"uid-{UID_BASE + slot}.lock"), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield slot
        finally:
            os.close(fd)  # releases the lock
        return
    raise SandboxUnavailable(f"all {SLOTS} sandbox uids are busy")


def run_sandboxed(
    steps: list[Step],
    files: dict[str, bytes],
    *,
    env: dict[str, str] | None = None,
    mounts: list[Mount] | None = None,
    symlinks: list[tuple[str, str]] | None = None,
    slot: int = 0,
    mode: str = "bwrap",
    work_mb: int = 512,
    harnessed: Harnessed | None = None,
) -> SandboxResult:
    """Run ``steps`` in order (stopping at the first that fails) on ``files`` put in the work folder.
    ``slot`` picks the sandbox uid (as root); a slot another run holds is skipped for a free one.
    ``harnessed``: how the tests report that they ran to their end (see ``harness``)."""
    if mode not in SANDBOX_MODES:
        raise ValueError(f"unknown sandbox mode {mode!r}")
    if mode == "bwrap" and bwrap_path() is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
    job = _Job(steps, files, dict(env or {}), mounts or [], symlinks or [], work_mb, harnessed)
    if mode == "bwrap" and is_root():
        with claim_slot(slot) as held:
            return _run(job, mode, held)
    return _run(job, mode, slot)


@dataclass
class _Job:
    steps: list[Step]
    files: dict[str, bytes]
    env: dict[str, str]
    mounts: list[Mount]
    symlinks: list[tuple[str, str]]
    work_mb: int
    harnessed: Harnessed | None


def _run(job: _Job, mode: str, slot: int) -> SandboxResult:
    fds = {name: _memfd(name) for name in ("status", "stdout", "stderr", "compile", "log")}
    secret = job.harnessed.secret if job.harnessed else None
    fds["secret"] = _memfd("secret", (secret or "").encode() + b"\n")
    extra: list[int] = []
    workdir = None
    cgroup = None
    try:
        env = dict(job.env)
        pass_fds = [fds[k] for k in ("status", "compile", "stdout", "stderr", "secret")]
        if mode == "bwrap":
            file_fds = {name: _memfd(name, data) for name, data in job.files.items()}
            extra += file_fds.values()
            bpf = seccomp_filter()
            seccomp_fd = _memfd("seccomp", bpf) if bpf else None
            if seccomp_fd is not None:
                extra.append(seccomp_fd)
            uid = UID_BASE + slot if is_root() else None
            cgroup = create_cgroup(slot) if is_root() else None
            args = _bwrap_args(file_fds, env, job.mounts, job.symlinks, job.work_mb, cgroup, seccomp_fd)
            args_fd = _memfd("args", b"".join(a.encode() + b"\0" for a in args))
            extra.append(args_fd)
            script = _driver_script(job.steps, fds, uid=uid, cgroup=cgroup, harnessed=job.harnessed)
            argv = [bwrap_path() or "bwrap", "--args", str(args_fd), "--", "/bin/bash", "-c", script]
            popen_env = None
        else:
            workdir = tempfile.mkdtemp(prefix="codestilts-exec-")
            for name, data in job.files.items():
                with open(os.path.join(workdir, name), "wb") as fh:
                    fh.write(data)
            env["CODESTILTS_WORK"] = workdir
            argv = ["/bin/bash", "-c", _driver_script(job.steps, fds, uid=None, harnessed=job.harnessed)]
            popen_env = env
        pass_fds += extra
        if len(job.steps) == 1:  # no `timeout` inside: the host's deadline is the wall clock
            deadline = job.steps[0].limits.wall_s + 1.0
        else:  # a backstop behind each step's `timeout`
            deadline = sum(s.limits.wall_s + 2 for s in job.steps) + 10
        start = time.monotonic()
        host_killed = False
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=fds["log"], stderr=fds["log"],
                                pass_fds=pass_fds, start_new_session=True, env=popen_env, cwd=workdir)
        if not _wait(proc, deadline):
            host_killed = True
            _kill_group(proc)
        wall = time.monotonic() - start
        leftovers = kill_slot_processes(slot) if mode == "bwrap" else _kill_group_leftovers(proc)
        status = os.pread(fds["status"], 65536, 0).decode(errors="replace").split("\n")
        usage = cgroup.usage() if cgroup else {}
        stdout_bytes = _read_all(fds["stdout"])
        completed = secret is not None and harness_completed(stdout_bytes, secret)
        if secret is not None:
            stdout_bytes = stdout_bytes.replace(f"\n{secret}\n".encode(), b"")
        sandbox_error = None
        if "ready" not in status:
            log = _read_capped(fds["log"]).strip()
            sandbox_error = (log or f"sandbox exited with {proc.returncode}")[:500]
        return SandboxResult(
            steps=_parse_status(status, job.steps),
            stdout=_capped_text(stdout_bytes),
            stderr=_read_capped(fds["stderr"]),
            compile_log=_read_capped(fds["compile"]),
            wall_s=wall,
            host_killed=host_killed,
            sandbox_error=sandbox_error,
            leftovers=leftovers,
            completed=completed,
            output_limited=_output_limited(fds, job.steps),
            extra=usage,
        )
    finally:
        for fd in [*fds.values(), *extra]:
            os.close(fd)
        if cgroup is not None:
            cgroup.remove()
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def _read_all(fd: int) -> bytes:
    return os.pread(fd, os.fstat(fd).st_size, 0)


def _capped_text(data: bytes) -> str:
    if len(data) > 2 * _READ_CAP:
        cut = len(data) - 2 * _READ_CAP
        data = data[:_READ_CAP] + f"\n[... {cut} bytes cut ...]\n".encode() + data[-_READ_CAP:]
    return data.decode("utf-8", errors="replace")


def _output_limited(fds: dict[str, int], steps: list[Step]) -> bool:
    """Whether a step's output reached its file size limit (RLIMIT_FSIZE): the program's next write
    failed, whatever it then printed or how it exited."""
    limits = {s.name: s.limits.fsize_mb << 20 for s in steps}
    sizes = {"run": max(os.fstat(fds["stdout"]).st_size, os.fstat(fds["stderr"]).st_size),
             "compile": os.fstat(fds["compile"]).st_size}
    return any(sizes[name] >= limit for name, limit in limits.items())


def _wait(proc: subprocess.Popen, timeout: float) -> bool:
    """Wait at most ``timeout`` seconds for ``proc`` to end; True if it did. A pidfd wakes the host
    the moment bubblewrap exits: ``Popen.wait(timeout)`` polls with doubling sleeps instead, which
    left a short program's result waiting up to tens of milliseconds."""
    try:
        pidfd = os.pidfd_open(proc.pid)
    except OSError:  # a kernel older than 5.3
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        if not poller.poll(timeout * 1000):
            return False
    finally:
        os.close(pidfd)
    proc.wait()
    return True


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _kill_group_leftovers(proc: subprocess.Popen) -> int:
    """Mode none: kill what is left of the process group (best effort; setsid escapes it)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
        return 1
    except (ProcessLookupError, PermissionError):
        return 0


def _parse_status(lines: list[str], steps: list[Step]) -> list[StepResult]:
    codes: dict[str, int] = {}
    started: set[str] = set()
    for line in lines:
        parts = line.split()
        if len(parts) == 2 and parts[0] == "start":
            started.add(parts[1])
        elif len(parts) == 3 and parts[0] == "step" and parts[2].lstrip("-").isdigit():
            codes[parts[1]] = int(parts[2])
    return [StepResult(s.name, codes.get(s.name), s.name in started) for s in steps]
