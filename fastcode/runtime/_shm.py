"""Ship NumPy arrays to worker processes through shared memory, without pickling them.

``pack(obj)`` copies every array leaf of ``obj`` (an array, or nested
tuples/lists/dicts holding arrays) into one ``multiprocessing.shared_memory``
block and returns the block plus a small picklable *spec* describing where each
array lives.  A worker turns the spec back into the same structure with
``unpack(spec)``, whose arrays are read-only views on the block: a 16 MB
setup payload costs one memcpy on the master and nothing per round.

The master owns every block.  It unlinks a block's *name* as soon as every
worker that needs the block has attached it (``Attachments(on_attach=...)``
tells it; the process transport acknowledges over its pipes), and closes the
mapping when the block is no longer needed.  On POSIX a mapping stays valid
after its name is unlinked, so a block is named in /dev/shm only for the few
milliseconds between its creation and the workers' attach: even ``kill -9`` of
the whole process group (which also kills multiprocessing's resource tracker,
the usual last-resort cleaner) leaves nothing behind once setup is done.
Workers only attach (and keep the handle alive as long as they use the views).

Every block is named ``fastcode_<owner pid>_<random>``.  If the master itself is
killed (``kill -9``) in the few milliseconds a name exists, the name outlives it;
:func:`sweep_stale`, called by every ``LocalCluster`` start, unlinks the blocks
whose owner is no longer running.  (An owner is looked up in this process's pid
namespace: containers that share /dev/shm must share their pids too.)
"""
import os
import secrets
from multiprocessing import shared_memory

import numpy as np

_ALIGN = 64  # cache-line aligned arrays, so worker kernels see aligned data


class _ArrayRef:
    """Placeholder for an array stored in a block (offset, dtype, shape)."""

    __slots__ = ("offset", "dtype", "shape")

    def __init__(self, offset, dtype, shape):
        self.offset, self.dtype, self.shape = offset, dtype, shape

    def __getstate__(self):
        return (self.offset, self.dtype, self.shape)

    def __setstate__(self, state):
        self.offset, self.dtype, self.shape = state


def _walk(obj, on_array):
    """Rebuild ``obj`` with every shareable array leaf replaced by on_array(leaf)."""
    if isinstance(obj, np.ndarray) and obj.dtype != object:
        return on_array(obj)
    if isinstance(obj, (tuple, list)):
        return type(obj)(_walk(item, on_array) for item in obj)
    if isinstance(obj, dict):
        return {key: _walk(value, on_array) for key, value in obj.items()}
    return obj


def array_bytes(obj):
    """Total bytes of the array leaves of ``obj``."""
    total = 0

    def count(a):
        nonlocal total
        total += a.nbytes
        return a
    _walk(obj, count)
    return total


def _layout(obj):
    """The spec of ``obj`` with offsets assigned, the arrays in order, and the size."""
    arrays, size = [], 0

    def place(a):
        nonlocal size
        offset = size
        arrays.append((offset, a))
        size = offset + (a.nbytes + _ALIGN - 1) // _ALIGN * _ALIGN
        return _ArrayRef(offset, a.dtype.str, a.shape)
    spec = _walk(obj, place)
    return spec, arrays, max(size, 1)


def _write(block, arrays):
    for offset, a in arrays:
        view = np.ndarray(a.shape, dtype=a.dtype, buffer=block.buf, offset=offset)
        view[...] = a


PREFIX = "fastcode_"
"""The start of every block name: ``fastcode_<owner pid>_<random hex>``."""
SHM_DIR = "/dev/shm"
"""Where POSIX shared memory has its names (Linux); without it nothing is swept."""


def _new_block(size):
    """A new block of ``size`` bytes, named after this process (see the module doc)."""
    while True:
        name = f"{PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
        try:
            return shared_memory.SharedMemory(name=name, create=True, size=size)
        except FileExistsError:        # 2^32 names per pid: a clash is rare; draw again
            continue


def _running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:            # someone else's process: alive
        return True
    return True


