// CLI: pack a host tree -> unpack -> identical bytes, names (non-ASCII too)
// and mtimes, on both filesystems; FAT images also read back by mtools and
// checked by fsck.fat when they are installed.
#include "cli_util.h"
#include "fat/fat_helpers.h"

// A host tree with nested dirs, empty and multi-block files, UTF-8 names.
// FAT keeps 2-second times: every mtime here is even; littlefs keeps ns.
static void pack_make_tree(const char *root, int with_ns)
{
    static const char *const dirs[] = {
        "docs",     "docs/deep", "docs/deep/er", "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac",
        "empty dir"};
    static const struct {
        const char *name;
        size_t size;
    } files[] = {
        {"readme.txt", 100},
        {"empty.bin", 0},
        {"Mixed Case Long Name.data", 5000},
        {"docs/one.bin", 4096},
        {"docs/deep/er/two.bin", 70000},
        {"docs/deep/three.bin", 513},
        {"caf\xc3\xa9/na\xc3\xafve.txt", 77},
        {"\xe6\x97\xa5\xe6\x9c\xac/\xe3\x83\x95\xe3\x82\xa1\xe3\x82\xa4\xe3\x83\xab.bin", 2048},
        {"big.bin", 300000},
    };
    cu_fresh_dir(root);
    char p[2048];
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
        mkdir(p, 0755);
    }
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", root, files[i].name);
        uint8_t *d = malloc(files[i].size + 1);
        cu_fill(d, files[i].size, (uint32_t)(i * 977 + 5));
        cu_write_file(p, d, files[i].size);
        free(d);
        // 2024-05-06 07:08:10 + 2 * i seconds
        cu_set_mtime(p, 1714979290LL + 2 * (long long)i, with_ns ? (long)(123456789 + i) : 0);
    }
}

static void pack_roundtrip(const char *fs, int with_ns)
{
    struct cu_run r = {0};
    char src[1024], out[1024], img[1024];
    snprintf(src, sizeof src, "%s", th_tmp(fs));
    strcat(src, ".src");
    snprintf(out, sizeof out, "%s", th_tmp(fs));
    strcat(out, ".out");
    snprintf(img, sizeof img, "%s", th_tmp(fs));
    strcat(img, ".img");
    pack_make_tree(src, with_ns);
    unlink(img);
    cu_run(&r, "pack", "-i", img, "--fs", fs, "--size", "2M", src);
    if (r.status != 0) {
        th_fail(__FILE__, __LINE__, "pack %s: exit %d: %s", fs, r.status, r.err);
        cu_free(&r);
        return;
    }
    CHECK_EQ(r.out_len, 0);
    struct stat st;
    CHECK(stat(img, &st) == 0 && st.st_size == 2 * 1024 * 1024);
    cu_run(&r, "fsck", "-i", img);
    CHECK_EQ(r.status, 0);
    cu_fresh_dir(out);
    cu_run(&r, "unpack", "-i", img, out);
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.err, "");
    int diffs = cu_tree_diff(src, out, with_ns ? 2 : 1);
    CHECK_EQ(diffs, 0);
    // names listed as UTF-8
    cu_run(&r, "ls", "-i", img, "/caf\xc3\xa9");
    CHECK_STR(r.out, "na\xc3\xafve.txt\n");
    cu_free(&r);
}

TEST(pack_unpack_fat)
{
    if (!th_fat_has_fsck()) {
        SKIP("FAT built without fsck (CAIRN_FAT_FSCK=0)");
    }
    pack_roundtrip("fat", 0);
}

TEST(pack_unpack_lfs2_ns_mtimes)
{
    pack_roundtrip("lfs2", 1);
}

TEST(pack_exact_size_and_too_small)
{
    struct cu_run r = {0};
    char src[1024];
    snprintf(src, sizeof src, "%s", th_tmp("small.src"));
    pack_make_tree(src, 0);
    const char *img = th_tmp("small.img");
    // an existing bigger file is cut to exactly --size
    static uint8_t junk[3 << 20];
    cu_fill(junk, sizeof junk, 9);
    REQUIRE(cu_write_file(img, junk, sizeof junk) == 0);
    CHECK_EQ(cu_run(&r, "pack", "-i", img, "--fs", "lfs2", "--size", "1M", src), 0);
    struct stat st;
    CHECK(stat(img, &st) == 0 && st.st_size == 1 << 20);
    // 64 KiB cannot hold 380 KB of data
    unlink(img);
    CHECK_EQ(cu_run(&r, "pack", "-i", img, "--fs", "fat", "--size", "64K", src), 1);
    CHECK(cu_contains(r.err, "No space left on device"));
    CHECK_EQ(cu_run(&r, "pack", "-i", img, "--fs", "fat", "--size", "1M", "/nonexistent/dir"), 1);
    CHECK(cu_contains(r.err, "/nonexistent/dir: No such file or directory"));
    cu_free(&r);
}

