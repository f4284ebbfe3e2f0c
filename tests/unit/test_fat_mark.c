// FAT driver: the "in use" mark (FAT[1]'s clean bit) and the new-file entry
// written at the first sync. The mark is read raw from the device: set from
// the first change of a session to its clean unmount, before any FAT or
// directory sector changes, never by a read-only mount or a session that
// changes nothing; fsck and info report it after a cut.
#include <string.h>

#include "test_fat_util.h"

#if CAIRN_FAT_DIRTY_MARK
static uint32_t ld16(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}
static uint32_t ld32(const uint8_t *p)
{
    return ld16(p) | (ld16(p + 2) << 16);
}

// Geometry from the boot sector (volumes without a partition table).
struct mgeo {
    uint32_t ss, rsvd, nfats, fsize, type, meta_end;
};

static struct mgeo mgeo_of(const uint8_t *b)
{
    struct mgeo g;
    g.ss = ld16(b + 11);
    g.rsvd = ld16(b + 14);
    g.nfats = b[16];
    g.fsize = ld16(b + 22) ? ld16(b + 22) : ld32(b + 36);
    // FAT copies and the fixed root directory
    g.meta_end = g.rsvd + g.nfats * g.fsize + ld16(b + 17) * 32 / g.ss;
    uint32_t total = ld16(b + 19) ? ld16(b + 19) : ld32(b + 32);
    uint32_t clusters = (total - g.meta_end) / b[13]; // (the type follows from the count)
    g.type = clusters < 4085 ? 12 : clusters < 65525 ? 16 : 32;
    return g;
}

// FAT[1] of FAT copy `copy`, raw.
static uint32_t raw_fat1(const uint8_t *mem, uint32_t copy)
{
    struct mgeo g = mgeo_of(mem);
    const uint8_t *f = mem + (size_t)(g.rsvd + copy * g.fsize) * g.ss;
    return g.type == 32 ? ld32(f + 4) : g.type == 16 ? ld16(f + 2) : (ld16(f + 1) >> 4);
}

// 1 = the device says "cleanly unmounted" (FAT16 bit 15, FAT32 bit 27).
static int raw_clean(const uint8_t *mem)
{
    struct mgeo g = mgeo_of(mem);
    uint32_t bit = g.type == 32 ? 0x08000000u : 0x8000u;
    return (raw_fat1(mem, 0) & bit) != 0;
}
#endif

static int count_reports;
static void on_report(void *ctx, const char *problem, int fixed)
{
    (void)fixed;
    char *last = ctx;
    count_reports++;
    snprintf(last, 128, "%s", problem);
}

#if CAIRN_FAT_DIRTY_MARK
// ---- a device that checks the ordering rule at every write ------------------------

// After each write: when the FAT or the fixed root differ from the snapshot
// in anything but FAT[1] itself, the device must already carry the mark.
static struct {
    struct cairn_bdev bd;
    struct fx *x;
    uint8_t *snap;
    size_t meta_bytes;
    int on, violations, writes, meta_writes;
} W;

static int w_read(struct cairn_bdev *bd, uint32_t b, void *buf, uint32_t n)
{
    (void)bd;
    return W.x->ram.bd.ops->read(&W.x->ram.bd, b, buf, n);
}

static int w_write(struct cairn_bdev *bd, uint32_t b, const void *buf, uint32_t n)
{
    (void)bd;
    int rc = W.x->ram.bd.ops->write(&W.x->ram.bd, b, buf, n);
    if (!W.on || rc) {
        return rc;
    }
    W.writes++;
    struct mgeo g = mgeo_of(W.x->mem);
    if (b < g.meta_end) {
        W.meta_writes++;
    }
    uint8_t *m = W.x->mem;
    // compare with FAT[1] of every copy taken from the snapshot
    int differs = 0;
    size_t ent = g.type == 32 ? 4 : 2;
    for (size_t o = 0; o < W.meta_bytes && !differs; o++) {
        size_t in_fat = o - (size_t)g.rsvd * g.ss;
        int is_fat1 = 0;
        for (uint32_t c = 0; c < g.nfats; c++) {
            size_t base = (size_t)c * g.fsize * g.ss;
            if (o >= (size_t)g.rsvd * g.ss && in_fat >= base + ent && in_fat < base + 2 * ent) {
                is_fat1 = 1;
            }
        }
        differs = !is_fat1 && m[o] != W.snap[o];
    }
    if (differs && raw_clean(m)) {
        W.violations++;
    }
    return rc;
}

