// CLI: every command over both filesystems, with exact expected output:
// mkfs -> cp in -> ls/cat/tree/df/info -> mv/rm/mkdir/rmdir -> fsck -> unpack,
// and the error paths (exit 1, "cairn: PATH: message").
#include "cairn/cairn.h"
#include "cli_util.h"
#include "fat/fat_helpers.h"

static const char *const fs_names[] = {"fat", "lfs2"};

// 1 MiB image of each filesystem, freshly made.
static int fs_mkfs(struct cu_run *r, const char *img, const char *fs)
{
    unlink(img);
    if (cu_run(r, "mkfs", "-i", img, "--fs", fs, "--size", "1M") != 0) {
        th_fail(__FILE__, __LINE__, "mkfs %s: exit %d: %s", fs, r->status, r->err);
        return -1;
    }
    return 0;
}

static void expect(struct cu_run *r, int status, const char *out, const char *err)
{
    CHECK_EQ(r->status, status);
    if (out) {
        CHECK_STR(r->out, out);
    }
    if (err) {
        CHECK_STR(r->err, err);
    }
}

TEST(workflow_both_filesystems)
{
    if (!th_fat_has_fsck()) {
        SKIP("FAT built without fsck (CAIRN_FAT_FSCK=0)");
    }
    struct cu_run r = {0};
    for (int f = 0; f < 2; f++) {
        const char *fs = fs_names[f];
        char img[1024], host[1100], out[1100];
        snprintf(img, sizeof img, "%s", th_tmp(fs));
        snprintf(host, sizeof host, "%s.hello", img);
        snprintf(out, sizeof out, "%s.out", img);
        if (fs_mkfs(&r, img, fs) != 0) {
            continue;
        }
        expect(&r, 0, "", "");
        printf("  %s\n", fs);

        // info names the filesystem
        cu_run(&r, "info", "-i", img);
        CHECK_EQ(r.status, 0);
        CHECK(cu_contains(r.out, f == 0 ? "filesystem:   FAT12" : "filesystem:   littlefs"));
        CHECK(cu_contains(r.out, f == 0 ? "block size:   512\n" : "block size:   4096\n"));

        // cp in: host file, stdin, into a directory
        REQUIRE(cu_write_file(host, "hello world\n", 12) == 0);
        cu_run(&r, "cp", "-i", img, host, ":/hello.txt");
        expect(&r, 0, "", "");
        cu_run(&r, "mkdir", "-i", img, "-p", "/a/b/c");
        expect(&r, 0, "", "");
        cu_run(&r, "mkdir", "-i", img, "-p", "/a/b"); // existing: fine with -p
        expect(&r, 0, "", "");
        cu_run_in(&r, "from stdin", 10, "cp", "-i", img, "-", ":a/b/c/in.txt", NULL);
        expect(&r, 0, "", "");
        cu_run(&r, "cp", "-i", img, host, ":/a"); // into an existing directory
        expect(&r, 0, "", "");

        // look at it
        cu_run(&r, "ls", "-i", img);
        expect(&r, 0, "a\nhello.txt\n", "");
        cu_run(&r, "ls", "-i", img, "-R", "/");
        {
            char want[2048];
            snprintf(want, sizeof want, "a\na/b\na/b/c\na/b/c/in.txt\na/%s\nhello.txt\n",
                     strrchr(host, '/') + 1);
            expect(&r, 0, want, "");
        }
        cu_run(&r, "cat", "-i", img, "/hello.txt", ":/a/b/c/in.txt");
        expect(&r, 0, "hello world\nfrom stdin", "");
        cu_run(&r, "cp", "-i", img, ":/hello.txt", "-");
        expect(&r, 0, "hello world\n", "");
        cu_run(&r, "ls", "-i", img, "-l", "/a/b/c");
        CHECK_EQ(r.status, 0);
        CHECK(strncmp(r.out, "-           10 ", 15) == 0);
        CHECK(cu_contains(r.out, " in.txt\n"));
        cu_run(&r, "ls", "-i", img, "--json", "/a/b");
        CHECK_EQ(r.status, 0);
        CHECK(cu_contains(r.out, "[\n  {\"path\": \"/a/b/c\", \"type\": \"dir\", \"size\": 0, "));
        cu_run(&r, "ls", "-i", img, "--json", "-R", "/a/b");
        CHECK(cu_contains(r.out, "{\"path\": \"/a/b/c/in.txt\", \"type\": \"file\", \"size\": 10, "
                                 "\"mtime\": "));
        CHECK(cu_contains(r.out, "}\n]\n"));
        cu_run(&r, "tree", "-i", img, "/a");
        CHECK_EQ(r.status, 0);
        cu_run(&r, "df", "-i", img);
        CHECK_EQ(r.status, 0);
        CHECK(strncmp(r.out, "Image ", 6) == 0);
        CHECK(cu_contains(r.out, f == 0 ? " fat\n" : " lfs2\n"));

        // change it
        cu_run(&r, "mv", "-i", img, "/hello.txt", "/a/b"); // into a directory
        expect(&r, 0, "", "");
        cu_run(&r, "mv", "-i", img, "/a/b/hello.txt", "/a/b/renamed.txt");
        expect(&r, 0, "", "");
        cu_run(&r, "rm", "-i", img, "/a"); // a directory without -r
        expect(&r, 1, "", "cairn: /a: Is a directory\n");
        cu_run(&r, "rmdir", "-i", img, "/a/b");
        expect(&r, 1, "", "cairn: /a/b: Directory not empty\n");
        cu_run(&r, "rmdir", "-i", img, "/nope");
        expect(&r, 1, "", "cairn: /nope: No such file or directory\n");
        cu_run(&r, "mkdir", "-i", img, "/a");
        expect(&r, 1, "", "cairn: /a: File exists\n");
        cu_run(&r, "cat", "-i", img, "/nope");
        expect(&r, 1, "", "cairn: /nope: No such file or directory\n");
        cu_run(&r, "cat", "-i", img, "/a");
        expect(&r, 1, "", "cairn: /a: Is a directory\n");
        cu_run(&r, "mv", "-i", img, "/nope", "/x");
        expect(&r, 1, "", "cairn: /nope: No such file or directory\n");
        cu_run(&r, "rm", "-i", img, "-f", "/nope");
        expect(&r, 0, "", "");
        cu_run(&r, "--read-only", "mkdir", "-i", img, "/ro");
        expect(&r, 1, "", "cairn: /ro: Read-only file system\n");
        cu_run(&r, "mkdir", "-i", img, "/empty");
        expect(&r, 0, "", "");
        cu_run(&r, "rmdir", "-i", img, "/empty");
        expect(&r, 0, "", "");

        cu_run(&r, "tree", "-i", img);
        CHECK_EQ(r.status, 0);
        {
            char want[4096];
            const char *base = strrchr(host, '/') + 1;
            snprintf(want, sizeof want,
                     "/\n`-- a/\n    |-- b/\n    |   |-- c/\n    |   |   `-- in.txt\n"
                     "    |   `-- renamed.txt\n    `-- %s\n\n3 directories, 3 files\n",
                     base);
            CHECK_STR(r.out, want);
        }

        // check, then copy everything out
        cu_run(&r, "fsck", "-i", img);
        CHECK_EQ(r.status, 0);
        CHECK(cu_contains(r.out, ": clean\n"));
        cu_fresh_dir(out);
        cu_run(&r, "unpack", "-i", img, out);
        expect(&r, 0, "", "");
        {
            char p[2200];
            snprintf(p, sizeof p, "%s/a/b/renamed.txt", out);
            size_t len;
            char *d = cu_slurp(p, &len);
            CHECK_STR(d, "hello world\n");
            free(d);
            snprintf(p, sizeof p, "%s/a/b/c/in.txt", out);
            d = cu_slurp(p, &len);
            CHECK_STR(d, "from stdin");
            free(d);
        }
        // image -> image copy, recursive, then rm -r
        cu_run(&r, "cp", "-i", img, "-r", ":/a/b", ":/copy");
        expect(&r, 0, "", "");
        cu_run(&r, "cat", "-i", img, "/copy/c/in.txt");
        expect(&r, 0, "from stdin", "");
        cu_run(&r, "rm", "-i", img, "-r", "/a", "/copy");
        expect(&r, 0, "", "");
        cu_run(&r, "ls", "-i", img);
        expect(&r, 0, "", "");
        cu_run(&r, "ls", "-i", img, "--json");
        expect(&r, 0, "[]\n", "");
        cu_run(&r, "fsck", "-i", img);
        CHECK_EQ(r.status, 0);
    }
    cu_free(&r);
}

