#!/usr/bin/env bash
# Prints the target size of each mount/file/dir state struct (size.sh calls it).
# lfs2 file state excludes its cache (cache_size bytes, from the mount's config).
set -u
flags=$1 out=$2
arm-none-eabi-gcc $flags -c scripts/struct_sizes.c -o "$out/struct_sizes.o" || exit 1
echo
printf '%-22s %8s\n' struct bytes
arm-none-eabi-nm -S "$out/struct_sizes.o" | while read -r _ size _ sym; do
    case "$sym" in
    cairn_sizeof_*) printf '%-22s %8d\n' "${sym#cairn_sizeof_}" "$((16#$size))" ;;
    esac
done
