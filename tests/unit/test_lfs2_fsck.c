// littlefs fsck: a power cut in the middle of a directory removal leaves
// littlefs's designed in-between state (orphan flag / pending move in the
// global state); fsck reports it, fsck --repair finishes it on the medium and
// says so, and a fresh mount then finds nothing to report.
#include <stdio.h>
#include <stdlib.h>

#include "cairn/emu.h"
#include "cairn/lfs2.h"
#include "harness.h"

#define BS 512
#define BC 64

static uint8_t mem[BS * BC], saved[BS * BC], scratch[BS];
static uint32_t cbuf[1024];
static uint64_t f1[256];
static struct cairn_ram_bdev ram;
static struct cairn_fault flt;
static struct cairn_lfs2 lfs;
static struct cairn_lfs2_config cfg;

struct rep {
    int found, fixed, orphans;
};

static void rep_cb(void *ctx, const char *problem, int fixed)
{
    struct rep *r = ctx;
    r->found++;
    r->fixed += fixed != 0;
    r->orphans += strcmp(problem, "orphans pending repair") == 0;
}

static struct cairn_fs *mountit(uint32_t flags)
{
    memset(&cfg, 0, sizeof cfg);
    cfg.buffer = cbuf;
    cfg.buffer_size = sizeof cbuf;
    if (cairn_lfs2_init(&lfs, &flt.bd, &cfg) != 0 || lfs.fs.ops->mount(&lfs.fs, flags) != 0) {
        // every state must mount: nothing below can go on without it
        fprintf(stderr, "test_lfs2_fsck: mount failed\n");
        abort();
    }
    return &lfs.fs;
}

static int put(struct cairn_fs *fs, const char *p, const char *s)
{
    int err = fs->ops->open(fs, f1, p, CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_TRUNC);
    if (err)
        return err;
    int32_t w = fs->ops->write(fs, f1, s, (uint32_t)strlen(s));
    int c = fs->ops->close(fs, f1);
    return w < 0 ? w : c;
}

// A tree whose removal takes several commits; the image is kept in `saved`.
static void build(void)
{
    memset(mem, 0xff, sizeof mem);
    REQUIRE_EQ(cairn_ram_bdev_init(&ram, mem, BS, BC, CAIRN_RAM_EXT, 0xff), 0);
    REQUIRE_EQ(cairn_fault_init(&flt, &ram.bd, scratch, sizeof scratch, 7), 0);
    memset(&cfg, 0, sizeof cfg);
    cfg.buffer = cbuf;
    cfg.buffer_size = sizeof cbuf;
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &flt.bd, &cfg), 0);
    REQUIRE_EQ(lfs.fs.ops->mkfs(&lfs.fs), 0);
    struct cairn_fs *fs = mountit(0);
    REQUIRE_EQ(fs->ops->mkdir(fs, "/a"), 0);
    REQUIRE_EQ(fs->ops->mkdir(fs, "/b"), 0);
    REQUIRE_EQ(fs->ops->mkdir(fs, "/c"), 0);
    REQUIRE_EQ(put(fs, "/keep", "kept"), 0);
    REQUIRE_EQ(fs->ops->umount(fs), 0);
    memcpy(saved, mem, sizeof mem);
}

static int32_t fsck(struct cairn_fs *fs, uint32_t flags, struct rep *r)
{
    memset(r, 0, sizeof *r);
    return fs->ops->fsck(fs, flags, rep_cb, r);
}

// Cut power at every operation of `rmdir /b` (programs complete, so each
// commit either lands or not); return how many cuts left orphans behind.
static void sweep(uint8_t mode, int *out)
{
    int orphaned = 0;
    uint64_t n = 0;
    {
        memcpy(mem, saved, sizeof mem);
        struct cairn_fs *fs = mountit(0);
        uint64_t before = cairn_fault_ops_count(&flt);
        REQUIRE_EQ(fs->ops->rmdir(fs, "/b"), 0);
        n = cairn_fault_ops_count(&flt) - before;
        fs->ops->umount(fs);
    }
    REQUIRE(n >= 2);
    for (uint64_t k = 1; k <= n; k++) {
        memcpy(mem, saved, sizeof mem);
        struct cairn_fs *fs = mountit(0);
        cairn_fault_cut_after(&flt, k, mode);
        CHECK(fs->ops->rmdir(fs, "/b") != 0);
        fs->ops->umount(fs);
        cairn_fault_power_restore(&flt);

        struct rep r;
        fs = mountit(CAIRN_MOUNT_RDONLY);
        int32_t plain = fsck(fs, 0, &r);
        CHECK(plain >= 0);
        CHECK_EQ(r.found, r.orphans); // nothing but the designed state
        fs->ops->umount(fs);
        int had = r.orphans;
        orphaned += had;

        fs = mountit(0);
        CHECK_EQ(fsck(fs, CAIRN_FSCK_REPAIR, &r), 0);
        CHECK_EQ(r.found, r.fixed);
        CHECK_EQ(r.orphans, had);
        CHECK_EQ(fsck(fs, 0, &r), 0);
        CHECK_EQ(r.found, 0);
        fs->ops->umount(fs);

        // the repair is on the medium, not only in the mount's memory
        fs = mountit(CAIRN_MOUNT_RDONLY);
        CHECK_EQ(fsck(fs, 0, &r), 0);
        CHECK_EQ(r.found, 0);
        struct cairn_stat st;
        CHECK_EQ(fs->ops->stat(fs, "/a", &st), 0);
        CHECK_EQ(fs->ops->stat(fs, "/c", &st), 0);
        CHECK_EQ(fs->ops->stat(fs, "/keep", &st), 0);
        CHECK_EQ(st.size, 4);
        fs->ops->umount(fs);
    }
    *out += orphaned;
}

