// FAT interop: the reference's images read back exactly (manifests), images made
// by dosfstools + mtools read back through the driver, and images cairn makes
// pass fsck.fat -n and read back through mtools byte for byte.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/fat.h"
#include "common/manifest.h"
#include "fat/fat_helpers.h"
#include "harness.h"

#define MIB (1024u * 1024u)

// ---- 1. the reference's images --------------------------------------------------------

struct seen {
    char **paths;
    size_t n, cap;
};

static void seen_add(struct seen *s, const char *p)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->paths = realloc(s->paths, sizeof(char *) * s->cap);
    }
    s->paths[s->n++] = strdup(p);
}

// Every path the driver lists, depth-first via an explicit stack.
static int list_tree(struct cairn_fs *fs, struct seen *out)
{
    const struct cairn_fs_ops *o = fs->ops;
    struct seen stack = {0};
    seen_add(&stack, "/");
    void *d = calloc(1, o->dir_size(fs));
    struct cairn_dirent *ent = malloc(sizeof *ent);
    int rc = 0;
    while (stack.n > 0 && rc == 0) {
        char *dir = stack.paths[--stack.n];
        rc = o->opendir(fs, d, dir);
        if (rc < 0) {
            printf("  opendir %s: %d\n", dir, rc);
            free(dir);
            break;
        }
        while (rc == 0) {
            int r = o->readdir(fs, d, ent);
            if (r <= 0) {
                rc = r;
                break;
            }
            char p[2048];
            snprintf(p, sizeof p, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", ent->name);
            seen_add(out, p);
            if (ent->type == CAIRN_S_IFDIR) {
                seen_add(&stack, p);
            }
            if (out->n > 100000) {
                rc = CAIRN_ECORRUPT;
            }
        }
        o->closedir(fs, d);
        free(dir);
    }
    for (size_t i = 0; i < stack.n; i++) {
        free(stack.paths[i]);
    }
    free(stack.paths);
    free(d);
    free(ent);
    return rc;
}

static void check_manifest_image(const char *name)
{
    char rel[128];
    struct th_manifest m;
    snprintf(rel, sizeof rel, "fat/%s.json", name);
    if (th_manifest_load(th_interop(rel), &m) != 0) {
        snprintf(rel, sizeof rel, "interop/fat/%s.json", name);
        REQUIRE(th_manifest_load(th_shared(rel), &m) == 0);
    }
    snprintf(rel, sizeof rel, "fat/%s.img", name);
    size_t len = 0;
    uint8_t *img = th_fat_read_host(th_interop(rel), &len);
    if (img == NULL) {
        th_manifest_free(&m);
        printf("  missing %s: run scripts/run-tests.sh once to unpack the images\n",
               th_interop(rel));
        REQUIRE(img != NULL);
    }
    REQUIRE_EQ(len, m.image_size);
    uint8_t *orig = malloc(len);
    memcpy(orig, img, len);

    struct cairn_ram_bdev ram;
    REQUIRE_EQ(cairn_ram_bdev_init(&ram, img, m.block_size, m.block_count,
                                   CAIRN_RAM_SIMPLE, 0),
               0);
    struct cairn_fat fat;
    REQUIRE_EQ(cairn_fat_init(&fat, &ram.bd, NULL), 0);
    struct cairn_fs *fs = &fat.fs;
    int rc = fs->ops->mount(fs, CAIRN_MOUNT_RDONLY);
    CHECK_EQ(rc, 0);
    if (rc != 0) {
        th_manifest_free(&m);
        free(img);
        free(orig);
        return;
    }

    // Every manifest entry: type, size, mtime, content.
    size_t files = 0, dirs = 0;
    for (size_t i = 0; i < m.count; i++) {
        const struct th_manifest_entry *e = &m.entries[i];
        // D20: cairn shows what a PC shows.
        const char *p = e->has_path_on_disk_unicode ? e->path_on_disk_unicode : e->path;
        struct cairn_stat st;
        rc = fs->ops->stat(fs, p, &st);
        if (rc != 0) {
            th_fail(__FILE__, __LINE__, "%s: stat(%s) = %d", name, p, rc);
            continue;
        }
        CHECK_EQ(st.mode, e->is_dir ? CAIRN_S_IFDIR : CAIRN_S_IFREG);
        if (e->has_mtime) {
            if (!st.has_mtime || st.mtime != e->mtime) {
                th_fail(__FILE__, __LINE__, "%s: %s mtime %lld, manifest %lld", name, p,
                        (long long)st.mtime, (long long)e->mtime);
            }
        }
        if (e->is_dir) {
            dirs++;
            CHECK_EQ(st.size, 0);
            continue;
        }
        files++;
        CHECK_EQ(st.size, (int64_t)e->size);
        uint8_t *data;
        size_t dl;
        rc = th_fat_fs_read(fs, p, &data, &dl);
        if (rc != 0) {
            th_fail(__FILE__, __LINE__, "%s: read(%s) = %d", name, p, rc);
            continue;
        }
        char hex[65];
        th_sha256_hex(data, dl, hex);
        if (dl != e->size || strcmp(hex, e->sha256) != 0) {
            th_fail(__FILE__, __LINE__, "%s: %s content differs (%zu bytes, sha %s)", name, p,
                    dl, hex);
        }
        free(data);
    }
    CHECK_EQ(files + dirs, m.count);

    // The listing holds exactly the manifest's paths: nothing more, nothing less.
    struct seen listed = {0};
    CHECK_EQ(list_tree(fs, &listed), 0);
    CHECK_EQ(listed.n, m.count);
    for (size_t i = 0; i < listed.n; i++) {
        int found = 0;
        for (size_t j = 0; j < m.count && !found; j++) {
            const struct th_manifest_entry *e = &m.entries[j];
            const char *p = e->has_path_on_disk_unicode ? e->path_on_disk_unicode : e->path;
            found = strcmp(p, listed.paths[i]) == 0;
        }
        if (!found) {
            th_fail(__FILE__, __LINE__, "%s: listed %s is not in the manifest", name,
                    listed.paths[i]);
        }
        free(listed.paths[i]);
    }
    free(listed.paths);

    struct cairn_statvfs sv;
    CHECK_EQ(fs->ops->statvfs(fs, &sv), 0);
    if (m.statvfs_count == 10) {
        CHECK_EQ(sv.f_bsize, m.statvfs[0]);
        CHECK_EQ(sv.f_frsize, m.statvfs[1]);
        CHECK_EQ(sv.f_blocks, m.statvfs[2]);
        CHECK_EQ(sv.f_bfree, m.statvfs[3]);
        CHECK_EQ(sv.f_bavail, m.statvfs[4]);
        CHECK_EQ(sv.f_files, m.statvfs[5]);
        CHECK_EQ(sv.f_ffree, m.statvfs[6]);
        CHECK_EQ(sv.f_favail, m.statvfs[7]);
        CHECK_EQ(sv.f_namemax, m.statvfs[9]);
    }
    // A read-only fsck finds nothing wrong in the reference's images.
    CHECK_EQ(th_fat_fsck(fs, 0, NULL, NULL), 0);
    CHECK_EQ(fs->ops->umount(fs), 0);
    // A read-only mount never writes (D5).
    CHECK(memcmp(img, orig, len) == 0);

    printf("  %s: %zu files, %zu dirs\n", name, files, dirs);
    th_manifest_free(&m);
    free(img);
    free(orig);
}

TEST(interop_fat12_160k) { check_manifest_image("fat12_160k"); }
TEST(interop_fat12_1440k) { check_manifest_image("fat12_1440k"); }
TEST(interop_fat16_16m) { check_manifest_image("fat16_16m"); }
TEST(interop_fat16_64m) { check_manifest_image("fat16_64m"); }
TEST(interop_fat32_64m) { check_manifest_image("fat32_64m"); }

// ---- host trees ----------------------------------------------------------------------------

static int mkdirs(const char *p)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", p);
    return th_fat_run(cmd, NULL, 0);
}

