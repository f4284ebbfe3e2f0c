#!/usr/bin/env bash
# Runs the unit, VFS and conformance test programs of the plain build under
# valgrind's memcheck: any invalid access, uninitialised use or leak fails.
# Usage: scripts/valgrind.sh BUILD_DIR
set -u
build=${1:-build}
if ! command -v valgrind >/dev/null; then
    echo "valgrind: not installed (Debian valgrind); skipped"
    exit 0
fi
root=$(cd "$(dirname "$0")/.." && pwd)
export CAIRN_SHARED=${CAIRN_SHARED:-$root/../shared}
export CAIRN_TMP=$root/$build/tmp-valgrind
export CAIRN_INTEROP=$root/build/interop
mkdir -p "$CAIRN_TMP"
status=0 n=0
for t in $(find "$build/tests/unit" "$build/tests/vfs" "$build/tests/conformance" -type f -perm -u+x -name 'test_*' | sort); do
    log="$CAIRN_TMP/$(basename "$t").valgrind.log"
    if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
            "$t" >"$log" 2>&1; then
        n=$((n + 1))
    else
        echo "valgrind: $t FAILED"; grep -E '^==|FAIL' "$log" | head -n 30; status=1
    fi
done
echo "valgrind: $n programs clean"
exit $status
