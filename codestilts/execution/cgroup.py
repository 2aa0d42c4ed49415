"""One control group per sandbox: a memory and a process limit over every process of a sample.

RLIMIT_DATA bounds each process's private memory, not what a sample holds in all: shared anonymous
memory, tmpfs files and forked children escape it. A cgroup counts all of that. Per sandbox, the
host makes a fresh cgroup (nested in its own, so the host's limits still apply above it) and binds
it into the sandbox; the sandbox's driver (root inside, unreachable by the program) writes each
step's limits and moves the step into it before the program starts, and stays outside itself, so
an out-of-memory kill hits the program, never the driver. The host reads the peak and the
out-of-memory kills afterwards and removes the cgroup.

cgroup v2 (``memory.max``, ``memory.swap.max``, ``pids.max``) where the host's own cgroup can
delegate the memory and pids controllers; else v1 (``memory.limit_in_bytes``, plus
``memory.memsw.limit_in_bytes`` where swap accounting exists, and ``pids.max``). Only as root.
"""

from __future__ import annotations

import functools
import os
import secrets
import time
from dataclasses import dataclass

SANDBOX_DIR = "/run/codestilts-cgroup"  # where the cgroup folders appear inside the sandbox
HEADROOM_MB = 256  # over a step's RLIMIT_DATA: runtimes' code, page cache, the work folder's files


@dataclass(frozen=True)
class Hierarchy:
    version: int  # 1 or 2
    parents: dict[str, str]  # v1: controller -> our folder in its hierarchy; v2: {"unified": folder}
    swap: bool  # v1 memsw / v2 memory.swap.max available


def _own_cgroups() -> dict[str, str]:
    """controller ("" for v2) -> this process's cgroup path."""
    out = {}
    with open("/proc/self/cgroup") as fh:
        for line in fh:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for c in controllers.split(",") if controllers else [""]:
                out[c] = path
    return out


def _mounts() -> dict[str, str]:
    """controller ("" for v2) -> mount point."""
    out = {}
    with open("/proc/self/mounts") as fh:
        for line in fh:
            _, point, fstype, options = line.split()[:4]
            if fstype == "cgroup2":
                out.setdefault("", point)
            elif fstype == "cgroup":
                for opt in options.split(","):
                    if opt in ("memory", "pids"):
                        out.setdefault(opt, point)
    return out


def _writable_parent(folder: str, probe: str) -> bool:
    """Can we make a child cgroup under ``folder`` that has the file ``probe``?"""
    test = os.path.join(folder, f"codestilts-probe-{secrets.token_hex(4)}")
    try:
        os.mkdir(test)
    except OSError:
        return False
    try:
        return os.path.exists(os.path.join(test, probe))
    finally:
        os.rmdir(test)


def _v2(mounts: dict[str, str], own: dict[str, str]) -> Hierarchy | None:
    if "" not in mounts or "" not in own:
        return None
    folder = os.path.join(mounts[""], own[""].lstrip("/"), "codestilts-exec")
    try:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(os.path.dirname(folder), "cgroup.subtree_control"), "w") as fh:
            fh.write("+memory +pids")
        with open(os.path.join(folder, "cgroup.subtree_control"), "w") as fh:
            fh.write("+memory +pids")
    except OSError:
        return None
    if not _writable_parent(folder, "memory.max") or not _writable_parent(folder, "pids.max"):
        return None
    probe = os.path.join(folder, "cgroup.controllers")
    return Hierarchy(2, {"unified": folder}, swap=os.path.exists(probe.replace("cgroup.controllers", "memory.swap.max")))


def _v1(mounts: dict[str, str], own: dict[str, str]) -> Hierarchy | None:
    parents = {}
    for controller, probe in (("memory", "memory.limit_in_bytes"), ("pids", "pids.max")):
        if controller not in mounts or controller not in own:
            return None
        folder = os.path.join(mounts[controller], own[controller].lstrip("/"), "codestilts-exec")
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            return None
        if not _writable_parent(folder, probe):
            return None
        parents[controller] = folder
    swap = os.path.exists(os.path.join(parents["memory"], "memory.memsw.limit_in_bytes"))
    return Hierarchy(1, parents, swap)


@functools.lru_cache(maxsize=None)
def hierarchy() -> Hierarchy | None:
    """The cgroup hierarchy sandboxes get their cgroups in, or None (not root, or no writable
    memory and pids controllers)."""
    if os.geteuid() != 0:
        return None
    try:
        mounts, own = _mounts(), _own_cgroups()
    except OSError:
        return None
    return _v2(mounts, own) or _v1(mounts, own)


