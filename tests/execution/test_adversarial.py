"""Adversarial programs: each is contained, gets the right verdict, leaves no process behind, and the
next program in the same slot runs normally."""

from __future__ import annotations

import os
import uuid

import pytest

from codestilts.execution.languages import get_language
from codestilts.execution.verdict import Verdict

from exec_helpers import assert_nothing_left, needs_bwrap, needs_language, run

pytestmark = needs_bwrap


def check_next_sample_unaffected():
    out = run("python", "import sys\nprint(sum(range(10)))\n", timeout=10)
    assert out.verdict is Verdict.PASSED and out.stdout.strip() == "45"


def contained(language, program, expected, timeout=3.0, marker=None):
    out = run(language, program, timeout=timeout)
    assert out.verdict is expected, (out.verdict, out.reason, out.stderr[-500:])
    assert out.leftovers == 0  # nothing outlived the pid namespace
    assert_nothing_left(marker)
    check_next_sample_unaffected()
    return out


def test_infinite_loop_times_out():
    contained("python", "while True:\n    pass\n", Verdict.TIMEOUT, timeout=2)


def test_sleep_forever_times_out():
    contained("python", "import time\ntime.sleep(10**6)\n", Verdict.TIMEOUT, timeout=2)


@needs_language("c")
def test_fork_bomb_is_contained():
    marker = uuid.uuid4().hex
    prog = f'#include <unistd.h>\nint main(){{ const char *m = "{marker}"; (void)m; for(;;) fork(); }}\n'
    out = run("c", prog, timeout=2)
    assert out.verdict in (Verdict.TIMEOUT, Verdict.RUNTIME_ERROR)
    assert_nothing_left(marker)
    check_next_sample_unaffected()


def test_python_fork_bomb_is_contained():
    contained("python", "import os\nwhile True:\n    os.fork()\n", Verdict.RUNTIME_ERROR, timeout=2)
    assert_nothing_left()


def test_double_fork_setsid_escape_is_killed():
    marker = uuid.uuid4().hex
    prog = f"""
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("python3", ["python3", "-c", "import time; time.sleep(1000)", "{marker}"])
    os._exit(0)
time.sleep(0.5)  # the daemon is running now
print("parent done")
"""
    out = contained("python", prog, Verdict.PASSED, timeout=5, marker=marker)
    assert "parent done" in out.stdout


def test_memory_blow_up_is_stopped():
    out = contained("python", "blocks = []\nwhile True:\n    blocks.append(bytearray(10**8))\n",
                    Verdict.RUNTIME_ERROR, timeout=10)
    assert "MemoryError" in out.stderr


def test_100_mb_of_output_is_capped():
    prog = "import sys\nchunk = 'x' * 1_000_000 + '\\n'\nfor _ in range(100):\n    sys.stdout.write(chunk)\n"
    out = contained("python", prog, Verdict.RUNTIME_ERROR, timeout=10)
    assert out.reason == "output limit exceeded"
    assert len(out.stdout) < 200_000  # the host keeps only head and tail


NET_PROBE = """
import socket
try:
    socket.create_connection(({host!r}, {port}), timeout=2)
    reached = True
except OSError:
    reached = False
assert not reached, "network reachable"
print("blocked")
"""


def test_network_connect_is_blocked():
    out = contained("python", NET_PROBE.format(host="1.1.1.1", port=53), Verdict.PASSED)
    assert "blocked" in out.stdout


def test_dns_lookup_fails():
    prog = """
import socket
try:
    socket.getaddrinfo("pypi.org", 443)
    resolved = True
except OSError:
    resolved = False
assert not resolved, "DNS works"
print("no dns")
"""
    assert "no dns" in contained("python", prog, Verdict.PASSED).stdout


def test_write_outside_work_folder_fails_and_tmp_is_private(tmp_path):
    name = f"codestilts-escape-{uuid.uuid4().hex}"
    prog = f"""
import os
for path in ["/usr/{name}", "/etc/{name}", "/{name}"]:
    try:
        open(path, "w").write("x")
        raise SystemExit("wrote " + path)
    except OSError:
        pass
open("/tmp/{name}", "w").write("x")   # the sandbox's own tmpfs
open("/work/{name}", "w").write("x")  # its work folder
print("contained")
"""
    assert "contained" in contained("python", prog, Verdict.PASSED).stdout
    for host_path in (f"/tmp/{name}", f"/usr/{name}", f"/etc/{name}", f"/{name}"):
        assert not os.path.exists(host_path)