static void rmtree(const char *p)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", p);
    th_fat_run(cmd, NULL, 0);
}

static uint32_t tree_seed = 1;

static void host_file(const char *dir, const char *name, size_t size)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    uint8_t *d = malloc(size + 1);
    th_fat_pattern(d, size, tree_seed++, 0);
    if (th_fat_write_host(p, d, size) != 0) {
        th_fail(__FILE__, __LINE__, "cannot write %s", p);
    }
    free(d);
}

// A tree with what FAT gets wrong most easily. `big` = bytes of the largest
// file; `many` = entries of the crowded directory. Non-ASCII names that need
// long-name entries are always in; `short_nonascii` adds 8.3-sized ones
// (stored by mtools as a short entry only, with the NT lower-case flags).
static void make_host_tree(const char *root, size_t big, int many, int short_nonascii)
{
    char p[4096];
    rmtree(root);
    mkdirs(root);
    host_file(root, "readme.txt", 41);         // 8.3, lower case: short entry + NT flags
    host_file(root, "BOOT.PY", 47);            // 8.3, upper case
    host_file(root, "Mixed Case Long File Name.txt", 1234);
    host_file(root, "name.with.many.dots.tar.gz", 777);
    host_file(root, " leading space.bin", 33);
    host_file(root, "empty", 0);
    if (short_nonascii) {
        host_file(root, "café.txt", 42);
        host_file(root, "ÉTÉ.TXT", 43);
    }
    host_file(root, "über größe åæø.bin", 100);
    host_file(root, "日本語のファイル名.txt", 513);
    host_file(root, "Ελληνικά.dat", 4096);
    char longname[256];
    memset(longname, 'L', 251);
    memcpy(longname + 251, ".txt", 5); // 255 characters: the longest name
    host_file(root, longname, 300);
    host_file(root, "big.bin", big);
    host_file(root, "odd size.bin", big / 3 + 1);
    // Deep tree: 12 levels, a file at several of them.
    snprintf(p, sizeof p, "%s", root);
    for (int lv = 0; lv < 12; lv++) {
        size_t l = strlen(p);
        snprintf(p + l, sizeof p - l, "/level %d dir", lv);
        mkdirs(p);
        if (lv % 3 == 2) {
            char n[64];
            snprintf(n, sizeof n, "file at level %d.dat", lv);
            host_file(p, n, (size_t)lv * 1000 + 7);
        }
    }
    snprintf(p, sizeof p, "%s/emptydir", root);
    mkdirs(p);
    // A crowded directory of long names (several slots each).
    snprintf(p, sizeof p, "%s/Crowded Directory", root);
    mkdirs(p);
    for (int i = 0; i < many; i++) {
        char n[96];
        snprintf(n, sizeof n, "Entry number %04d with a long name.txt", i);
        host_file(p, n, (size_t)(i % 7) * 61);
    }
}

