// CLI: pack/unpack of a 1000-file, 20 MiB tree on both filesystems, and
// `mcopy -s` of the same tree, timed and printed (never asserted). Runs only
// with CAIRN_LONG=1; the round trip itself is checked.
#include <time.h>

#include "cli_util.h"

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

// 1000 files in 40 directories, sizes spread around 20 KiB (20 MiB in all).
static void bench_tree(const char *root)
{
    cu_fresh_dir(root);
    static uint8_t buf[64 * 1024];
    cu_fill(buf, sizeof buf, 7);
    char p[2048];
    for (int d = 0; d < 40; d++) {
        snprintf(p, sizeof p, "%s/dir%02d", root, d);
        mkdir(p, 0755);
    }
    for (int i = 0; i < 1000; i++) {
        size_t size = (size_t)(i * 37 % 41) * 1024 + 512; // 0.5 .. 40.5 KiB, mean ~20.5 KiB
        snprintf(p, sizeof p, "%s/dir%02d/file%04d.bin", root, i % 40, i);
        cu_write_file(p, buf + (i % 1000), size);
    }
}

TEST(bench_pack_unpack_1000_files_20mib)
{
    if (!th_long()) {
        SKIP("timing run: set CAIRN_LONG=1");
    }
    struct cu_run r = {0};
    char src[1024], out[1024], img[1024], cmd[4096];
    snprintf(src, sizeof src, "%s", th_tmp("bench.src"));
    bench_tree(src);
    static const char *const fss[] = {"fat", "lfs2"};
    for (int f = 0; f < 2; f++) {
        snprintf(img, sizeof img, "%s.%s.img", th_tmp("bench"), fss[f]);
        snprintf(out, sizeof out, "%s.%s.out", th_tmp("bench"), fss[f]);
        unlink(img);
        cu_fresh_dir(out);
        double t0 = bench_now();
        cu_run(&r, "pack", "-i", img, "--fs", fss[f], "--size", "32M", src);
        double t1 = bench_now();
        CHECK_EQ(r.status, 0);
        cu_run(&r, "unpack", "-i", img, out);
        double t2 = bench_now();
        CHECK_EQ(r.status, 0);
        CHECK_EQ(cu_tree_diff(src, out, 0), 0);
        printf("  %-4s pack %.2f s, unpack %.2f s (1000 files, 20 MiB, 32 MiB image)\n", fss[f],
               t1 - t0, t2 - t1);
    }
    if (cu_have("mcopy") && cu_have("mkfs.fat")) {
        snprintf(img, sizeof img, "%s.mtools.img", th_tmp("bench"));
        unlink(img);
        snprintf(cmd, sizeof cmd, "mkfs.fat -C '%s' 32768 >/dev/null 2>&1", img);
        CHECK_EQ(system(cmd), 0);
        double t0 = bench_now();
        snprintf(cmd, sizeof cmd, "MTOOLS_SKIP_CHECK=1 mcopy -s -i '%s' '%s'/* ::/ >/dev/null 2>&1",
                 img, src);
        CHECK_EQ(system(cmd), 0);
        double t1 = bench_now();
        snprintf(out, sizeof out, "%s.mtools.out", th_tmp("bench"));
        cu_fresh_dir(out);
        double t1b = bench_now();
        snprintf(cmd, sizeof cmd, "MTOOLS_SKIP_CHECK=1 mcopy -s -i '%s' ::/ '%s' >/dev/null 2>&1",
                 img, out);
        CHECK_EQ(system(cmd), 0);
        double t2 = bench_now();
        printf("  mcopy -s in %.2f s, out %.2f s (same tree, mkfs.fat 32 MiB image)\n", t1 - t0,
               t2 - t1b);
    }
    cu_free(&r);
}
