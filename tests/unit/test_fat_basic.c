// FAT driver: the worked example, statvfs, files and directories through the
// ops table on the RAM device.
#include "test_fat_util.h"

static const uint8_t *ent_at(struct fx *x, uint32_t sect, uint32_t i)
{
    return x->mem + (size_t)sect * x->ss + i * 32;
}

TEST(worked_example_64_sectors)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 64), 0);
    const uint8_t *b = x.mem;
    CHECK_MEM(b, "\xEB\xFE\x90MSDOS5.0", 11);
    CHECK_EQ(b[11] | (b[12] << 8), 512);
    CHECK_EQ(b[13], 1);
    CHECK_EQ(b[14], 1);
    CHECK_EQ(b[16], 1);
    CHECK_EQ(b[17] | (b[18] << 8), 512);
    CHECK_EQ(b[19] | (b[20] << 8), 64);
    CHECK_EQ(b[21], 0xF8);
    CHECK_EQ(b[22], 1);
    CHECK_EQ(b[24], 63);
    CHECK_EQ(b[26], 255);
    CHECK_EQ(b[36], 0x80);
    CHECK_EQ(b[38], 0x29);
    CHECK_MEM(b + 39, "\x00\x00\x21\x4C", 4); // serial 0x4C210000 with no clock
    CHECK_MEM(b + 43, "NO NAME    FAT     ", 19);
    CHECK_EQ(b[510], 0x55);
    CHECK_EQ(b[511], 0xAA);

    REQUIRE_EQ(fx_write(&x, "/foo_file.txt", "hello!", 6), 0);
    REQUIRE_EQ(fx_write(&x, "/Long Name File.TXT", "x", 1), 0);
    REQUIRE_EQ(x.fs->ops->mkdir(x.fs, "/sub"), 0);
    REQUIRE_EQ(x.fs->ops->umount(x.fs), 0);

    // FAT12: [0]=FF8 [1]=FFF [2..4]=FFF
    CHECK_MEM(x.mem + 512, "\xF8\xFF\xFF\xFF\xFF\xFF\xFF\x0F\x00", 9);
    uint32_t root = 2;
    const uint8_t *e = ent_at(&x, root, 0);
    CHECK_MEM(e, "FOO_FILETXT", 11);
    CHECK_EQ(e[11], 0x20);
    CHECK_EQ(e[12], 0x18);
    CHECK_EQ(e[26], 2);
    CHECK_EQ(e[28], 6);
    CHECK_EQ(e[16] | (e[17] << 8), 0x4C21); // 2018-01-01
    CHECK_EQ(e[24] | (e[25] << 8), 0x4C21);
    e = ent_at(&x, root, 1);
    CHECK_EQ(e[0], 0x42);
    CHECK_EQ(e[11], 0x0F);
    CHECK_EQ(e[13], 0xF4);
    CHECK_MEM(e + 1, "e\0.\0T\0X\0T\0", 10);
    CHECK_MEM(e + 14, "\0\0\xFF\xFF", 4);
    e = ent_at(&x, root, 2);
    CHECK_EQ(e[0], 0x01);
    CHECK_EQ(e[13], 0xF4);
    CHECK_MEM(e + 1, "L\0o\0n\0g\0 \0", 10);
    e = ent_at(&x, root, 3);
    CHECK_MEM(e, "LONGNA~1TXT", 11);
    CHECK_EQ(e[11], 0x20);
    CHECK_EQ(e[12], 0x00);
    CHECK_EQ(e[26], 3);
    CHECK_EQ(e[28], 1);
    e = ent_at(&x, root, 4);
    CHECK_MEM(e, "SUB        ", 11);
    CHECK_EQ(e[11], 0x10);
    CHECK_EQ(e[12], 0x08);
    CHECK_EQ(e[26], 4);
    CHECK_EQ(e[28], 0);
    CHECK_EQ(ent_at(&x, root, 5)[0], 0);
    // the sub-directory: . and .. (0 = root)
    uint32_t sub = 34 + 2;
    e = ent_at(&x, sub, 0);
    CHECK_MEM(e, ".          ", 11);
    CHECK_EQ(e[11], 0x10);
    CHECK_EQ(e[26], 4);
    e = ent_at(&x, sub, 1);
    CHECK_MEM(e, "..         ", 11);
    CHECK_EQ(e[26], 0);
    CHECK_EQ(ent_at(&x, sub, 2)[0], 0);
    fx_down(&x);
}

