"""Fetch a peer project's sdist at test time and load one of its test modules.

The peers' test suites are never committed: ``sdist_member`` downloads the
sdist with ``pip download --no-binary :all: --no-deps`` into a cache directory
(``$FASTCODE_COMPAT_CACHE``, default ``<tmp>/fastcode-compat-cache``), extracts
one file and returns its path, or None when the download is impossible (no
network, no pip), so the caller can skip with the reason in ``last_error``.
"""
import importlib.util
import os
import subprocess
import sys
import tarfile
import tempfile

last_error = {}


def cache_dir():
    path = os.environ.get("FASTCODE_COMPAT_CACHE") or os.path.join(
        tempfile.gettempdir(), "fastcode-compat-cache")
    os.makedirs(path, exist_ok=True)
    return path


def sdist_member(project, version, member):
    """Path of ``member`` (path inside the sdist's top folder) of project==version, or None."""
    root = os.path.join(cache_dir(), f"{project}-{version}")
    target = os.path.join(root, member)
    if os.path.exists(target):
        return target
    archive = os.path.join(cache_dir(), f"{project}-{version}.tar.gz")
    if not os.path.exists(archive):
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:",
               "--no-deps", "-d", cache_dir(), f"{project}=={version}"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            last_error[project] = f"pip download failed: {exc}"
            return None
        if proc.returncode != 0 or not os.path.exists(archive):
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
            last_error[project] = f"pip download {project}=={version} failed: {tail[0]}"
            return None
    prefix = f"{project}-{version}/"
    with tarfile.open(archive) as tar:
        try:
            info = tar.getmember(prefix + member)
        except KeyError:
            last_error[project] = f"{member} not in {archive}"
            return None
        data = tar.extractfile(info).read()
    os.makedirs(os.path.dirname(target), exist_ok=True)
    tmp = target + f".{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, target)
    return target


def load_module(path, name, substitutes):
    """Execute the file ``path`` as module ``name`` while ``sys.modules`` maps
    each key of ``substitutes`` to its value (restored afterwards), so its
    ``import zfec`` / ``import pyeclib...`` statements bind our stand-ins."""
    saved = {key: sys.modules.get(key) for key in substitutes}
    sys.modules.update(substitutes)
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for key, value in saved.items():
            if value is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = value
    return module
