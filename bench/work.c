// The workloads of docs/bench.md, run through the VFS as an application would.
// Data read back is compared with what was written, so a benchmark of a
// broken driver fails instead of printing good-looking numbers.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cairn/vfs.h"

#define BENCH_MAX_FILES 1024
#define BENCH_MAX_SIZE (16 + 1008)

static uint8_t bench_data[BENCH_MAX_FILES][BENCH_MAX_SIZE];
static uint32_t bench_size[BENCH_MAX_FILES];
static uint8_t bench_buf[262144];
static uint8_t bench_back[262144];

uint32_t cairn_bench_rand(struct bench_ctx *b)
{
    uint32_t x = b->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b->rng = x;
    return x;
}

int64_t cairn_bench_ck(int64_t rc, const char *what, const char *path)
{
    if (rc < 0) {
        fprintf(stderr, "bench: %s(%s) failed: %lld (%s)\n", what, path ? path : "", (long long)rc,
                cairn_errname((int)rc));
        exit(1);
    }
    return rc;
}

static void bench_fail(const char *what, const char *path)
{
    fprintf(stderr, "bench: %s(%s): data mismatch\n", what, path);
    exit(1);
}

int cairn_bench_mount(struct bench_ctx *b)
{
    return (int)cairn_bench_ck(cairn_vfs_mount(b->fs, "/", 0), "mount", "/");
}

int cairn_bench_umount(struct bench_ctx *b)
{
    (void)b;
    return (int)cairn_bench_ck(cairn_vfs_umount("/", 0), "umount", "/");
}

static void bench_fill(struct bench_ctx *b, uint8_t *p, uint32_t n)
{
    // A local copy of the state: stores through p may alias b, which would
    // otherwise force a reload and store of b->rng for every byte.
    // Four bytes per turn: the loop's own count and branch are then a
    // quarter of the per-byte cost instead of a third of it. Byte stores
    // through a volatile pointer: merged into words, each byte would cost a
    // zero-extend, shift and or more than its store.
    volatile uint8_t *q = p;
    uint32_t x = b->rng;
#define BENCH_STEP(k)                                                                          \
    x ^= x << 13;                                                                              \
    x ^= x >> 17;                                                                              \
    x ^= x << 5;                                                                               \
    q[k] = (uint8_t)x;
    for (; n >= 4; n -= 4, q += 4) {
        BENCH_STEP(0)
        BENCH_STEP(1)
        BENCH_STEP(2)
        BENCH_STEP(3)
    }
    for (; n > 0; n--, q++) {
        BENCH_STEP(0)
    }
#undef BENCH_STEP
    b->rng = x;
}

static void bench_write_file(const char *path, const char *mode, const uint8_t *p, uint32_t n)
{
    int fd = (int)cairn_bench_ck(cairn_vfs_open(path, mode), "open", path);
    int32_t w = (int32_t)cairn_bench_ck(cairn_vfs_write(fd, p, n), "write", path);
    if ((uint32_t)w != n) {
        bench_fail("short write", path);
    }
    cairn_bench_ck(cairn_vfs_close(fd), "close", path);
}

static void bench_read_file(const char *path, const uint8_t *want, uint32_t n)
{
    int fd = (int)cairn_bench_ck(cairn_vfs_open(path, "r"), "open", path);
    int32_t r = (int32_t)cairn_bench_ck(cairn_vfs_read(fd, bench_back, n), "read", path);
    if ((uint32_t)r != n || memcmp(bench_back, want, n) != 0) {
        bench_fail("read", path);
    }
    cairn_bench_ck(cairn_vfs_close(fd), "close", path);
}

// ---- 1. small-files ----------------------------------------------------------------

static void bench_new_small(struct bench_ctx *b, uint32_t i)
{
    char path[32];
    snprintf(path, sizeof path, "/d/f%03u", (unsigned)i);
    bench_size[i] = 16 + cairn_bench_rand(b) % 1009;
    bench_fill(b, bench_data[i], bench_size[i]);
    bench_write_file(path, "w", bench_data[i], bench_size[i]);
}

void cairn_bench_small_files(struct bench_ctx *b, uint32_t nfiles, int final_umount)
{
    char path[32];
    if (nfiles > BENCH_MAX_FILES) {
        nfiles = BENCH_MAX_FILES;
    }
    cairn_bench_ck(cairn_vfs_mkdir("/d"), "mkdir", "/d");
    for (uint32_t i = 0; i < nfiles; i++) {
        bench_new_small(b, i);
    }
    for (uint32_t i = 0; i < nfiles; i++) {
        snprintf(path, sizeof path, "/d/f%03u", (unsigned)i);
        bench_read_file(path, bench_data[i], bench_size[i]);
    }
    for (uint32_t i = 0; i < nfiles; i += 2) {
        snprintf(path, sizeof path, "/d/f%03u", (unsigned)i);
        cairn_bench_ck(cairn_vfs_remove(path), "remove", path);
    }
    for (uint32_t i = 0; i < nfiles; i += 2) {
        bench_new_small(b, i);
    }
    if (final_umount) {
        cairn_bench_umount(b);
    }
}

// ---- 2. big-file -----------------------------------------------------------------------