TEST(statvfs_50_sectors_and_too_small)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 50), 0);
    struct cairn_statvfs st;
    REQUIRE_EQ(x.fs->ops->statvfs(x.fs, &st), 0);
    CHECK_EQ(st.f_bsize, 512);
    CHECK_EQ(st.f_frsize, 512);
    CHECK_EQ(st.f_blocks, 16);
    CHECK_EQ(st.f_bfree, 16);
    CHECK_EQ(st.f_bavail, 16);
    CHECK_EQ(st.f_files, 0);
    CHECK_EQ(st.f_namemax, 255);
    char buf[100];
    for (int i = 0; i < 10; i++) {
        memcpy(buf + 9 * i, "some data", 9);
    }
    REQUIRE_EQ(fx_write(&x, "/test", buf, 90), 0);
    char names[64];
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 1);
    CHECK_STR(names, "test");
    struct cairn_stat s;
    REQUIRE_EQ(x.fs->ops->stat(x.fs, "/test", &s), 0);
    CHECK_EQ(s.size, 90);
    CHECK_EQ(s.mode, CAIRN_S_IFREG);
    CHECK_EQ(s.mtime, 1514764800);
    REQUIRE_EQ(x.fs->ops->statvfs(x.fs, &st), 0);
    CHECK_EQ(st.f_bfree, 15);
    fx_down(&x);

    fx_dev(&x, 512, 49);
    CHECK_EQ(x.fs->ops->mkfs(x.fs), CAIRN_EIO);
    CHECK_EQ(x.fs->ops->mount(x.fs, 0), CAIRN_ENODEV);
    fx_down(&x);
}

TEST(file_io_fileio1)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 50), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t fh[256];
    char buf[64];
    REQUIRE_EQ(fx_write(&x, "/foo_file.txt", "hello!", 6), 0);
    CHECK_EQ(o->open(x.fs, fh, "/foo_file.txt", CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_EXCL),
             CAIRN_EEXIST);
    REQUIRE_EQ(o->open(x.fs, fh, "/foo_file.txt",
                       CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_APPEND),
               0);
    CHECK_EQ(o->write(x.fs, fh, "world!", 6), 6);
    CHECK_EQ(o->tell(x.fs, fh), 12);
    CHECK_EQ(o->read(x.fs, fh, buf, 1), CAIRN_EACCES);
    CHECK_EQ(o->close(x.fs, fh), 0);
    CHECK_EQ(o->close(x.fs, fh), 0);
    CHECK_EQ(o->write(x.fs, fh, "x", 1), CAIRN_EBADF);
    CHECK_EQ(fx_read(&x, "/foo_file.txt", buf, sizeof buf), 12);
    CHECK_MEM(buf, "hello!world!", 12);

    REQUIRE_EQ(o->open(x.fs, fh, "/foo_file.txt", CAIRN_O_RDONLY), 0);
    CHECK_EQ(o->seek(x.fs, fh, 0, CAIRN_SEEK_SET), 0);
    CHECK_EQ(o->read(x.fs, fh, buf, 1), 1);
    CHECK_EQ(buf[0], 'h');
    CHECK_EQ(o->seek(x.fs, fh, 0, CAIRN_SEEK_CUR), 1);
    CHECK_EQ(o->read(x.fs, fh, buf, 1), 1);
    CHECK_EQ(buf[0], 'e');
    CHECK_EQ(o->seek(x.fs, fh, 2, CAIRN_SEEK_CUR), 4);
    CHECK_EQ(o->read(x.fs, fh, buf, 1), 1);
    CHECK_EQ(buf[0], 'o');
    CHECK_EQ(o->seek(x.fs, fh, -2, CAIRN_SEEK_END), 10);
    CHECK_EQ(o->read(x.fs, fh, buf, 1), 1);
    CHECK_EQ(buf[0], 'd');
    CHECK_EQ(o->seek(x.fs, fh, -20, CAIRN_SEEK_CUR), CAIRN_EINVAL); // D12
    CHECK_EQ(o->tell(x.fs, fh), 11);
    CHECK_EQ(o->write(x.fs, fh, "x", 1), CAIRN_EBADF); // D4
    CHECK_EQ(o->close(x.fs, fh), 0);

    CHECK_EQ(o->mkdir(x.fs, "/foo_dir"), 0);
    CHECK_EQ(o->rmdir(x.fs, "/foo_file.txt"), CAIRN_ENOTDIR);
    CHECK_EQ(o->remove(x.fs, "/foo_dir"), CAIRN_EISDIR);
    CHECK_EQ(o->remove(x.fs, "/no_file.txt"), CAIRN_ENOENT);
    CHECK_EQ(o->remove(x.fs, "/foo_file.txt"), 0);
    char names[128];
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 1);
    CHECK_STR(names, "foo_dir");
    fx_down(&x);
}

