"""Reproductions of the seed papers' experiments: each module has ``run(...)`` (tables) and ``main(argv)``."""
