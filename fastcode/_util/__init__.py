"""Small helpers shared by every layer of fastcode.

The lowest layer of the package next to ``_config`` and ``errors``: modules
here import nothing from fastcode but those two.
"""