def test_read_of_root_fails():
    prog = """
import os
for path in ["/root/.bashrc", "/root/.profile", "/etc/shadow"]:
    try:
        open(path).read()
        raise SystemExit("read " + path)
    except OSError:
        pass
try:
    os.listdir("/root")
    raise SystemExit("listed /root")
except OSError:
    pass
print("contained")
"""
    assert "contained" in contained("python", prog, Verdict.PASSED).stdout


def test_stdin_read_gets_eof_at_once():
    out = contained("python", "import sys\ndata = sys.stdin.read()\nassert data == ''\nprint('eof')\n",
                    Verdict.PASSED, timeout=5)
    assert "eof" in out.stdout
    contained("python", "input()\n", Verdict.RUNTIME_ERROR)  # EOFError, not a hang


@needs_language("php")
def test_php_assert_is_enforced():
    body = "<?php\nfunction add($a, $b) {{ return $a + $b{bug}; }}\nassert(add(1, 1) == 2);\necho 'ok';\n"
    contained("php", body.format(bug=" + 1"), Verdict.FAILED)
    contained("php", body.format(bug=""), Verdict.PASSED)


@needs_language("java")
def test_java_assert_is_enforced():
    body = ("public class Main {{ static int add(int a, int b) {{ return a + b{bug}; }}\n"
            "public static void main(String[] args) {{ assert add(1, 1) == 2; }} }}\n")
    contained("java", body.format(bug=" + 1"), Verdict.FAILED, timeout=10)
    contained("java", body.format(bug=""), Verdict.PASSED, timeout=10)


@needs_language("c")
def test_c_assert_is_never_compiled_out():
    assert "-DNDEBUG" not in get_language("c").compile and "-UNDEBUG" in get_language("c").compile
    body = "#include <assert.h>\nint add(int a, int b) {{ return a + b{bug}; }}\nint main() {{ assert(add(1, 1) == 2); return 0; }}\n"
    contained("c", body.format(bug=" + 1"), Verdict.FAILED)
    contained("c", body.format(bug=""), Verdict.PASSED)


@needs_language("javascript")
def test_javascript_console_assert_throws():
    body = "const add = (a, b) => a + b{bug};\nconsole.assert(add(1, 1) === 2);\n"
    contained("javascript", body.format(bug=" + 1"), Verdict.FAILED)
    contained("javascript", body.format(bug=""), Verdict.PASSED)


def test_environment_is_cleared(monkeypatch):
    monkeypatch.setenv("CODESTILTS_SECRET_TOKEN", "hunter2")
    prog = "import os\nassert 'CODESTILTS_SECRET_TOKEN' not in os.environ\nprint(sorted(os.environ))\n"
    contained("python", prog, Verdict.PASSED)


@pytest.mark.skipif(os.geteuid() != 0, reason="per-slot uids are used only when running as root")
def test_runs_as_unprivileged_slot_uid():
    out = contained("python", "import os\nprint(os.getuid(), os.geteuid(), os.getgroups())\n", Verdict.PASSED)
    uid, euid, groups = out.stdout.split(maxsplit=2)
    assert uid == euid and 60000 <= int(uid) < 60256
    assert groups.strip() == f"[{uid}]" or groups.strip() == "[]"


def test_tmpfs_folders_are_size_capped():
    prog = """
import os
for folder in ["/dev/shm", "/tmp", "/work"]:
    written = 0
    try:
        for i in range(100):
            with open(f"{folder}/fill{i}", "wb") as fh:
                fh.write(b"x" * 15_000_000)
            written += 15_000_000
    except OSError:
        pass
    assert written < 1_000_000_000, (folder, written)
    for i in range(100):
        try:
            os.remove(f"{folder}/fill{i}")
        except OSError:
            pass
print("capped")
"""
    assert "capped" in contained("python", prog, Verdict.PASSED, timeout=20).stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="per-slot uids are used only when running as root")
def test_a_slot_held_elsewhere_is_skipped():
    from codestilts.execution.sandbox import claim_slot

    with claim_slot(7) as first:
        with claim_slot(7) as second:
            assert first != second
            out = contained("python", "import os\nprint(os.getuid())\n", Verdict.PASSED)
            assert int(out.stdout) not in (60000 + first, 60000 + second)