TEST(fileio2_rename_and_full)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 50), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    char names[256], buf[64];
    REQUIRE_EQ(o->mkdir(x.fs, "/foo_dir"), 0);
    CHECK_EQ(o->mkdir(x.fs, "/foo_dir"), CAIRN_EEXIST);
    CHECK_EQ(o->rename(x.fs, "/foo_dir", "/null/file"), CAIRN_ENOENT);
    REQUIRE_EQ(fx_write(&x, "/foo_dir/file-in-dir.txt", "data in file", 12), 0);
    REQUIRE_EQ(fx_write(&x, "/foo_dir/sub_file.txt", "subdir file", 11), 0);
    CHECK_EQ(o->rmdir(x.fs, "/foo_dir"), CAIRN_ENOTEMPTY); // D9
    CHECK_EQ(o->rename(x.fs, "/foo_dir/file-in-dir.txt", "/foo_dir/file.txt"), 0);
    CHECK_EQ(fx_list(&x, "/foo_dir", names, sizeof names), 2);
    CHECK_STR(names, "sub_file.txt|file.txt");
    CHECK_EQ(o->rename(x.fs, "/foo_dir/file.txt", "/moved-to-root.txt"), 0);
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 2);
    CHECK_STR(names, "foo_dir|moved-to-root.txt");
    REQUIRE_EQ(fx_write(&x, "/temp", "new text", 8), 0);
    CHECK_EQ(o->rename(x.fs, "/temp", "/moved-to-root.txt"), 0);
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 2);
    CHECK_STR(names, "foo_dir|moved-to-root.txt");
    CHECK_EQ(fx_read(&x, "/moved-to-root.txt", buf, sizeof buf), 8);
    CHECK_MEM(buf, "new text", 8);
    CHECK_EQ(o->remove(x.fs, "/foo_dir/sub_file.txt"), 0);
    CHECK_EQ(o->rmdir(x.fs, "/foo_dir"), 0);
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 1);
    CHECK_STR(names, "moved-to-root.txt");

    // disk full: the bytes that fit stay, then ENOSPC
    struct cairn_statvfs st;
    REQUIRE_EQ(o->statvfs(x.fs, &st), 0);
    uint32_t big = st.f_bsize * (uint32_t)(st.f_blocks + 1);
    uint8_t *data = calloc(1, big);
    uint8_t fh[256];
    REQUIRE_EQ(o->open(x.fs, fh, "/big", CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_TRUNC), 0);
    int32_t w = o->write(x.fs, fh, data, big);
    CHECK(w > 0 && (uint32_t)w < big);
    CHECK_EQ(w % 512, 0);
    CHECK_EQ(o->write(x.fs, fh, data, 10), CAIRN_ENOSPC);
    CHECK_EQ(o->close(x.fs, fh), 0);
    REQUIRE_EQ(o->statvfs(x.fs, &st), 0);
    CHECK_EQ(st.f_bfree, 0);
    CHECK_EQ(o->mkdir(x.fs, "/nodir"), CAIRN_EACCES);
    // an empty file still fits
    CHECK_EQ(fx_write(&x, "/empty", "", 0), 0);
    struct cairn_stat s;
    REQUIRE_EQ(o->stat(x.fs, "/big", &s), 0);
    CHECK_EQ(s.size, w);
    CHECK_EQ(o->remove(x.fs, "/big"), 0);
    REQUIRE_EQ(o->statvfs(x.fs, &st), 0);
    CHECK_EQ(st.f_bfree, 15);
    free(data);
    // the free count survives a remount (FAT12: counted again)
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    REQUIRE_EQ(o->statvfs(x.fs, &st), 0);
    CHECK_EQ(st.f_bfree, 15);
    fx_down(&x);
}

