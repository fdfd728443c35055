"""The trust boundary of README.md's "Security and trust" section, checked.

- No code in fastcode/ evaluates strings or starts a shell: no eval, exec,
  compile of source text, os.system/os.popen, or subprocess call with
  ``shell=True`` (read from the sources: .py files by their syntax tree, so a
  docstring or a method such as ``poly_eval`` never counts; .pyx files by text).
- Unpickling happens only where the README says: the runtime's own channels.
- LocalCluster (processes) opens no network socket: every socket of the master,
  its workers and the forkserver is a Unix-domain one.
"""
import ast
import os
import pathlib
import re
import sys

import numpy as np
import pytest

import fastcode

ROOT = pathlib.Path(fastcode.__file__).parent

FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_ATTRS = {("os", "system"), ("os", "popen"), ("os", "execv"), ("os", "execl")}
# pickle.loads / Connection.recv: the runtime's channels only (README, "Security and trust").
UNPICKLING_ALLOWED = {"runtime/mpi.py"}


def _python_files():
    files = sorted(ROOT.rglob("*.py"))
    assert len(files) > 20, f"found only {len(files)} modules under {ROOT}"
    return files


def _violations(path, root=ROOT):
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
            found.append(f"{func.id}()")
        if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and (func.value.id, func.attr) in FORBIDDEN_ATTRS):
            found.append(f"{func.value.id}.{func.attr}()")
        for kw in node.keywords:
            if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant)
                                          and kw.value.value is False):
                found.append("shell=...")
    return [f"{path.relative_to(root)}:{what}" for what in found]


def test_no_eval_exec_or_shell_in_python_sources():
    bad = [v for path in _python_files() for v in _violations(path)]
    assert bad == [], bad


def test_no_eval_exec_or_shell_in_cython_sources():
    pattern = re.compile(r"(?<![\w.])(eval|exec)\s*\(|shell\s*=\s*True|os\.(system|popen)\s*\(")
    bad = []
    for path in sorted(ROOT.rglob("*.pyx")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line.split("#", 1)[0]):
                bad.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert bad == [], bad


@pytest.mark.parametrize("snippet, expected", [
    ("eval('1')", ["eval()"]),
    ("x = exec", []),
    ("poly_eval(c, x)", []),
    ("subprocess.run(cmd, shell=True)", ["shell=..."]),
    ("subprocess.run(cmd, shell=flag)", ["shell=..."]),
    ("subprocess.run(cmd, shell=False)", []),
    ("os.system('ls')", ["os.system()"]),
    ("'''eval(1)'''", []),
])
def test_the_checker_itself(tmp_path, snippet, expected):
    # The scan would pass vacuously if it could not see a violation: show that it can.
    probe = tmp_path / "probe.py"
    probe.write_text(snippet + "\n")
    found = [v.split(":", 1)[1] for v in _violations(probe, root=tmp_path)]
    assert found == expected, (snippet, found)


def test_unpickling_only_in_the_runtime_channels():
    users = set()
    for path in _python_files():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr in ("loads", "load", "Unpickler")
                    and isinstance(node.value, ast.Name) and node.value.id in ("pickle", "cPickle")):
                users.add(path.relative_to(ROOT).as_posix())
    assert users <= UNPICKLING_ALLOWED, sorted(users - UNPICKLING_ALLOWED)


def _socket_inodes(pid):
    inodes = set()
    fd_dir = pathlib.Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        m = re.fullmatch(r"socket:\[(\d+)\]", target)
        if m:
            inodes.add(m.group(1))
    return inodes


def _inet_inodes():
    inodes = set()
    for table in ("tcp", "tcp6", "udp", "udp6", "raw", "raw6"):
        try:
            lines = pathlib.Path(f"/proc/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            inodes.add(line.split()[9])
    return inodes


def _unix_inodes():
    lines = pathlib.Path("/proc/net/unix").read_text().splitlines()[1:]
    return {line.split()[6] for line in lines}


def _children(pid):
    kids = set()
    for task in pathlib.Path(f"/proc/{pid}/task").iterdir():
        try:
            kids.update(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass
    return kids


@pytest.mark.skipif(not sys.platform.startswith("linux") or not os.path.exists("/proc/net/unix"),
                    reason="reads /proc (Linux)")
def test_local_cluster_opens_no_network_socket():
    from fastcode.runtime import LocalCluster
    from runtime_doubles import UncodedMatVec

    A = np.arange(64.0).reshape(16, 4)
    before = _socket_inodes(os.getpid())    # the test process's own, e.g. other tests'
    with LocalCluster(2, backend="process") as cluster:
        cluster.setup(UncodedMatVec(2), A)
        r = cluster.run_round(np.ones(4))
        assert np.array_equal(r.output, A @ np.ones(4))
        # The master, its workers and the forkserver (a child of the master, the
        # parent of the workers), while the cluster is up.
        pids = {os.getpid()}
        frontier = set(pids)
        while frontier:
            frontier = set().union(*(_children(p) for p in frontier)) - pids
            pids |= frontier
        assert set(cluster.pids()) <= pids
        sockets = {pid: _socket_inodes(pid) for pid in pids}
        sockets[os.getpid()] -= before
        inet, unix = _inet_inodes(), _unix_inodes()
    worker_sockets = set().union(*(sockets[p] for p in cluster.pids()))
    assert worker_sockets, "the workers' pipes should show up as (Unix) sockets"
    on_network = {pid: s & inet for pid, s in sockets.items() if s & inet}
    assert on_network == {}, f"network sockets: {on_network}"
    every = set().union(*sockets.values())
    assert every <= unix, f"sockets neither Internet nor Unix: {every - unix}"
