// littlefs v2 driver against the reference images: shared/interop/lfs2 (read
// every entry, compare with the manifest, then modify and re-check), the
// MicroPython vfs_lfs_superblock image built byte by byte, and a 2.0 volume.
#include <stdio.h>
#include <stdlib.h>

#include "cairn/lfs2.h"
#include "common/manifest.h"
#include "harness.h"

static uint32_t buf[2048];
static uint64_t fstate[1024];
static uint64_t dstate[64];

static uint8_t *load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *m = malloc((size_t)n);
    if (fread(m, 1, (size_t)n, f) != (size_t)n) {
        free(m);
        m = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return m;
}

static int hash_file(struct cairn_fs *fs, const char *path, char hex[65], int64_t *size)
{
    int err = fs->ops->open(fs, fstate, path, CAIRN_O_RDONLY);
    if (err)
        return err;
    struct th_sha256_ctx c;
    th_sha256_init(&c);
    uint8_t b[700];
    int64_t total = 0;
    for (;;) {
        int32_t r = fs->ops->read(fs, fstate, b, sizeof b);
        if (r < 0) {
            fs->ops->close(fs, fstate);
            return r;
        }
        if (r == 0)
            break;
        th_sha256_update(&c, b, (size_t)r);
        total += r;
    }
    uint8_t raw[32];
    th_sha256_final(&c, raw);
    th_hex(raw, 32, hex);
    *size = total;
    return fs->ops->close(fs, fstate);
}

static void check_tree(struct cairn_fs *fs, const struct th_manifest *m, size_t extra_root)
{
    size_t seen = 0;
    for (size_t i = 0; i < m->count; i++) {
        const struct th_manifest_entry *e = &m->entries[i];
        struct cairn_stat st;
        int err = fs->ops->stat(fs, e->path, &st);
        CHECK_EQ(err, 0);
        if (err) {
            fprintf(stderr, "  stat %s\n", e->path);
            continue;
        }
        CHECK_EQ(st.mode, e->is_dir ? CAIRN_S_IFDIR : CAIRN_S_IFREG);
        if (e->is_dir) {
            CHECK_EQ(st.size, 0);
            CHECK_EQ(st.has_mtime, 0);
            // count children
            size_t want = 0, plen = strlen(e->path);
            for (size_t j = 0; j < m->count; j++) {
                const char *q = m->entries[j].path;
                if (strncmp(q, e->path, plen) == 0 && q[plen] == '/' && !strchr(q + plen + 1, '/'))
                    want++;
            }
            size_t got = 0;
            REQUIRE_EQ(fs->ops->opendir(fs, dstate, e->path), 0);
            struct cairn_dirent de;
            while (fs->ops->readdir(fs, dstate, &de) == 1)
                got++;
            fs->ops->closedir(fs, dstate);
            CHECK_EQ(got, want);
        } else {
            CHECK_EQ(st.size, (int64_t)e->size);
            if (e->has_mtime_ns) {
                CHECK_EQ(st.has_mtime, 1);
                CHECK_EQ(st.mtime * 1000000000LL + st.mtime_nsec, e->mtime_ns);
            }
            char hex[65];
            int64_t size = -1;
            CHECK_EQ(hash_file(fs, e->path, hex, &size), 0);
            CHECK_EQ(size, (int64_t)e->size);
            CHECK_STR(hex, e->sha256);
        }
        seen++;
    }
    // the root listing matches too
    size_t want = 0, got = 0;
    for (size_t j = 0; j < m->count; j++)
        if (!strchr(m->entries[j].path + 1, '/'))
            want++;
    REQUIRE_EQ(fs->ops->opendir(fs, dstate, "/"), 0);
    struct cairn_dirent de;
    char prev[CAIRN_NAME_MAX + 1] = "";
    while (fs->ops->readdir(fs, dstate, &de) == 1) {
        got++;
        strcpy(prev, de.name);
    }
    fs->ops->closedir(fs, dstate);
    CHECK_EQ(got, want + extra_root);
    CHECK_EQ(seen, m->count);
}