TEST(label_fat_only)
{
    struct cu_run r = {0};
    const char *img = th_tmp("label.img");
    unlink(img);
    CHECK_EQ(cu_run(&r, "mkfs", "-i", img, "--fs", "fat", "--size", "1M", "--label", "CAIRN"), 0);
    cu_run(&r, "label", "-i", img);
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "CAIRN\n");
    CHECK_EQ(cu_run(&r, "label", "-i", img, "DATA2"), 0);
    cu_run(&r, "label", "-i", img);
    CHECK_STR(r.out, "DATA2\n");
    cu_run(&r, "info", "-i", img);
    CHECK(cu_contains(r.out, "label:        DATA2\n"));
    if (cu_have("fsck.fat")) {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "fsck.fat -n '%s' >/dev/null 2>&1", img);
        CHECK_EQ(system(cmd), 0);
    }
    unlink(img);
    REQUIRE(cu_run(&r, "mkfs", "-i", img, "--fs", "lfs2", "--size", "256K") == 0);
    CHECK_EQ(cu_run(&r, "label", "-i", img), 1);
    CHECK(cu_contains(r.err, "littlefs has no volume label"));
    cu_free(&r);
}

TEST(wrong_filesystem_forced)
{
    struct cu_run r = {0};
    const char *fat = th_tmp("wrong_fat.img");
    const char *lfs = th_tmp("wrong_lfs.img");
    unlink(fat);
    unlink(lfs);
    REQUIRE(cu_run(&r, "mkfs", "-i", fat, "--fs", "fat", "--size", "512K") == 0);
    REQUIRE(cu_run(&r, "mkfs", "-i", lfs, "--fs", "lfs2", "--size", "512K") == 0);
    CHECK_EQ(cu_run(&r, "ls", "-i", fat, "--fs", "lfs2"), 1);
    CHECK(cu_contains(r.err, "not a littlefs image"));
    CHECK_EQ(cu_run(&r, "ls", "-i", lfs, "--fs", "fat"), 1);
    CHECK(cu_contains(r.err, "not a FAT filesystem (littlefs found"));
    // detection picks each one
    CHECK_EQ(cu_run(&r, "df", "-i", fat), 0);
    CHECK(cu_contains(r.out, " fat\n"));
    CHECK_EQ(cu_run(&r, "df", "-i", lfs), 0);
    CHECK(cu_contains(r.out, " lfs2\n"));
    // a wrong littlefs geometry is refused with what the superblock says
    CHECK_EQ(cu_run(&r, "ls", "-i", lfs, "--block-count", "64"), 1);
    CHECK(cu_contains(r.err, "cairn: "));
    cu_free(&r);
}