def sweep_stale(directory=SHM_DIR):
    """Unlink the blocks in ``directory`` whose owner process is no longer running (a
    master killed before it could unlink them); returns their names.  Blocks of running
    processes, and names of other programs, are left alone."""
    try:
        entries = os.listdir(directory)
    except OSError:                    # no /dev/shm (macOS): nothing to list
        return []
    removed = []
    for entry in entries:
        if not entry.startswith(PREFIX):
            continue
        pid = entry[len(PREFIX):].partition("_")[0]
        if not pid.isdigit() or _running(int(pid)):
            continue
        try:
            os.unlink(os.path.join(directory, entry))
        except OSError:                # gone meanwhile, or another user's
            continue
        removed.append(entry)
    return removed


def pack(obj):
    """Copy the arrays of ``obj`` into a new block: returns (block, spec).

    The caller owns ``block`` and must ``close()`` and ``unlink()`` it."""
    spec, arrays, size = _layout(obj)
    block = _new_block(size)
    _write(block, arrays)
    return block, (block.name, spec)


def repack(block, obj):
    """Like :func:`pack` but reuse ``block`` when ``obj`` fits in it.

    Returns (block, spec, fresh) with fresh True when a new block was made (the
    caller then unlinks the old one)."""
    spec, arrays, size = _layout(obj)
    if block is None or block.size < size:
        block = _new_block(size)
        fresh = True
    else:
        fresh = False
    _write(block, arrays)
    return block, (block.name, spec), fresh


class Attachments:
    """A worker's cache of attached blocks (by name), so each block is mapped once.

    ``on_attach(name)``, if given, is called after each block is mapped (the
    first use of its name): the master may then unlink that name."""

    def __init__(self, on_attach=None):
        self._blocks = {}
        self._on_attach = on_attach

    def unpack(self, packed):
        """The structure described by ``packed`` (a pack() spec), with views on its block.

        Other blocks of this cache are detached, so a worker does not pile up
        mappings of buffers the master has replaced (use one cache per stream:
        setup payloads, round inputs)."""
        name, spec = packed
        block = self._blocks.get(name)
        if block is None:
            block = self._blocks[name] = shared_memory.SharedMemory(name=name)
            if self._on_attach is not None:
                self._on_attach(name)

        def view(ref):
            a = np.ndarray(ref.shape, dtype=np.dtype(ref.dtype), buffer=block.buf, offset=ref.offset)
            a.flags.writeable = False  # shared by design: a worker must not write the master's data
            return a
        obj = _walk_refs(spec, view)
        for other in list(self._blocks):
            if other != name:
                self.release(other)
        return obj

    def release(self, name):
        block = self._blocks.pop(name, None)
        if block is not None:
            try:
                block.close()
            except BufferError:
                # A view is still alive somewhere (e.g. kept by worker_fn): leave the
                # mapping to the garbage collector rather than crash the worker.
                pass

    def close(self):
        for name in list(self._blocks):
            self.release(name)


def _walk_refs(spec, on_ref):
    if isinstance(spec, _ArrayRef):
        return on_ref(spec)
    if isinstance(spec, (tuple, list)):
        return type(spec)(_walk_refs(item, on_ref) for item in spec)
    if isinstance(spec, dict):
        return {key: _walk_refs(value, on_ref) for key, value in spec.items()}
    return spec


def unlink(block):
    """Remove the name of a block owned by the master; its mappings (the master's and
    the workers') stay valid.  Call it once per block: ``SharedMemory.unlink`` also
    unregisters the name from multiprocessing's resource tracker, so the tracker
    neither warns about it nor unlinks it again at exit."""
    try:
        block.unlink()
    except FileNotFoundError:
        pass


def free(block, linked=True):
    """Close a block owned by the master, and unlink it unless ``linked`` is false
    (already unlinked by :func:`unlink`)."""
    if block is None:
        return
    try:
        block.close()
    except BufferError:
        pass
    if linked:
        unlink(block)
