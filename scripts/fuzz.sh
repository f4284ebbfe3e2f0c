#!/usr/bin/env bash
# Builds the libFuzzer harnesses in fuzz/ (fuzz_*.c) with clang and runs them.
#   scripts/fuzz.sh short   a brief run of each (make test)
#   scripts/fuzz.sh long    CAIRN_FUZZ_SECONDS each (default 600)
#   scripts/fuzz.sh build   build only
# CAIRN_FUZZ_TINY=1: the size-first configuration (build/fuzz-tiny).
set -u
mode=${1:-short}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
harnesses=$(ls fuzz/fuzz_*.c 2>/dev/null)
if [ -z "$harnesses" ]; then
    echo "fuzz: no harnesses yet"
    exit 0
fi
if ! command -v clang >/dev/null || ! echo 'int LLVMFuzzerTestOneInput(const unsigned char*d,unsigned long n){(void)d;(void)n;return 0;}' |
        clang -fsanitize=fuzzer -x c - -o /tmp/cairn-fuzz-probe 2>/dev/null; then
    echo "fuzz: clang with libFuzzer not available (Debian clang + libclang-rt-14-dev); skipped"
    exit 0
fi
out=build/fuzz tag=
flags="-std=c11 -g -O1 -Iinclude -Iport/host/include -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
if [ "${CAIRN_FUZZ_TINY:-0}" = 1 ]; then
    out=build/fuzz-tiny tag=" (tiny)"
    flags="$flags -DCAIRN_LFS2_TINY=1 -DCAIRN_FAT_TINY=1"
fi
mkdir -p "$out"
srcs=$(ls src/*/*.c port/host/*.c)
status=0
for h in $harnesses; do
    name=$(basename "${h%.c}")
    extra=$(ls fuzz/common_*.c 2>/dev/null)
    if ! clang $flags -o "$out/$name" "$h" $extra $srcs -lm; then
        echo "fuzz: $name does not build" >&2
        status=1
        continue
    fi
    [ "$mode" = build ] && continue
    secs=${CAIRN_FUZZ_SECONDS:-600}
    [ "$mode" = short ] && secs=${CAIRN_FUZZ_SHORT_SECONDS:-20}
    corpus="$out/corpus-$name"
    mkdir -p "$corpus"
    seeds=fuzz/seeds/$name
    [ -d "$seeds" ] || seeds=
    # crash/timeout/slow-unit files go next to the log, not into the work tree
    if "$out/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
            -artifact_prefix="$out/$name-" "$corpus" $seeds >"$out/$name.log" 2>&1; then
        echo "fuzz: $name$tag ok ($(grep -c . "$out/$name.log" >/dev/null; tail -n 1 "$out/$name.log"))"
    else
        echo "fuzz: $name FOUND A PROBLEM"; tail -n 40 "$out/$name.log"; status=1
    fi
done
exit $status