TEST(stat_root_and_errors)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 64), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    struct cairn_stat s;
    uint8_t fh[256];
    REQUIRE_EQ(o->stat(x.fs, "/", &s), 0);
    CHECK_EQ(s.mode, CAIRN_S_IFDIR);
    CHECK_EQ(s.size, 0);
    CHECK_EQ(s.mtime, 946684800);
    CHECK_EQ(o->stat(x.fs, "/no_file.txt", &s), CAIRN_ENOENT);
    REQUIRE_EQ(fx_write(&x, "/f", "abc", 3), 0);
    REQUIRE_EQ(o->mkdir(x.fs, "/d"), 0);
    CHECK_EQ(o->stat(x.fs, "/f/x", &s), CAIRN_ENOENT);
    CHECK_EQ(o->stat(x.fs, "/d/", &s), CAIRN_EINVAL);
    CHECK_EQ(o->stat(x.fs, "/f/", &s), CAIRN_ENOENT);
    CHECK_EQ(o->mkdir(x.fs, "/f/x"), CAIRN_ENOENT);
    CHECK_EQ(o->mkdir(x.fs, "/d9/"), CAIRN_ENOENT);
    CHECK_EQ(o->mkdir(x.fs, "/"), CAIRN_EEXIST);
    CHECK_EQ(o->mkdir(x.fs, "/x/y"), CAIRN_ENOENT);
    CHECK_EQ(o->open(x.fs, fh, "/d", CAIRN_O_RDONLY), CAIRN_ENOENT);
    CHECK_EQ(o->open(x.fs, fh, "/d", CAIRN_O_WRONLY), CAIRN_EACCES);
    CHECK_EQ(o->open(x.fs, fh, "/", CAIRN_O_RDONLY), CAIRN_EINVAL);
    CHECK_EQ(o->open(x.fs, fh, "/f/", CAIRN_O_RDONLY), CAIRN_ENOENT);
    CHECK_EQ(o->open(x.fs, fh, "/new/", CAIRN_O_WRONLY | CAIRN_O_CREAT), CAIRN_ENOENT);
    CHECK_EQ(o->open(x.fs, fh, "/nope", CAIRN_O_RDONLY), CAIRN_ENOENT);
    CHECK_EQ(o->rmdir(x.fs, "/"), CAIRN_EINVAL);
    CHECK_EQ(o->remove(x.fs, "/"), CAIRN_EINVAL);
    CHECK_EQ(o->rename(x.fs, "/", "/z"), CAIRN_EINVAL);
    CHECK_EQ(o->rename(x.fs, "/f", "/"), CAIRN_EINVAL);
    uint8_t dh[256];
    CHECK_EQ(o->opendir(x.fs, dh, "/f"), CAIRN_ENOENT);
    CHECK_EQ(o->opendir(x.fs, dh, "/d/"), CAIRN_EINVAL);
    CHECK_EQ(o->opendir(x.fs, dh, "/none"), CAIRN_ENOENT);
    // a component that is a file
    CHECK_EQ(o->open(x.fs, fh, "/f/g", CAIRN_O_WRONLY | CAIRN_O_CREAT), CAIRN_ENOENT);
    // stat of a directory and case-insensitive lookup
    REQUIRE_EQ(o->stat(x.fs, "/D", &s), 0);
    CHECK_EQ(s.mode, CAIRN_S_IFDIR);
    CHECK_EQ(s.attr & CAIRN_ATTR_DIR, CAIRN_ATTR_DIR);
    REQUIRE_EQ(o->stat(x.fs, "/F", &s), 0);
    CHECK_EQ(s.size, 3);
    fx_down(&x);
}

