"""``fastcode bench``: GF(2^8) dot_prod throughput table (placeholder until the benchmark lands)."""


def run_bench(quick=False, threads=1, fmt="table"):
    raise NotImplementedError("fastcode bench is being written")
