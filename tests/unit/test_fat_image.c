// FAT driver: the reference's interop images read back exactly as their
// manifests list them (names as a PC shows them, D20), read-only mount.
#include "common/manifest.h"
#include "test_fat_util.h"

static uint8_t *load_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)n);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return p;
}

static int count_tree(struct fx *x, const char *dir, int depth)
{
    uint8_t dh[256];
    struct cairn_dirent ent;
    const struct cairn_fs_ops *o = x->fs->ops;
    if (depth > 16 || o->opendir(x->fs, dh, dir) != 0) {
        return -1000;
    }
    int n = 0;
    char sub[1024];
    // collect sub-directories first (the handle stays valid across calls)
    while (o->readdir(x->fs, dh, &ent) == 1) {
        n++;
        if (ent.type == CAIRN_S_IFDIR) {
            snprintf(sub, sizeof sub, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", ent.name);
            n += count_tree(x, sub, depth + 1);
        }
    }
    o->closedir(x->fs, dh);
    return n;
}

static void check_image(const char *name)
{
    char img[128], man[128];
    snprintf(img, sizeof img, "fat/%s.img", name);
    snprintf(man, sizeof man, "fat/%s.json", name);
    struct th_manifest m;
    size_t len;
    uint8_t *mem = load_file(th_interop(img), &len);
    if (mem == NULL) {
        SKIP("interop image not unpacked (run scripts/run-tests.sh)");
    }
    REQUIRE(th_manifest_load(th_interop(man), &m) == 0);
    struct fx x;
    memset(&x.cfg, 0, sizeof x.cfg);
    x.mem = mem;
    x.ss = m.block_size;
    x.count = m.block_count;
    REQUIRE_EQ(len, (size_t)x.ss * x.count);
    cairn_ram_bdev_init(&x.ram, mem, x.ss, x.count, CAIRN_RAM_SIMPLE, 0xFF);
    cairn_fat_init(&x.fat, &x.ram.bd, &x.cfg);
    x.fs = &x.fat.fs;
    const struct cairn_fs_ops *o = x.fs->ops;
    REQUIRE_EQ(o->mount(x.fs, CAIRN_MOUNT_RDONLY), 0);
    struct cairn_statvfs st;
    REQUIRE_EQ(o->statvfs(x.fs, &st), 0);
    if (m.statvfs_count == 10) {
        CHECK_EQ(st.f_bsize, m.statvfs[0]);
        CHECK_EQ(st.f_blocks, m.statvfs[2]);
        CHECK_EQ(st.f_bfree, m.statvfs[3]);
    }
    int bad = 0;
    for (size_t i = 0; i < m.count; i++) {
        const struct th_manifest_entry *e = &m.entries[i];
        const char *p = e->has_path_on_disk_unicode ? e->path_on_disk_unicode : e->path;
        struct cairn_stat s;
        int rc = o->stat(x.fs, p, &s);
        if (rc != 0) {
            if (bad++ < 5) {
                th_fail(__FILE__, __LINE__, "%s: stat %s -> %d", name, p, rc);
            }
            continue;
        }
        CHECK_EQ(s.mode, e->is_dir ? CAIRN_S_IFDIR : CAIRN_S_IFREG);
        if (e->has_mtime) {
            CHECK_EQ(s.mtime, e->mtime);
        }
        if (e->is_dir) {
            continue;
        }
        CHECK_EQ(s.size, (int64_t)e->size);
        uint8_t *buf = malloc(e->size + 1);
        int32_t r = fx_read(&x, p, buf, (uint32_t)e->size + 1);
        CHECK_EQ(r, (int32_t)e->size);
        char hex[65];
        th_sha256_hex(buf, e->size, hex);
        if (strcmp(hex, e->sha256) != 0 && bad++ < 5) {
            th_fail(__FILE__, __LINE__, "%s: %s content differs", name, p);
        }
        free(buf);
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(count_tree(&x, "/", 0), (int)m.count);
    // read-only: nothing may be written
    uint8_t fh[256];
    CHECK_EQ(o->open(x.fs, fh, "/new", CAIRN_O_WRONLY | CAIRN_O_CREAT), CAIRN_EROFS);
    CHECK_EQ(o->mkdir(x.fs, "/newdir"), CAIRN_EROFS);
    CHECK_EQ(o->umount(x.fs), 0);
    char hex[65];
    th_sha256_hex(mem, len, hex);
    CHECK_STR(hex, m.image_sha256);
    th_manifest_free(&m);
    free(mem);
}

TEST(image_fat12_160k)
{
    check_image("fat12_160k");
}

TEST(image_fat12_1440k)
{
    check_image("fat12_1440k");
}

TEST(image_fat16_16m)
{
    check_image("fat16_16m");
}

TEST(image_fat16_64m)
{
    check_image("fat16_64m");
}

TEST(image_fat32_64m)
{
    check_image("fat32_64m");
}

// The same image mounted read-write: modify, then every listed file still
// reads back and the new ones are there.
TEST(image_fat32_modify)
{
    struct th_manifest m;
    size_t len;
    uint8_t *mem = load_file(th_interop("fat/fat32_64m.img"), &len);
    if (mem == NULL) {
        SKIP("interop image not unpacked");
    }
    REQUIRE(th_manifest_load(th_interop("fat/fat32_64m.json"), &m) == 0);
    struct fx x;
    memset(&x.cfg, 0, sizeof x.cfg);
    x.mem = mem;
    x.ss = 512;
    x.count = (uint32_t)(len / 512);
    cairn_ram_bdev_init(&x.ram, mem, 512, x.count, CAIRN_RAM_SIMPLE, 0xFF);
    cairn_fat_init(&x.fat, &x.ram.bd, &x.cfg);
    x.fs = &x.fat.fs;
    const struct cairn_fs_ops *o = x.fs->ops;
    REQUIRE_EQ(o->mount(x.fs, 0), 0);
    struct cairn_statvfs st0, st1;
    REQUIRE_EQ(o->statvfs(x.fs, &st0), 0);
    char data[3000];
    memset(data, 'q', sizeof data);
    CHECK_EQ(fx_write(&x, "/Long Directory Name/a new file with a long name.txt", data, 3000), 0);
    CHECK_EQ(o->mkdir(x.fs, "/Another Long Directory"), 0);
    REQUIRE_EQ(o->statvfs(x.fs, &st1), 0);
    CHECK_EQ(st1.f_bfree, st0.f_bfree - 7);
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    REQUIRE_EQ(o->statvfs(x.fs, &st1), 0); // from FSInfo
    CHECK_EQ(st1.f_bfree, st0.f_bfree - 7);
    for (size_t i = 0; i < m.count; i++) {
        const struct th_manifest_entry *e = &m.entries[i];
        const char *p = e->has_path_on_disk_unicode ? e->path_on_disk_unicode : e->path;
        struct cairn_stat s;
        CHECK_EQ(o->stat(x.fs, p, &s), 0);
    }
    char back[3001];
    CHECK_EQ(fx_read(&x, "/LONG DIRECTORY NAME/A NEW FILE WITH A LONG NAME.TXT", back, 3001),
             3000);
    CHECK_EQ(count_tree(&x, "/", 0), (int)m.count + 2);
    o->umount(x.fs);
    th_manifest_free(&m);
    free(mem);
}