TEST(fat_image_read_by_mtools_and_fsck_fat)
{
    if (!cu_have("mcopy") || !cu_have("fsck.fat")) {
        SKIP("mtools or dosfstools not installed");
    }
    struct cu_run r = {0};
    char src[1024], out[1024], cmd[8192];
    snprintf(src, sizeof src, "%s", th_tmp("mt.src"));
    snprintf(out, sizeof out, "%s", th_tmp("mt.out"));
    const char *img = th_tmp("mt.img");
    pack_make_tree(src, 0);
    unlink(img);
    REQUIRE(cu_run(&r, "pack", "-i", img, "--fs", "fat", "--size", "4M", src) == 0);
    snprintf(cmd, sizeof cmd, "fsck.fat -n '%s' >/dev/null 2>&1", img);
    CHECK_EQ(system(cmd), 0);
    // mtools copies the ASCII part of the tree out identically
    cu_fresh_dir(out);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && MTOOLS_SKIP_CHECK=1 LC_ALL=C.UTF-8 mcopy -s -n -m -i '%s' ::/docs "
             "::/readme.txt ::/big.bin . >/dev/null 2>&1",
             out, img);
    CHECK_EQ(system(cmd), 0);
    snprintf(cmd, sizeof cmd,
             "cmp -s '%s/docs/deep/er/two.bin' '%s/docs/deep/er/two.bin' && "
             "cmp -s '%s/big.bin' '%s/big.bin' && cmp -s '%s/readme.txt' '%s/readme.txt'",
             src, out, src, out, src, out);
    CHECK_EQ(system(cmd), 0);
    // and mtools sees the long name with its case
    snprintf(cmd, sizeof cmd,
             "MTOOLS_SKIP_CHECK=1 mdir -i '%s' ::/ 2>/dev/null | grep -q "
             "'Mixed Case Long Name.data'",
             img);
    CHECK_EQ(system(cmd), 0);
    // an image made by mkfs.fat + mcopy reads back through cairn
    const char *img2 = th_tmp("mt2.img");
    unlink(img2);
    snprintf(cmd, sizeof cmd,
             "mkfs.fat -C '%s' 2048 >/dev/null 2>&1 && MTOOLS_SKIP_CHECK=1 "
             "mcopy -s -i '%s' '%s/docs' ::/ >/dev/null 2>&1",
             img2, img2, src);
    REQUIRE(system(cmd) == 0);
    cu_run(&r, "cat", "-i", img2, "/docs/deep/three.bin");
    CHECK_EQ(r.status, 0);
    char p[2048];
    snprintf(p, sizeof p, "%s/docs/deep/three.bin", src);
    size_t len;
    char *want = cu_slurp(p, &len);
    CHECK_EQ(r.out_len, len);
    CHECK(r.out_len == len && memcmp(r.out, want, len) == 0);
    free(want);
    cu_free(&r);
}

// Progress goes to a terminal only: none when redirected (checked above by
// the empty stderr of pack/unpack), some on a pseudo-terminal.
TEST(progress_only_on_a_terminal)
{
    if (!cu_have("script")) {
        SKIP("script(1) not installed: no pseudo-terminal to test with");
    }
    struct cu_run r = {0};
    char src[1024], img[1100], log[1100], cmd[4096];
    snprintf(src, sizeof src, "%s", th_tmp("tty.src"));
    snprintf(img, sizeof img, "%s.img", src);
    snprintf(log, sizeof log, "%s.log", src);
    pack_make_tree(src, 0);
    unlink(img);
    CHECK_EQ(cu_run(&r, "pack", "-i", img, "--fs", "lfs2", "--size", "1M", src), 0);
    CHECK_STR(r.err, "");
    CHECK_STR(r.out, "");
    unlink(img);
    snprintf(cmd, sizeof cmd,
             "script -qec \"'%s' pack -i '%s' --fs lfs2 --size 1M '%s'\" /dev/null > '%s' 2>&1",
             cu_cli(), img, src, log);
    CHECK_EQ(system(cmd), 0);
    size_t len;
    char *out = cu_slurp(log, &len);
    CHECK(cu_contains(out, "pack: "));
    free(out);
    cu_free(&r);
}
