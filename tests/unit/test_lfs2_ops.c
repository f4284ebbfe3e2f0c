// littlefs v2 driver semantics through the ops table: open flags, seek and
// truncate, big files, the rename/remove matrix (vfs.md §10, D7-D9), mtime
// rules (vfs.md §13.4), read-only mounts (D5), geometry mismatch, attributes.
#include <stdio.h>
#include <stdlib.h>

#include "cairn/lfs2.h"
#include "harness.h"

static struct cairn_ram_bdev ram;
static struct cairn_lfs2 lfs;
static struct cairn_lfs2_config cfg;
static struct cairn_fs *fs;
static uint8_t *mem;
static uint32_t cbuf[1024];
static uint64_t f1[256], f2[256], d1[64];

static int64_t clock_ns;
static int64_t fake_clock(void *ctx)
{
    (void)ctx;
    return clock_ns;
}

static void setup(uint32_t bs, uint32_t bc)
{
    free(mem);
    mem = malloc((size_t)bs * bc);
    memset(mem, 0xff, (size_t)bs * bc);
    REQUIRE_EQ(cairn_ram_bdev_init(&ram, mem, bs, bc, CAIRN_RAM_EXT, 0xff), 0);
    memset(&cfg, 0, sizeof cfg);
    cfg.buffer = cbuf;
    cfg.buffer_size = sizeof cbuf;
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &ram.bd, &cfg), 0);
    fs = &lfs.fs;
    REQUIRE_EQ(fs->ops->mkfs(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    clock_ns = 1735689600LL * 1000000000LL;
    cairn_clock_set(fake_clock, NULL);
}

static void done(void)
{
    fs->ops->umount(fs);
    cairn_clock_set(NULL, NULL);
    free(mem);
    mem = NULL;
}

static int put(const char *p, const char *s)
{
    int err = fs->ops->open(fs, f1, p, CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_TRUNC);
    if (err)
        return err;
    int32_t w = fs->ops->write(fs, f1, s, (uint32_t)strlen(s));
    int c = fs->ops->close(fs, f1);
    return w < 0 ? w : c;
}

static int content_is(const char *p, const char *s)
{
    char b[512];
    if (fs->ops->open(fs, f1, p, CAIRN_O_RDONLY))
        return 0;
    int32_t r = fs->ops->read(fs, f1, b, sizeof b);
    fs->ops->close(fs, f1);
    return r == (int32_t)strlen(s) && memcmp(b, s, (size_t)r) == 0;
}

static int exists(const char *p)
{
    struct cairn_stat st;
    return fs->ops->stat(fs, p, &st) == 0;
}

TEST(open_flags_and_errors)
{
    setup(512, 64);
    CHECK_EQ(fs->ops->open(fs, f1, "/nofile", CAIRN_O_RDONLY), CAIRN_ENOENT);
    CHECK_EQ(put("/f", "abc"), 0);
    CHECK_EQ(fs->ops->open(fs, f1, "/f", CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_EXCL), CAIRN_EEXIST);
    CHECK_EQ(fs->ops->mkdir(fs, "/d"), 0);
    CHECK_EQ(fs->ops->open(fs, f1, "/d", CAIRN_O_RDONLY), CAIRN_EISDIR);
    CHECK_EQ(fs->ops->open(fs, f1, "/", CAIRN_O_RDONLY), CAIRN_EISDIR);
    CHECK_EQ(fs->ops->open(fs, f1, "/f/", CAIRN_O_RDONLY), CAIRN_ENOTDIR);
    CHECK_EQ(fs->ops->open(fs, f1, "/new/", CAIRN_O_WRONLY | CAIRN_O_CREAT), CAIRN_ENOTDIR);
    CHECK_EQ(fs->ops->open(fs, f1, "/f/x", CAIRN_O_RDONLY), CAIRN_ENOTDIR);
    CHECK_EQ(fs->ops->open(fs, f1, "/nodir/x", CAIRN_O_WRONLY | CAIRN_O_CREAT), CAIRN_ENOENT);
    char longname[300];
    longname[0] = '/';
    memset(longname + 1, 'n', 256);
    longname[257] = 0;
    CHECK_EQ(fs->ops->open(fs, f1, longname, CAIRN_O_WRONLY | CAIRN_O_CREAT), CAIRN_ENAMETOOLONG);
    longname[256] = 0; // 255 bytes is fine
    CHECK_EQ(fs->ops->open(fs, f1, longname, CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    CHECK(exists(longname));
    // D4: no writing through a read handle, no reading through a write one
    REQUIRE_EQ(fs->ops->open(fs, f1, "/f", CAIRN_O_RDONLY), 0);
    CHECK_EQ(fs->ops->write(fs, f1, "x", 1), CAIRN_EBADF);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    REQUIRE_EQ(fs->ops->open(fs, f1, "/f", CAIRN_O_WRONLY), 0);
    char b[4];
    CHECK_EQ(fs->ops->read(fs, f1, b, 4), CAIRN_EBADF);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    // append always writes at the end
    REQUIRE_EQ(fs->ops->open(fs, f1, "/f", CAIRN_O_RDWR | CAIRN_O_APPEND), 0);
    CHECK_EQ(fs->ops->seek(fs, f1, 0, CAIRN_SEEK_SET), 0);
    CHECK_EQ(fs->ops->write(fs, f1, "de", 2), 2);
    CHECK_EQ(fs->ops->tell(fs, f1), 5);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    CHECK(content_is("/f", "abcde"));
    // r+ overwrites in place
    REQUIRE_EQ(fs->ops->open(fs, f1, "/f", CAIRN_O_RDWR), 0);
    CHECK_EQ(fs->ops->read(fs, f1, b, 2), 2);
    CHECK_EQ(fs->ops->write(fs, f1, "XY", 2), 2);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    CHECK(content_is("/f", "abXYe"));
    // truncation by O_TRUNC is visible to others only after close
    REQUIRE_EQ(fs->ops->open(fs, f1, "/f", CAIRN_O_WRONLY | CAIRN_O_TRUNC), 0);
    REQUIRE_EQ(fs->ops->open(fs, f2, "/f", CAIRN_O_RDONLY), 0);
    CHECK_EQ(fs->ops->size(fs, f2), 5);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    CHECK_EQ(fs->ops->close(fs, f2), 0);
    CHECK(content_is("/f", ""));
    done();
}

TEST(seek_truncate_and_big_files)
{
    setup(512, 256);
    static uint8_t big[60000], back[60000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 31 + (i >> 9));
    REQUIRE_EQ(fs->ops->open(fs, f1, "/big", CAIRN_O_RDWR | CAIRN_O_CREAT), 0);
    for (size_t i = 0; i < sizeof big; i += 1000)
        CHECK_EQ(fs->ops->write(fs, f1, big + i, 1000), 1000);
    CHECK_EQ(fs->ops->size(fs, f1), 60000);
    // read back through the same handle at random places
    for (uint32_t pos = 7; pos < 59000; pos += 4999) {
        CHECK_EQ(fs->ops->seek(fs, f1, pos, CAIRN_SEEK_SET), pos);
        CHECK_EQ(fs->ops->read(fs, f1, back, 700), 700);
        CHECK(memcmp(back, big + pos, 700) == 0);
    }
    CHECK_EQ(fs->ops->seek(fs, f1, -10, CAIRN_SEEK_END), 59990);
    CHECK_EQ(fs->ops->seek(fs, f1, -1, CAIRN_SEEK_SET), CAIRN_EINVAL);
    CHECK_EQ(fs->ops->tell(fs, f1), 59990);
    CHECK_EQ(fs->ops->seek(fs, f1, 1LL << 30, CAIRN_SEEK_SET), 1LL << 30);
    CHECK_EQ(fs->ops->seek(fs, f1, 1LL << 30, CAIRN_SEEK_CUR), CAIRN_EINVAL);
    // overwrite a middle part, then shrink, then grow with zeros
    CHECK_EQ(fs->ops->seek(fs, f1, 30000, CAIRN_SEEK_SET), 30000);
    CHECK_EQ(fs->ops->write(fs, f1, "MIDDLE", 6), 6);
    memcpy(big + 30000, "MIDDLE", 6);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    REQUIRE_EQ(fs->ops->open(fs, f1, "/big", CAIRN_O_RDONLY), 0);
    CHECK_EQ(fs->ops->read(fs, f1, back, sizeof back), 60000);
    CHECK(memcmp(back, big, 60000) == 0);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    REQUIRE_EQ(fs->ops->open(fs, f1, "/big", CAIRN_O_RDWR), 0);
    CHECK_EQ(fs->ops->truncate(fs, f1, 20000), 0);
    CHECK_EQ(fs->ops->size(fs, f1), 20000);
    CHECK_EQ(fs->ops->truncate(fs, f1, 25000), 0);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    memset(big + 20000, 0, 5000);
    CHECK_EQ(fs->ops->umount(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    REQUIRE_EQ(fs->ops->open(fs, f1, "/big", CAIRN_O_RDONLY), 0);
    CHECK_EQ(fs->ops->read(fs, f1, back, sizeof back), 25000);
    CHECK(memcmp(back, big, 25000) == 0);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    // shrink to inline size, then seek past the end and write: gap is zeros
    REQUIRE_EQ(fs->ops->open(fs, f1, "/big", CAIRN_O_RDWR), 0);
    CHECK_EQ(fs->ops->truncate(fs, f1, 10), 0);
    CHECK_EQ(fs->ops->seek(fs, f1, 20, CAIRN_SEEK_SET), 20);
    CHECK_EQ(fs->ops->size(fs, f1), 10);
    CHECK_EQ(fs->ops->write(fs, f1, "Z", 1), 1);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    REQUIRE_EQ(fs->ops->open(fs, f1, "/big", CAIRN_O_RDONLY), 0);
    CHECK_EQ(fs->ops->read(fs, f1, back, sizeof back), 21);
    CHECK(memcmp(back, big, 10) == 0);
    static const uint8_t z[10];
    CHECK(memcmp(back + 10, z, 10) == 0);
    CHECK_EQ(back[20], 'Z');
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    // a seek alone does not grow a file
    REQUIRE_EQ(fs->ops->open(fs, f1, "/s", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    CHECK_EQ(fs->ops->seek(fs, f1, 5, CAIRN_SEEK_SET), 5);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    struct cairn_stat st;
    CHECK_EQ(fs->ops->stat(fs, "/s", &st), 0);
    CHECK_EQ(st.size, 0);
    // space comes back after removal
    struct cairn_statvfs sv;
    CHECK_EQ(fs->ops->remove(fs, "/big"), 0);
    CHECK_EQ(fs->ops->statvfs(fs, &sv), 0);
    CHECK_EQ(sv.f_bfree, 254);
    done();
}

TEST(volume_full_gives_enospc)
{
    setup(512, 32);
    static uint8_t data[512];
    memset(data, 0x5a, sizeof data);
    REQUIRE_EQ(fs->ops->open(fs, f1, "/fill", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    int32_t w = 0;
    for (int i = 0; i < 64 && w >= 0; i++)
        w = fs->ops->write(fs, f1, data, sizeof data);
    CHECK_EQ(w, CAIRN_ENOSPC);
    fs->ops->close(fs, f1);
    CHECK_EQ(fs->ops->mkdir(fs, "/x"), 0);
    CHECK_EQ(fs->ops->umount(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    CHECK(exists("/x"));
    done();
}

static void fresh_matrix(void)
{
    CHECK_EQ(fs->ops->mkdir(fs, "/d1"), 0);
    CHECK_EQ(fs->ops->mkdir(fs, "/d2"), 0);
    CHECK_EQ(fs->ops->mkdir(fs, "/d3"), 0);
    CHECK_EQ(put("/d3/x", "x"), 0);
    CHECK_EQ(put("/f1", "one"), 0);
    CHECK_EQ(put("/f2", "two"), 0);
}

TEST(rename_remove_matrix)
{
    struct {
        const char *from, *to;
        int err;
    } rn[] = {
        {"/f1", "/f2", 0},
        {"/f1", "/d1", CAIRN_EISDIR},
        {"/f1", "/d3", CAIRN_EISDIR},
        {"/d1", "/f1", CAIRN_ENOTDIR},
        {"/d1", "/d2", 0},
        {"/d1", "/d3", CAIRN_ENOTEMPTY},
        {"/f1", "/f1", 0},
        {"/f1", "/F1", 0},
        {"/nope", "/x", CAIRN_ENOENT},
        {"/f1", "/nodir/x", CAIRN_ENOENT},
        {"/f1", "/f2/x", CAIRN_ENOTDIR},
        {"/f1", "/g/", CAIRN_ENOTDIR},
        {"/d1", "/e/", 0},
        {"/d1", "/d1/sub", CAIRN_EINVAL},
        {"/d3", "/d3/x/y", CAIRN_ENOTDIR}, // lookup errors come first
        {"/d3", "/d3/new", CAIRN_EINVAL},
        {"/", "/x", CAIRN_EINVAL},
        {"/f1", "/", CAIRN_EINVAL},
        {"/f1", "/d3/moved", 0},
        {"/d3", "/d1/d3", 0},
    };
    for (size_t i = 0; i < sizeof rn / sizeof rn[0]; i++) {
        setup(512, 64);
        fresh_matrix();
        int err = fs->ops->rename(fs, rn[i].from, rn[i].to);
        if (err != rn[i].err)
            th_fail(__FILE__, __LINE__, "rename %s %s: %d != %d", rn[i].from, rn[i].to, err,
                    rn[i].err);
        if (!err && strcmp(rn[i].from, rn[i].to) != 0) {
            CHECK(!exists(rn[i].from));
            CHECK(exists(rn[i].to));
        }
        // the tree is intact after a remount either way
        CHECK_EQ(fs->ops->umount(fs), 0);
        REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
        CHECK_EQ(fs->ops->fsck(fs, 0, NULL, NULL), 0);
        done();
    }
    setup(512, 64);
    fresh_matrix();
    CHECK(content_is("/f2", "two"));
    CHECK_EQ(fs->ops->rename(fs, "/f1", "/f2"), 0);
    CHECK(content_is("/f2", "one"));
    CHECK_EQ(fs->ops->rename(fs, "/d3", "/d1/d3"), 0);
    CHECK(content_is("/d1/d3/x", "x"));
    // remove / rmdir matrix (D8, D9)
    CHECK_EQ(fs->ops->remove(fs, "/d2"), CAIRN_EISDIR);
    CHECK_EQ(fs->ops->rmdir(fs, "/f2"), CAIRN_ENOTDIR);
    CHECK_EQ(fs->ops->rmdir(fs, "/d1"), CAIRN_ENOTEMPTY);
    CHECK_EQ(fs->ops->remove(fs, "/nope"), CAIRN_ENOENT);
    CHECK_EQ(fs->ops->rmdir(fs, "/nope/x"), CAIRN_ENOENT);
    CHECK_EQ(fs->ops->rmdir(fs, "/d2"), 0);
    CHECK_EQ(fs->ops->rmdir(fs, "/"), CAIRN_EINVAL);
    CHECK_EQ(fs->ops->remove(fs, "/f2/"), CAIRN_ENOTDIR);
    CHECK_EQ(fs->ops->mkdir(fs, "/d1"), CAIRN_EEXIST);
    CHECK_EQ(fs->ops->mkdir(fs, "/f2"), CAIRN_EEXIST);
    CHECK_EQ(fs->ops->mkdir(fs, "/f2/x"), CAIRN_ENOTDIR);
    CHECK_EQ(fs->ops->mkdir(fs, "/no/x"), CAIRN_ENOENT);
    CHECK_EQ(fs->ops->mkdir(fs, "/d9/"), 0);
    CHECK(exists("/d9"));
    CHECK(exists("/d9/"));
    // removing an open file: the handle's sync no longer resurrects it
    REQUIRE_EQ(fs->ops->open(fs, f1, "/f2", CAIRN_O_RDWR), 0);
    CHECK_EQ(fs->ops->remove(fs, "/f2"), 0);
    CHECK_EQ(fs->ops->write(fs, f1, "zz", 2), 2);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    CHECK(!exists("/f2"));
    done();
}

TEST(open_handles_follow_commits)
{
    setup(512, 128);
    char p[32];
    REQUIRE_EQ(fs->ops->mkdir(fs, "/d"), 0);
    REQUIRE_EQ(fs->ops->open(fs, f2, "/d/m", CAIRN_O_RDWR | CAIRN_O_CREAT), 0);
    CHECK_EQ(fs->ops->write(fs, f2, "middle", 6), 6);
    // create many names around it: ids shift and the pair splits
    for (int i = 0; i < 60; i++) {
        sprintf(p, "/d/%c%02d", i % 2 ? 'a' : 'z', i);
        CHECK_EQ(put(p, "0123456789012345678901234567890123456789"), 0);
    }
    CHECK_EQ(fs->ops->write(fs, f2, "!", 1), 1);
    CHECK_EQ(fs->ops->close(fs, f2), 0);
    CHECK(content_is("/d/m", "middle!"));
    // a directory being listed while entries are added and removed
    REQUIRE_EQ(fs->ops->opendir(fs, d1, "/d"), 0);
    struct cairn_dirent de;
    int n = 0;
    while (fs->ops->readdir(fs, d1, &de) == 1) {
        if (n == 10)
            CHECK_EQ(fs->ops->remove(fs, "/d/a01"), 0);
        n++;
    }
    fs->ops->closedir(fs, d1);
    CHECK(n >= 60 && n <= 61);
    done();
}

TEST(mtime_rules)
{
    setup(512, 64);
    struct cairn_stat st;
    CHECK_EQ(put("/a", ""), 0);
    CHECK_EQ(fs->ops->stat(fs, "/a", &st), 0);
    CHECK_EQ(st.has_mtime, 1);
    CHECK_EQ(st.mtime, 1735689600);
    int64_t t0 = st.mtime * 1000000000LL + st.mtime_nsec;
    // r: unchanged
    clock_ns += 1000000000;
    REQUIRE_EQ(fs->ops->open(fs, f1, "/a", CAIRN_O_RDONLY), 0);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    CHECK_EQ(fs->ops->stat(fs, "/a", &st), 0);
    CHECK_EQ(st.mtime * 1000000000LL + st.mtime_nsec, t0);
    // r+ without writing: unchanged
    REQUIRE_EQ(fs->ops->open(fs, f1, "/a", CAIRN_O_RDWR), 0);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    CHECK_EQ(fs->ops->stat(fs, "/a", &st), 0);
    CHECK_EQ(st.mtime * 1000000000LL + st.mtime_nsec, t0);
    // w without writing: open time
    REQUIRE_EQ(fs->ops->open(fs, f1, "/a", CAIRN_O_WRONLY | CAIRN_O_TRUNC), 0);
    clock_ns += 1000000000;
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    CHECK_EQ(fs->ops->stat(fs, "/a", &st), 0);
    CHECK_EQ(st.mtime * 1000000000LL + st.mtime_nsec, t0 + 1000000000);
    // a write: time of the last write
    REQUIRE_EQ(fs->ops->open(fs, f1, "/a", CAIRN_O_RDWR), 0);
    clock_ns += 500;
    CHECK_EQ(fs->ops->write(fs, f1, "x", 1), 1);
    int64_t tw = clock_ns;
    clock_ns += 7000;
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    CHECK_EQ(fs->ops->stat(fs, "/a", &st), 0);
    CHECK_EQ(st.mtime * 1000000000LL + st.mtime_nsec, tw);
    // rename keeps it; directories have none
    CHECK_EQ(fs->ops->rename(fs, "/a", "/b"), 0);
    CHECK_EQ(fs->ops->stat(fs, "/b", &st), 0);
    CHECK_EQ(st.mtime * 1000000000LL + st.mtime_nsec, tw);
    CHECK_EQ(fs->ops->mkdir(fs, "/dir"), 0);
    CHECK_EQ(fs->ops->stat(fs, "/dir", &st), 0);
    CHECK_EQ(st.has_mtime, 0);
    // set_mtime and no_mtime mounts
    CHECK_EQ(fs->ops->set_mtime(fs, "/b", 42000000001LL), 0);
    CHECK_EQ(fs->ops->stat(fs, "/b", &st), 0);
    CHECK_EQ(st.mtime, 42);
    CHECK_EQ(st.mtime_nsec, 1);
    CHECK_EQ(fs->ops->umount(fs), 0);
    cfg.no_mtime = 1;
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &ram.bd, &cfg), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    clock_ns += 1000000000;
    REQUIRE_EQ(fs->ops->open(fs, f1, "/b", CAIRN_O_WRONLY | CAIRN_O_TRUNC), 0);
    CHECK_EQ(fs->ops->write(fs, f1, "y", 1), 1);
    CHECK_EQ(fs->ops->close(fs, f1), 0);
    CHECK_EQ(fs->ops->stat(fs, "/b", &st), 0);
    CHECK_EQ(st.mtime, 42);
    CHECK_EQ(put("/new", "n"), 0);
    CHECK_EQ(fs->ops->stat(fs, "/new", &st), 0);
    CHECK_EQ(st.has_mtime, 0);
    done();
}

TEST(user_attributes)
{
    setup(512, 64);
    CHECK_EQ(put("/f", "data"), 0);
    uint8_t v[16];
    CHECK_EQ(fs->ops->getattr(fs, "/f", 7, v, sizeof v), CAIRN_ENODATA);
    CHECK_EQ(fs->ops->setattr(fs, "/f", 7, "hello", 5), 0);
    CHECK_EQ(fs->ops->getattr(fs, "/f", 7, v, sizeof v), 5);
    CHECK_MEM(v, "hello", 5);
    CHECK_EQ(fs->ops->setattr(fs, "/", 9, "root", 4), 0);
    CHECK_EQ(fs->ops->getattr(fs, "/", 9, v, sizeof v), 4);
    CHECK_EQ(fs->ops->removeattr(fs, "/f", 7), 0);
    CHECK_EQ(fs->ops->getattr(fs, "/f", 7, v, sizeof v), CAIRN_ENODATA);
    CHECK_EQ(fs->ops->getattr(fs, "/nope", 7, v, sizeof v), CAIRN_ENOENT);
    static uint8_t bigattr[1100];
    CHECK_EQ(fs->ops->setattr(fs, "/f", 8, bigattr, 1023), CAIRN_ENOSPC);
    CHECK_EQ(fs->ops->umount(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    CHECK_EQ(fs->ops->getattr(fs, "/", 9, v, sizeof v), 4);
    CHECK(content_is("/f", "data"));
    uint8_t lbl[8];
    CHECK_EQ(fs->ops->label(fs, (char *)lbl, sizeof lbl, NULL), CAIRN_EOPNOTSUPP);
    done();
}

TEST(readonly_mount_never_writes)
{
    setup(512, 64);
    CHECK_EQ(put("/f", "abc"), 0);
    CHECK_EQ(fs->ops->mkdir(fs, "/d"), 0);
    CHECK_EQ(fs->ops->umount(fs), 0);
    uint8_t *copy = malloc(512 * 64);
    memcpy(copy, mem, 512 * 64);
    REQUIRE_EQ(fs->ops->mount(fs, CAIRN_MOUNT_RDONLY), 0);
    CHECK_EQ(fs->ops->open(fs, f1, "/f", CAIRN_O_WRONLY), CAIRN_EROFS);
    CHECK_EQ(fs->ops->open(fs, f1, "/f", CAIRN_O_RDWR), CAIRN_EROFS);
    CHECK_EQ(fs->ops->open(fs, f1, "/g", CAIRN_O_WRONLY | CAIRN_O_CREAT), CAIRN_EROFS);
    CHECK_EQ(fs->ops->mkdir(fs, "/e"), CAIRN_EROFS);
    CHECK_EQ(fs->ops->remove(fs, "/f"), CAIRN_EROFS);
    CHECK_EQ(fs->ops->rename(fs, "/f", "/g"), CAIRN_EROFS);
    CHECK_EQ(fs->ops->setattr(fs, "/f", 3, "x", 1), CAIRN_EROFS);
    CHECK(content_is("/f", "abc"));
    struct cairn_statvfs sv;
    CHECK_EQ(fs->ops->statvfs(fs, &sv), 0);
    CHECK_EQ(fs->ops->fsck(fs, 0, NULL, NULL), 0);
    CHECK_EQ(fs->ops->umount(fs), 0);
    CHECK(memcmp(copy, mem, 512 * 64) == 0);
    free(copy);
    done();
}

TEST(mount_errors)
{
    setup(512, 64);
    CHECK_EQ(fs->ops->umount(fs), 0);
    // geometry mismatches -> EINVAL
    struct cairn_ram_bdev r2;
    REQUIRE_EQ(cairn_ram_bdev_init(&r2, mem, 1024, 32, CAIRN_RAM_EXT, 0xff), 0);
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &r2.bd, &cfg), 0);
    CHECK_EQ(fs->ops->mount(fs, 0), CAIRN_EINVAL);
    REQUIRE_EQ(cairn_ram_bdev_init(&r2, mem, 512, 60, CAIRN_RAM_EXT, 0xff), 0);
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &r2.bd, &cfg), 0);
    CHECK_EQ(fs->ops->mount(fs, 0), CAIRN_EINVAL);
    // a smaller name_max than the volume's -> EINVAL
    struct cairn_lfs2_config c2 = cfg;
    c2.name_max = 100;
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &ram.bd, &c2), 0);
    CHECK_EQ(fs->ops->mount(fs, 0), CAIRN_EINVAL);
    // blank and garbage -> ECORRUPT
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &ram.bd, &cfg), 0);
    memset(mem, 0xff, 1024);
    CHECK_EQ(fs->ops->mount(fs, 0), CAIRN_ECORRUPT);
    for (int i = 0; i < 1024; i++)
        mem[i] = (uint8_t)i;
    CHECK_EQ(fs->ops->mount(fs, 0), CAIRN_ECORRUPT);
    // too small a buffer / bad geometry at init
    struct cairn_lfs2_config c3 = cfg;
    c3.buffer_size = 64;
    CHECK_EQ(cairn_lfs2_init(&lfs, &ram.bd, &c3), CAIRN_EINVAL);
    c3 = cfg;
    c3.read_size = 24;
    c3.cache_size = 64;
    CHECK_EQ(cairn_lfs2_init(&lfs, &ram.bd, &c3), CAIRN_EINVAL);
    // mkfs on one block -> ENOSPC
    struct cairn_ram_bdev r3;
    REQUIRE_EQ(cairn_ram_bdev_init(&r3, mem, 512, 1, CAIRN_RAM_EXT, 0xff), 0);
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &r3.bd, &cfg), 0);
    CHECK_EQ(fs->ops->mkfs(fs), CAIRN_ENOSPC);
    // a device that reports 0 blocks adopts the superblock's count
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &ram.bd, &cfg), 0);
    REQUIRE_EQ(fs->ops->mkfs(fs), 0);
    struct cairn_lfs2_config c4 = cfg;
    c4.block_count = 0;
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &ram.bd, &c4), 0);
    CHECK_EQ(fs->ops->mount(fs, 0), 0);
    struct cairn_statvfs sv;
    CHECK_EQ(fs->ops->statvfs(fs, &sv), 0);
    CHECK_EQ(sv.f_blocks, 64);
    done();
}

