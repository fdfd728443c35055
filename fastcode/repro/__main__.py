"""``python -m fastcode.repro NAME [options]``: the same as ``fastcode simulate NAME``."""
import sys

from fastcode.repro import REPRODUCTIONS
from fastcode.repro.cli import main

if len(sys.argv) < 2 or sys.argv[1] not in REPRODUCTIONS:
    sys.exit(f"usage: python -m fastcode.repro {{{','.join(REPRODUCTIONS)}}} [options]")
sys.exit(main(sys.argv[1], sys.argv[2:]))
