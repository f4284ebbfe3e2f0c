#!/usr/bin/env bash
# Cortex-M4 (-mthumb -Os) code size of each core module, and the state structs.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if ! command -v arm-none-eabi-gcc >/dev/null; then
    echo "size: arm-none-eabi-gcc not installed (Debian gcc-arm-none-eabi); skipped"
    exit 0
fi
out=build/arm
mkdir -p "$out"
flags="-std=c11 -mcpu=cortex-m4 -mthumb -Os -ffunction-sections -fdata-sections -Wall -Wextra -Werror -Iinclude -Iport/host/include -DNDEBUG"
status=0
printf '%-12s %8s %8s %8s\n' module text data bss
for dir in src/*/; do
    mod=$(basename "$dir")
    objs=()
    for c in "$dir"*.c; do
        [ -e "$c" ] || continue
        o="$out/$mod-$(basename "${c%.c}").o"
        if ! arm-none-eabi-gcc $flags -c "$c" -o "$o"; then
            echo "size: $c does not build for Cortex-M4" >&2
            status=1
            continue
        fi
        objs+=("$o")
    done
    [ ${#objs[@]} -gt 0 ] || continue
    arm-none-eabi-size -t "${objs[@]}" | awk -v m="$mod" 'END { printf "%-12s %8d %8d %8d\n", m, $1, $2, $3 }'
done
# The drivers as the references count them ("bare"): without fsck (and littlefs's
# probe), which neither reference has; "tiny" is the same in the size-first
# configuration (no speed caches; FatFs's reference build is its FF_FS_TINY).
for cfg in bare tiny; do
    extra=
    [ $cfg = tiny ] && extra="-DCAIRN_FAT_TINY=1 -DCAIRN_LFS2_TINY=1"
    for mod in fat lfs2; do
        objs=()
        for c in src/$mod/*.c; do
            o="$out/$cfg-$mod-$(basename "${c%.c}").o"
            arm-none-eabi-gcc $flags $extra -DCAIRN_FAT_FSCK=0 -DCAIRN_LFS2_FSCK=0 -DCAIRN_LFS2_PROBE=0 -c "$c" -o "$o" || { status=1; continue; }
            objs+=("$o")
        done
        ref=11403
        [ $mod = lfs2 ] && ref=15172
        arm-none-eabi-size -t "${objs[@]}" |
            awk -v m="$mod-$cfg" -v r=$ref 'END { printf "%-12s %8d %8d %8d   (reference %d, %+.0f%%)\n", m, $1, $2, $3, r, ($1 - r) * 100 / r }'
    done
done
# State struct sizes on the target (32-bit), from a probe object.
if [ -x scripts/struct-sizes.sh ]; then
    scripts/struct-sizes.sh "$flags" "$out"
    echo "(size-first configuration, -DCAIRN_FAT_TINY=1 -DCAIRN_LFS2_TINY=1:)"
    scripts/struct-sizes.sh "$flags -DCAIRN_FAT_TINY=1 -DCAIRN_LFS2_TINY=1" "$out" | tail -n +3
fi
exit $status