static int sh(const char *cmd, const char *what)
{
    static char out[16384];
    int rc = th_fat_run(cmd, out, sizeof out);
    if (rc != 0) {
        printf("  %s failed (%d): %s\n  %s\n", what, rc, cmd, out);
    }
    return rc;
}

// dosfstools and mtools on an image: `fsck.fat -n` finds nothing and
// `mcopy -s` copies out exactly the host tree `tree`. Returns 1 when the
// volume sits behind an MBR, 0 when not, -1 on a setup error; failures are
// recorded as checks.
static int dosfstools_agree(const char *img, uint32_t ss, const char *tree, const char *what)
{
    char vol[512], out[512], cmd[3000];
    snprintf(vol, sizeof vol, "%s", th_tmp("dosfs.vol"));
    snprintf(out, sizeof out, "%s", th_tmp("dosfs.out"));
    // Where is the volume? fsck.fat wants the volume alone; mtools takes @@offset.
    uint8_t s0[4096];
    FILE *fi = fopen(img, "rb");
    size_t got = fi ? fread(s0, 1, ss, fi) : 0;
    if (fi) {
        fclose(fi);
    }
    if (got != ss) {
        th_fail(__FILE__, __LINE__, "%s: cannot read sector 0 of %s", what, img);
        return -1;
    }
    uint64_t off = th_fat_volume_offset(s0, ss);
    if (off != 0) {
        snprintf(cmd, sizeof cmd, "dd if='%s' of='%s' bs=%u skip=%llu conv=sparse status=none",
                 img, vol, ss, (unsigned long long)(off / ss));
        if (sh(cmd, "dd") != 0) {
            th_fail(__FILE__, __LINE__, "%s: cannot extract the partition", what);
            return -1;
        }
    } else {
        snprintf(vol, sizeof vol, "%s", img);
    }

    static char fsck_out[16384];
    if (th_fat_have_tool("fsck.fat")) {
        snprintf(cmd, sizeof cmd, "%s -n '%s'", th_fat_tool("fsck.fat"), vol);
        int rc = th_fat_run(cmd, fsck_out, sizeof fsck_out);
        CHECK_EQ(rc, 0);
        // A clean run prints the version and the summary line, nothing else.
        int lines = 0;
        for (const char *q = fsck_out; *q; q++) {
            lines += *q == '\n';
        }
        CHECK_EQ(lines, 2);
        if (rc != 0 || lines != 2) {
            printf("  fsck.fat on %s:\n%s\n", what, fsck_out);
        }
    } else {
        printf("  %s: fsck.fat missing, not checked\n", what);
    }
    if (off != 0) {
        unlink(vol);
    }

    rmtree(out);
    mkdirs(out);
    snprintf(cmd, sizeof cmd,
             "LC_ALL=C.UTF-8 MTOOLS_SKIP_CHECK=1 %s -s -n -i '%s@@%llu' ::/ '%s/'",
             th_fat_tool("mcopy"), img, (unsigned long long)off, out);
    CHECK_EQ(sh(cmd, "mcopy out"), 0);
    CHECK_EQ(th_fat_cmp_host_dirs(tree, out, what), 0);
    rmtree(out);
    return off != 0;
}

