"""Version reported by the zfec shim: the zfec API level it mirrors, tagged fastcode."""
__version__ = "1.6.0.0+fastcode"