static int32_t w_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    (void)bd;
    return cairn_bdev_ioctl(&W.x->ram.bd, op, arg);
}

static const struct cairn_bdev_ops w_ops = {w_read, w_write, NULL, NULL, w_ioctl};

// A formatted FAT16 volume holding /keep (3000 bytes) and /old, unmounted
// cleanly, then mounted again through the checking device.
static void w_up(struct fx *x, uint32_t nfats)
{
    fx_dev(x, 512, 65536);
    x->cfg.n_fats = (uint8_t)nfats;
    uint8_t data[3000];
    for (uint32_t i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)(i * 7);
    }
    REQUIRE_EQ(x->fs->ops->mkfs(x->fs), 0);
    REQUIRE_EQ(x->fs->ops->mount(x->fs, 0), 0);
    REQUIRE_EQ(fx_write(x, "/keep", data, sizeof data), 0);
    REQUIRE_EQ(fx_write(x, "/old", "old", 3), 0);
    REQUIRE_EQ(x->fs->ops->umount(x->fs), 0);
    REQUIRE(raw_clean(x->mem));
    memset(&W, 0, sizeof W);
    W.bd.ops = &w_ops;
    W.x = x;
    struct mgeo g = mgeo_of(x->mem);
    W.meta_bytes = (size_t)g.meta_end * g.ss;
    W.snap = malloc(W.meta_bytes);
    REQUIRE(W.snap != NULL);
    memcpy(W.snap, x->mem, W.meta_bytes);
    cairn_fat_init(&x->fat, &W.bd, &x->cfg);
    REQUIRE_EQ(x->fs->ops->mount(x->fs, 0), 0);
    W.on = 1;
}

static void w_down(struct fx *x)
{
    W.on = 0;
    free(W.snap);
    W.snap = NULL;
    fx_down(x);
}

// The first change of a session, whatever it is, finds the mark on the
// device before any FAT or root-directory sector changes.
TEST(mark_precedes_every_first_change)
{
    const char *what[] = {"empty file", "file with data", "mkdir", "remove",
                          "rename",     "append",         "truncate"};
    for (uint32_t nfats = 1; nfats <= 2; nfats++) {
        for (int k = 0; k < 7; k++) {
            struct fx x;
            w_up(&x, nfats);
            const struct cairn_fs_ops *o = x.fs->ops;
            uint8_t fh[256];
            int rc = 0;
            switch (k) {
            case 0:
                rc = fx_write(&x, "/new", "", 0);
                break;
            case 1:
                rc = fx_write(&x, "/new", "0123456789", 10);
                break;
            case 2:
                rc = o->mkdir(x.fs, "/dir");
                break;
            case 3:
                rc = o->remove(x.fs, "/keep");
                break;
            case 4:
                rc = o->rename(x.fs, "/old", "/renamed");
                break;
            case 5:
                rc = o->open(x.fs, fh, "/old", CAIRN_O_WRONLY | CAIRN_O_APPEND);
                if (rc == 0) {
                    rc = o->write(x.fs, fh, "more", 4) == 4 ? 0 : -1;
                    int c = o->close(x.fs, fh);
                    rc = rc ? rc : c;
                }
                break;
            default:
                rc = o->open(x.fs, fh, "/keep", CAIRN_O_WRONLY);
                if (rc == 0) {
                    rc = o->truncate(x.fs, fh, 10);
                    int c = o->close(x.fs, fh);
                    rc = rc ? rc : c;
                }
                break;
            }
            CHECK_EQ(rc, 0);
            if (W.violations) {
                printf("  %s (%u FATs): %d writes changed the volume before the mark\n", what[k],
                       nfats, W.violations);
            }
            CHECK_EQ(W.violations, 0);
            CHECK_EQ(raw_clean(x.mem), 0); // in use until the unmount
            CHECK_EQ(raw_fat1(x.mem, 0), raw_fat1(x.mem, nfats - 1)); // copies agree
            W.on = 0;
            CHECK_EQ(o->umount(x.fs), 0);
            CHECK_EQ(raw_clean(x.mem), 1);
            CHECK_EQ(raw_fat1(x.mem, 0), raw_fat1(x.mem, nfats - 1));
            // and the volume is consistent
            REQUIRE_EQ(o->mount(x.fs, 0), 0);
            char last[128] = "";
            count_reports = 0;
            CHECK_EQ(fx_fsck(x.fs, 0, on_report, last), 0);
            CHECK_EQ(count_reports, 0);
            w_down(&x);
        }
    }
}

