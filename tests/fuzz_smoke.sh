#!/bin/sh
# fuzz_smoke.sh - build the libFuzzer harnesses (clang, build-fuzz/) and run
# each for a few seconds (FUZZ_SMOKE_SECONDS, default 6), so a regression that
# crashes, leaks or hangs a parser on its seed corpus is caught by make check.
# Prints TAP (fuzz/run.sh's lines); "# SKIP" when clang or libFuzzer is absent.
set -u
T=$(cd "$(dirname "$0")/.." && pwd)
S=${FUZZ_SMOKE_SECONDS:-6}
B=${FUZZ_BUILD:-build-fuzz}
skip() { echo "ok 1 - fuzz smoke # SKIP $1"; echo "1..1"; exit 0; }
command -v clang >/dev/null 2>&1 || skip "clang not installed"
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
    ls /usr/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1 || skip "libFuzzer (libclang-rt-*-dev) not installed"
cd "$T" || exit 1
if [ ! -f "$B/build.ninja" ]; then
    CC=clang meson setup "$B" --buildtype=debugoptimized -Dfuzz=true \
        -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link \
        > "$T/$B.setup.log" 2>&1 || { echo "not ok 1 - fuzz build setup (see $B.setup.log)"; echo "1..1"; exit 1; }
fi
if ! ninja -C "$B" > "$B/smoke-build.log" 2>&1; then
    echo "not ok 1 - fuzz harnesses build"; tail -20 "$B/smoke-build.log" | sed 's/^/#   /'; echo "1..1"; exit 1
fi
FUZZ_SMOKE=1 sh "$T/fuzz/run.sh" "$B" "$S"
