"""python -m fastcode: the ``fastcode`` command."""
from fastcode.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