// The mark costs no write of its own when the session's first FAT or
// directory write is the first FAT sector (a new file's first cluster on a
// fresh volume): the data, that FAT sector (with the mark), the entry
// (written once, at close); then one write at unmount.
TEST(mark_folded_into_first_allocation)
{
    struct fx x;
    w_up(&x, 1);
    const struct cairn_fs_ops *o = x.fs->ops;
    CHECK_EQ(fx_write(&x, "/new", "0123456789", 10), 0);
    // (without the second buffer the mark is written on its own, at once;
    // the size-first configuration still folds it)
    CHECK_EQ(W.writes, CAIRN_FAT_ALT_SS >= 512 || CAIRN_FAT_TINY ? 3 : 4);
    CHECK_EQ(W.violations, 0);
    CHECK_EQ(raw_clean(x.mem), 0);
    int before = W.writes;
    CHECK_EQ(o->umount(x.fs), 0);
    CHECK_EQ(W.writes - before, 1);
    CHECK_EQ(raw_clean(x.mem), 1);
    w_down(&x);
}

// The same when the new entry reuses a deleted slot in an earlier sector
// than the directory's end (the lookup's pass ends elsewhere): the data, the
// first FAT sector with the mark, the entry.
TEST(mark_folded_with_reused_slot)
{
    struct fx x;
    w_up(&x, 1);
    const struct cairn_fs_ops *o = x.fs->ops;
    W.on = 0;
    char name[16];
    for (unsigned i = 0; i < 20; i++) { // (the root's first sector holds 16 entries)
        snprintf(name, sizeof name, "/f%02u", i % 100);
        REQUIRE_EQ(fx_write(&x, name, "", 0), 0);
    }
    REQUIRE_EQ(o->remove(x.fs, "/f00"), 0);
    REQUIRE_EQ(o->umount(x.fs), 0);
    memcpy(W.snap, x.mem, W.meta_bytes);
    REQUIRE_EQ(o->mount(x.fs, 0), 0);
    W.writes = 0;
    W.on = 1;
    CHECK_EQ(fx_write(&x, "/new", "0123456789", 10), 0);
    CHECK_EQ(W.writes, CAIRN_FAT_ALT_SS >= 512 || CAIRN_FAT_TINY ? 3 : 4);
    CHECK_EQ(W.violations, 0);
    CHECK_EQ(raw_clean(x.mem), 0);
    CHECK_EQ(o->umount(x.fs), 0);
    CHECK_EQ(raw_clean(x.mem), 1);
    REQUIRE_EQ(o->mount(x.fs, 0), 0);
    char buf[16];
    CHECK_EQ(fx_read(&x, "/new", buf, sizeof buf), 10);
    CHECK_EQ(fx_read(&x, "/f19", buf, sizeof buf), 0);
    w_down(&x);
}

// Sessions that change nothing write nothing, mark included; a read-only
// mount never writes, not even on a volume left in use.
TEST(mark_not_written_without_change)
{
    struct fx x;
    w_up(&x, 2);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t buf[3000];
    struct cairn_stat st;
    CHECK_EQ(fx_read(&x, "/keep", buf, sizeof buf), 3000);
    CHECK_EQ(o->stat(x.fs, "/nothing", &st), CAIRN_ENOENT);
    char names[64];
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 2);
    CHECK_EQ(o->sync_fs(x.fs), 0);
    CHECK_EQ(o->umount(x.fs), 0);
    CHECK_EQ(W.writes, 0);
    CHECK(raw_clean(x.mem));

    // read-only: reads, a refused write, unmount
    REQUIRE_EQ(o->mount(x.fs, CAIRN_MOUNT_RDONLY), 0);
    CHECK_EQ(fx_read(&x, "/keep", buf, sizeof buf), 3000);
    CHECK_EQ(fx_write(&x, "/new", "x", 1), CAIRN_EROFS);
    CHECK_EQ(o->mkdir(x.fs, "/d"), CAIRN_EROFS);
    CHECK_EQ(o->umount(x.fs), 0);
    CHECK_EQ(W.writes, 0);

    // a volume left in use stays so through a read-only mount
    REQUIRE_EQ(o->mount(x.fs, 0), 0);
    CHECK_EQ(fx_write(&x, "/new", "x", 1), 0);
    CHECK_EQ(raw_clean(x.mem), 0);
    struct cairn_fat cut;
    cairn_fat_init(&cut, &W.bd, &x.cfg); // (the first mount is simply dropped)
    x.fat = cut;
    int w0 = W.writes;
    REQUIRE_EQ(o->mount(x.fs, CAIRN_MOUNT_RDONLY), 0);
    CHECK_EQ(fx_read(&x, "/new", buf, sizeof buf), 1);
    CHECK_EQ(o->umount(x.fs), 0);
    CHECK_EQ(W.writes, w0);
    CHECK_EQ(raw_clean(x.mem), 0);
    w_down(&x);
}