TEST(grow_and_gc)
{
    setup(512, 64);
    CHECK_EQ(fs->ops->umount(fs), 0);
    // format 32 blocks of a 64-block device, then grow
    struct cairn_lfs2_config c = cfg;
    c.block_count = 32;
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &ram.bd, &c), 0);
    REQUIRE_EQ(fs->ops->mkfs(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    CHECK_EQ(put("/f", "x"), 0);
    CHECK_EQ(cairn_lfs2_grow(&lfs, 16), CAIRN_EINVAL);
    CHECK_EQ(cairn_lfs2_grow(&lfs, 64), 0);
    CHECK_EQ(cairn_lfs2_gc(&lfs), 0);
    CHECK_EQ(cairn_lfs2_fs_size(&lfs), 2);
    CHECK_EQ(fs->ops->umount(fs), 0);
    c.block_count = 0;
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &ram.bd, &c), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    struct cairn_statvfs sv;
    CHECK_EQ(fs->ops->statvfs(fs, &sv), 0);
    CHECK_EQ(sv.f_blocks, 64);
    CHECK(content_is("/f", "x"));
    struct cairn_fs_info info;
    CHECK_EQ(fs->ops->info(fs, &info), 0);
    CHECK_STR(info.type, "littlefs");
    CHECK_STR(info.version, "2.1");
    CHECK_EQ(info.units_free, 62);
    done();
}