TEST(seek_past_end_zero_fills)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 200), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t fh[256], buf[3000];
    // make sure freed clusters hold junk
    memset(buf, 0xAB, sizeof buf);
    REQUIRE_EQ(fx_write(&x, "/junk", buf, sizeof buf), 0);
    REQUIRE_EQ(o->remove(x.fs, "/junk"), 0);
    REQUIRE_EQ(o->open(x.fs, fh, "/g", CAIRN_O_RDWR | CAIRN_O_CREAT), 0);
    CHECK_EQ(o->seek(x.fs, fh, 5, CAIRN_SEEK_SET), 5);
    CHECK_EQ(o->size(x.fs, fh), 0);
    CHECK_EQ(o->seek(x.fs, fh, 2000, CAIRN_SEEK_SET), 2000);
    CHECK_EQ(o->write(x.fs, fh, "Z", 1), 1);
    CHECK_EQ(o->size(x.fs, fh), 2001);
    CHECK_EQ(o->seek(x.fs, fh, 0, CAIRN_SEEK_SET), 0);
    memset(buf, 0x55, sizeof buf);
    CHECK_EQ(o->read(x.fs, fh, buf, sizeof buf), 2001);
    int zeros = 1;
    for (int i = 0; i < 2000; i++) {
        zeros &= buf[i] == 0;
    }
    CHECK(zeros);
    CHECK_EQ(buf[2000], 'Z');
    // truncate: shrink frees, grow zero-fills
    struct cairn_statvfs st1, st2;
    REQUIRE_EQ(o->statvfs(x.fs, &st1), 0);
    CHECK_EQ(o->truncate(x.fs, fh, 10), 0);
    REQUIRE_EQ(o->statvfs(x.fs, &st2), 0);
    CHECK_EQ(st2.f_bfree, st1.f_bfree + 3);
    CHECK_EQ(o->size(x.fs, fh), 10);
    CHECK_EQ(o->truncate(x.fs, fh, 1500), 0);
    CHECK_EQ(o->size(x.fs, fh), 1500);
    CHECK_EQ(o->seek(x.fs, fh, 0, CAIRN_SEEK_SET), 0);
    memset(buf, 0x55, sizeof buf);
    CHECK_EQ(o->read(x.fs, fh, buf, sizeof buf), 1500);
    zeros = 1;
    for (int i = 0; i < 1500; i++) {
        zeros &= buf[i] == 0;
    }
    CHECK(zeros);
    CHECK_EQ(o->truncate(x.fs, fh, 0), 0);
    CHECK_EQ(o->close(x.fs, fh), 0);
    struct cairn_stat s;
    REQUIRE_EQ(o->stat(x.fs, "/g", &s), 0);
    CHECK_EQ(s.size, 0);
    REQUIRE_EQ(o->statvfs(x.fs, &st2), 0);
    CHECK_EQ(st2.f_bfree, st1.f_bfree + 4);
    fx_down(&x);
}