// After a cut (the image of a session still mounted), info and fsck say
// the volume was not cleanly unmounted; fsck --repair clears the mark.
TEST(mark_reported_after_cut)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 65536), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    struct cairn_fs_info info;
    REQUIRE_EQ(o->info(x.fs, &info), 0);
    CHECK_EQ(info.flags & CAIRN_FS_INFO_UNCLEAN, 0);
    CHECK_EQ(fx_write(&x, "/f", "data", 4), 0);
    CHECK_EQ(raw_clean(x.mem), 0);
    REQUIRE_EQ(o->info(x.fs, &info), 0);
    CHECK_EQ(info.flags & CAIRN_FS_INFO_UNCLEAN, 0); // it was clean at mount

    struct fx y;
    fx_dev(&y, 512, 65536);
    memcpy(y.mem, x.mem, (size_t)512 * 65536);
    REQUIRE_EQ(y.fs->ops->mount(y.fs, 0), 0);
    REQUIRE_EQ(y.fs->ops->info(y.fs, &info), 0);
    CHECK_EQ(info.flags & CAIRN_FS_INFO_UNCLEAN, CAIRN_FS_INFO_UNCLEAN);
#if CAIRN_FAT_FSCK
    char last[128] = "";
    count_reports = 0;
    CHECK_EQ(fx_fsck(y.fs, 0, on_report, last), 1);
    CHECK_EQ(count_reports, 1);
    CHECK(strstr(last, "not cleanly unmounted") != NULL);
    count_reports = 0;
    CHECK(fx_fsck(y.fs, CAIRN_FSCK_REPAIR, on_report, last) >= 0);
    CHECK_EQ(y.fs->ops->umount(y.fs), 0);
    CHECK_EQ(raw_clean(y.mem), 1);
    REQUIRE_EQ(y.fs->ops->mount(y.fs, 0), 0);
    count_reports = 0;
    CHECK_EQ(fx_fsck(y.fs, 0, on_report, last), 0);
    CHECK_EQ(count_reports, 0);
#else
    CHECK_EQ(y.fs->ops->umount(y.fs), 0); // (the mark stays: only fsck clears it)
    CHECK_EQ(raw_clean(y.mem), 0);
#endif
    fx_down(&y);

    CHECK_EQ(o->umount(x.fs), 0);
    CHECK_EQ(raw_clean(x.mem), 1);
    fx_down(&x);
}

// FAT12 has no mark: FAT[1] never changes. FAT32 uses bit 27.
TEST(mark_fat12_none_fat32_bit27)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 4096), 0);
    REQUIRE_EQ(mgeo_of(x.mem).type, 12);
    uint32_t f1 = raw_fat1(x.mem, 0);
    CHECK_EQ(fx_write(&x, "/f", "data", 4), 0);
    CHECK_EQ(x.fs->ops->mkdir(x.fs, "/d"), 0);
    CHECK_EQ(raw_fat1(x.mem, 0), f1);
    CHECK_EQ(x.fs->ops->umount(x.fs), 0);
    CHECK_EQ(raw_fat1(x.mem, 0), f1);
    fx_down(&x);

    fx_dev(&x, 512, 70000);
    x.cfg.fat_type = 32;
    x.cfg.cluster_size = 512;
    x.cfg.no_mbr = 1;
    REQUIRE_EQ(x.fs->ops->mkfs(x.fs), 0);
    REQUIRE_EQ(mgeo_of(x.mem).type, 32);
    REQUIRE_EQ(x.fs->ops->mount(x.fs, 0), 0);
    CHECK_EQ(raw_fat1(x.mem, 0) & 0x08000000u, 0x08000000u);
    CHECK_EQ(x.fs->ops->mkdir(x.fs, "/d"), 0);
    CHECK_EQ(raw_fat1(x.mem, 0) & 0x08000000u, 0);
    CHECK_EQ(raw_fat1(x.mem, 0) & 0x07FFFFFFu, 0x07FFFFFFu); // the rest left alone
    CHECK_EQ(x.fs->ops->umount(x.fs), 0);
    CHECK_EQ(raw_fat1(x.mem, 0) & 0x0FFFFFFFu, 0x0FFFFFFFu);
    fx_down(&x);
}

