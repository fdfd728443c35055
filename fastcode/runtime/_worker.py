"""The worker side of the master/worker protocol, shared by every backend.

A worker is a loop over messages from the master, written against a small
*channel* interface so that threads, processes and MPI ranks run the same code:

    channel.recv() -> message            (blocks; EOFError when the master is gone)
    channel.poll(timeout) -> bool        (a message is waiting; timeout None = forever)
    channel.send(message)
    channel.open_payload(spec), channel.open_input(spec)   (undo the master's packing)

Messages are tuples whose first item is the kind:

    master -> worker                      worker -> master
    (SETUP, worker_fn, payload_spec       (READY, -1) | (ERROR, -1, text)
     [, (parts_fn, fractions)])
    (ROUND, r, input_spec, delay, add,    (RESULT, r, result, compute_s, service_s)
     t_ref)
                                          | (ERROR, r, text) | (CANCELLED, r)
                                          partial results: (PART, r, key, array)*
                                          then (DONE, r, compute_s, service_s)
                                          | (ERROR, r, text) | (CANCELLED, r)
    (STOP,)

Every ROUND message gets exactly one reply, so the master can tell how many
rounds a worker still owes (and stop queueing work on a stuck one).

Injected stragglers.  ``delay`` is the completion time the straggler model drew
for this worker.  By default it is the task's *total* time: the worker answers
at ``t_ref + delay``, or when its computation ends if that is later.  The
master sends ``t_ref = (clock_id(), time.monotonic())`` at the round's start:
a worker on the same machine (same clock id) counts from that instant, so the
master's dispatch order does not skew the draws; a worker on another host
(MPI) counts from its receipt of the task.  Measured latencies
then follow the model's law, as the simulator assumes.  With ``add`` true the
delay is extra time after the computation instead.
The wait is interruptible: if the next message arrives first (the master has
decoded without this worker and moved on), the stale result is dropped and a
CANCELLED reply sent, so a straggler in round r does not delay round r + 1,
matching the simulator's independent rounds.  ``delay = inf`` is a worker that
never answers this round.  A computation itself cannot be interrupted: a
worker whose ``worker_fn`` is slow answers late, and the master discards the
result by its round id.

Partial results (opt-in, ``scheme.partial_results``).  The SETUP message then
also carries ``(parts_fn, fractions)``: a module-level generator
``parts_fn(payload, round_input)`` yielding ``(key, array)`` and, per part k,
``fractions[k] = part_loads[k] / part_loads[-1]``.  One delay is drawn per round
as above; part k is sent as ``(PART, r, key, array)`` once it is computed and
its due time ``t_ref + delay * fractions[k]`` has passed (with ``add`` true:
cumulative compute time + ``delay * fractions[k]``).  The final reply is
``(DONE, r, compute_s, service_s)`` (or ERROR / CANCELLED), so every ROUND still
gets exactly one final reply.  Any newer message cancels the remaining parts:
a part is never sent after the worker has seen the next round.
"""
import pickle
import socket
import time
import traceback

SETUP, ROUND, STOP = "setup", "round", "stop"
_COARSE = 0.002  # seconds of an injected wait left to a precise sleep (see _run_round)
READY, RESULT, ERROR, CANCELLED = "ready", "result", "error", "cancelled"
PART, DONE = "part", "done"  # partial results: one PART per part, then DONE


_CLOCK_ID = None


def clock_id():
    """Identity of this machine's monotonic clock (host name + boot id): equal
    ids mean time.monotonic() values can be compared across processes."""
    global _CLOCK_ID
    if _CLOCK_ID is None:
        try:
            with open("/proc/sys/kernel/random/boot_id") as f:
                boot = f.read().strip()
        except OSError:
            boot = ""
        _CLOCK_ID = f"{socket.gethostname()}/{boot}"
    return _CLOCK_ID


def _describe(exc):
    """One-line reason plus the worker-side traceback (shown to the user by the master)."""
    return f"{type(exc).__name__}: {exc}\n" + "".join(
        traceback.format_exception(type(exc), exc, exc.__traceback__))


