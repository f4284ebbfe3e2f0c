#!/usr/bin/env bash
# Installs what the build and tests need, from Debian's packages, when it is
# missing and we are root. Never fails the build for an optional tool: the
# steps that need one say so and skip.
set -u
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have gcc || need+=(gcc)
have make || need+=(make)
have clang || need+=(clang)
have pkg-config || need+=(pkg-config)
have arm-none-eabi-gcc || need+=(gcc-arm-none-eabi)
have mkfs.fat || need+=(dosfstools)
have mcopy || need+=(mtools)
have valgrind || need+=(valgrind)
have gzip || need+=(gzip)
have python3 || need+=(python3)
[ -e /usr/include/fuse3/fuse.h ] || need+=(libfuse3-dev)
have fusermount3 || need+=(fuse3)
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && have apt-get; then
    echo "deps: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
        apt-get install -y -qq "${need[@]}" || echo "deps: some packages could not be installed" >&2
else
    echo "deps: missing ${need[*]} (run as root on Debian to install them)" >&2
fi
exit 0
