// The "in use" mark through the CLI: `cairn info` and `cairn fsck` report an
// image left in use (a session cut before its unmount), `fsck --repair`
// clears the mark, and neither `info` nor a plain `fsck` writes the image.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "cairn/fat.h"
#include "fat/fat_helpers.h"
#include "harness.h"

#define MC_SECTORS 65536u // 32 MiB: FAT16

// Run the CLI with `args` (a shell string), capture its output into out;
// returns the exit status or -1.
static int mc_run(const char *args, char *out, size_t cap)
{
    const char *cli = getenv("CAIRN_CLI");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", cli, args);
    FILE *p = popen(cmd, "r");
    if (p == NULL) {
        return -1;
    }
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int mc_save(const char *path, const uint8_t *mem, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return -1;
    }
    size_t w = fwrite(mem, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

static int mc_load(const char *path, uint8_t *mem, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }
    size_t r = fread(mem, 1, n, f);
    fclose(f);
    return r == n ? 0 : -1;
}

TEST(cli_reports_and_repairs_the_mark)
{
    if (!CAIRN_FAT_DIRTY_MARK) {
        SKIP("built with CAIRN_FAT_DIRTY_MARK 0: the driver writes no mark");
    }
    if (!th_fat_has_fsck()) {
        SKIP("built with CAIRN_FAT_FSCK 0: no fsck to report and repair the mark");
    }
    if (getenv("CAIRN_CLI") == NULL) {
        SKIP("CAIRN_CLI not set (scripts/run-tests.sh sets it)");
    }
    const size_t bytes = (size_t)MC_SECTORS * 512;
    uint8_t *mem = calloc(MC_SECTORS, 512), *back = malloc(bytes);
    REQUIRE(mem != NULL && back != NULL);
    static struct cairn_ram_bdev ram;
    static struct cairn_fat fat;
    REQUIRE_EQ(cairn_ram_bdev_init(&ram, mem, 512, MC_SECTORS, CAIRN_RAM_SIMPLE, 0xFF), 0);
    REQUIRE_EQ(cairn_fat_init(&fat, &ram.bd, NULL), 0);
    struct cairn_fs *fs = &fat.fs;
    REQUIRE_EQ(fs->ops->mkfs(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    uint8_t fh[256];
    REQUIRE_EQ(fs->ops->open(fs, fh, "/log.txt", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    REQUIRE_EQ(fs->ops->write(fs, fh, "entry\n", 6), 6);
    REQUIRE_EQ(fs->ops->close(fs, fh), 0);
    // the cut: the image as the session left it, still mounted
    const char *img = th_tmp("inuse.img");
    REQUIRE_EQ(mc_save(img, mem, bytes), 0);

    static char out[8192];
    char args[512];
    snprintf(args, sizeof args, "info -i '%s'", img);
    CHECK_EQ(mc_run(args, out, sizeof out), 0);
    CHECK(strstr(out, "not cleanly unmounted") != NULL);
    snprintf(args, sizeof args, "fsck -i '%s'", img);
    CHECK_EQ(mc_run(args, out, sizeof out), 1);
    CHECK(strstr(out, "not cleanly unmounted") != NULL);
    REQUIRE_EQ(mc_load(img, back, bytes), 0);
    CHECK(memcmp(back, mem, bytes) == 0); // info and fsck wrote nothing

    snprintf(args, sizeof args, "fsck -i '%s' --repair", img);
    CHECK_EQ(mc_run(args, out, sizeof out), 1); // (found and repaired)
    snprintf(args, sizeof args, "fsck -i '%s'", img);
    CHECK_EQ(mc_run(args, out, sizeof out), 0);
    snprintf(args, sizeof args, "info -i '%s'", img);
    CHECK_EQ(mc_run(args, out, sizeof out), 0);
    CHECK(strstr(out, "not cleanly unmounted") == NULL);
    snprintf(args, sizeof args, "cat -i '%s' /log.txt", img);
    CHECK_EQ(mc_run(args, out, sizeof out), 0);
    CHECK_STR(out, "entry\n");

    // the session's own unmount clears it as well
    REQUIRE_EQ(fs->ops->umount(fs), 0);
    REQUIRE_EQ(mc_save(img, mem, bytes), 0);
    snprintf(args, sizeof args, "info -i '%s'", img);
    CHECK_EQ(mc_run(args, out, sizeof out), 0);
    CHECK(strstr(out, "not cleanly unmounted") == NULL);
    remove(img);
    free(mem);
    free(back);
}
