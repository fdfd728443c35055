"""Build the Cython extensions and their C kernels (csrc/).

Baseline flags only: SIMD code carries per-function target attributes and is
chosen at run time, so one build runs on any x86-64.  On AArch64 the same
sources build the NEON kernels (Advanced SIMD is baseline there, no flags;
getauxval confirms it at run time); other CPUs get the scalar kernels.
FASTCODE_DEBUG=1 builds with bounds checks and assertions on.  The kernels
alone (no Python) cross-build and run under qemu with tests/c/Makefile.
FASTCODE_SANITIZE=address,undefined (any -fsanitize= list) builds every
extension instrumented, with frame pointers and line tables; run the tests with
the sanitizer runtime preloaded (see .ci/run).

Linux and macOS only: the C kernels use pthreads and GCC/Clang attributes.
"""
import os
import re
import sys

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

DEBUG = os.environ.get("FASTCODE_DEBUG", "") not in ("", "0")
SANITIZE = os.environ.get("FASTCODE_SANITIZE", "").strip()

if sys.platform == "win32":
    sys.exit("fastcode builds on Linux and macOS only: the C kernels use pthreads and "
             "GCC/Clang attributes (no MSVC port)")

compile_args = ["-O3", "-std=c99", "-Wall", "-Wno-unused-function"]
link_args = ["-pthread"]
if DEBUG:
    compile_args += ["-O1", "-g", "-UNDEBUG"]
if SANITIZE:
    if not re.fullmatch(r"[a-z,_-]+", SANITIZE):
        sys.exit(f"FASTCODE_SANITIZE={SANITIZE!r}: expected a -fsanitize= list, "
                 "e.g. address,undefined")
    # -g1: line tables only, all a sanitizer report needs (file:line in every frame);
    # full -g costs a third more compile time in CI for nothing the reports use.
    sanitize = [f"-fsanitize={SANITIZE}", "-fno-omit-frame-pointer", "-g1"]
    # -O1 (after -O3, so it wins): what the sanitizers recommend, and the
    # instrumented Cython modules compile in half the time.
    compile_args += sanitize + ["-O1"]
    link_args += sanitize

GF256_SOURCES = [
    "csrc/gf256_tables.c",
    "csrc/gf256_base.c",
    "csrc/gf256_simd.c",
    "csrc/gf256_dispatch.c",
    "csrc/gf256_dot.c",
    "csrc/gf256_linalg.c",
]

GFP_SOURCES = [
    "csrc/gfp_split.c",
    "csrc/gfp_fold.c",
    "csrc/gfp_matmul.c",
    "csrc/gfp_linalg.c",
]

GF16_SOURCES = [
    "csrc/gf16_tables.c",
    "csrc/gf16_base.c",
    "csrc/gf16_simd.c",
    "csrc/gf16_dispatch.c",
    "csrc/gf16_codec.c",
]

extensions = [
    Extension(
        "fastcode.fields._gf256",
        ["fastcode/fields/_gf256.pyx"] + GF256_SOURCES,
        include_dirs=["csrc", numpy.get_include()],
        extra_compile_args=compile_args,
        extra_link_args=link_args,
        depends=["csrc/gf256.h", "csrc/gf256_levels.h", "csrc/gf256_simd_template.h"],
    ),
    Extension(
        "fastcode.fields._gfp",
        ["fastcode/fields/_gfp.pyx"] + GFP_SOURCES,
        include_dirs=["csrc"],
        extra_compile_args=compile_args,
        extra_link_args=link_args,
        depends=["csrc/gfp.h"],
    ),
    Extension(
        "fastcode.fields._gf65536",
        ["fastcode/fields/_gf65536.pyx"] + GF16_SOURCES,
        include_dirs=["csrc", numpy.get_include()],
        extra_compile_args=compile_args,
        extra_link_args=link_args,
        depends=["csrc/gf16.h", "csrc/gf16_levels.h", "csrc/gf16_simd_template.h"],
    ),
    Extension(
        "fastcode._util._memory",
        ["fastcode/_util/_memory.pyx"],
        extra_compile_args=compile_args,
        extra_link_args=link_args,
    ),
    Extension(
        "fastcode.codes._recovery",
        ["fastcode/codes/_recovery.pyx"],
        extra_compile_args=compile_args,
        extra_link_args=link_args,
    ),
]

directives = {"language_level": "3"}
if DEBUG:
    directives.update(boundscheck=True, wraparound=True, initializedcheck=True)

# The extensions compile concurrently (build_ext's parallel option; pip's build
# uses it too), one per core: the build is most of a fresh install's time.
JOBS = os.cpu_count() or 1

setup(
    ext_modules=cythonize(extensions, compiler_directives=directives, nthreads=JOBS),
    options={"build_ext": {"parallel": JOBS}},
)
