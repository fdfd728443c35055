# cython: language_level=3
"""Compiled twin of ``fastcode._util.memory.overlaps`` for row lists.

Reading a data pointer from Python costs about 2 us per array (a dict per
``__array_interface__``); row lists of a wide code have hundreds of rows and
are checked on every call, so the byte spans are read here through the
buffer protocol (about 0.1 us per row) and swept in C.
"""
from cpython.buffer cimport PyBUF_RECORDS_RO, PyBuffer_Release, PyObject_GetBuffer
from libc.stdlib cimport free, malloc, qsort

import numpy as np


cdef struct Span:
    Py_ssize_t lo
    Py_ssize_t hi
    int is_out


cdef int _by_lo(const void *a, const void *b) noexcept nogil:
    cdef Py_ssize_t x = (<const Span *> a).lo, y = (<const Span *> b).lo
    return (x > y) - (x < y)


cdef Py_ssize_t _add(object obj, Span *spans, Py_ssize_t n, int is_out) except -1:
    """Append obj's byte span (if it is not empty) at spans[n]; return the new count."""
    cdef Py_buffer view
    cdef Py_ssize_t lo, hi, step, d
    PyObject_GetBuffer(obj, &view, PyBUF_RECORDS_RO)
    try:
        if view.len == 0:
            return n
        lo = hi = <Py_ssize_t> view.buf
        for d in range(view.ndim):
            step = (view.shape[d] - 1) * view.strides[d]
            if step < 0:
                lo += step
            else:
                hi += step
        spans[n].lo = lo
        spans[n].hi = hi + view.itemsize
        spans[n].is_out = is_out
        return n + 1
    finally:
        PyBuffer_Release(&view)


def overlaps(outputs, inputs):
    """(outputs overlap an input, outputs overlap each other); see memory.overlaps.

    Same contract; every item must support the buffer protocol."""
    out_seq = (outputs,) if isinstance(outputs, np.ndarray) else outputs
    in_seq = (inputs,) if isinstance(inputs, np.ndarray) else inputs
    cdef Py_ssize_t total = len(out_seq) + len(in_seq), n = 0, i
    cdef Span *spans = <Span *> malloc(max(total, 1) * sizeof(Span))
    if spans == NULL:
        raise MemoryError()
    cdef Py_ssize_t hi_out = 0, hi_in = 0
    cdef bint with_input = False, between = False
    try:
        for obj in out_seq:
            if obj is not None:
                n = _add(obj, spans, n, 1)
        for obj in in_seq:
            if obj is not None:
                n = _add(obj, spans, n, 0)
        qsort(spans, n, sizeof(Span), _by_lo)
        for i in range(n):
            if spans[i].is_out:
                if spans[i].lo < hi_in:
                    with_input = True
                if spans[i].lo < hi_out:
                    between = True
                if spans[i].hi > hi_out:
                    hi_out = spans[i].hi
            else:
                if spans[i].lo < hi_out:
                    with_input = True
                if spans[i].hi > hi_in:
                    hi_in = spans[i].hi
    finally:
        free(spans)
    return with_input, between
