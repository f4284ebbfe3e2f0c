#!/usr/bin/env bash
# Regenerates fuzz/seeds/fuzz_fat_mount/: small FAT images made with dosfstools
# + mtools (valid ones, an MBR-partitioned one, and deliberately broken ones).
# Trailing zero bytes are trimmed (the harness sizes the device from the BPB).
# Deterministic except for the timestamps and serials dosfstools/mtools write.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/fuzz/seeds/fuzz_fat_mount
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MTOOLS_SKIP_CHECK=1 LC_ALL=C.UTF-8
mkdir -p "$out" "$tmp/t/Sub Directory/deeper"
printf 'hello\n' > "$tmp/t/readme.txt"
printf 'boot\n' > "$tmp/t/BOOT.PY"
prand() { python3 -c "import sys,random; random.seed($1); sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range($2)))"; }
prand 1 1500 > "$tmp/t/A long file name.bin"
printf 'x' > "$tmp/t/café.txt"
prand 2 700 > "$tmp/t/Sub Directory/deeper/inner file.dat"
fill() { mcopy -s -i "$1" "$tmp"/t/* ::/; }
trim() { python3 - "$1" "$2" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read().rstrip(b'\0')
open(sys.argv[2], 'wb').write(d)
PY
}
# FAT12, 128 sectors of 512 bytes (mkfs.fat refuses fewer than 96)
mkfs.fat -C -F 12 -S 512 -s 1 -r 64 -n SEED12 "$tmp/a.img" 64 >/dev/null
fill "$tmp/a.img"; trim "$tmp/a.img" "$out/fat12_128x512.img"
# FAT12, 1024-byte sectors
mkfs.fat -C -F 12 -S 1024 -s 1 -r 64 "$tmp/b.img" 128 >/dev/null
fill "$tmp/b.img"; trim "$tmp/b.img" "$out/fat12_128x1024.img"
# FAT16, 4 MiB, trimmed to the used part
mkfs.fat -C -F 16 -S 512 -s 1 -r 64 "$tmp/c.img" 4200 >/dev/null
fill "$tmp/c.img"; trim "$tmp/c.img" "$out/fat16_4m.img"
# MBR with one FAT12 partition at sector 1
python3 - "$tmp/a.img" "$out/mbr_fat12.img" <<'PY'
import sys, struct
vol = open(sys.argv[1], 'rb').read()
mbr = bytearray(512)
n = len(vol) // 512
mbr[446:462] = bytes([0x00, 0, 0, 0, 0x01, 0, 0, 0]) + struct.pack('<II', 1, n)
mbr[510:512] = b'\x55\xaa'
open(sys.argv[2], 'wb').write((bytes(mbr) + vol).rstrip(b'\0'))
PY
# Broken images from the FAT12 one: a looping chain, a cross-linked chain,
# a garbage directory sector, a BPB with zero sectors per cluster.
python3 - "$tmp/a.img" "$out" <<'PY'
import sys, struct
img = bytearray(open(sys.argv[1], 'rb').read())
out = sys.argv[2]
bps = struct.unpack_from('<H', img, 11)[0]
rsvd = struct.unpack_from('<H', img, 14)[0]
fatsz = struct.unpack_from('<H', img, 22)[0]
nfats = img[16]
rootent = struct.unpack_from('<H', img, 17)[0]
fat = rsvd * bps
def set12(buf, n, v):
    off = fat + n * 3 // 2
    w = struct.unpack_from('<H', buf, off)[0]
    if n & 1: w = (w & 0x000F) | (v << 4)
    else: w = (w & 0xF000) | v
    struct.pack_into('<H', buf, off, w)
def save(name, buf): open(out + '/' + name, 'wb').write(bytes(buf).rstrip(b'\0'))
b = bytearray(img); set12(b, 3, 3); save('bad_loop.img', b)           # cluster 3 -> 3
b = bytearray(img); set12(b, 4, 2); save('bad_crosslink.img', b)      # 4 -> 2: joins another chain
b = bytearray(img)
root = (rsvd + nfats * fatsz) * bps
b[root + 32:root + 96] = bytes((i * 37 + 11) & 0xFF for i in range(64)); save('bad_dir.img', b)
b = bytearray(img); b[13] = 0; save('bad_bpb_spc0.img', b)
# a short entry deleted under its long-name entries (orphaned LFN), and a
# subdirectory whose '..' points at itself
b = bytearray(img)
for i in range(1, rootent):
    e = root + 32 * i
    if b[e] in (0, 0xE5):
        continue
    if b[e + 11] != 0x0F and b[e - 32 + 11] == 0x0F:
        b[e] = 0xE5
        break
save('bad_orphan_lfn.img', b)
b = bytearray(img)
data = root + rootent * 32
spc = img[13]
for i in range(rootent):
    e = root + 32 * i
    if b[e] not in (0, 0xE5) and b[e + 11] == 0x10:
        clus = struct.unpack_from('<H', b, e + 26)[0]
        d = data + (clus - 2) * spc * bps
        struct.pack_into('<H', b, d + 32 + 26, clus)
        break
save('bad_dotdot_loop.img', b)
b = bytearray(img); struct.pack_into('<H', b, 11, 4096); save('bad_bpb_bps.img', b)
PY
ls -l "$out"; du -sb "$out"