// ---- 2. dosfstools + mtools images read through the driver ---------------------------------

struct mkfs_case {
    int fat;                 // -F
    uint32_t ss;             // -S
    uint32_t spc;            // -s
    uint32_t mib;            // image size
    size_t big;              // largest file
    int many;                // crowded-directory entries
    int short_nonascii;      // add 8.3-sized non-ASCII names
};

static void check_mkfs_fat_image(const struct mkfs_case *c)
{
    if (!th_fat_have_tool("mkfs.fat") || !th_fat_have_tool("mcopy")) {
        SKIP("mkfs.fat or mcopy missing (dosfstools, mtools)");
    }
    char img[512], tree[512], cmd[2048];
    snprintf(img, sizeof img, "%s", th_tmp("mkfsfat.img"));
    snprintf(tree, sizeof tree, "%s", th_tmp("mkfsfat.tree"));
    make_host_tree(tree, c->big, c->many, c->short_nonascii);
    unlink(img);
    uint32_t sectors = c->mib * MIB / c->ss;
    snprintf(cmd, sizeof cmd, "%s -C -F %d -S %u -s %u '%s' %u", th_fat_tool("mkfs.fat"),
             c->fat, c->ss, c->spc, img, c->mib * 1024);
    REQUIRE_EQ(sh(cmd, "mkfs.fat"), 0);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && LC_ALL=C.UTF-8 MTOOLS_SKIP_CHECK=1 %s -s -i '%s' * ::/", tree,
             th_fat_tool("mcopy"), img);
    REQUIRE_EQ(sh(cmd, "mcopy"), 0);

    struct th_fat_file dev;
    REQUIRE_EQ(th_fat_file_open(&dev, img, c->ss, sectors, 1), 0);
    struct cairn_fat fat;
    REQUIRE_EQ(cairn_fat_init(&fat, &dev.bd, NULL), 0);
    struct cairn_fs *fs = &fat.fs;
    int rc = fs->ops->mount(fs, CAIRN_MOUNT_RDONLY);
    CHECK_EQ(rc, 0);
    if (rc == 0) {
        CHECK_EQ(th_fat_cmp_fs_host(fs, "/", tree), 0);
        struct cairn_fs_info info;
        if (fs->ops->info(fs, &info) == 0) {
            char want[16];
            snprintf(want, sizeof want, "FAT%d", c->fat);
            CHECK_STR(info.type, want);
            CHECK_EQ(info.unit_size, c->ss * c->spc);
        }
        CHECK_EQ(th_fat_fsck(fs, 0, NULL, NULL), 0);
        CHECK_EQ(fs->ops->umount(fs), 0);
    }
    th_fat_file_close(&dev);
    if (th_failed_now()) {
        return;
    }

    // cairn changes the foreign volume (2 FATs, mkfs.fat's layout); the same
    // changes on the host tree; then dosfstools and mtools must agree.
    char added[600];
    snprintf(added, sizeof added, "%s/Added by cairn", tree);
    mkdirs(added);
    host_file(added, "new file.bin", 70000);
    host_file(added, "kleine Datei ä.txt", 5);
    REQUIRE_EQ(th_fat_file_open(&dev, img, c->ss, sectors, 0), 0);
    REQUIRE_EQ(cairn_fat_init(&fat, &dev.bd, NULL), 0);
    rc = fs->ops->mount(fs, 0);
    CHECK_EQ(rc, 0);
    if (rc == 0) {
        CHECK_EQ(fs->ops->mkdir(fs, "/Added by cairn"), 0);
        CHECK_EQ(th_fat_copy_host_to_fs(fs, added, "/Added by cairn"), 0);
        CHECK_EQ(fs->ops->remove(fs, "/odd size.bin"), 0);
        CHECK_EQ(fs->ops->rename(fs, "/BOOT.PY", "/Crowded Directory/renamed boot.py"), 0);
        if (c->short_nonascii) {
            // mcopy writes such a short-only name out as "cafÉ.txt" (it lower-cases
            // ASCII only), so mtools cannot judge it: it goes, through cairn.
            CHECK_EQ(fs->ops->remove(fs, "/café.txt"), 0);
        }
        CHECK_EQ(fs->ops->umount(fs), 0);
    }
    if (c->short_nonascii) {
        snprintf(cmd, sizeof cmd, "rm '%s/café.txt'", tree);
        REQUIRE_EQ(sh(cmd, "host changes"), 0);
    }
    th_fat_file_close(&dev);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && rm 'odd size.bin' && mv BOOT.PY 'Crowded Directory/renamed boot.py'",
             tree);
    REQUIRE_EQ(sh(cmd, "host changes"), 0);
    CHECK_EQ(dosfstools_agree(img, c->ss, tree, "mkfs.fat image changed by cairn"), 0);
    if (!th_failed_now()) {
        rmtree(tree);
        unlink(img);
    }
}

