"""Benchmark the drop-in backends against the libraries they replace.

Usage:  python benchmarks/bench_compat.py [--quick] [--repeats N]

* fastcode.compat.zfec vs zfec: Encoder.encode (all m blocks) and
  Decoder.decode (from the last k blocks, i.e. as many parity blocks as
  possible) for (k, m) = (3, 10) (Tahoe-LAFS's default) and (10, 14), blocks
  of 1 KiB, 64 KiB and 1 MiB.  Both sides are called through their Python
  API, so the shim's per-call overhead (argument checks, bytes results) is
  included.
* fastcode.compat.pyeclib.Driver vs pyeclib's isa_l_rs_cauchy driver
  (liberasurecode + ISA-L), both through ``pyeclib.ec_iface.ECDriver``:
  encode and decode (4 data fragments lost) of RS(10,4) objects of 1 MiB and
  16 MiB, fragment headers included.

Throughput counts object bytes (k * block for zfec, the object for pyeclib).
Ratios are medians of paired, interleaved repetitions (fastcode.bench's
``paired_times``): peer time / fastcode time, > 1 means fastcode is faster.
Results are checked to be byte-identical before timing.  1 thread.
"""
import argparse
import os

import fastcode
from fastcode.platform import cpu_model
from fastcode.bench.comparators import paired_times
import fastcode.compat.zfec as shim


def row(label, size, t_fc, t_peer, ratio):
    print(f"{label:<34} {size / t_fc / 1e9:8.2f} GB/s {size / t_peer / 1e9:8.2f} GB/s"
          f" {ratio:8.1f}x")


def bench_zfec(repeats, sizes):
    try:
        import zfec
    except ImportError:
        print("zfec skipped: not installed (pip install 'fastcode[compat]')")
        return
    print(f"\n{'zfec API (k, m, block)':<34} {'fastcode':>13} {'zfec':>13} {'ratio':>9}")
    for k, m in [(3, 10), (10, 14)]:
        for block in sizes:
            data = [os.urandom(block) for _ in range(k)]
            ours, theirs = shim.Encoder(k, m), zfec.Encoder(k, m)
            shares = theirs.encode(data)
            assert ours.encode(data) == shares
            (t_fc, t_z), (_, ratio) = paired_times(
                [lambda: theirs.encode(data), lambda: ours.encode(data)], repeats)
            row(f"encode k={k} m={m} {block >> 10} KiB", k * block, t_z, t_fc, ratio)
            nums = list(range(m - k, m))
            given = [shares[i] for i in nums]
            dec_fc, dec_z = shim.Decoder(k, m), zfec.Decoder(k, m)
            assert dec_fc.decode(given, nums) == dec_z.decode(given, nums) == data
            (t_fc, t_z), (_, ratio) = paired_times(
                [lambda: dec_z.decode(given, nums), lambda: dec_fc.decode(given, nums)], repeats)
            row(f"decode k={k} m={m} {block >> 10} KiB", k * block, t_z, t_fc, ratio)


def bench_pyeclib(repeats, sizes):
    try:
        from pyeclib.ec_iface import ECDriver
    except ImportError:
        print("pyeclib skipped: not installed (pip install 'fastcode[compat]')")
        return
    print(f"\n{'PyECLib isa_l_rs_cauchy RS(10,4)':<34} {'fastcode':>13} {'pyeclib':>13} {'ratio':>9}")
    peer = ECDriver(k=10, m=4, ec_type="isa_l_rs_cauchy")
    ours = ECDriver(k=10, m=4, ec_type="isa_l_rs_cauchy",
                    library_import_str="fastcode.compat.pyeclib.Driver")
    for size in sizes:
        data = os.urandom(size)
        frags = peer.encode(data)
        assert ours.encode(data) == frags
        (t_fc, t_p), (_, ratio) = paired_times([lambda: peer.encode(data),
                                                lambda: ours.encode(data)], repeats)
        row(f"encode {size >> 20} MiB", size, t_p, t_fc, ratio)
        given = frags[4:]
        assert ours.decode(given) == peer.decode(given) == data
        (t_fc, t_p), (_, ratio) = paired_times([lambda: peer.decode(given),
                                                lambda: ours.decode(given)], repeats)
        row(f"decode {size >> 20} MiB (4 data lost)", size, t_p, t_fc, ratio)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, smaller objects")
    ap.add_argument("--repeats", type=int, default=None)
    args = ap.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 9)
    info = fastcode.info()
    print(f"CPU: {cpu_model()}; fastcode {info['version']} simd={info['simd_level']} "
          f"threads={fastcode.get_num_threads()}")
    bench_zfec(repeats, [1 << 10, 1 << 16] if args.quick else [1 << 10, 1 << 16, 1 << 20])
    bench_pyeclib(repeats, [1 << 20] if args.quick else [1 << 20, 16 << 20])


if __name__ == "__main__":
    main()