// Damage images in many ways: every command must exit 0 or 1, never crash.
TEST(damaged_images_never_crash)
{
    struct cu_run r = {0};
    for (int f = 0; f < 2; f++) {
        const char *img = th_tmp("damage.img");
        char host[1024];
        snprintf(host, sizeof host, "%s", th_tmp("damage.src"));
        cu_fresh_dir(host);
        for (int i = 0; i < 20; i++) {
            char p[1200];
            snprintf(p, sizeof p, "%s/file%02d.bin", host, i);
            static uint8_t data[5000];
            cu_fill(data, sizeof data, (uint32_t)i + 1);
            cu_write_file(p, data, (size_t)(i * 250));
        }
        unlink(img);
        if (cu_run(&r, "pack", "-i", img, "--fs", fs_names[f], "--size", "256K", host) != 0) {
            th_fail(__FILE__, __LINE__, "pack %s: %s", fs_names[f], r.err);
            continue;
        }
        size_t len;
        uint8_t *orig = (uint8_t *)cu_slurp(img, &len);
        // deterministic damage: runs of random bytes at spread positions
        for (int trial = 0; trial < 12; trial++) {
            uint8_t *d = malloc(len);
            memcpy(d, orig, len);
            uint32_t x = (uint32_t)(trial * 7919 + 13 + f);
            for (int k = 0; k < 8; k++) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                size_t pos = trial < 4 ? (x % 8192) : (x % len); // metadata area first
                for (int b = 0; b < 16 && pos + (size_t)b < len; b++) {
                    d[pos + (size_t)b] ^= (uint8_t)(x >> (b % 4 * 8)) | 1;
                }
            }
            cu_write_file(img, d, len);
            free(d);
            static const char *const cmds[] = {"ls", "tree", "info", "df", "fsck"};
            for (int c = 0; c < 5; c++) {
                cu_run(&r, cmds[c], "-i", img);
                if (r.status != 0 && r.status != 1) {
                    th_fail(__FILE__, __LINE__, "%s %s trial %d: exit %d", fs_names[f], cmds[c],
                            trial, r.status);
                }
                if (r.status == 1) {
                    CHECK(strncmp(r.err, "cairn: ", 7) == 0 || r.out_len > 0);
                }
            }
            char out[1200];
            snprintf(out, sizeof out, "%s.out", img);
            cu_fresh_dir(out);
            cu_run(&r, "unpack", "-i", img, out);
            if (r.status != 0 && r.status != 1) {
                th_fail(__FILE__, __LINE__, "%s unpack trial %d: exit %d", fs_names[f], trial,
                        r.status);
            }
            cu_run(&r, "fsck", "-i", img, "--repair");
            if (r.status != 0 && r.status != 1) {
                th_fail(__FILE__, __LINE__, "%s fsck --repair trial %d: exit %d", fs_names[f],
                        trial, r.status);
            }
        }
        // truncated image
        cu_write_file(img, orig, len / 3);
        cu_run(&r, "ls", "-i", img);
        CHECK_EQ(r.status, 1);
        CHECK(strncmp(r.err, "cairn: ", 7) == 0);
        free(orig);
    }
    cu_free(&r);
}