TEST(mkfsfat_fat12_512_s4)
{
    struct mkfs_case c = {12, 512, 4, 6, 1 * MIB, 300, 0};
    check_mkfs_fat_image(&c);
}
TEST(mkfsfat_fat12_4096_s1)
{
    struct mkfs_case c = {12, 4096, 1, 12, 2 * MIB, 200, 0};
    check_mkfs_fat_image(&c);
}
TEST(mkfsfat_fat16_512_s4)
{
    struct mkfs_case c = {16, 512, 4, 32, 4 * MIB, 500, 0};
    check_mkfs_fat_image(&c);
}
TEST(mkfsfat_fat16_1024_s2)
{
    struct mkfs_case c = {16, 1024, 2, 24, 3 * MIB, 300, 0};
    check_mkfs_fat_image(&c);
}
TEST(mkfsfat_fat16_2048_s4)
{
    struct mkfs_case c = {16, 2048, 4, 64, 5 * MIB, 300, 0};
    check_mkfs_fat_image(&c);
}
TEST(mkfsfat_fat16_4096_s1)
{
    struct mkfs_case c = {16, 4096, 1, 20, 3 * MIB, 300, 0};
    check_mkfs_fat_image(&c);
}
TEST(mkfsfat_fat16_512_s64)
{
    // 32 KiB clusters (sparse 160 MiB image): small files waste whole clusters.
    struct mkfs_case c = {16, 512, 64, 160, 3 * MIB, 300, 0};
    check_mkfs_fat_image(&c);
}
TEST(mkfsfat_fat32_512_s1)
{
    struct mkfs_case c = {32, 512, 1, 40, 3 * MIB, 400, 0};
    check_mkfs_fat_image(&c);
}
TEST(mkfsfat_short_nonascii_names)
{
    // mtools stores "café.txt" as the short entry "CAF\x90    TXT" with the NT
    // lower-case flags and no long name; a PC shows café.txt (code page 437
    // lower-casing of 0x90 'É' is 0x82 'é'), so cairn must too (D20).
    struct mkfs_case c = {12, 512, 1, 2, 4096, 4, 1};
    check_mkfs_fat_image(&c);
}
TEST(mkfsfat_fat32_4096_s1)
{
    // FAT32 needs >= 65525 clusters: 260 MiB of sparse image, only under CAIRN_LONG.
    if (!th_long()) {
        SKIP("260 MiB image: CAIRN_LONG=1 only");
    }
    struct mkfs_case c = {32, 4096, 1, 260, 6 * MIB, 300, 0};
    check_mkfs_fat_image(&c);
}

// ---- 3. images cairn makes: fsck.fat -n and mtools ---------------------------------------

struct cairn_case {
    const char *what;
    struct cairn_fat_config cfg;
    uint32_t ss;
    uint32_t mib;
    size_t big;
    int many;
    const char *want_type;
    int want_mbr;
};

