// FAT driver: several handles on one file, and files removed, replaced or
// renamed while open. Handles share the file as POSIX descriptors share an
// inode; a removed file keeps its clusters until its last handle closes, so
// that no handle ever writes into clusters another file may hold.
#include "fat/fat_model.h"

TEST(removed_while_open_keeps_its_clusters)
{
    struct fx x;
    REQUIRE_EQ(th_fm_up(&x), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t fh[256], gh[256], data[3000], back[3000], other[3000];
    th_fm_pattern(data, sizeof data, 1);
    th_fm_pattern(other, sizeof other, 99);
    uint32_t free0 = fx_bfree(&x);
    REQUIRE_EQ(fx_write(&x, "/doomed.bin", data, 2000), 0);
    REQUIRE_EQ(o->open(x.fs, fh, "/doomed.bin", CAIRN_O_RDWR), 0);
    REQUIRE_EQ(o->open(x.fs, gh, "/doomed.bin", CAIRN_O_RDONLY), 0);
    REQUIRE_EQ(o->remove(x.fs, "/doomed.bin"), 0);
    CHECK_EQ(o->stat(x.fs, "/doomed.bin", &(struct cairn_stat){0}), CAIRN_ENOENT);
    CHECK_EQ(fx_bfree(&x), free0 - 4); // still held by the handles
    // other files take the freed slot and clusters; none of the doomed file's
    REQUIRE_EQ(fx_write(&x, "/doomed.bin", other, 1500), 0);
    REQUIRE_EQ(fx_write(&x, "/more.bin", other, 3000), 0);
    // the open file still reads, grows and syncs without touching them
    CHECK_EQ(o->seek(x.fs, fh, 2000, CAIRN_SEEK_SET), 2000);
    CHECK_EQ(o->write(x.fs, fh, data + 2000, 1000), 1000);
    CHECK_EQ(o->sync(x.fs, fh), 0);
    CHECK_EQ(o->size(x.fs, gh), 3000); // the other handle sees it grow
    CHECK_EQ(o->read(x.fs, gh, back, sizeof back), 3000);
    CHECK_MEM(back, data, 3000);
    CHECK_EQ(o->close(x.fs, fh), 0);
#if CAIRN_FAT_FSCK
    // a repair would free what the open handle holds: refused
    CHECK_EQ(o->fsck(x.fs, CAIRN_FSCK_REPAIR, NULL, NULL), CAIRN_EBUSY);
#endif
    CHECK_EQ(fx_read(&x, "/doomed.bin", back, sizeof back), 1500);
    CHECK_MEM(back, other, 1500);
    CHECK_EQ(fx_read(&x, "/more.bin", back, sizeof back), 3000);
    CHECK_MEM(back, other, 3000);
    // the last handle lets the clusters go
    CHECK_EQ(fx_bfree(&x), free0 - 6 - 3 - 6);
    CHECK_EQ(o->close(x.fs, gh), 0);
    CHECK_EQ(fx_bfree(&x), free0 - 3 - 6);
    CHECK_EQ(fx_problems(&x), 0);
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    CHECK_EQ(fx_bfree(&x), free0 - 3 - 6);
    CHECK_EQ(fx_problems(&x), 0);
    fx_down(&x);
}

// A directory removed while it is being listed: the listing ends (it never
// reads the freed cluster, which a file now holds); others go on.
TEST(listing_of_a_removed_directory_ends)
{
    struct fx x;
    REQUIRE_EQ(th_fm_up(&x), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    _Alignas(16) uint8_t d1[256], d2[256], d3[256];
    static struct cairn_dirent ent;
    static uint8_t junk[200 * 1024];
    // what the freed cluster gets (the file takes every free cluster):
    // short entries that would list as names
    memset(junk, 0, sizeof junk);
    for (int i = 0; i < (int)(sizeof junk / 32); i++) {
        memcpy(junk + 32 * i, "JUNKNAMETXT", 11);
        junk[32 * i + 11] = 0x20;
    }
    REQUIRE_EQ(o->mkdir(x.fs, "/d"), 0);
    REQUIRE_EQ(o->mkdir(x.fs, "/e"), 0);
    REQUIRE_EQ(fx_write(&x, "/e/in e", "x", 1), 0);
    REQUIRE_EQ(o->opendir(x.fs, d1, "/d"), 0);
    REQUIRE_EQ(o->opendir(x.fs, d2, "/e"), 0);
    REQUIRE_EQ(o->opendir(x.fs, d3, "/d"), 0);
    REQUIRE_EQ(o->closedir(x.fs, d3), 0);
    REQUIRE_EQ(o->opendir(x.fs, d3, "/"), 0);
    REQUIRE_EQ(o->rmdir(x.fs, "/d"), 0);
    uint32_t all = fx_bfree(&x) * 512;
    REQUIRE(all <= sizeof junk);
    REQUIRE_EQ(fx_write(&x, "/f", junk, all), 0); // takes the freed cluster too
    CHECK_EQ(fx_bfree(&x), 0);
    CHECK_EQ(o->readdir(x.fs, d1, &ent), 0);
    CHECK_EQ(o->readdir(x.fs, d1, &ent), 0);
    int n = 0;
    while (o->readdir(x.fs, d2, &ent) == 1) {
        n++;
    }
    CHECK_EQ(n, 1); // "in e" (FAT lists no . or ..)
    n = 0;
    while (o->readdir(x.fs, d3, &ent) == 1) {
        n++;
    }
    CHECK_EQ(n, 2); // e, f
    CHECK_EQ(o->closedir(x.fs, d1), 0);
    CHECK_EQ(o->closedir(x.fs, d2), 0);
    CHECK_EQ(o->closedir(x.fs, d3), 0);
    CHECK_EQ(o->closedir(x.fs, d3), 0); // (twice: harmless)
    fx_down(&x);
}

// A handle left open over an unmount is dead, also after the next mount.
TEST(handles_die_with_the_mount)
{
    struct fx x;
    REQUIRE_EQ(th_fm_up(&x), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t fh[256], back[8];
    REQUIRE_EQ(fx_write(&x, "/f", "abc", 3), 0);
    REQUIRE_EQ(o->open(x.fs, fh, "/f", CAIRN_O_RDWR), 0);
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    CHECK_EQ(o->write(x.fs, fh, "xyz", 3), CAIRN_EBADF);
    CHECK_EQ(o->read(x.fs, fh, back, sizeof back), CAIRN_EBADF);
    CHECK_EQ(o->close(x.fs, fh), 0);
    CHECK_EQ(fx_read(&x, "/f", back, sizeof back), 3);
    CHECK_MEM(back, "abc", 3);
    fx_down(&x);
}

// Opening over a handle never closed closes it first (its data is kept; the
// list of open handles stays a list).
TEST(open_over_an_open_handle)
{
    struct fx x;
    REQUIRE_EQ(th_fm_up(&x), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t fh[256], gh[256], data[1500], back[1500];
    th_fm_pattern(data, sizeof data, 31);
    REQUIRE_EQ(o->open(x.fs, fh, "/a", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    REQUIRE_EQ(o->open(x.fs, gh, "/b", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    CHECK_EQ(o->write(x.fs, fh, data, 1500), 1500); // pending clusters
    REQUIRE_EQ(o->open(x.fs, fh, "/b", CAIRN_O_RDWR), 0);
    CHECK_EQ(o->write(x.fs, fh, "bee", 3), 3);
    CHECK_EQ(o->size(x.fs, gh), 3);
    CHECK_EQ(o->close(x.fs, fh), 0);
    CHECK_EQ(o->close(x.fs, gh), 0);
    CHECK_EQ(fx_read(&x, "/a", back, sizeof back), 1500);
    CHECK_MEM(back, data, 1500);
    CHECK_EQ(fx_read(&x, "/b", back, sizeof back), 3);
    CHECK_EQ(fx_problems(&x), 0);
    fx_down(&x);
}

TEST(removed_before_its_first_cluster)
{
    struct fx x;
    REQUIRE_EQ(th_fm_up(&x), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t fh[256], data[1200], back[1200];
    th_fm_pattern(data, sizeof data, 5);
    uint32_t free0 = fx_bfree(&x);
    REQUIRE_EQ(o->open(x.fs, fh, "/new", CAIRN_O_RDWR | CAIRN_O_CREAT), 0);
    REQUIRE_EQ(o->remove(x.fs, "/new"), 0);
    REQUIRE_EQ(fx_write(&x, "/new", "abc", 3), 0); // the same slot, a new file
    CHECK_EQ(o->write(x.fs, fh, data, sizeof data), (int32_t)sizeof data);
    CHECK_EQ(o->sync(x.fs, fh), 0);
    CHECK_EQ(o->seek(x.fs, fh, 0, CAIRN_SEEK_SET), 0);
    CHECK_EQ(o->read(x.fs, fh, back, sizeof back), (int32_t)sizeof back);
    CHECK_MEM(back, data, sizeof data);
    CHECK_EQ(o->close(x.fs, fh), 0);
    struct cairn_stat st;
    REQUIRE_EQ(o->stat(x.fs, "/new", &st), 0);
    CHECK_EQ(st.size, 3);
    CHECK_EQ(fx_bfree(&x), free0 - 1);
    CHECK_EQ(fx_problems(&x), 0);
    fx_down(&x);
}

TEST(handles_share_size_truncation_and_data)
{
    struct fx x;
    REQUIRE_EQ(th_fm_up(&x), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t ah[256], bh[256], data[4000], back[4000];
    th_fm_pattern(data, sizeof data, 7);
    REQUIRE_EQ(fx_write(&x, "/f", data, 4000), 0);
    uint32_t free1 = fx_bfree(&x);
    REQUIRE_EQ(o->open(x.fs, ah, "/f", CAIRN_O_RDWR), 0);
    REQUIRE_EQ(o->open(x.fs, bh, "/f", CAIRN_O_RDWR), 0);
    CHECK_EQ(o->seek(x.fs, bh, 3900, CAIRN_SEEK_SET), 3900);
    // a shrinks the file; b's position beyond the new end reads nothing
    CHECK_EQ(o->truncate(x.fs, ah, 700), 0);
    CHECK_EQ(o->size(x.fs, bh), 700);
    CHECK_EQ(o->read(x.fs, bh, back, 10), 0);
    CHECK_EQ(fx_bfree(&x), free1 + 6);
    // freed clusters go to another file; b's write past the end zero-fills
    REQUIRE_EQ(fx_write(&x, "/g", data, 3000), 0);
    CHECK_EQ(o->write(x.fs, bh, "xyz", 3), 3);
    CHECK_EQ(o->size(x.fs, ah), 3903);
    CHECK_EQ(o->read(x.fs, ah, back, 4000), 3903);
    CHECK_MEM(back, data, 700);
    int zeros = 1;
    for (int i = 700; i < 3900; i++) {
        zeros &= back[i] == 0;
    }
    CHECK(zeros);
    CHECK_MEM(back + 3900, "xyz", 3);
    // a write through a is read through b at once (no sync)
    CHECK_EQ(o->seek(x.fs, ah, 10, CAIRN_SEEK_SET), 10);
    CHECK_EQ(o->write(x.fs, ah, "HELLO", 5), 5);
    CHECK_EQ(o->seek(x.fs, bh, 8, CAIRN_SEEK_SET), 8);
    CHECK_EQ(o->read(x.fs, bh, back, 9), 9);
    CHECK_MEM(back + 2, "HELLO", 5);
    // b opened for truncation empties the file for a as well
    uint8_t ch[256];
    REQUIRE_EQ(o->open(x.fs, ch, "/f", CAIRN_O_WRONLY | CAIRN_O_TRUNC), 0);
    CHECK_EQ(o->size(x.fs, ah), 0);
    CHECK_EQ(o->size(x.fs, bh), 0);
    CHECK_EQ(o->write(x.fs, ah, "new", 3), 3);
    CHECK_EQ(o->size(x.fs, ch), o->tell(x.fs, ah));
    CHECK_EQ(o->close(x.fs, ah), 0);
    CHECK_EQ(o->close(x.fs, bh), 0);
    CHECK_EQ(o->close(x.fs, ch), 0);
    CHECK_EQ(fx_read(&x, "/f", back, sizeof back), 18); // (a was at 15)
    CHECK_MEM(back, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0new", 18);
    CHECK_EQ(fx_read(&x, "/g", back, sizeof back), 3000);
    CHECK_MEM(back, data, 3000);
    CHECK_EQ(fx_problems(&x), 0);
    fx_down(&x);
}

// A handle opened while another has clusters of the file pending (taken,
// not linked in the FAT yet) reads them.
TEST(reads_what_another_handle_has_pending)
{
    struct fx x;
    REQUIRE_EQ(th_fm_up(&x), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t ah[256], bh[256], data[1528], back[1528];
    th_fm_pattern(data, sizeof data, 21);
    memset(data, 0, 569);
    REQUIRE_EQ(fx_write(&x, "/f", "", 0), 0);
    REQUIRE_EQ(o->open(x.fs, ah, "/f", CAIRN_O_RDWR), 0);
    CHECK_EQ(o->seek(x.fs, ah, 569, CAIRN_SEEK_SET), 569);
    CHECK_EQ(o->write(x.fs, ah, data + 569, 959), 959); // three clusters, none linked
    REQUIRE_EQ(o->open(x.fs, bh, "/f", CAIRN_O_RDONLY), 0);
    CHECK_EQ(o->size(x.fs, bh), 1528);
    CHECK_EQ(o->seek(x.fs, bh, 1210, CAIRN_SEEK_SET), 1210);
    CHECK_EQ(o->read(x.fs, bh, back, 1000), 318);
    CHECK_MEM(back, data + 1210, 318);
    CHECK_EQ(o->seek(x.fs, bh, 0, CAIRN_SEEK_SET), 0);
    CHECK_EQ(o->read(x.fs, bh, back, sizeof back), 1528);
    CHECK_MEM(back, data, 1528);
    CHECK_EQ(o->close(x.fs, bh), 0);
    CHECK_EQ(o->close(x.fs, ah), 0);
    CHECK_EQ(fx_problems(&x), 0);
    fx_down(&x);
}

// A sync through any handle on a file writes what the others wrote (as an
// fsync of any descriptor does): after a cut, the data is there.
TEST(sync_through_another_handle)
{
    struct fx x;
    REQUIRE_EQ(th_fm_up(&x), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t ah[256], bh[256], data[1800], back[1800];
    th_fm_pattern(data, sizeof data, 41);
    REQUIRE_EQ(fx_write(&x, "/f", data, 100), 0);
    REQUIRE_EQ(o->open(x.fs, ah, "/f", CAIRN_O_WRONLY | CAIRN_O_APPEND), 0);
    REQUIRE_EQ(o->open(x.fs, bh, "/f", CAIRN_O_RDONLY), 0);
    CHECK_EQ(o->write(x.fs, ah, data + 100, 1700), 1700);
    CHECK_EQ(o->sync(x.fs, bh), 0);
    // the image as a cut would leave it now: a second mount of a copy
    struct fx y;
    fx_dev(&y, x.ss, x.count);
    memcpy(y.mem, x.mem, (size_t)x.ss * x.count);
    REQUIRE_EQ(y.fs->ops->mount(y.fs, 0), 0);
    CHECK_EQ(fx_read(&y, "/f", back, sizeof back), 1800);
    CHECK_MEM(back, data, 1800);
    fx_down(&y);
    CHECK_EQ(o->close(x.fs, ah), 0);
    CHECK_EQ(o->close(x.fs, bh), 0);
    fx_down(&x);
}

TEST(renamed_while_open)
{
    struct fx x;
    REQUIRE_EQ(th_fm_up(&x), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t fh[256], data[2500], back[2500];
    th_fm_pattern(data, sizeof data, 3);
    REQUIRE_EQ(o->mkdir(x.fs, "/d"), 0);
    REQUIRE_EQ(o->open(x.fs, fh, "/a.txt", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    CHECK_EQ(o->write(x.fs, fh, data, 1000), 1000);
    // moved twice (one with a long name), then written on: the new entry
    // gets the size
    REQUIRE_EQ(o->rename(x.fs, "/a.txt", "/d/A Long Name.txt"), 0);
    REQUIRE_EQ(o->rename(x.fs, "/d/A Long Name.txt", "/d/A LONG name.txt"), 0);
    CHECK_EQ(o->write(x.fs, fh, data + 1000, 1500), 1500);
    REQUIRE_EQ(fx_write(&x, "/a.txt", "other", 5), 0);
    CHECK_EQ(o->close(x.fs, fh), 0);
    CHECK_EQ(fx_read(&x, "/d/a long name.txt", back, sizeof back), 2500);
    CHECK_MEM(back, data, 2500);
    CHECK_EQ(fx_read(&x, "/a.txt", back, sizeof back), 5);
    char names[64];
    CHECK_EQ(fx_list(&x, "/d", names, sizeof names), 1);
    CHECK_STR(names, "A LONG name.txt");
    CHECK_EQ(fx_problems(&x), 0);
    fx_down(&x);
}

TEST(replaced_by_rename_while_open)
{
    struct fx x;
    REQUIRE_EQ(th_fm_up(&x), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t fh[256], data[2000], back[2000], other[2000];
    th_fm_pattern(data, sizeof data, 11);
    th_fm_pattern(other, sizeof other, 12);
    uint32_t free0 = fx_bfree(&x);
    REQUIRE_EQ(fx_write(&x, "/old", data, 2000), 0);
    REQUIRE_EQ(fx_write(&x, "/tmp", other, 600), 0);
    REQUIRE_EQ(o->open(x.fs, fh, "/old", CAIRN_O_RDWR), 0);
    REQUIRE_EQ(o->rename(x.fs, "/tmp", "/old"), 0); // replaces the open file
    REQUIRE_EQ(fx_write(&x, "/x", other, 2000), 0);
    CHECK_EQ(o->read(x.fs, fh, back, sizeof back), 2000);
    CHECK_MEM(back, data, 2000);
    CHECK_EQ(o->write(x.fs, fh, "tail", 4), 4);
    CHECK_EQ(o->close(x.fs, fh), 0);
    CHECK_EQ(fx_read(&x, "/old", back, sizeof back), 600);
    CHECK_MEM(back, other, 600);
    CHECK_EQ(fx_bfree(&x), free0 - 2 - 4);
    CHECK_EQ(fx_problems(&x), 0);
    fx_down(&x);
}

// Random operations through up to five handles on three names, against the
// model of tests/fat/fat_model.c: after every round of 40 steps, every
// handle closed, the files as the model has them, every cluster accounted
// for, nothing for fsck.
TEST(random_handles_against_a_model)
{
    static struct th_fm_model m;
    static uint8_t buf[TH_FM_MAXSZ];
    int rounds = th_long() ? 400 : 60;
    int seeds = th_long() ? 12 : 3;
    for (int seed0 = 1; seed0 <= seeds; seed0++) {
        struct fx x;
        REQUIRE_EQ(th_fm_up(&x), 0);
        REQUIRE_EQ(x.fs->ops->mkdir(x.fs, "/sub"), 0);
        uint32_t free0 = fx_bfree(&x);
        th_fm_reset(&m, 0);
        uint32_t seed = 0x9E3779B9u * (uint32_t)seed0;
        for (int r = 0; r < rounds; r++) {
            for (int s = 0; s < 40; s++) {
                int bad = th_fm_step(&x, &m, &seed, buf);
                if (bad) {
                    fprintf(stderr, "seed %d round %d step %d: mismatch %d\n", seed0, r, s, bad);
                    CHECK_EQ(bad, 0);
                    fx_down(&x);
                    return;
                }
            }
            if (th_fm_round_end(&x, &m, 512, free0)) {
                fprintf(stderr, "seed %d round %d: end-of-round check failed\n", seed0, r);
                fx_down(&x);
                return;
            }
            if (r % 8 == 7) {
                REQUIRE_EQ(fx_remount(&x, 0), 0);
            }
        }
        fx_down(&x);
    }
}