// The interop images: geometry detected, every entry listed.
TEST(interop_images_list_fully)
{
    static const char *const imgs[] = {
        "lfs2/lfs2_bs512_bc512",  "lfs2/lfs2_bs4096_bc128", "lfs2/lfs2_bs512_bc1024_nomtime",
        "lfs2/lfs2_bs4096_bc512", "fat/fat12_160k",         "fat/fat16_16m",
    };
    struct cu_run r = {0};
    for (size_t i = 0; i < sizeof imgs / sizeof imgs[0]; i++) {
        char img[600], man[600];
        snprintf(img, sizeof img, "%s.img", imgs[i]);
        snprintf(man, sizeof man, "%s.json", imgs[i]);
        size_t mlen;
        char *m = cu_slurp(th_interop(man), &mlen);
        const char *fc = strstr(m, "\"files\": ");
        const char *dc = strstr(m, "\"dirs\": ");
        REQUIRE(fc && dc);
        int files = atoi(fc + 9), dirs = atoi(dc + 8);
        cu_run(&r, "--read-only", "ls", "-R", "--json", "-i", th_interop(img));
        if (r.status != 0) {
            th_fail(__FILE__, __LINE__, "%s: exit %d: %s", img, r.status, r.err);
        } else {
            CHECK_EQ(cu_count(r.out, "\"type\": \"file\""), files);
            CHECK_EQ(cu_count(r.out, "\"type\": \"dir\""), dirs);
        }
        if (strcmp(imgs[i], "lfs2/lfs2_bs512_bc512") == 0) {
            CHECK(cu_contains(r.out, "{\"path\": \"/ leading space.bin\", \"type\": \"file\", "
                                     "\"size\": 33, \"mtime\": 1735689602}"));
            cu_run(&r, "info", "-i", th_interop(img));
            CHECK(cu_contains(r.out, "block size:   512\nblock count:  512\n"));
        }
        free(m);
    }
    cu_free(&r);
}

// A littlefs image inside a bigger flash dump, found with --offset.
TEST(offset_into_flash_dump)
{
    struct cu_run r = {0};
    const char *img = th_tmp("part.img"), *dump = th_tmp("dump.img");
    unlink(img);
    REQUIRE(cu_run(&r, "mkfs", "-i", img, "--fs", "lfs2", "--size", "128K") == 0);
    REQUIRE(cu_run_in(&r, "payload", 7, "cp", "-i", img, "-", ":/p.txt", NULL) == 0);
    size_t len;
    char *part = cu_slurp(img, &len);
    size_t pre = 64 * 1024, post = 32 * 1024;
    char *d = malloc(pre + len + post);
    memset(d, 0xff, pre + len + post);
    memcpy(d + pre, part, len);
    REQUIRE(cu_write_file(dump, d, pre + len + post) == 0);
    cu_run(&r, "cat", "-i", dump, "--offset", "64K", "/p.txt");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "payload");
    cu_run(&r, "cp", "-i", dump, "--offset", "64K", "-", ":/q.txt");
    CHECK_EQ(r.status, 0);
    cu_run(&r, "ls", "-i", dump, "--offset", "0x10000");
    CHECK_STR(r.out, "p.txt\nq.txt\n");
    // bytes outside the partition were not touched
    char *after = cu_slurp(dump, &len);
    CHECK_EQ(len, pre + 128 * 1024 + post);
    int outside_ok = 1;
    for (size_t i = 0; i < pre; i++) {
        outside_ok &= (uint8_t)after[i] == 0xff;
    }
    for (size_t i = pre + 128 * 1024; i < len; i++) {
        outside_ok &= (uint8_t)after[i] == 0xff;
    }
    CHECK(outside_ok);
    free(after);
    free(part);
    free(d);
    cu_free(&r);
}

// An MBR disk: the FAT partition found by default and with --partition 1.
TEST(mbr_partition)
{
    if (!cu_have("mkfs.fat")) {
        SKIP("mkfs.fat not installed");
    }
    struct cu_run r = {0};
    const char *img = th_tmp("mbr.img");
    size_t size = 4u << 20, start = 2048;
    uint8_t *d = calloc(1, size);
    uint8_t *e = d + 446;
    e[4] = 0x01; // FAT12
    uint32_t lba = (uint32_t)start, cnt = (uint32_t)(size / 512 - start);
    memcpy(e + 8, &lba, 4);
    memcpy(e + 12, &cnt, 4);
    d[510] = 0x55;
    d[511] = 0xaa;
    REQUIRE(cu_write_file(img, d, size) == 0);
    free(d);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "mkfs.fat -F 12 --offset %zu '%s' %u >/dev/null 2>&1", start, img,
             cnt / 2);
    REQUIRE(system(cmd) == 0);
    CHECK_EQ(cu_run(&r, "mkdir", "-i", img, "/inpart"), 0);
    CHECK_EQ(cu_run(&r, "ls", "-i", img, "--partition", "1"), 0);
    CHECK_STR(r.out, "inpart\n");
    CHECK_EQ(cu_run(&r, "ls", "-i", img, "--partition", "2"), 1);
    if (cu_have("mdir")) {
        snprintf(cmd, sizeof cmd,
                 "MTOOLS_SKIP_CHECK=1 mdir -b -i '%s@@%zu' ::/ 2>/dev/null "
                 "| grep -qi inpart",
                 img, start * 512);
        CHECK_EQ(system(cmd), 0);
    }
    cu_free(&r);
}

