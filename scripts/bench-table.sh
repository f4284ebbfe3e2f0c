#!/usr/bin/env bash
# Turns scripts/bench.sh --callgrind output (stdin) into the README's figures table:
# our count, the reference's in parentheses (bench/reference.txt).
set -u
ref=${1:-$(dirname "$0")/../bench/reference.txt}
awk -v reffile="$ref" '
function grp(n,   s) { s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s); return s }
function mi(n) { return sprintf("%.1f M", n / 1e6) }
BEGIN {
    while ((getline line < reffile) > 0) {
        if (line ~ /^#/ || line == "") continue
        split(line, f, " "); k = f[1] " " f[2] " " f[3]
        rr[k] = f[4]; rp[k] = f[5]; ri[k] = f[7]
    }
    print "| fs | geom | workload | read_bytes (reference) | prog_bytes (reference) | instructions (reference) |"
    print "|---|---|---|---:|---:|---:|"
}
/^bench / && !/ n=/ {
    delete v
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    k = v["fs"] " " v["geom"] " " v["wl"]
    if (!(k in rr)) next
    row[k] = sprintf("| %s | %s | %s | %s (%s) | %s (%s) | %s (%s) |", v["fs"], v["geom"], v["wl"],
        grp(v["read_bytes"]), grp(rr[k]), grp(v["prog_bytes"]), grp(rp[k]),
        ("instr" in v) ? mi(v["instr"]) : "-", mi(ri[k]))
    order[++n] = k
}
END {
    # littlefs rows first (nor4k, then sd512), then FAT, as in the issues
    for (pass = 1; pass <= 3; pass++)
        for (i = 1; i <= n; i++) {
            k = order[i]
            if ((pass == 1 && k ~ /^lfs2 nor4k/) || (pass == 2 && k ~ /^lfs2 sd512/) || (pass == 3 && k ~ /^fat/))
                print row[k]
        }
}'