static void run_image(const char *name)
{
    char rel[128];
    snprintf(rel, sizeof rel, "lfs2/%s.json", name);
    struct th_manifest m;
    if (th_manifest_load(th_interop(rel), &m) != 0) {
        SKIP("manifest missing (run scripts/run-tests.sh to unpack images)");
        return;
    }
    snprintf(rel, sizeof rel, "lfs2/%s.img", name);
    size_t len = 0;
    uint8_t *img = load(th_interop(rel), &len);
    if (!img) {
        th_manifest_free(&m);
        SKIP("image missing");
        return;
    }
    REQUIRE_EQ(len, (size_t)m.block_size * m.block_count);
    struct cairn_ram_bdev ram;
    REQUIRE_EQ(cairn_ram_bdev_init(&ram, img, m.block_size, m.block_count, CAIRN_RAM_EXT, 0xff), 0);
    struct cairn_lfs2 lfs;
    struct cairn_lfs2_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.buffer = buf;
    cfg.buffer_size = sizeof buf;
    cfg.no_mtime = !m.lfs_mtime;
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &ram.bd, &cfg), 0);
    struct cairn_fs *fs = &lfs.fs;
    // read-only first: nothing may change
    uint8_t *copy = malloc(len);
    memcpy(copy, img, len);
    REQUIRE_EQ(fs->ops->mount(fs, CAIRN_MOUNT_RDONLY), 0);
    check_tree(fs, &m, 0);
    if (m.statvfs_count == 10) {
        struct cairn_statvfs sv;
        CHECK_EQ(fs->ops->statvfs(fs, &sv), 0);
        CHECK_EQ(sv.f_bsize, m.statvfs[0]);
        CHECK_EQ(sv.f_blocks, m.statvfs[2]);
        CHECK_EQ(sv.f_bfree, m.statvfs[3]);
        // used_blocks counts as statvfs does (directories twice)
        CHECK_EQ(sv.f_blocks - sv.f_bfree, m.lfs_used_blocks);
    }
    CHECK(cairn_lfs2_fs_size(&lfs) > 0 && cairn_lfs2_fs_size(&lfs) < (int32_t)m.lfs_used_blocks);
    CHECK_EQ(fs->ops->open(fs, fstate, "/new", CAIRN_O_WRONLY | CAIRN_O_CREAT), CAIRN_EROFS);
    CHECK_EQ(fs->ops->fsck(fs, 0, NULL, NULL), 0);
    CHECK_EQ(fs->ops->umount(fs), 0);
    CHECK(memcmp(copy, img, len) == 0);
    // read-write: modify, remount, the old tree is still there
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    CHECK_EQ(fs->ops->mkdir(fs, "/cairn-new"), 0);
    static uint8_t data[5000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    REQUIRE_EQ(fs->ops->open(fs, fstate, "/cairn-new/f", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    CHECK_EQ(fs->ops->write(fs, fstate, data, sizeof data), (int32_t)sizeof data);
    CHECK_EQ(fs->ops->close(fs, fstate), 0);
    CHECK_EQ(fs->ops->umount(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    check_tree(fs, &m, 1);
    static uint8_t back[5000];
    REQUIRE_EQ(fs->ops->open(fs, fstate, "/cairn-new/f", CAIRN_O_RDONLY), 0);
    CHECK_EQ(fs->ops->read(fs, fstate, back, sizeof back), (int32_t)sizeof back);
    CHECK_MEM(back, data, sizeof data);
    CHECK_EQ(fs->ops->close(fs, fstate), 0);
    CHECK_EQ(fs->ops->fsck(fs, 0, NULL, NULL), 0);
    CHECK_EQ(fs->ops->umount(fs), 0);
    free(copy);
    free(img);
    th_manifest_free(&m);
}

TEST(interop_bs512_bc512) { run_image("lfs2_bs512_bc512"); }
TEST(interop_bs4096_bc128) { run_image("lfs2_bs4096_bc128"); }
TEST(interop_bs4096_bc512) { run_image("lfs2_bs4096_bc512"); }
TEST(interop_bs512_bc1024_nomtime) { run_image("lfs2_bs512_bc1024_nomtime"); }

/* MicroPython's vfs_lfs_superblock image (formats.md §1.11), byte by byte. */
static void tag_be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}
static void le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static void build_sb_image(uint8_t img[256])
{
    memset(img, 0xff, 64);
    uint8_t *b = img + 64;
    memset(b, 0xff, 64);
    le(b, 2);
    uint32_t t1 = 0x0ff00008u, t2 = 0x20100018u, t3 = 0x500ffc10u;
    tag_be(b + 4, t1 ^ 0xffffffffu);
    memcpy(b + 8, "littlefs", 8);
    tag_be(b + 16, t2 ^ t1);
    le(b + 20, 0x00020000), le(b + 24, 64), le(b + 28, 4), le(b + 32, 255);
    le(b + 36, 0x7fffffff), le(b + 40, 1022);
    tag_be(b + 44, t3 ^ t2);
    // CRC over revision..tag of the CRC (our own bitwise CRC here)
    uint32_t crc = 0xffffffffu;
    for (int i = 0; i < 48; i++) {
        crc ^= b[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    le(b + 48, crc);
    memset(b + 52, 0x00, 12); // padding (not covered)
    // block 2: a stray log with test.txt; block 3 zeros
    uint8_t *s = img + 128;
    memset(s, 0xff, 64);
    le(s, 1);
    tag_be(s + 4, 0x00100008u ^ 0xffffffffu);
    memcpy(s + 8, "test.txt", 8);
    memset(img + 192, 0, 64);
}

TEST(vfs_lfs_superblock_image)
{
    static uint8_t img[256];
    build_sb_image(img);
    struct cairn_ram_bdev ram;
    REQUIRE_EQ(cairn_ram_bdev_init(&ram, img, 64, 4, CAIRN_RAM_EXT | CAIRN_RAM_READONLY, 0xff), 0);
    struct cairn_lfs2 lfs;
    struct cairn_lfs2_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.buffer = buf;
    cfg.buffer_size = sizeof buf;
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &ram.bd, &cfg), 0);
    struct cairn_fs *fs = &lfs.fs;
    uint8_t copy[256];
    memcpy(copy, img, 256);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    REQUIRE_EQ(fs->ops->opendir(fs, dstate, "/"), 0);
    struct cairn_dirent de;
    CHECK_EQ(fs->ops->readdir(fs, dstate, &de), 0);
    fs->ops->closedir(fs, dstate);
    struct cairn_fs_info info;
    CHECK_EQ(fs->ops->info(fs, &info), 0);
    CHECK_STR(info.version, "2.0");
    CHECK_EQ(fs->ops->umount(fs), 0);
    CHECK(memcmp(copy, img, 256) == 0);
}

TEST(v20_volume_upgrades_on_first_write)
{
    static uint8_t mem[64 * 1024];
    memset(mem, 0xff, sizeof mem);
    struct cairn_ram_bdev ram;
    REQUIRE_EQ(cairn_ram_bdev_init(&ram, mem, 512, 128, CAIRN_RAM_EXT, 0xff), 0);
    struct cairn_lfs2 lfs;
    struct cairn_lfs2_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.buffer = buf;
    cfg.buffer_size = sizeof buf;
    cfg.disk_version = CAIRN_LFS2_DISK_VERSION_2_0;
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &ram.bd, &cfg), 0);
    struct cairn_fs *fs = &lfs.fs;
    REQUIRE_EQ(fs->ops->mkfs(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    REQUIRE_EQ(fs->ops->open(fs, fstate, "/a", CAIRN_O_WRONLY | CAIRN_O_CREAT), 0);
    CHECK_EQ(fs->ops->write(fs, fstate, "hello", 5), 5);
    CHECK_EQ(fs->ops->close(fs, fstate), 0);
    struct cairn_fs_info info;
    CHECK_EQ(fs->ops->info(fs, &info), 0);
    CHECK_STR(info.version, "2.0");
    CHECK_EQ(fs->ops->umount(fs), 0);
    // a 2.1 driver mounts it, reads, and upgrades on the first write
    cfg.disk_version = 0;
    REQUIRE_EQ(cairn_lfs2_init(&lfs, &ram.bd, &cfg), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    CHECK_EQ(fs->ops->info(fs, &info), 0);
    CHECK_STR(info.version, "2.0");
    char b[8];
    REQUIRE_EQ(fs->ops->open(fs, fstate, "/a", CAIRN_O_RDONLY), 0);
    CHECK_EQ(fs->ops->read(fs, fstate, b, 8), 5);
    CHECK_EQ(fs->ops->close(fs, fstate), 0);
    CHECK_EQ(fs->ops->mkdir(fs, "/d"), 0);
    CHECK_EQ(fs->ops->info(fs, &info), 0);
    CHECK_STR(info.version, "2.1");
    CHECK_EQ(fs->ops->umount(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    CHECK_EQ(fs->ops->info(fs, &info), 0);
    CHECK_STR(info.version, "2.1");
    struct cairn_stat st;
    CHECK_EQ(fs->ops->stat(fs, "/d", &st), 0);
    CHECK_EQ(fs->ops->stat(fs, "/a", &st), 0);
    CHECK_EQ(st.size, 5);
    CHECK_EQ(fs->ops->umount(fs), 0);
}