TEST(fsck_repair_finishes_an_interrupted_rmdir)
{
    if (!CAIRN_LFS2_FSCK)
        SKIP("built with CAIRN_LFS2_FSCK=0");
    build();
    int o = 0;
    sweep(CAIRN_CUT_PROG_FULL | CAIRN_CUT_ERASE_FULL, &o);
    CHECK(o > 0); // the sweep did reach the orphan state
    sweep(CAIRN_CUT_PROG_PREFIX | CAIRN_CUT_ERASE_PARTIAL, &o);
}

TEST(fsck_repair_on_a_clean_volume_changes_nothing)
{
    if (!CAIRN_LFS2_FSCK)
        SKIP("built with CAIRN_LFS2_FSCK=0");
    build();
    memcpy(mem, saved, sizeof mem);
    struct cairn_fs *fs = mountit(0);
    struct rep r;
    uint64_t before = cairn_fault_ops_count(&flt);
    CHECK_EQ(fsck(fs, CAIRN_FSCK_REPAIR, &r), 0);
    CHECK_EQ(r.found, 0);
    CHECK_EQ(cairn_fault_ops_count(&flt), before); // no write when nothing is pending
    fs->ops->umount(fs);
}

TEST(fsck_readonly_mount_reports_but_does_not_repair)
{
    if (!CAIRN_LFS2_FSCK)
        SKIP("built with CAIRN_LFS2_FSCK=0");
    build();
    // find a cut that leaves orphans, then fsck --repair on a read-only mount
    for (uint64_t k = 1; k < 16; k++) {
        memcpy(mem, saved, sizeof mem);
        struct cairn_fs *fs = mountit(0);
        cairn_fault_cut_after(&flt, k, CAIRN_CUT_PROG_FULL | CAIRN_CUT_ERASE_FULL);
        int err = fs->ops->rmdir(fs, "/b");
        fs->ops->umount(fs);
        cairn_fault_power_restore(&flt);
        if (err == 0)
            break;
        struct rep r;
        fs = mountit(CAIRN_MOUNT_RDONLY);
        if (fsck(fs, 0, &r) == 1 && r.orphans == 1) {
            memcpy(saved, mem, sizeof mem);
            CHECK_EQ(fsck(fs, CAIRN_FSCK_REPAIR, &r), 1);
            CHECK_EQ(r.fixed, 0);
            CHECK_MEM(mem, saved, sizeof mem); // untouched
            fs->ops->umount(fs);
            return;
        }
        fs->ops->umount(fs);
    }
    CHECK(0); // no cut left orphans
}


// CAIRN_LFS2_FSCK=0 drops the checker: the op answers EOPNOTSUPP, reports
// nothing and writes nothing; the volume itself works as before.
TEST(fsck_switch)
{
    build();
    memcpy(mem, saved, sizeof mem);
    struct cairn_fs *fs = mountit(0);
    struct rep r;
    uint64_t before = cairn_fault_ops_count(&flt);
    int32_t n = fsck(fs, CAIRN_FSCK_REPAIR, &r);
    if (CAIRN_LFS2_FSCK) {
        CHECK_EQ(n, 0);
    } else {
        CHECK_EQ(n, CAIRN_EOPNOTSUPP);
        CHECK_EQ(cairn_fault_ops_count(&flt), before);
    }
    CHECK_EQ(r.found, 0);
    struct cairn_stat st;
    CHECK_EQ(fs->ops->stat(fs, "/keep", &st), 0);
    CHECK_EQ(st.size, 4);
    fs->ops->umount(fs);
}
