#!/usr/bin/env bash
# Memory-safety checks of the `unsafe` code (all of it in kernels/: the
# main crate is #![forbid(unsafe_code)]), on the stable toolchain.
#
#   scripts/sanitizers.sh [asan|valgrind|all]     (default: all)
#
# asan      AddressSanitizer (with LeakSanitizer) over the whole workspace's
#           unit and integration tests, twice: at the machine's widest ISA
#           (AVX-512 here) and capped at AVX2 (CAUSING_DIFF_ISA=avx2), since
#           the ISA picks which instantiation of each unsafe SIMD body runs.
#           Stable rustc ships the ASan runtime for x86_64-unknown-linux-gnu,
#           so RUSTC_BOOTSTRAP=1 only unlocks -Zsanitizer; std is not rebuilt
#           (no rust-src / -Zbuild-std), so std's own code is not instrumented,
#           but ours and every dependency's (matrixmultiply, rayon) is.
#           `--target` keeps the flags off build scripts and proc macros; a
#           separate target dir keeps the normal build cache intact.
#           allocator_may_return_null=1 makes an impossible allocation return
#           null (as glibc does) so the TooLarge tests see their error
#           instead of ASan aborting the process.
# valgrind  memcheck (--leak-check=full, any error fails) over the test
#           binaries that reach the unsafe blocks, with CAUSING_DIFF_ISA=avx2:
#           valgrind 3.19 does not emulate AVX-512. Only definite and indirect
#           leaks fail the run: rayon's global pool threads and the test
#           harness's threads are still alive at exit, and their stacks and
#           handles show as "possibly lost". The proptest-heavy,
#           10M-element and million-step binaries (gradcheck, conformance,
#           stress, training_loop) are left out: too slow under memcheck, and
#           they reach no unsafe code the chosen ones do not.
#
# Where each unsafe block is exercised (grep -rn unsafe src kernels/src):
#   kernels/src/simd.rs     V4 (AVX2) / V8 (AVX-512) lane wrappers: the
#                           vmath tests run both widths explicitly, and every
#                           exp/log/sin/... of a test reaches the detected one.
#   kernels/src/vmath.rs    the Isa::Avx512 / Isa::Avx2 dispatch arms: one
#                           per pass (default, then avx2); the vector-vs-scalar
#                           unit test's own unsafe block in both.
#   kernels/src/contig.rs   the multiversioned zip/map bodies, 512 and 256
#                           bit: one per pass; every elementwise test.
#   kernels/src/matmul.rs   the matrixmultiply call: kernels/tests/matmul.rs,
#                           tests/bad_inputs.rs (non-finite products).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=x86_64-unknown-linux-gnu
what=${1:-all}

asan() {
    local flags="-Zsanitizer=address"
    # An empty CAUSING_DIFF_ISA leaves the detected (widest) ISA.
    for isa in "" avx2; do
        echo "== AddressSanitizer, ISA ${isa:-detected}" >&2
        CAUSING_DIFF_ISA=$isa ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1 \
            RUSTC_BOOTSTRAP=1 RUSTFLAGS="$flags" RUSTDOCFLAGS="$flags" \
            CARGO_TARGET_DIR=target/asan \
            cargo test --no-fail-fast --target "$TARGET" --workspace --lib --tests
    done
}

valgrind_memcheck() {
    echo "== valgrind memcheck, ISA avx2" >&2
    # The test binaries that reach the unsafe blocks, by name.
    local keep='/(causing_diff|causing_diff_kernels|bad_inputs|seed|elementwise|matmul|reduce|einsum|scan|index_map|walk|layout)-[0-9a-f]+$'
    local bins
    bins=$(cargo test --workspace --lib --tests --no-run 2>&1 \
        | sed -n 's/^ *Executable .*(\(.*\))$/\1/p' | grep -E "$keep")
    local failed=0
    for bin in $bins; do
        echo "-- $bin" >&2
        CAUSING_DIFF_ISA=avx2 valgrind --quiet --error-exitcode=1 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect \
            "$bin" --test-threads=2 || failed=1
    done
    return $failed
}

case $what in
    asan) asan ;;
    valgrind) valgrind_memcheck ;;
    all) asan && valgrind_memcheck ;;
    *) echo "usage: $0 [asan|valgrind|all]" >&2; exit 2 ;;
esac
