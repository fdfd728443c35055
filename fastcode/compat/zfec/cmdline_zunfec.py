"""The ``zunfec`` command line: rebuild a file from share files (zfec's options)."""
import argparse
import os
import sys

from fastcode.compat.zfec import filefec
from fastcode.compat.zfec._version import __version__


def _parser():
    p = argparse.ArgumentParser(description="Decode data from share files.")
    p.add_argument("-o", "--outputfile", required=True, metavar="OUTF",
                   help='file to write the resulting data to, or "-" for stdout')
    p.add_argument("sharefiles", nargs="*", metavar="SHAREFILE",
                   help="share files to read the encoded data from")
    p.add_argument("-v", "--verbose", action="store_true", help="print progress messages")
    p.add_argument("-f", "--force", action="store_true", help="overwrite the output file")
    p.add_argument("-V", "--version", action="store_true", help="print the version and exit")
    return p


def main():
    """Run ``zunfec`` on sys.argv; 0 on success, 1 (too few files), 2 (output
    exists), 3 (not enough share files for k)."""
    if "-V" in sys.argv or "--version" in sys.argv:
        print("zfec library version: ", __version__)
        print("zunfec command-line tool version: ", __version__)
        return 0
    args = _parser().parse_args()
    if len(args.sharefiles) < 2:
        print("At least two sharefiles are required.")
        return 1
    if args.outputfile == "-":
        outf = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    elif args.force:
        outf = open(args.outputfile, "wb")
    else:
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            outf = os.fdopen(os.open(args.outputfile, flags), "wb")
        except OSError:
            print("There is already a file named %r -- aborting.  Use --force to overwrite."
                  % (args.outputfile,))
            return 2
    # sorted: shares numbered below k are plain copies, the cheapest to decode from
    shares = [open(name, "rb") for name in sorted(args.sharefiles)]
    try:
        filefec.decode_from_files(outf, shares, args.verbose)
    except filefec.InsufficientShareFilesError as exc:
        print(str(exc))
        return 3
    finally:
        outf.close()
        for f in shares:
            f.close()
    return 0
