"""The ``zfec`` command line: encode a file into share files (zfec's options)."""
import argparse
import sys

from fastcode.compat.zfec import filefec
from fastcode.compat.zfec._version import __version__

DEFAULT_K = 3
DEFAULT_M = 8


def _parser():
    p = argparse.ArgumentParser(description="Encode a file into a set of share files, a subset "
                                "of which can later be used to recover the original file.")
    p.add_argument("inputfile", type=argparse.FileType("rb"), metavar="INF",
                   help='file to encode or "-" for stdin')
    p.add_argument("-d", "--output-dir", default=".", metavar="D",
                   help='directory in which share file names will be created (default ".")')
    p.add_argument("-p", "--prefix", metavar="P",
                   help="prefix for share file names (default: the input file name)")
    p.add_argument("-s", "--suffix", default=".fec", metavar="S",
                   help='suffix for share file names (default ".fec")')
    p.add_argument("-m", "--totalshares", type=int, default=DEFAULT_M, metavar="M",
                   help=f"the total number of share files created (default {DEFAULT_M})")
    p.add_argument("-k", "--requiredshares", type=int, default=DEFAULT_K, metavar="K",
                   help=f"the number of share files required to reconstruct (default {DEFAULT_K})")
    p.add_argument("-f", "--force", action="store_true", help="overwrite existing share files")
    p.add_argument("-v", "--verbose", action="store_true", help="print progress messages")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress or warnings about silly choices of K and M")
    p.add_argument("-V", "--version", action="store_true", help="print the version and exit")
    return p


def main():
    """Run ``zfec`` on sys.argv; returns 0 on success (exits for --version and bad K/M)."""
    if "-V" in sys.argv or "--version" in sys.argv:
        print("zfec library version: ", __version__)
        print("zfec command-line tool version: ", __version__)
        sys.exit(0)
    args = _parser().parse_args()
    stdin = False
    if args.prefix is None:
        args.prefix = args.inputfile.name
        if args.prefix == "<stdin>":
            args.prefix, stdin = "", True
    if args.verbose and args.quiet:
        print("Please choose only one of --verbose and --quiet.")
        sys.exit(1)
    m, k = args.totalshares, args.requiredshares
    if not 1 <= m <= 256:
        print("Invalid parameters, totalshares is required to be <= 256 and >= 1\n"
              "Please see the accompanying documentation.")
        sys.exit(1)
    if not 1 <= k <= m:
        print("Invalid parameters, requiredshares is required to be <= totalshares and >= 1\n"
              "Please see the accompanying documentation.")
        sys.exit(1)
    if not args.quiet and k == 1:
        print("warning: silly parameters: requiredshares == 1, which means that every share "
              "will be a complete copy of the file.")
    if not args.quiet and k == m:
        print("warning: silly parameters: requiredshares == totalshares, which means that all "
              "shares will be required in order to reconstruct the file.")
    inf = args.inputfile
    try:
        try:
            inf.seek(0, 2)
            fsize = inf.tell()
            inf.seek(0, 0)
        except (IOError, OSError):
            if not stdin:
                raise
            import io
            inf = io.BytesIO(inf.read())       # a pipe: measure it by reading it
            fsize = len(inf.getvalue())
        return filefec.encode_to_files(inf, fsize, args.output_dir, args.prefix, k, m,
                                       args.suffix, args.force, args.verbose)
    finally:
        args.inputfile.close()