// attribute type t of `p` holds "v<t><suffix>" (or is gone: t == gone)
static int attrs_are(const char *p, int gone, int fresh)
{
    for (int t = 1; t <= 12; t++) {
        char want[16], got[16];
        snprintf(want, sizeof want, "v%d%s", t, t == fresh ? "new" : "");
        int32_t r = fs->ops->getattr(fs, p, (uint8_t)t, got, sizeof got);
        if (t == gone ? r != CAIRN_ENODATA
                      : r != (int32_t)strlen(want) || memcmp(got, want, (size_t)r) != 0)
            return 0;
    }
    return 1;
}

TEST(many_attribute_types_survive_compaction_and_moves)
{
    // more attribute types than a compaction window slot (2) or one emit
    // pass takes: the one-id path, in several passes, and through a move
    setup(512, 64);
    CHECK_EQ(fs->ops->mkdir(fs, "/d"), 0);
    CHECK_EQ(put("/d/f", "data"), 0);
    for (int t = 1; t <= 12; t++) {
        char v[16];
        snprintf(v, sizeof v, "v%d", t);
        CHECK_EQ(fs->ops->setattr(fs, "/d/f", (uint8_t)t, v, (uint32_t)strlen(v)), 0);
    }
    CHECK_EQ(fs->ops->removeattr(fs, "/d/f", 5), 0);
    CHECK_EQ(fs->ops->setattr(fs, "/d/f", 3, "v3new", 5), 0);
    CHECK(attrs_are("/d/f", 5, 3));
    for (int i = 0; i < 40; i++) { // churn: /d compacts several times
        char p[16];
        snprintf(p, sizeof p, "/d/g%d", i % 4);
        CHECK_EQ(put(p, "0123456789abcdef"), 0);
    }
    CHECK(attrs_are("/d/f", 5, 3));
    CHECK_EQ(fs->ops->rename(fs, "/d/f", "/f2"), 0);
    CHECK(!exists("/d/f"));
    CHECK(attrs_are("/f2", 5, 3));
    CHECK(content_is("/f2", "data"));
    for (int i = 0; i < 40; i++) {
        char p[16];
        snprintf(p, sizeof p, "/h%d", i % 4);
        CHECK_EQ(put(p, "0123456789abcdef"), 0);
    }
    CHECK_EQ(fs->ops->umount(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    CHECK(attrs_are("/f2", 5, 3));
    CHECK(content_is("/f2", "data"));
    CHECK_EQ(fs->ops->fsck(fs, 0, NULL, NULL), 0);
    done();
}