// --area: a partition of a whole-flash dump through the board's flash map.
TEST(flash_area_of_the_default_board)
{
    struct cu_run r = {0};
    char flash[1024];
    snprintf(flash, sizeof flash, "%s", th_tmp("flash.img"));
    static uint8_t ff[1 << 20];
    memset(ff, 0xff, sizeof ff);
    REQUIRE(cu_write_file(flash, ff, sizeof ff) == 0);
    // storage = id 5: 32 KiB at 0xF8000 with 4 KiB erase blocks
    cu_run(&r, "mkfs", "-i", flash, "--area", "storage", "--fs", "lfs2");
    CHECK_EQ(r.status, 0);
    cu_run_in(&r, "in the storage area", 19, "cp", "-i", flash, "--area", "storage", "-", ":/s.txt",
              NULL);
    CHECK_EQ(r.status, 0);
    cu_run(&r, "cat", "-i", flash, "--area", "5", "/s.txt");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "in the storage area");
    cu_run(&r, "info", "-i", flash, "--area", "storage");
    CHECK(cu_contains(r.out, "block size:   4096\nblock count:  8\n"));
    // FAT on the 120 KiB scratch area, next to it
    cu_run(&r, "mkfs", "-i", flash, "--area", "scratch", "--fs", "fat");
    CHECK_EQ(r.status, 0);
    cu_run_in(&r, "scratch", 7, "cp", "-i", flash, "--area", "scratch", "-", ":/f.txt", NULL);
    CHECK_EQ(r.status, 0);
    cu_run(&r, "ls", "-i", flash, "--area", "scratch");
    CHECK_STR(r.out, "f.txt\n");
    cu_run(&r, "cat", "-i", flash, "--area", "storage", "/s.txt");
    CHECK_STR(r.out, "in the storage area");
    // everything before scratch (boot, slot0, slot1) is still erased
    size_t len;
    char *d = cu_slurp(flash, &len);
    CHECK_EQ(len, sizeof ff);
    CHECK(len == sizeof ff && memcmp(d, ff, 0xDA000) == 0);
    free(d);
    cu_run(&r, "ls", "-i", flash, "--area", "nosuch");
    CHECK_EQ(r.status, 1);
    CHECK(cu_contains(r.err, "cairn: nosuch: no such flash area on board"));
    CHECK(cu_contains(r.err, "storage=5"));
    cu_free(&r);
}

// `cairn demo DIR` leaves images the other commands can read.
TEST(demo_images_readable)
{
    struct cu_run r = {0};
    char dir[1024], sd[1100], flash[1100];
    snprintf(dir, sizeof dir, "%s", th_tmp("demo"));
    cu_fresh_dir(dir);
    cu_run(&r, "demo", dir);
    if (r.status != 0) {
        th_fail(__FILE__, __LINE__, "demo: exit %d: %s", r.status, r.err);
        cu_free(&r);
        return;
    }
    CHECK(cu_contains(r.out, "Hello world"));
    snprintf(sd, sizeof sd, "%s/sd.img", dir);
    snprintf(flash, sizeof flash, "%s/flash.img", dir);
    cu_run(&r, "cat", "-i", sd, "/hello.txt");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "Hello world");
    cu_run(&r, "cat", "-i", flash, "--area", "storage", "/hello.txt");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "Hello world");
    cu_free(&r);
}