static void check_cairn_image(const struct cairn_case *c)
{
    if (!th_fat_have_tool("fsck.fat") || !th_fat_have_tool("mcopy")) {
        SKIP("fsck.fat or mcopy missing (dosfstools, mtools)");
    }
    char img[512], tree[512], cmd[3000];
    snprintf(img, sizeof img, "%s", th_tmp("cairn.img"));
    snprintf(tree, sizeof tree, "%s", th_tmp("cairn.tree"));
    make_host_tree(tree, c->big, c->many, 1);
    uint32_t sectors = c->mib * MIB / c->ss;
    unlink(img);
    snprintf(cmd, sizeof cmd, "truncate -s %uM '%s'", c->mib, img);
    REQUIRE_EQ(sh(cmd, "truncate"), 0);

    struct th_fat_file dev;
    REQUIRE_EQ(th_fat_file_open(&dev, img, c->ss, sectors, 0), 0);
    struct cairn_fat fat;
    REQUIRE_EQ(cairn_fat_init(&fat, &dev.bd, &c->cfg), 0);
    struct cairn_fs *fs = &fat.fs;
    int rc = fs->ops->mkfs(fs);
    CHECK_EQ(rc, 0);
    if (rc == 0) {
        rc = fs->ops->mount(fs, 0);
        CHECK_EQ(rc, 0);
    }
    if (rc == 0) {
        struct cairn_fs_info info;
        CHECK_EQ(fs->ops->info(fs, &info), 0);
        CHECK_STR(info.type, c->want_type);
        CHECK_EQ(th_fat_copy_host_to_fs(fs, tree, "/"), 0);
        CHECK_EQ(th_fat_cmp_fs_host(fs, "/", tree), 0);
        CHECK_EQ(th_fat_fsck(fs, 0, NULL, NULL), 0);
        CHECK_EQ(fs->ops->umount(fs), 0);
    }
    th_fat_file_close(&dev);
    if (th_failed_now()) {
        return;
    }

    int mbr = dosfstools_agree(img, c->ss, tree, c->what);
    CHECK_EQ(mbr, c->want_mbr);
    if (!th_failed_now()) {
        rmtree(tree);
        unlink(img);
    }
}

TEST(cairn_fat12_default)
{
    // VfsFat.mkfs's choice on 2 MiB: FAT12, 2 sectors per cluster.
    struct cairn_case c = {"fat12 default", {0}, 512, 2, 600 * 1024, 300, "FAT12", 0};
    check_cairn_image(&c);
}
TEST(cairn_fat12_forced)
{
    struct cairn_case c = {"fat12 forced on 6 MiB", {0}, 512, 6, 1 * MIB, 300, "FAT12", 0};
    c.cfg.fat_type = 12;
    c.cfg.cluster_size = 2048;
    check_cairn_image(&c);
}
TEST(cairn_fat16_default)
{
    // VfsFat.mkfs's choice on 6 MiB: FAT16.
    struct cairn_case c = {"fat16 default", {0}, 512, 6, 1 * MIB, 300, "FAT16", 0};
    check_cairn_image(&c);
}
TEST(cairn_fat12_4096)
{
    struct cairn_case c = {"fat12 4096-byte sectors", {0}, 4096, 8, 2 * MIB, 200, "FAT12", 0};
    check_cairn_image(&c);
}
TEST(cairn_fat16_2fats)
{
    struct cairn_case c = {"fat16 two FATs", {0}, 512, 32, 4 * MIB, 500, "FAT16", 0};
    c.cfg.fat_type = 16;
    c.cfg.n_fats = 2;
    check_cairn_image(&c);
}
TEST(cairn_fat16_1024)
{
    struct cairn_case c = {"fat16 1024-byte sectors", {0}, 1024, 24, 3 * MIB, 300, "FAT16", 0};
    c.cfg.fat_type = 16;
    check_cairn_image(&c);
}
TEST(cairn_fat32_no_mbr)
{
    struct cairn_case c = {"fat32 no MBR", {0}, 512, 40, 3 * MIB, 400, "FAT32", 0};
    c.cfg.fat_type = 32;
    c.cfg.no_mbr = 1;
    c.cfg.cluster_size = 512;
    check_cairn_image(&c);
}
TEST(cairn_fat32_mbr)
{
    struct cairn_case c = {"fat32 MBR", {0}, 512, 40, 3 * MIB, 300, "FAT32", 1};
    c.cfg.fat_type = 32;
    c.cfg.cluster_size = 512;
    check_cairn_image(&c);
}
TEST(cairn_fat32_2048_2fats)
{
    struct cairn_case c = {"fat32 2048-byte sectors", {0}, 2048, 140, 5 * MIB, 300, "FAT32", 0};
    c.cfg.fat_type = 32;
    c.cfg.no_mbr = 1;
    c.cfg.n_fats = 2;
    c.cfg.cluster_size = 2048;
    check_cairn_image(&c);
}
