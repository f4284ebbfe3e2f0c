// FAT write economy: clusters linked in the FAT at sync (one FAT-sector
// write per sync), entries written once, and what a cut before the sync
// leaves (free clusters, nothing for fsck to repair).
#include "cairn/emu.h"
#include "test_fat_util.h"

static void fill(uint8_t *p, uint32_t n, uint32_t seed)
{
    uint32_t r = seed;
    for (uint32_t i = 0; i < n; i++) {
        r ^= r << 13;
        r ^= r >> 17;
        r ^= r << 5;
        p[i] = (uint8_t)r;
    }
}

// A file grown over many clusters without a sync: readable through its
// handle, counted as used, and after a cut (the image as it is before the
// close) the volume holds no trace of it: a new file's entry is written at
// its first sync, with its cluster and size.
TEST(unlinked_clusters_until_sync)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 4096), 0); // FAT12, 1 KiB clusters
    const struct cairn_fs_ops *o = x.fs->ops;
    uint32_t n = 10000;
    uint8_t *data = malloc(n), *back = malloc(n);
    fill(data, n, 7);
    uint32_t free0 = fx_bfree(&x);
    uint8_t fh[256];
    REQUIRE_EQ(o->open(x.fs, fh, "/grow.bin", CAIRN_O_RDWR | CAIRN_O_CREAT), 0);
    for (uint32_t off = 0; off < n; off += 250) {
        REQUIRE_EQ(o->write(x.fs, fh, data + off, 250), 250);
    }
    CHECK_EQ(fx_bfree(&x), free0 - 10); // (counted without linking them)
    // read back through the handle, across the unlinked clusters
    CHECK_EQ(o->seek(x.fs, fh, 100, CAIRN_SEEK_SET), 100);
    CHECK_EQ(o->read(x.fs, fh, back, 9000), 9000);
    CHECK_MEM(back, data + 100, 9000);
    // more writes after the reads
    CHECK_EQ(o->seek(x.fs, fh, 0, CAIRN_SEEK_END), n);
    CHECK_EQ(o->write(x.fs, fh, data, 3000), 3000);

    // the cut: the device image now, mounted on its own
    struct fx y;
    fx_dev(&y, 512, 4096);
    memcpy(y.mem, x.mem, (size_t)512 * 4096);
    REQUIRE_EQ(y.fs->ops->mount(y.fs, 0), 0);
    struct cairn_stat st;
    CHECK_EQ(y.fs->ops->stat(y.fs, "/grow.bin", &st), CAIRN_ENOENT);
    CHECK_EQ(fx_bfree(&y), free0);
    CHECK_EQ(fx_problems(&y), 0);
    fx_down(&y);

    CHECK_EQ(o->close(x.fs, fh), 0);
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    struct cairn_stat st2;
    REQUIRE_EQ(o->stat(x.fs, "/grow.bin", &st2), 0);
    CHECK_EQ(st2.size, n + 3000);
    CHECK_EQ(fx_read(&x, "/grow.bin", back, n), (int32_t)n);
    CHECK_MEM(back, data, n);
    CHECK_EQ(fx_bfree(&x), free0 - 13);
    CHECK_EQ(fx_problems(&x), 0);
    free(data);
    free(back);
    fx_down(&x);
}