// fsck finds damage (exit 1, one line per problem), --repair fixes it, and
// both cairn and fsck.fat then find the volume clean.
TEST(fsck_finds_and_repairs_fat_damage)
{
    if (!th_fat_has_fsck()) {
        SKIP("FAT built without fsck (CAIRN_FAT_FSCK=0)");
    }
    struct cu_run r = {0};
    char src[1024], img[1100], cmd[2400];
    snprintf(src, sizeof src, "%s", th_tmp("fsck.src"));
    snprintf(img, sizeof img, "%s.img", src);
    cu_fresh_dir(src);
    for (int i = 1; i <= 20; i++) {
        char p[1200];
        static uint8_t data[8192];
        cu_fill(data, sizeof data, (uint32_t)i);
        snprintf(p, sizeof p, "%s/f%02d.bin", src, i);
        cu_write_file(p, data, (size_t)i * 300);
    }
    unlink(img);
    REQUIRE(cu_run(&r, "pack", "-i", img, "--fs", "fat", "--size", "256K", src) == 0);
    CHECK_EQ(cu_run(&r, "fsck", "-i", img), 0);
    // cut every cluster chain short: FAT12 entries 4.. of the first FAT
    // (sector 1) become end-of-chain, so file sizes exceed their chains
    size_t len;
    char *d = cu_slurp(img, &len);
    for (int i = 6; i < 40; i++) {
        d[512 + i] = (char)0xff;
    }
    REQUIRE(cu_write_file(img, d, len) == 0);
    free(d);
    cu_run(&r, "fsck", "-i", img);
    CHECK_EQ(r.status, 1);
    CHECK(r.out_len > 0 && cu_count(r.out, "\n") >= 2); // problems + summary
    CHECK(cu_contains(r.out, "problem"));
    cu_run(&r, "fsck", "-i", img, "--repair");
    CHECK_EQ(r.status, 1);
    CHECK(cu_contains(r.out, "(repaired)"));
    cu_run(&r, "fsck", "-i", img);
    CHECK_EQ(r.status, 0);
    if (cu_have("fsck.fat")) {
        snprintf(cmd, sizeof cmd, "fsck.fat -n '%s' >/dev/null 2>&1", img);
        CHECK_EQ(system(cmd), 0);
    }
    cu_free(&r);
}

// JSON output escapes names (littlefs allows '"', '\' and control bytes).
TEST(json_escapes_names)
{
    struct cu_run r = {0};
    char img[1024];
    snprintf(img, sizeof img, "%s", th_tmp("json.img"));
    if (fs_mkfs(&r, img, "lfs2") != 0) {
        cu_free(&r);
        return;
    }
    CHECK_EQ(cu_run_in(&r, "x", 1, "cp", "-i", img, "-", ":/q\"b\\s\tt.txt", NULL), 0);
    cu_run(&r, "ls", "-i", img, "--json");
    CHECK_EQ(r.status, 0);
    CHECK(cu_contains(r.out, "{\"path\": \"/q\\\"b\\\\s\\u0009t.txt\", \"type\": \"file\", "
                             "\"size\": 1, \"mtime\": "));
    cu_free(&r);
}

// A block device works like an image file (size from BLKGETSIZE64). Uses a
// loop device when this machine lets us make one; skips otherwise.
TEST(block_device_via_loop)
{
    if (!cu_have("losetup") || getuid() != 0) {
        SKIP("no losetup or not root: cannot make a loop device");
    }
    struct cu_run r = {0};
    char img[1024], cmd[2400], dev[64] = "";
    snprintf(img, sizeof img, "%s", th_tmp("loop.img"));
    unlink(img);
    REQUIRE(cu_run(&r, "mkfs", "-i", img, "--fs", "fat", "--size", "1M") == 0);
    snprintf(cmd, sizeof cmd, "losetup -f --show '%s' 2>/dev/null", img);
    FILE *p = popen(cmd, "r");
    if (p == NULL || fgets(dev, sizeof dev, p) == NULL || strncmp(dev, "/dev/", 5) != 0) {
        if (p) {
            pclose(p);
        }
        cu_free(&r);
        SKIP("losetup refused to make a loop device here");
    }
    pclose(p);
    dev[strcspn(dev, "\n")] = '\0';
    CHECK_EQ(cu_run_in(&r, "on a block device", 17, "cp", "-i", dev, "-", ":/b.txt", NULL), 0);
    cu_run(&r, "df", "-i", dev);
    CHECK_EQ(r.status, 0);
    CHECK(cu_contains(r.out, " fat\n"));
    snprintf(cmd, sizeof cmd, "losetup -d '%s'", dev);
    CHECK_EQ(system(cmd), 0);
    // written through the device, read back from the file
    cu_run(&r, "cat", "-i", img, "/b.txt");
    CHECK_STR(r.out, "on a block device");
    cu_free(&r);
}

// littlefs geometry options at mkfs; detection then needs none of them.
TEST(lfs2_geometry_options_and_detection)
{
    struct cu_run r = {0};
    char img[1024];
    snprintf(img, sizeof img, "%s", th_tmp("geo.img"));
    unlink(img);
    CHECK_EQ(cu_run(&r, "mkfs", "-i", img, "--fs", "lfs2", "--size", "256K", "--block-size", "512",
                    "--read-size", "64", "--prog-size", "64", "--lookahead", "16"),
             0);
    CHECK_EQ(cu_run_in(&r, "geo", 3, "cp", "-i", img, "-", ":/g.txt", NULL), 0);
    cu_run(&r, "info", "-i", img);
    CHECK_EQ(r.status, 0);
    CHECK(cu_contains(r.out, "filesystem:   littlefs 2.1\n"));
    CHECK(cu_contains(r.out, "block size:   512\nblock count:  512\n"));
    cu_run(&r, "cat", "-i", img, "g.txt");
    CHECK_STR(r.out, "geo");
    // bad geometry is refused by the driver with a message, not a crash
    unlink(img);
    cu_run(&r, "mkfs", "-i", img, "--fs", "lfs2", "--size", "256K", "--prog-size", "48");
    CHECK_EQ(r.status, 1);
    CHECK(cu_contains(r.err, "cannot format littlefs"));
    cu_free(&r);
}