void cairn_bench_big_file(struct bench_ctx *b)
{
    const uint32_t size = 262144;
    int fd = (int)cairn_bench_ck(cairn_vfs_open("/big", "w"), "open", "/big");
    for (uint32_t off = 0; off < size; off += 256) {
        bench_fill(b, bench_buf + off, 256);
        if (cairn_bench_ck(cairn_vfs_write(fd, bench_buf + off, 256), "write", "/big") != 256) {
            bench_fail("short write", "/big");
        }
    }
    cairn_bench_ck(cairn_vfs_close(fd), "close", "/big");
    fd = (int)cairn_bench_ck(cairn_vfs_open("/big", "r"), "open", "/big");
    for (uint32_t off = 0; off < size; off += 4096) {
        if (cairn_bench_ck(cairn_vfs_read(fd, bench_back, 4096), "read", "/big") != 4096 ||
            memcmp(bench_back, bench_buf + off, 4096) != 0) {
            bench_fail("read", "/big");
        }
    }
    cairn_bench_ck(cairn_vfs_close(fd), "close", "/big");
    fd = (int)cairn_bench_ck(cairn_vfs_open("/big", "r"), "open", "/big");
    for (int i = 0; i < 500; i++) {
        uint32_t at = cairn_bench_rand(b) % (size - 64);
        cairn_bench_ck(cairn_vfs_seek(fd, at, CAIRN_SEEK_SET), "seek", "/big");
        if (cairn_bench_ck(cairn_vfs_read(fd, bench_back, 64), "read", "/big") != 64 ||
            memcmp(bench_back, bench_buf + at, 64) != 0) {
            bench_fail("seek+read", "/big");
        }
    }
    cairn_bench_ck(cairn_vfs_close(fd), "close", "/big");
    cairn_bench_umount(b);
}

// ---- 3. append-log -----------------------------------------------------------------------

void cairn_bench_append_log(struct bench_ctx *b)
{
    for (uint32_t i = 0; i < 1000; i++) {
        bench_fill(b, bench_buf + 32 * i, 32);
        bench_write_file("/log", "a", bench_buf + 32 * i, 32);
    }
    bench_read_file("/log", bench_buf, 32000);
    cairn_bench_umount(b);
}

// ---- 4. remount ----------------------------------------------------------------------------

void cairn_bench_remount(struct bench_ctx *b)
{
    char path[32];
    struct cairn_stat st;
    cairn_bench_small_files(b, 200, 0);
    for (uint32_t k = 0; k < 20; k++) {
        cairn_bench_umount(b);
        cairn_bench_mount(b);
        cairn_bench_ck(cairn_vfs_stat("/d/f100", &st), "stat", "/d/f100");
        if (st.size != bench_size[100]) {
            bench_fail("stat size", "/d/f100");
        }
        snprintf(path, sizeof path, "/d/n%u", (unsigned)k);
        bench_fill(b, bench_buf, 100);
        bench_write_file(path, "w", bench_buf, 100);
    }
    cairn_bench_umount(b);
}

// ---- 5. dir-lookup ---------------------------------------------------------------------------

void cairn_bench_dir_lookup(struct bench_ctx *b)
{
    char path[32];
    struct cairn_stat st;
    static struct cairn_dirent ent;
    cairn_bench_ck(cairn_vfs_mkdir("/dir"), "mkdir", "/dir");
    for (int k = 0; k < 300; k++) {
        snprintf(path, sizeof path, "/dir/name_%d", k);
        int fd = (int)cairn_bench_ck(cairn_vfs_open(path, "w"), "open", path);
        cairn_bench_ck(cairn_vfs_close(fd), "close", path);
    }
    for (int k = 0; k < 300; k++) {
        snprintf(path, sizeof path, "/dir/name_%d", k);
        cairn_bench_ck(cairn_vfs_stat(path, &st), "stat", path);
        if (st.size != 0 || st.mode != CAIRN_S_IFREG) {
            bench_fail("stat", path);
        }
    }
    int dd = (int)cairn_bench_ck(cairn_vfs_opendir("/dir"), "opendir", "/dir");
    int n = 0;
    while (cairn_bench_ck(cairn_vfs_readdir(dd, &ent), "readdir", "/dir") == 1) {
        n++;
    }
    cairn_bench_ck(cairn_vfs_closedir(dd), "closedir", "/dir");
    if (n != 300) {
        bench_fail("listdir count", "/dir");
    }
    cairn_bench_umount(b);
}

// ---- scale: mount + first allocating write on a full-ish volume -------------------------

void cairn_bench_fill(struct bench_ctx *b, uint32_t nfiles)
{
    char path[40];
    for (uint32_t i = 0; i < nfiles; i++) {
        if (i % 64 == 0) {
            snprintf(path, sizeof path, "/fill%03u", (unsigned)(i / 64));
            cairn_bench_ck(cairn_vfs_mkdir(path), "mkdir", path);
        }
        snprintf(path, sizeof path, "/fill%03u/f%02u", (unsigned)(i / 64), (unsigned)(i % 64));
        bench_fill(b, bench_buf, 4096);
        bench_write_file(path, "w", bench_buf, 4096);
    }
    cairn_bench_umount(b);
}

void cairn_bench_mount_write(struct bench_ctx *b)
{
    uint64_t before = b->read_bytes != NULL ? *b->read_bytes : 0;
    cairn_bench_mount(b);
    b->mount_reads = b->read_bytes != NULL ? *b->read_bytes - before : 0;
    bench_fill(b, bench_buf, 4096);
    bench_write_file("/new", "w", bench_buf, 4096);
    cairn_bench_umount(b);
}
