#!/usr/bin/env bash
# Runs every test program under BUILD/tests and adds up their summary lines.
# Usage: scripts/run-tests.sh BUILD_DIR
set -u
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${CAIRN_SHARED:-$root/../shared}
export CAIRN_SHARED=$(cd "$shared" 2>/dev/null && pwd || echo "$shared")
export CAIRN_TMP=$root/$build/tmp
export CAIRN_INTEROP=$root/build/interop
export CAIRN_CLI=$root/$build/cairn
export CAIRN_ROOT=$root
mkdir -p "$CAIRN_TMP" "$CAIRN_INTEROP"
# The interop images, uncompressed once.
if [ -d "$CAIRN_SHARED/interop" ]; then
    for f in "$CAIRN_SHARED"/interop/*/*; do
        sub=$(basename "$(dirname "$f")")
        mkdir -p "$CAIRN_INTEROP/$sub"
        name=$(basename "$f")
        case "$name" in
        *.gz) out="$CAIRN_INTEROP/$sub/${name%.gz}"
              [ -s "$out" ] || gzip -dc "$f" > "$out" ;;
        *)    [ -s "$CAIRN_INTEROP/$sub/$name" ] || cp "$f" "$CAIRN_INTEROP/$sub/$name" ;;
        esac
    done
fi
passed=0 failed=0 skipped=0 broken=()
for t in $(find "$build/tests" -type f -perm -u+x -name 'test_*' | sort); do
    log="$CAIRN_TMP/$(basename "$t").log"
    start=$(date +%s)
    timeout "${CAIRN_TEST_TIMEOUT:-900}" "$t" >"$log" 2>&1
    rc=$?
    line=$(grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -n "$line" ]; then
        p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
        f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
        s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line")
        passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${s:-0}))
    fi
    if [ $rc -ne 0 ] || [ -z "$line" ]; then
        [ -z "$line" ] && failed=$((failed + 1))
        broken+=("$t")
        echo "---- $t (exit $rc) ----"
        grep -E 'FAIL|ERROR|runtime error|Sanitizer|SUMMARY' "$log" | head -n 40
        [ -z "$line" ] && tail -n 20 "$log"
    fi
    grep '^SKIP' "$log" || true
    echo "${line:-$(basename "$t"): crashed} ($(( $(date +%s) - start ))s)"
done
echo
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ ${#broken[@]} -eq 0 ]