def serve(channel):
    """Run the worker loop until STOP or until the master disappears."""
    worker_fn = payload = parts = None
    try:
        message = channel.recv()
        while True:
            kind = message[0]
            if kind == STOP:
                return
            if kind == SETUP:
                worker_fn = payload = parts = None  # drop views on the old payload first
                try:
                    worker_fn = message[1]
                    parts = message[3] if len(message) > 3 else None
                    payload = channel.open_payload(message[2])
                except Exception as exc:  # report, keep serving: the master decides
                    channel.send((ERROR, -1, _describe(exc)))
                else:
                    channel.send((READY, -1))
                message = channel.recv()
                continue
            if kind != ROUND:
                raise RuntimeError(f"unknown message kind {kind!r}")
            if parts is not None:
                message = _run_parts(channel, parts, payload, *message[1:])
            else:
                message = _run_round(channel, worker_fn, payload, *message[1:])
    except (EOFError, OSError, KeyboardInterrupt):
        # The master is gone (pipe closed) or the user pressed Ctrl-C: the
        # master owns the clean-up, the worker just leaves quietly.
        return


def _due(start, delay, additive, t_ref):
    """Absolute monotonic time at which a reply with injected time ``delay`` is due
    (``start``: when the computation started, or, additive, when it ended)."""
    if additive:
        return start + delay
    if t_ref is not None and t_ref[0] == clock_id():
        return t_ref[1] + delay
    return start + delay


def _wait_until(channel, due, delay):
    """Wait until ``due``; True if a newer message arrived first (interrupts the wait)."""
    if due > time.monotonic():
        # Pipe polls time out in whole milliseconds (rounded up), so poll until
        # just before the due time and sleep the exact remainder.
        coarse = None if delay == float("inf") else max(0.0, due - time.monotonic() - _COARSE)
        if channel.poll(coarse):
            return True
        remainder = due - time.monotonic()
        if remainder > 0:
            time.sleep(remainder)
        return False
    return channel.poll(0)


def _run_parts(channel, parts, payload, round_id, input_spec, delay, additive, t_ref):
    """Partial results: compute and send part by part (see the module doc)."""
    parts_fn, fractions = parts
    start = time.monotonic()
    compute = 0.0
    try:
        round_input = channel.open_input(input_spec)
        gen = parts_fn(payload, round_input)
        k = 0
        while True:
            t0 = time.monotonic()
            try:
                key, value = next(gen)
            except StopIteration:
                compute += time.monotonic() - t0
                break
            compute += time.monotonic() - t0
            frac = fractions[min(k, len(fractions) - 1)] if len(fractions) else 1.0
            base = start + compute if additive else start
            if _wait_until(channel, _due(base, delay * frac, additive, t_ref), delay):
                gen.close()
                channel.send((CANCELLED, round_id))
                return channel.recv()
            try:
                channel.send((PART, round_id, key, value))
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                gen.close()
                channel.send((ERROR, round_id, "part cannot be sent: " + _describe(exc)))
                return channel.recv()
            k += 1
        del gen, round_input
    except Exception as exc:
        channel.send((ERROR, round_id, _describe(exc)))
        return channel.recv()
    channel.send((DONE, round_id, compute, time.monotonic() - start))
    return channel.recv()


def _run_round(channel, worker_fn, payload, round_id, input_spec, delay, additive, t_ref):
    """Compute one task, wait out the injected delay; return the next message."""
    start = time.monotonic()
    try:
        if worker_fn is None:
            raise RuntimeError("round received before setup")
        round_input = channel.open_input(input_spec)
        result = worker_fn(payload, round_input)
        del round_input
    except Exception as exc:
        # Failures are reported at once: a crash is not a straggler.
        channel.send((ERROR, round_id, _describe(exc)))
        return channel.recv()
    compute = time.monotonic() - start
    if additive:
        due = start + compute + delay
    elif t_ref is not None and t_ref[0] == clock_id():
        due = t_ref[1] + delay
    else:
        due = start + delay
    if due > time.monotonic():
        # Interruptible wait: a newer message means this result is stale.  Pipe
        # polls time out in whole milliseconds (rounded up), so poll until just
        # before the due time and sleep the exact remainder.
        coarse = None if delay == float("inf") else max(0.0, due - time.monotonic() - _COARSE)
        if channel.poll(coarse):
            channel.send((CANCELLED, round_id))
            return channel.recv()
        remainder = due - time.monotonic()
        if remainder > 0:
            time.sleep(remainder)
    try:
        channel.send((RESULT, round_id, result, compute, time.monotonic() - start))
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        # An unpicklable result is the scheme's bug, reported like an exception
        # (channels pickle before writing, so nothing half-sent is left behind).
        channel.send((ERROR, round_id, "result cannot be sent: " + _describe(exc)))
    return channel.recv()