def unavailable_reason() -> str | None:
    if hierarchy() is not None:
        return None
    if os.geteuid() != 0:
        return "not running as root"
    return "no writable cgroup v2 or v1 memory and pids controllers"


@dataclass
class SandboxCgroup:
    """The cgroup folders of one sandbox (one per hierarchy: v1 has two)."""

    hierarchy: Hierarchy
    folders: dict[str, str]  # hierarchy key -> host folder

    def mounts(self) -> list[tuple[str, str]]:
        """(host folder, folder inside the sandbox) pairs to bind read-write."""
        return [(f, f"{SANDBOX_DIR}/{key}") for key, f in self.folders.items()]

    def limit_commands(self, memory_mb: int, nproc: int) -> list[str]:
        """Shell lines (run by the driver, as root) setting a step's limits."""
        mem = (memory_mb + HEADROOM_MB) << 20
        if self.hierarchy.version == 2:
            d = f"{SANDBOX_DIR}/unified"
            lines = [f"echo {mem} > {d}/memory.max", f"echo {nproc} > {d}/pids.max"]
            if self.hierarchy.swap:
                lines.append(f"echo 0 > {d}/memory.swap.max")
            return lines
        m, p = f"{SANDBOX_DIR}/memory", f"{SANDBOX_DIR}/pids"
        if self.hierarchy.swap:  # memsw >= memory at every moment: one of the two orders works
            lines = [f"echo {mem} > {m}/memory.memsw.limit_in_bytes 2>/dev/null",
                     f"echo {mem} > {m}/memory.limit_in_bytes",
                     f"echo {mem} > {m}/memory.memsw.limit_in_bytes"]
        else:
            lines = [f"echo {mem} > {m}/memory.limit_in_bytes"]
        return lines + [f"echo {nproc} > {p}/pids.max"]

    def join_commands(self) -> list[str]:
        """Shell lines moving the current (sub)shell into the cgroup (pids as seen inside)."""
        return [f"echo $BASHPID > {SANDBOX_DIR}/{key}/cgroup.procs" for key in self.folders]

    def usage(self) -> dict[str, int]:
        """Peak memory (bytes, where the kernel keeps it) and out-of-memory kills."""
        out: dict[str, int] = {}
        if self.hierarchy.version == 2:
            d = self.folders["unified"]
            out["memory_peak"] = _read_int(os.path.join(d, "memory.peak"))
            out["oom_kills"] = _read_key(os.path.join(d, "memory.events"), "oom_kill")
        else:
            d = self.folders["memory"]
            out["memory_peak"] = _read_int(os.path.join(d, "memory.max_usage_in_bytes"))
            out["oom_kills"] = _read_key(os.path.join(d, "memory.oom_control"), "oom_kill")
        return {k: v for k, v in out.items() if v >= 0}

    def remove(self, grace_s: float = 2.0) -> None:
        """Remove the folders once the kernel has taken the sandbox's last processes out (that
        takes about a millisecond after bubblewrap exits: polled finely, as every sample waits on it)."""
        deadline = time.monotonic() + grace_s
        for folder in self.folders.values():
            while True:
                try:
                    os.rmdir(folder)
                    break
                except FileNotFoundError:
                    break
                except OSError:  # processes still exiting
                    if time.monotonic() >= deadline:
                        break
                    time.sleep(0.001)


def _read_int(path: str) -> int:
    try:
        with open(path) as fh:
            return int(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return -1


def _read_key(path: str, key: str) -> int:
    try:
        with open(path) as fh:
            for line in fh:
                name, _, value = line.partition(" ")
                if name == key:
                    return int(value)
    except (OSError, ValueError):
        pass
    return -1


def create(slot: int) -> SandboxCgroup | None:
    """A fresh cgroup for one sandbox of ``slot``, or None where cgroups are unavailable."""
    h = hierarchy()
    if h is None:
        return None
    name = f"slot{slot}-{secrets.token_hex(4)}"
    folders = {}
    try:
        for key, parent in h.parents.items():
            folder = os.path.join(parent, name)
            os.mkdir(folder)
            folders[key] = folder
    except OSError:
        SandboxCgroup(h, folders).remove()
        return None
    return SandboxCgroup(h, folders)