TEST(big_file_multi_cluster_roundtrip)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 4096), 0); // FAT12, 2 sectors per cluster
    const struct cairn_fs_ops *o = x.fs->ops;
    uint32_t n = 100000;
    uint8_t *data = malloc(n), *back = malloc(n);
    uint32_t r = 1;
    for (uint32_t i = 0; i < n; i++) {
        r ^= r << 13;
        r ^= r >> 17;
        r ^= r << 5;
        data[i] = (uint8_t)r;
    }
    uint8_t fh[256];
    REQUIRE_EQ(o->open(x.fs, fh, "/big.bin", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    // odd-sized writes cross sector and cluster edges
    for (uint32_t off = 0; off < n;) {
        uint32_t k = 1 + (off * 7 + 333) % 1500;
        if (k > n - off) {
            k = n - off;
        }
        REQUIRE_EQ(o->write(x.fs, fh, data + off, k), (int32_t)k);
        off += k;
    }
    CHECK_EQ(o->close(x.fs, fh), 0);
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    CHECK_EQ(fx_read(&x, "/big.bin", back, n), (int32_t)n);
    CHECK_MEM(data, back, n);
    // random reads
    REQUIRE_EQ(o->open(x.fs, fh, "/big.bin", CAIRN_O_RDONLY), 0);
    for (int i = 0; i < 200; i++) {
        uint32_t pos = (uint32_t)(i * 7919u) % (n - 64);
        uint8_t b[64];
        CHECK_EQ(o->seek(x.fs, fh, pos, CAIRN_SEEK_SET), pos);
        CHECK_EQ(o->read(x.fs, fh, b, 64), 64);
        CHECK_MEM(b, data + pos, 64);
    }
    o->close(x.fs, fh);
    // overwrite in the middle with RDWR
    REQUIRE_EQ(o->open(x.fs, fh, "/big.bin", CAIRN_O_RDWR), 0);
    CHECK_EQ(o->seek(x.fs, fh, 5000, CAIRN_SEEK_SET), 5000);
    memset(data + 5000, 0x77, 3000);
    CHECK_EQ(o->write(x.fs, fh, data + 5000, 3000), 3000);
    CHECK_EQ(o->size(x.fs, fh), n);
    o->close(x.fs, fh);
    CHECK_EQ(fx_read(&x, "/big.bin", back, n), (int32_t)n);
    CHECK_MEM(data, back, n);
    free(data);
    free(back);
    fx_down(&x);
}

// An open file removed and its slot reused: closing the stale handle must not
// overwrite the new file's entry. And the 4 GiB - 1 position limit.
TEST(stale_handle_and_limits)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 400), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t fh[256];
    REQUIRE_EQ(o->open(x.fs, fh, "/old", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    CHECK_EQ(o->write(x.fs, fh, "12345", 5), 5);
    CHECK_EQ(o->sync(x.fs, fh), 0);
    REQUIRE_EQ(o->remove(x.fs, "/old"), 0);
    REQUIRE_EQ(fx_write(&x, "/new", "abc", 3), 0); // takes the freed slot
    CHECK_EQ(o->write(x.fs, fh, "678", 3), 3);
    CHECK_EQ(o->close(x.fs, fh), 0);
    struct cairn_stat st;
    REQUIRE_EQ(o->stat(x.fs, "/new", &st), 0);
    CHECK_EQ(st.size, 3);
    char buf[8];
    CHECK_EQ(fx_read(&x, "/new", buf, sizeof buf), 3);
    CHECK_MEM(buf, "abc", 3);
    // positions: at most 4 GiB - 1
    REQUIRE_EQ(o->open(x.fs, fh, "/new", CAIRN_O_RDWR), 0);
    CHECK_EQ(o->seek(x.fs, fh, 0xFFFFFFFFLL, CAIRN_SEEK_SET), 0xFFFFFFFFLL);
    CHECK_EQ(o->write(x.fs, fh, "x", 1), CAIRN_EFBIG);
    CHECK_EQ(o->seek(x.fs, fh, 0x100000000LL, CAIRN_SEEK_SET), CAIRN_EINVAL);
    CHECK_EQ(o->seek(x.fs, fh, 1, CAIRN_SEEK_CUR), CAIRN_EINVAL);
    CHECK_EQ(o->seek(x.fs, fh, 0, 7), CAIRN_EINVAL);
    CHECK_EQ(o->read(x.fs, fh, buf, 4), 0); // beyond the end
    CHECK_EQ(o->truncate(x.fs, fh, -1), CAIRN_EINVAL);
    CHECK_EQ(o->truncate(x.fs, fh, 0x100000000LL), CAIRN_EFBIG);
    CHECK_EQ(o->size(x.fs, fh), 3);
    CHECK_EQ(o->close(x.fs, fh), 0);
    fx_down(&x);
}

// A full directory whose last entry was removed takes a new name in that
// entry: the FAT12/16 root does not report itself full, a sub-directory does
// not grow by a cluster.
TEST(full_directory_reuses_its_last_entry)
{
    struct fx x;
    fx_dev(&x, 512, 2000);
    x.cfg.fat_type = 12;
    x.cfg.root_entries = 32;
    x.cfg.cluster_size = 512; // 16 entries per sub-directory cluster
    REQUIRE_EQ(x.fs->ops->mkfs(x.fs), 0);
    REQUIRE_EQ(x.fs->ops->mount(x.fs, 0), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    char p[16];
    for (int i = 0; i < 32; i++) {
        snprintf(p, sizeof p, "/F%02d", i);
        REQUIRE_EQ(fx_write(&x, p, "", 0), 0);
    }
    CHECK_EQ(fx_write(&x, "/X", "", 0), CAIRN_EACCES);
    REQUIRE_EQ(o->remove(x.fs, "/F31"), 0);
    CHECK_EQ(fx_write(&x, "/G", "g", 1), 0);
    CHECK_EQ(fx_write(&x, "/X", "", 0), CAIRN_EACCES);
    REQUIRE_EQ(o->remove(x.fs, "/F05"), 0);
    CHECK_EQ(fx_write(&x, "/H", "h", 1), 0);
    char buf[4];
    CHECK_EQ(fx_read(&x, "/G", buf, sizeof buf), 1);
    CHECK_EQ(fx_read(&x, "/H", buf, sizeof buf), 1);
    CHECK_EQ(fx_read(&x, "/F05", buf, sizeof buf), CAIRN_ENOENT);

    CHECK_EQ(o->mkdir(x.fs, "/d"), CAIRN_EACCES);
    REQUIRE_EQ(o->remove(x.fs, "/F04"), 0);
    REQUIRE_EQ(o->mkdir(x.fs, "/d"), 0);
    for (int i = 0; i < 14; i++) { // with "." and "..": one full cluster
        snprintf(p, sizeof p, "/d/F%02d", i);
        REQUIRE_EQ(fx_write(&x, p, "", 0), 0);
    }
    struct cairn_statvfs st;
    REQUIRE_EQ(o->statvfs(x.fs, &st), 0);
    uint64_t free_before = st.f_bfree;
    REQUIRE_EQ(o->remove(x.fs, "/d/F13"), 0);
    REQUIRE_EQ(fx_write(&x, "/d/G", "", 0), 0);
    REQUIRE_EQ(o->statvfs(x.fs, &st), 0);
    CHECK_EQ(st.f_bfree, free_before);
    REQUIRE_EQ(fx_write(&x, "/d/H", "", 0), 0); // now it grows
    REQUIRE_EQ(o->statvfs(x.fs, &st), 0);
    CHECK_EQ(st.f_bfree, free_before - 1);
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    CHECK_EQ(fx_read(&x, "/d/G", buf, sizeof buf), 0);
    CHECK_EQ(fx_read(&x, "/d/H", buf, sizeof buf), 0);
    CHECK_EQ(fx_read(&x, "/d/F13", buf, sizeof buf), CAIRN_ENOENT);
    fx_down(&x);
}

// A read of no bytes returns 0 and moves nothing, whatever the window holds.
TEST(zero_length_read)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 2000), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    uint8_t data[3000], buf[8];
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)(i * 7 + 1);
    }
    REQUIRE_EQ(fx_write(&x, "/z.bin", data, sizeof data), 0);
    REQUIRE_EQ(fx_write(&x, "/other", "x", 1), 0); // the window now holds another sector
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    uint8_t fh[256];
    REQUIRE(o->file_size(x.fs) <= sizeof fh);
    REQUIRE_EQ(o->open(x.fs, fh, "/z.bin", CAIRN_O_RDONLY), 0);
    CHECK_EQ(o->read(x.fs, fh, buf, 0), 0);
    CHECK_EQ(o->tell(x.fs, fh), 0);
    CHECK_EQ(o->seek(x.fs, fh, 1500, CAIRN_SEEK_SET), 1500);
    CHECK_EQ(o->read(x.fs, fh, buf, 0), 0);
    CHECK_EQ(o->read(x.fs, fh, NULL, 0), 0);
    CHECK_EQ(o->tell(x.fs, fh), 1500);
    CHECK_EQ(o->read(x.fs, fh, buf, 4), 4);
    CHECK_MEM(buf, data + 1500, 4);
    CHECK_EQ(o->seek(x.fs, fh, 0, CAIRN_SEEK_END), 3000);
    CHECK_EQ(o->read(x.fs, fh, buf, 0), 0);
    CHECK_EQ(o->close(x.fs, fh), 0);
    fx_down(&x);
}

