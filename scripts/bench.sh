#!/usr/bin/env bash
# Runs the docs/bench.md workloads, one line each, plus the scale series.
# Usage: scripts/bench.sh [BUILD_DIR] [--callgrind] [--quick]
#   --callgrind  run every workload under valgrind --tool=callgrind and append
#                instr=N (the whole program's instruction count)
#   --quick      only the standard table (no scale series)
set -u
build=build
callgrind=0
quick=0
for a in "$@"; do
    case "$a" in
    --callgrind) callgrind=1 ;;
    --quick) quick=1 ;;
    -*) echo "unknown option $a" >&2; exit 2 ;;
    *) build=$a ;;
    esac
done
prog=$build/bench/bench_fs
if [ ! -x "$prog" ]; then
    echo "bench.sh: $prog not built (make benches)" >&2
    exit 1
fi
fail=0
run() {
    local line
    if [ $callgrind -eq 1 ]; then
        local out
        out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$prog" "$@" 2>&1)
        local rc=$?
        line=$(grep '^bench ' <<<"$out")
        local instr
        instr=$(sed -nE 's/.*Collected : ([0-9]+).*/\1/p' <<<"$out" | head -n 1)
        if [ $rc -ne 0 ] || [ -z "$line" ]; then
            echo "bench-failed $* (rc=$rc): $(grep -v '^==' <<<"$out" | tail -n 1)"
            fail=1
            return
        fi
        echo "$line instr=${instr:-?}"
    else
        if ! line=$("$prog" "$@" 2>&1) || ! grep -q '^bench ' <<<"$line"; then
            echo "bench-failed $*: $(tail -n 1 <<<"$line")"
            fail=1
            return
        fi
        echo "$line"
    fi
}

for wl in small-files big-file append-log remount dir-lookup; do
    run lfs2 nor4k $wl
    run lfs2 sd512 $wl
    run fat sd512 $wl
done
if [ $quick -eq 0 ]; then
    # scale: counts must grow no faster than the work
    for n in 200 400 800; do run lfs2 nor4k-16m small-files $n; done
    for n in 200 400 800; do run fat sd512 small-files $n; done
    # mount + first allocating write: reads must not grow with what is stored
    for n in 0 1024 2048; do run lfs2 nor4k-16m mount-write $n; done
fi
exit $fail