#endif // CAIRN_FAT_DIRTY_MARK

// ---- the new file's entry, written at its first sync ----------------------------------

// While open, a new file is seen by every lookup (stat, listing, a second
// create in the same sector, a second handle); after a cut before its first
// sync it is gone without a trace; closed, it is intact.
TEST(new_entry_visible_before_first_sync)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 65536), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t fh[256], fh2[256];
    REQUIRE_EQ(o->open(x.fs, fh, "/pend", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    CHECK_EQ(o->write(x.fs, fh, "abcdef", 6), 6);
    CHECK(fx_find_sfn(&x, "PEND       ") < 0); // not on the device yet
    struct cairn_stat st;
    CHECK_EQ(o->stat(x.fs, "/pend", &st), 0);
    CHECK_EQ(o->open(x.fs, fh2, "/pend", CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_EXCL),
             CAIRN_EEXIST);
    char names[64];
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 1);
    CHECK_STR(names, "pend");

    // the image now: the file is not there, and nothing else is wrong
    struct fx y;
    fx_dev(&y, 512, 65536);
    memcpy(y.mem, x.mem, (size_t)512 * 65536);
    REQUIRE_EQ(y.fs->ops->mount(y.fs, 0), 0);
    CHECK_EQ(y.fs->ops->stat(y.fs, "/pend", &st), CAIRN_ENOENT);
    char last[128] = "";
    count_reports = 0;
    int32_t left = fx_fsck(y.fs, 0, on_report, last);
    CHECK(left >= 0);
    if (count_reports) {
        CHECK(strstr(last, "not cleanly unmounted") != NULL); // the only finding
        CHECK_EQ(count_reports, 1);
    }
    fx_down(&y);

    // another file created and closed beside it: both intact
    CHECK_EQ(fx_write(&x, "/other", "xyz", 3), 0);
    CHECK(fx_find_sfn(&x, "PEND       ") >= 0); // written with its sector
    CHECK_EQ(o->write(x.fs, fh, "gh", 2), 2);
    CHECK_EQ(o->close(x.fs, fh), 0);
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    uint8_t buf[16];
    CHECK_EQ(fx_read(&x, "/pend", buf, sizeof buf), 8);
    CHECK_MEM(buf, "abcdefgh", 8);
    CHECK_EQ(fx_read(&x, "/other", buf, sizeof buf), 3);
    count_reports = 0;
    CHECK_EQ(fx_fsck(x.fs, 0, on_report, last), 0);
    CHECK_EQ(count_reports, 0);

    // removed while its entry waits: gone, and the close writes nothing back
    REQUIRE_EQ(o->open(x.fs, fh, "/gone", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    CHECK_EQ(o->write(x.fs, fh, "12", 2), 2);
    CHECK_EQ(o->remove(x.fs, "/gone"), 0);
    CHECK_EQ(o->close(x.fs, fh), 0);
    CHECK_EQ(o->stat(x.fs, "/gone", &st), CAIRN_ENOENT);
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    CHECK_EQ(o->stat(x.fs, "/gone", &st), CAIRN_ENOENT);
    count_reports = 0;
    fx_fsck(x.fs, 0, on_report, last);
    CHECK(count_reports <= 1); // at most the cluster the open handle linked at close
    fx_down(&x);
}

// A sync of the volume (or an unmount with the file still open) writes the
// waiting entry, as it was at creation.
TEST(new_entry_written_by_volume_sync)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 65536), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t fh[256];
    REQUIRE_EQ(o->open(x.fs, fh, "/a", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    CHECK(fx_find_sfn(&x, "A          ") < 0);
    CHECK_EQ(o->sync_fs(x.fs), 0);
    CHECK(fx_find_sfn(&x, "A          ") >= 0);
    CHECK_EQ(o->write(x.fs, fh, "abc", 3), 3);
    CHECK_EQ(o->close(x.fs, fh), 0);
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    struct cairn_stat st;
    CHECK_EQ(o->stat(x.fs, "/a", &st), 0);
    CHECK_EQ(st.size, 3);
    fx_down(&x);
}
