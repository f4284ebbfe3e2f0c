#!/usr/bin/env bash
# Sets bench lines (stdin, as scripts/bench.sh prints them) against the reference
# figures of bench/reference.txt and the targets of issues 3 and 4:
#   littlefs: read_bytes and instructions <= half the reference's, prog and erase
#             bytes <= the reference's;
#   FAT:      read_bytes <= half the reference's (big-file: <= the reference's), prog
#             bytes <= the reference's, instructions <= the reference's.
# Prints one line per workload with the ratios and "ok" or the targets missed;
# exits 1 when a target is missed. Lines without instr= skip the instruction target.
set -u
ref=${1:-$(dirname "$0")/../bench/reference.txt}
awk -v reffile="$ref" '
BEGIN {
    while ((getline line < reffile) > 0) {
        if (line ~ /^#/ || line == "") continue
        split(line, f, " ")
        k = f[1] " " f[2] " " f[3]
        rr[k] = f[4]; rp[k] = f[5]; re[k] = f[6]; ri[k] = f[7]
    }
    bad = 0
}
/^bench / && !/ n=/ {
    delete v
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    k = v["fs"] " " v["geom"] " " v["wl"]
    if (!(k in rr)) next
    lfs = v["fs"] == "lfs2"
    rmax = (lfs || v["wl"] != "big-file") ? rr[k] / 2 : rr[k]
    imax = lfs ? ri[k] / 2 : ri[k]
    miss = ""
    if (v["read_bytes"] > rmax) miss = miss " read_bytes>" int(rmax)
    if (v["prog_bytes"] > rp[k]) miss = miss " prog_bytes>" rp[k]
    if (lfs && v["erase_bytes"] > re[k]) miss = miss " erase_bytes>" re[k]
    istr = "instr=-"
    if ("instr" in v && v["instr"] != "?") {
        istr = sprintf("instr=%.2f", v["instr"] / ri[k])
        if (v["instr"] > imax) miss = miss " instr>" int(imax)
    }
    printf "%-5s %-6s %-12s read=%.3f prog=%.3f %s  %s\n", v["fs"], v["geom"], v["wl"],
        v["read_bytes"] / rr[k], v["prog_bytes"] / rp[k], istr, miss == "" ? "ok" : "MISS" miss
    if (miss != "") bad = 1
}
END { exit bad }
'
