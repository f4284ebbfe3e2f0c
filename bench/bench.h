// Shared pieces of the benchmark programs (bench/work.c) (docs/bench.md): the xorshift32
// stream, checked VFS helpers and the workloads themselves.
#ifndef CAIRN_BENCH_H
#define CAIRN_BENCH_H

#include <stdint.h>

#include "cairn/fs.h"

// The mount the workloads run against: mounted at "/", so bench.md's paths
// are used as written. remount unmounts and mounts `fs` again.
struct bench_ctx {
    struct cairn_fs *fs;
    uint32_t rng;            // xorshift32, seed 1 at each workload's start
    const uint64_t *read_bytes; // the device's running read-byte count (may be NULL)
    uint64_t mount_reads;    // mount-write: bytes the mount itself read
};

uint32_t cairn_bench_rand(struct bench_ctx *b);

// Abort the program with a message when rc < 0 (a benchmark must not go on
// after an error: its counts would be meaningless).
int64_t cairn_bench_ck(int64_t rc, const char *what, const char *path);

int cairn_bench_mount(struct bench_ctx *b);
int cairn_bench_umount(struct bench_ctx *b);

// Workloads. Each starts mounted and ends unmounted. small-files takes its
// file count (bench.md: 200); remount runs small-files with 200.
void cairn_bench_small_files(struct bench_ctx *b, uint32_t nfiles, int final_umount);
void cairn_bench_big_file(struct bench_ctx *b);
void cairn_bench_append_log(struct bench_ctx *b);
void cairn_bench_remount(struct bench_ctx *b);
void cairn_bench_dir_lookup(struct bench_ctx *b);

// Scale: fill with `nfiles` 4 KiB files (in directories of 64), unmounted at
// the end; then (counted) mount + one 4 KiB allocating write + unmount, noting
// in mount_reads what the mount alone read.
void cairn_bench_fill(struct bench_ctx *b, uint32_t nfiles);
void cairn_bench_mount_write(struct bench_ctx *b);

#endif