// Two files growing in turns: each takes over the pending run in turn (the
// other's is linked first), and a truncate of a growing file.
TEST(interleaved_growth_and_truncate)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 4096), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint32_t n = 8000;
    uint8_t *a = malloc(n), *b = malloc(n), *back = malloc(n);
    fill(a, n, 1);
    fill(b, n, 2);
    uint8_t fa[256], fb[256];
    REQUIRE_EQ(o->open(x.fs, fa, "/a", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    REQUIRE_EQ(o->open(x.fs, fb, "/b", CAIRN_O_RDWR | CAIRN_O_CREAT), 0);
    for (uint32_t off = 0; off < n; off += 700) {
        uint32_t k = n - off < 700 ? n - off : 700;
        REQUIRE_EQ(o->write(x.fs, fa, a + off, k), (int32_t)k);
        REQUIRE_EQ(o->write(x.fs, fb, b + off, k), (int32_t)k);
    }
    // b shrinks while growing, then grows again
    CHECK_EQ(o->truncate(x.fs, fb, 2500), 0);
    CHECK_EQ(o->seek(x.fs, fb, 0, CAIRN_SEEK_END), 2500);
    CHECK_EQ(o->write(x.fs, fb, b + 2500, 3000), 3000);
    CHECK_EQ(o->close(x.fs, fa), 0);
    CHECK_EQ(o->close(x.fs, fb), 0);
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    CHECK_EQ(fx_read(&x, "/a", back, n), (int32_t)n);
    CHECK_MEM(back, a, n);
    CHECK_EQ(fx_read(&x, "/b", back, n), 5500);
    CHECK_MEM(back, b, 5500);
    CHECK_EQ(fx_problems(&x), 0);
    free(a);
    free(b);
    free(back);
    fx_down(&x);
}

// Device writes of a few operations on a FAT16 volume (sd512-like).
TEST(write_counts)
{
    struct fx x;
    fx_dev(&x, 512, 65536);
    static struct cairn_fault f;
    REQUIRE_EQ(cairn_fault_init(&f, &x.ram.bd, NULL, 0, 1), 0);
    cairn_fat_init(&x.fat, &f.bd, &x.cfg);
    const struct cairn_fs_ops *o = x.fs->ops;
    REQUIRE_EQ(o->mkfs(x.fs), 0);
    REQUIRE_EQ(o->mount(x.fs, 0), 0);
    uint8_t fh[256];
    // an empty file: its entry is written once, at close
    uint64_t w0 = cairn_fault_ops_count(&f);
    REQUIRE_EQ(o->open(x.fs, fh, "/empty", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    CHECK_EQ(o->close(x.fs, fh), 0);
    CHECK_EQ(cairn_fault_ops_count(&f) - w0, 1 + CAIRN_FAT_DIRTY_MARK); // (+ the mark)
    // 64 KiB in 256-byte writes: the data, one FAT sector, the entry (once:
    // the new entry waits for the close rather than being written when the
    // data takes the window)
    uint8_t buf[256];
    fill(buf, sizeof buf, 3);
    w0 = cairn_fault_ops_count(&f);
    REQUIRE_EQ(o->open(x.fs, fh, "/big", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    for (int i = 0; i < 256; i++) {
        REQUIRE_EQ(o->write(x.fs, fh, buf, sizeof buf), 256);
    }
    CHECK_EQ(o->close(x.fs, fh), 0);
    CHECK_EQ(cairn_fault_ops_count(&f) - w0, 128 + 1 + 1);
    // an unmodified file closes without writing; unmount writes nothing more
    w0 = cairn_fault_ops_count(&f);
    REQUIRE_EQ(o->open(x.fs, fh, "/big", CAIRN_O_RDONLY), 0);
    CHECK_EQ(o->close(x.fs, fh), 0);
    REQUIRE_EQ(o->umount(x.fs), 0);
    CHECK_EQ(cairn_fault_ops_count(&f) - w0, CAIRN_FAT_DIRTY_MARK ? 1 : 0);
    fx_down(&x);
}

// Two handles on one file: the second, growing the chain, finds the clusters
// the first has taken (not linked yet) and writes into them rather than
// linking clusters of its own in their place.
TEST(two_handles_one_file)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 4096), 0); // 1 KiB clusters
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t d[3000], e[2500], back[6000];
    fill(d, sizeof d, 9);
    fill(e, sizeof e, 10);
    REQUIRE_EQ(fx_write(&x, "/f", d, 1000), 0);
    uint32_t free0 = fx_bfree(&x);
    uint8_t fa[256], fb[256];
    REQUIRE_EQ(o->open(x.fs, fa, "/f", CAIRN_O_WRONLY | CAIRN_O_APPEND), 0);
    REQUIRE_EQ(o->open(x.fs, fb, "/f", CAIRN_O_WRONLY), 0);
    CHECK_EQ(o->write(x.fs, fa, d + 1000, 2000), 2000); // two clusters, pending
    CHECK_EQ(o->write(x.fs, fb, e, 2500), 2500);        // over all three
    CHECK_EQ(o->close(x.fs, fa), 0);
    CHECK_EQ(o->close(x.fs, fb), 0); // one file: 3000 bytes, e over the start
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    CHECK_EQ(fx_read(&x, "/f", back, sizeof back), 3000);
    CHECK_MEM(back, e, 2500);
    CHECK_MEM(back + 2500, d + 2500, 500);
    CHECK_EQ(fx_bfree(&x), free0 - 2);
    CHECK_EQ(fx_problems(&x), 0);
    fx_down(&x);
}

// A name parsed again comes from the mount's cache: variants that differ in
// case, trailing dots or bytes must not be taken for it, and fsck (which
// borrows the name buffers) must not leave a stale entry.
TEST(reparsed_names)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 4096), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    struct cairn_stat st;
    REQUIRE_EQ(fx_write(&x, "/Mixed.Txt", "m", 1), 0);
    REQUIRE_EQ(fx_write(&x, "/lower.txt", "ll", 2), 0);
    for (int round = 0; round < 2; round++) {
        CHECK_EQ(o->stat(x.fs, "/lower.txt", &st), 0);
        CHECK_EQ(st.size, 2);
        CHECK_EQ(o->stat(x.fs, "/lower.txt", &st), 0); // (from the cache)
        CHECK_EQ(st.size, 2);
        CHECK_EQ(o->stat(x.fs, "/LOWER.TXT", &st), 0);
        CHECK_EQ(o->stat(x.fs, "/lower.txt.", &st), 0);
        CHECK_EQ(o->stat(x.fs, "/lower.txu", &st), CAIRN_ENOENT);
        CHECK_EQ(o->stat(x.fs, "/lower.tx", &st), CAIRN_ENOENT);
        CHECK_EQ(o->stat(x.fs, "/Mixed.Txt", &st), 0);
        CHECK_EQ(st.size, 1);
        CHECK_EQ(o->stat(x.fs, "/mixed.txt", &st), 0);
        CHECK_EQ(st.size, 1);
        CHECK_EQ(fx_problems(&x), 0);
    }
    char list[256];
    REQUIRE_EQ(fx_list(&x, "/", list, sizeof list), 2);
    CHECK(strstr(list, "Mixed.Txt") != NULL);
    CHECK(strstr(list, "lower.txt") != NULL);
    fx_down(&x);
}
