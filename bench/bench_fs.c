// One benchmark run = one line (docs/bench.md):
//   bench_fs FS GEOM WORKLOAD [N]
//   FS       lfs2 | fat
//   GEOM     nor4k (1 MiB NOR, 4 KiB blocks) | nor4k-16m (16 MiB) | sd512 (32 MiB SD)
//   WORKLOAD small-files | big-file | append-log | remount | dir-lookup | mount-write
//   N        small-files: file count (200); mount-write: 4 KiB files stored first (2048)
// CAIRN_BENCH_SAVE=path saves the device image at the end (to check it with
// fsck.fat or the CLI).
// I/O is counted by a fault wrapper right above the device (above the
// extended-interface adapter on sd512, so littlefs's erases are counted).
// The window opens after format + first mount and includes the final unmount.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "cairn/emu.h"
#include "cairn/fat.h"
#include "cairn/host.h"
#include "cairn/lfs2.h"
#include "cairn/vfs.h"

#define NOR_BS 4096
#define SD_SS 512
#define SD_COUNT 65536

static uint8_t nor_mem[4096u * NOR_BS]; // up to 16 MiB
static uint8_t sd_mem[(size_t)SD_COUNT * SD_SS];
static uint8_t ad_scratch[SD_SS];
static uint8_t lfs_buf[CAIRN_LFS2_BUFFER_SIZE(2048, 32)];

static struct cairn_nor nor;
static struct cairn_sd sd;
static struct cairn_bdev_ext_adapter ad;
static struct cairn_fault fault;
static struct cairn_lfs2 lfs;
static struct cairn_lfs2_config lcfg;
static struct cairn_fat fat;

// A fixed clock keeps mtimes, and so the bytes written, deterministic.
static int64_t bench_clock(void *ctx)
{
    (void)ctx;
    return 1700000000LL * 1000000000LL;
}

static double bench_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_fs lfs2|fat nor4k|nor4k-16m|sd512 small-files|big-file|"
                    "append-log|remount|dir-lookup|mount-write [N]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        usage();
    }
    const char *fsname = argv[1], *geom = argv[2], *wl = argv[3];
    long n = argc == 5 ? strtol(argv[4], NULL, 10) : -1;
    int is_lfs = strcmp(fsname, "lfs2") == 0;
    if (!is_lfs && strcmp(fsname, "fat") != 0) {
        usage();
    }
    cairn_clock_set(bench_clock, NULL);

    // device stack
    struct cairn_bdev *dev;
    if (strncmp(geom, "nor4k", 5) == 0) {
        uint32_t count = strcmp(geom, "nor4k-16m") == 0 ? 4096
                         : strcmp(geom, "nor4k") == 0   ? 256
                                                        : 0;
        if (count == 0) {
            usage();
        }
        struct cairn_nor_config cfg = {NOR_BS, count, 1, 1, 0, CAIRN_NOR_WEAR_ERROR, 0};
        memset(nor_mem, 0xFF, (size_t)count * NOR_BS);
        cairn_bench_ck(cairn_nor_init(&nor, &cfg, nor_mem, NULL), "nor_init", geom);
        dev = &nor.bd;
    } else if (strcmp(geom, "sd512") == 0) {
        struct cairn_sd_config cfg = {SD_SS, SD_COUNT, CAIRN_SD_TEAR_SECTORS};
        cairn_bench_ck(cairn_sd_init(&sd, &cfg, sd_mem), "sd_init", geom);
        dev = &sd.bd;
        if (is_lfs) {
            cairn_bench_ck(cairn_bdev_ext_adapter_init(&ad, &sd.bd, ad_scratch, sizeof ad_scratch),
                           "ext_adapter", geom);
            dev = &ad.bd;
        }
    } else {
        usage();
        return 2;
    }
    cairn_bench_ck(cairn_fault_init(&fault, dev, NULL, 0, 1), "fault_init", geom);

    // filesystem, formatted and mounted outside the window
    struct cairn_fs *fs;
    size_t ram;
    if (is_lfs) {
        memset(&lcfg, 0, sizeof lcfg);
        if (dev != &nor.bd) {
            lcfg.read_size = lcfg.prog_size = SD_SS;
        }
        uint32_t rp = dev != &nor.bd ? SD_SS : 32,
                 cache = 4 * rp < dev->block_size ? 4 * rp : dev->block_size;
        lcfg.buffer = lfs_buf;
        lcfg.buffer_size = CAIRN_LFS2_BUFFER_SIZE(cache, 32);
        cairn_bench_ck(cairn_lfs2_init(&lfs, &fault.bd, &lcfg), "lfs2_init", geom);
        fs = &lfs.fs;
        ram = sizeof lfs + lcfg.buffer_size;
        if (dev == &ad.bd) {
            ram += sizeof ad + sizeof ad_scratch; // the disk's extended-interface adapter
        }
    } else {
        cairn_bench_ck(cairn_fat_init(&fat, &fault.bd, NULL), "fat_init", geom);
        fs = &fat.fs;
        ram = sizeof fat;
    }
    cairn_bench_ck(fs->ops->mkfs(fs), "mkfs", geom);
    struct bench_ctx b = {fs, 1, &fault.counters.read_bytes, 0};
    cairn_bench_mount(&b);
    ram += fs->ops->file_size(fs) + fs->ops->dir_size(fs);

    if (strcmp(wl, "mount-write") == 0) {
        cairn_bench_fill(&b, n < 0 ? 2048 : (uint32_t)n); // ends unmounted
    }
    cairn_fault_reset_counters(&fault);
    double t0 = bench_ms();
    if (strcmp(wl, "small-files") == 0) {
        cairn_bench_small_files(&b, n < 0 ? 200 : (uint32_t)n, 1);
    } else if (strcmp(wl, "big-file") == 0) {
        cairn_bench_big_file(&b);
    } else if (strcmp(wl, "append-log") == 0) {
        cairn_bench_append_log(&b);
    } else if (strcmp(wl, "remount") == 0) {
        cairn_bench_remount(&b);
    } else if (strcmp(wl, "dir-lookup") == 0) {
        cairn_bench_dir_lookup(&b);
    } else if (strcmp(wl, "mount-write") == 0) {
        cairn_bench_mount_write(&b);
    } else {
        usage();
    }
    double t1 = bench_ms();
    const struct cairn_io_counters *c = &fault.counters;
    printf("bench fs=%s geom=%s wl=%s reads=%llu read_bytes=%llu progs=%llu prog_bytes=%llu "
           "erases=%llu erase_bytes=%llu",
           fsname, geom, wl, (unsigned long long)c->reads, (unsigned long long)c->read_bytes,
           (unsigned long long)c->progs, (unsigned long long)c->prog_bytes,
           (unsigned long long)c->erases, (unsigned long long)c->erase_bytes);
    if (n >= 0) {
        printf(" n=%ld", n);
    }
    if (strcmp(wl, "mount-write") == 0) {
        // what grows with the stored data is the mount's one metadata walk;
        // the write after it should cost the same whatever is stored
        printf(" mount_read_bytes=%llu write_read_bytes=%llu", (unsigned long long)b.mount_reads,
               (unsigned long long)(c->read_bytes - b.mount_reads));
    }
    printf(" syncs=%llu wall_ms=%.1f ram=%zu\n", (unsigned long long)c->syncs, t1 - t0, ram);
    const char *save = getenv("CAIRN_BENCH_SAVE");
    if (save != NULL && save[0] != '\0') {
        cairn_bench_ck(dev == &nor.bd ? cairn_nor_save(&nor, save) : cairn_sd_save(&sd, save),
                       "save", save);
    }
    return 0;
}