// A read of whole sectors straight into the caller's buffer takes a sector
// the window holds unwritten from the window, and leaves it to be written.
TEST(whole_sector_read_keeps_unwritten_window)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 4096), 0);
    static uint8_t buf[2048], rd[1024];
    memset(buf, 'a', sizeof buf);
    REQUIRE_EQ(fx_write(&x, "/f", buf, sizeof buf), 0);
    uint8_t fh[256];
    const struct cairn_fs_ops *o = x.fs->ops;
    REQUIRE_EQ(o->open(x.fs, fh, "/f", CAIRN_O_RDWR), 0);
    REQUIRE_EQ(o->write(x.fs, fh, "BBBB", 4), 4);
    REQUIRE_EQ(o->seek(x.fs, fh, 0, CAIRN_SEEK_SET), 0);
    REQUIRE_EQ(o->read(x.fs, fh, rd, sizeof rd), (int32_t)sizeof rd);
    CHECK_MEM(rd, "BBBBaaaa", 8);
    REQUIRE_EQ(o->close(x.fs, fh), 0);
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    REQUIRE_EQ(fx_read(&x, "/f", rd, sizeof rd), (int32_t)sizeof rd);
    CHECK_MEM(rd, "BBBBaaaa", 8);
    fx_down(&x);
}