// ls with several paths: a section per directory, files by name.
TEST(ls_several_paths)
{
    struct cu_run r = {0};
    char img[1024];
    snprintf(img, sizeof img, "%s", th_tmp("multi.img"));
    if (fs_mkfs(&r, img, "fat") != 0) {
        cu_free(&r);
        return;
    }
    CHECK_EQ(cu_run(&r, "mkdir", "-i", img, "/d1", "/d2"), 0);
    CHECK_EQ(cu_run_in(&r, "1", 1, "cp", "-i", img, "-", ":/d1/one", NULL), 0);
    CHECK_EQ(cu_run_in(&r, "22", 2, "cp", "-i", img, "-", ":/top.txt", NULL), 0);
    cu_run(&r, "ls", "-i", img, "/d1", "/d2", "/top.txt");
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.out, "/d1:\none\n\n/d2:\ntop.txt\n");
    cu_run(&r, "ls", "-i", img, "/d1", "/missing");
    CHECK_EQ(r.status, 1);
    CHECK_STR(r.err, "cairn: /missing: No such file or directory\n");
    cu_free(&r);
}

// A FAT volume whose data happens to hold a littlefs block where "block 1"
// of a 64 KiB-block littlefs would be stays a FAT volume.
TEST(fat_holding_littlefs_bytes_stays_fat)
{
    struct cu_run r = {0};
    char fat[1024], lfs[1100];
    snprintf(fat, sizeof fat, "%s", th_tmp("mixed.img"));
    snprintf(lfs, sizeof lfs, "%s.lfs", fat);
    unlink(fat);
    unlink(lfs);
    REQUIRE(cu_run(&r, "mkfs", "-i", fat, "--fs", "fat", "--size", "1M") == 0);
    REQUIRE(cu_run(&r, "mkfs", "-i", lfs, "--fs", "lfs2", "--size", "256K", "--block-size",
                   "64K") == 0);
    size_t flen, llen;
    char *f = cu_slurp(fat, &flen), *l = cu_slurp(lfs, &llen);
    REQUIRE(flen == 1u << 20 && llen >= 65536);
    memcpy(f + 65536, l, 65536);
    REQUIRE(cu_write_file(fat, f, flen) == 0);
    free(f);
    free(l);
    cu_run(&r, "df", "-i", fat);
    CHECK_EQ(r.status, 0);
    CHECK(cu_contains(r.out, " fat\n"));
    cu_free(&r);
}

// "dir/" names the directory on both filesystems; "missing/" as a copy
// target is an error, not a new file.
TEST(trailing_slashes)
{
    struct cu_run r = {0};
    for (int f = 0; f < 2; f++) {
        char img[1024];
        snprintf(img, sizeof img, "%s", th_tmp("slash.img"));
        if (fs_mkfs(&r, img, fs_names[f]) != 0) {
            continue;
        }
        CHECK_EQ(cu_run(&r, "mkdir", "-i", img, "/d/"), 0);
        CHECK_EQ(cu_run_in(&r, "b", 1, "cp", "-i", img, "-", ":/b", NULL), 0);
        CHECK_EQ(cu_run(&r, "mv", "-i", img, "/b", "/d/"), 0);
        CHECK_EQ(cu_run_in(&r, "c", 1, "cp", "-i", img, "-", ":/d/c", NULL), 0);
        cu_run(&r, "ls", "-i", img, ":/d/");
        CHECK_STR(r.out, "b\nc\n");
        cu_run(&r, "cp", "-i", img, ":/d/b", ":/nodir/");
        CHECK_EQ(r.status, 1);
        CHECK_STR(r.err, "cairn: :/nodir/: Not a directory\n");
        CHECK_EQ(cu_run(&r, "rm", "-i", img, "-r", "/d/"), 0);
        cu_run(&r, "ls", "-i", img);
        CHECK_STR(r.out, "");
    }
    cu_free(&r);
}

// A 5 GiB sparse image: FAT32 (with its partition table) on a device whose
// size does not fit in 32 bits.
TEST(large_sparse_fat32)
{
    struct cu_run r = {0};
    char img[1024];
    snprintf(img, sizeof img, "%s", th_tmp("big.img"));
    unlink(img);
    CHECK_EQ(cu_run(&r, "mkfs", "-i", img, "--fs", "fat", "--size", "5G"), 0);
    cu_run(&r, "info", "-i", img);
    CHECK(cu_contains(r.out, "filesystem:   FAT32\n"));
    static uint8_t data[1 << 20];
    cu_fill(data, sizeof data, 77);
    CHECK_EQ(cu_run_in(&r, data, sizeof data, "cp", "-i", img, "-", ":/data.bin", NULL), 0);
    cu_run(&r, "cat", "-i", img, "/data.bin");
    CHECK_EQ(r.out_len, sizeof data);
    CHECK(r.out_len == sizeof data && memcmp(r.out, data, sizeof data) == 0);
    cu_run(&r, "df", "-i", img);
    CHECK(cu_contains(r.out, " 5367"));
    unlink(img);
    cu_free(&r);
}

// A path argument too long for the image: one error line per command (rmdir
// used to print it twice), exit 1, and the other arguments still done.
TEST(too_long_path_reported_once)
{
    struct cu_run r = {0};
    char img[1024], longp[CAIRN_PATH_MAX + 64], want[CAIRN_PATH_MAX + 128];
    snprintf(img, sizeof img, "%s", th_tmp("longp.img"));
    if (fs_mkfs(&r, img, "fat") != 0) {
        cu_free(&r);
        return;
    }
    memset(longp, 'q', sizeof longp);
    longp[0] = '/';
    longp[sizeof longp - 1] = '\0';
    snprintf(want, sizeof want, "cairn: %s: %s\n", longp, cairn_strerror(CAIRN_ENAMETOOLONG));
    cu_run(&r, "mkdir", "-i", img, longp, "/ok");
    CHECK_EQ(r.status, 1);
    CHECK_STR(r.err, want);
    cu_run(&r, "ls", "-i", img);
    CHECK_STR(r.out, "ok\n");
    cu_run(&r, "rmdir", "-i", img, longp, "/ok");
    CHECK_EQ(r.status, 1);
    CHECK_STR(r.err, want);
    cu_run(&r, "ls", "-i", img);
    CHECK_STR(r.out, "");
    CHECK_EQ(cu_run(&r, "mkdir", "-i", img, "/ok"), 0);
    cu_run(&r, "rm", "-r", "-i", img, longp, "/ok");
    CHECK_EQ(r.status, 1);
    CHECK_STR(r.err, want);
    cu_run(&r, "ls", "-i", img);
    CHECK_STR(r.out, "");
    cu_free(&r);
}

// cp inside the image onto the source under another spelling (FAT matches
// names case-insensitively; "./" is the same directory): the copy used to
// truncate the source before reading it, losing the file. Now the content
// survives, and an existing other destination is still replaced.
TEST(cp_onto_itself_by_another_name)
{
    if (!th_fat_has_fsck()) {
        SKIP("FAT built without fsck (CAIRN_FAT_FSCK=0)");
    }
    struct cu_run r = {0};
    static char data[200000];
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (char)('a' + (i * 7919) % 26);
    }
    for (int f = 0; f < 2; f++) {
        char img[1024];
        snprintf(img, sizeof img, "%s", th_tmp("alias.img"));
        unlink(img);
        if (cu_run(&r, "mkfs", "-i", img, "--fs", fs_names[f], "--size", "2M") != 0) {
            th_fail(__FILE__, __LINE__, "mkfs %s: %s", fs_names[f], r.err);
            continue;
        }
        CHECK_EQ(cu_run_in(&r, data, sizeof data, "cp", "-i", img, "-", ":/r.bin", NULL), 0);
        CHECK_EQ(cu_run_in(&r, "old", 3, "cp", "-i", img, "-", ":/other", NULL), 0);
        const char *alias[] = {":/./r.bin", f == 0 ? ":/R.BIN" : ":/d/../r.bin"};
        CHECK_EQ(cu_run(&r, "mkdir", "-i", img, "/d"), 0);
        for (int a = 0; a < 2; a++) {
            CHECK_EQ(cu_run(&r, "cp", "-i", img, ":/r.bin", alias[a]), 0);
            cu_run(&r, "cat", "-i", img, "/r.bin");
            CHECK_EQ(r.status, 0);
            CHECK_EQ(r.out_len, sizeof data);
            CHECK(r.out_len == sizeof data && memcmp(r.out, data, sizeof data) == 0);
        }
        CHECK_EQ(cu_run(&r, "cp", "-i", img, ":/r.bin", ":/other"), 0);
        cu_run(&r, "cat", "-i", img, "/other");
        CHECK(r.out_len == sizeof data && memcmp(r.out, data, sizeof data) == 0);
        CHECK_EQ(cu_run(&r, "fsck", "-i", img), 0);
    }
    cu_free(&r);
}
