// FAT driver: long names, short names and their case flags, numeric tails,
// illegal characters, non-ASCII names (D20), the rename matrix.
#include "common/manifest.h"
#include "test_fat_util.h"

static void sfn11(const char *dotted, char out[12])
{
    memset(out, ' ', 11);
    out[11] = 0;
    const char *dot = strchr(dotted, '.');
    size_t nb = dot ? (size_t)(dot - dotted) : strlen(dotted);
    memcpy(out, dotted, nb);
    if (dot) {
        memcpy(out + 8, dot + 1, strlen(dot + 1));
    }
}

static int touch(struct fx *x, const char *p)
{
    return fx_write(x, p, "", 0);
}

TEST(short_only_names_and_case_flags)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 200), 0);
    REQUIRE_EQ(touch(&x, "/foo_file.txt"), 0);
    REQUIRE_EQ(touch(&x, "/UPPER.txt"), 0);
    REQUIRE_EQ(touch(&x, "/lower.TXT"), 0);
    REQUIRE_EQ(touch(&x, "/ALLUP.TXT"), 0);
    REQUIRE_EQ(touch(&x, "/Hello.TXT"), 0);
    REQUIRE_EQ(x.fs->ops->mkdir(x.fs, "/sub"), 0);
    long o;
    REQUIRE((o = fx_find_sfn(&x, "FOO_FILETXT")) >= 0);
    CHECK_EQ(x.mem[o + 12], 0x18);
    REQUIRE((o = fx_find_sfn(&x, "UPPER   TXT")) >= 0);
    CHECK_EQ(x.mem[o + 12], 0x10);
    CHECK_EQ(x.mem[o - 32 + 11] == 0x0F, 0); // no LFN in front
    REQUIRE((o = fx_find_sfn(&x, "LOWER   TXT")) >= 0);
    CHECK_EQ(x.mem[o + 12], 0x08);
    REQUIRE((o = fx_find_sfn(&x, "ALLUP   TXT")) >= 0);
    CHECK_EQ(x.mem[o + 12], 0x00);
    // mixed case in a part: a long name, and the short name has no tail
    REQUIRE((o = fx_find_sfn(&x, "HELLO   TXT")) >= 0);
    CHECK_EQ(x.mem[o + 12], 0x00);
    CHECK_EQ(x.mem[o - 32 + 11], 0x0F);
    REQUIRE((o = fx_find_sfn(&x, "SUB        ")) >= 0);
    CHECK_EQ(x.mem[o + 12], 0x08);
    char names[512];
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 6);
    CHECK_STR(names, "foo_file.txt|UPPER.txt|lower.TXT|ALLUP.TXT|Hello.TXT|sub");
    // case-insensitive, case-preserving
    struct cairn_stat st;
    CHECK_EQ(x.fs->ops->stat(x.fs, "/FOO_FILE.TXT", &st), 0);
    CHECK_EQ(x.fs->ops->stat(x.fs, "/hello.txt", &st), 0);
    CHECK_EQ(touch(&x, "/HELLO.txt"), 0); // the same file, truncated
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 6);
    fx_down(&x);
}

TEST(lossy_names_and_tails)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 400), 0);
    char p[64];
    for (int i = 0; i < 8; i++) {
        snprintf(p, sizeof p, "/Long Name File %d.TXT", i);
        REQUIRE_EQ(touch(&x, p), 0);
    }
    CHECK(fx_find_sfn(&x, "LONGNA~1TXT") >= 0);
    CHECK(fx_find_sfn(&x, "LONGNA~5TXT") >= 0);
    CHECK(fx_find_sfn(&x, "LONGNA~6TXT") < 0); // then the hashed form
    REQUIRE_EQ(touch(&x, "/ leading space.bin"), 0);
    CHECK(fx_find_sfn(&x, "LEADIN~1BIN") >= 0);
    REQUIRE_EQ(touch(&x, "/.hidden"), 0);
    CHECK(fx_find_sfn(&x, "HIDDEN~1   ") >= 0);
    REQUIRE_EQ(touch(&x, "/a+b;c.txt"), 0);
    CHECK(fx_find_sfn(&x, "A_B_C~1 TXT") >= 0);
    REQUIRE_EQ(touch(&x, "/name.with.many.dots.tar.gz"), 0);
    CHECK(fx_find_sfn(&x, "NAMEWI~1GZ ") >= 0);
    REQUIRE_EQ(touch(&x, "/x.jpeg"), 0);
    CHECK(fx_find_sfn(&x, "X~1     JPE") >= 0);
    // every name reads back and is found again
    const char *want[] = {"/Long Name File 7.TXT", "/ leading space.bin", "/.hidden",
                          "/a+b;c.txt", "/name.with.many.dots.tar.gz", "/x.jpeg"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct cairn_stat st;
        CHECK_EQ(x.fs->ops->stat(x.fs, want[i], &st), 0);
    }
    // remove frees a tail; the next lossy name reuses it
    REQUIRE_EQ(x.fs->ops->remove(x.fs, "/Long Name File 2.TXT"), 0);
    REQUIRE_EQ(touch(&x, "/Long Name File 99.TXT"), 0);
    long o = fx_find_sfn(&x, "LONGNA~3TXT");
    CHECK(o >= 0);
    fx_down(&x);
}

// The reference's 300 tails, regenerated: same names, same order, same
// short names as the manifest of fat12_1440k lists.
TEST(tails_match_reference)
{
    struct th_manifest m;
    if (th_manifest_load(th_interop("fat/fat12_1440k.json"), &m) != 0) {
        SKIP("no manifest");
    }
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 2880), 0);
    REQUIRE_EQ(x.fs->ops->mkdir(x.fs, "/many"), 0);
    char p[64];
    for (int i = 0; i < 300; i++) {
        snprintf(p, sizeof p, "/many/Entry Number %03d.txt", i);
        REQUIRE_EQ(touch(&x, p), 0);
    }
    int n = 0, bad = 0;
    for (size_t i = 0; i < m.count; i++) {
        const struct th_manifest_entry *e = &m.entries[i];
        if (strncmp(e->path, "/many/", 6) != 0 || !e->sfn) {
            continue;
        }
        char s[12];
        sfn11(e->sfn, s);
        n++;
        if (fx_find_sfn(&x, s) < 0 && bad++ < 5) {
            th_fail(__FILE__, __LINE__, "short name %s of %s not generated", e->sfn, e->path);
        }
    }
    CHECK_EQ(n, 300);
    CHECK_EQ(bad, 0);
    th_manifest_free(&m);
    fx_down(&x);
}

TEST(illegal_and_edge_names)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 200), 0);
    const char *bad[] = {"/a\"b", "/a*b", "/a:b", "/a<b", "/a>b", "/a?b", "/a|b", "/a\x01" "b",
                         "/a\x7f" "b", "/...", "/ . ", "/\xff\xfe"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(touch(&x, bad[i]), CAIRN_EINVAL);
        CHECK_EQ(x.fs->ops->mkdir(x.fs, bad[i]), CAIRN_EINVAL);
    }
    // trailing dots and spaces are dropped
    REQUIRE_EQ(touch(&x, "/tdot."), 0);
    REQUIRE_EQ(touch(&x, "/tsp  "), 0);
    char names[256];
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 2);
    CHECK_STR(names, "tdot|tsp");
    struct cairn_stat st;
    CHECK_EQ(x.fs->ops->stat(x.fs, "/tdot", &st), 0);
    CHECK_EQ(x.fs->ops->stat(x.fs, "/tdot...", &st), 0);
    // 255 UTF-16 units fit (20 LFN entries), 256 do not
    char longn[300];
    longn[0] = '/';
    memset(longn + 1, 'n', 255);
    longn[256] = 0;
    REQUIRE_EQ(fx_write(&x, longn, "L", 1), 0);
    CHECK_EQ(x.fs->ops->stat(x.fs, longn, &st), 0);
    CHECK_EQ(st.size, 1);
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 3);
    longn[256] = 'n';
    longn[257] = 0;
    CHECK_EQ(touch(&x, longn), CAIRN_ENAMETOOLONG);
    CHECK_EQ(x.fs->ops->mkdir(x.fs, longn), CAIRN_ENAMETOOLONG);
    // 13 and 26 characters: the terminator falls outside the entries
    REQUIRE_EQ(touch(&x, "/abcdefghijklm"), 0);
    REQUIRE_EQ(touch(&x, "/abcdefghijklmnopqrstuvwxyZ"), 0);
    CHECK_EQ(x.fs->ops->stat(x.fs, "/ABCDEFGHIJKLM", &st), 0);
    CHECK_EQ(x.fs->ops->stat(x.fs, "/abcdefghijklmnopqrstuvwxyz", &st), 0);
    REQUIRE_EQ(fx_remount(&x, 0), 0);
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 5);
    fx_down(&x);
}

TEST(non_ascii_names_utf16)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 200), 0);
    REQUIRE_EQ(fx_write(&x, "/caf\xc3\xa9.txt", "1", 1), 0);
    REQUIRE_EQ(fx_write(&x, "/\xc3\xbc" "ber gr\xc3\xb6\xc3\x9f" "e.bin", "2", 1), 0);
    REQUIRE_EQ(fx_write(&x, "/emoji \xf0\x9f\x98\x80.txt", "3", 1), 0);
    REQUIRE_EQ(fx_write(&x, "/\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", "4", 1), 0);
    char names[512];
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 4);
    CHECK_STR(names, "caf\xc3\xa9.txt|\xc3\xbc" "ber gr\xc3\xb6\xc3\x9f" "e.bin|emoji "
                     "\xf0\x9f\x98\x80.txt|\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
    // real UTF-16 in the long name: 'c','a','f',U+00E9
    long o = fx_find_sfn(&x, "CAF\x90    TXT"); // short name in CP437: E-acute = 0x90
    REQUIRE(o >= 0);
    CHECK_MEM(x.mem + o - 32 + 1, "c\0a\0f\0\xe9\0.\0", 10);
    // case-insensitive beyond ASCII
    struct cairn_stat st;
    CHECK_EQ(x.fs->ops->stat(x.fs, "/CAF\xc3\x89.TXT", &st), 0);
    CHECK_EQ(x.fs->ops->stat(x.fs, "/\xc3\x9c" "BER GR\xc3\x96\xc3\x9f" "E.BIN", &st), 0);
    CHECK_EQ(x.fs->ops->stat(x.fs, "/\xd0\x9f\xd0\xa0\xd0\x98\xd0\x92\xd0\x95\xd0\xa2", &st), 0);
    char buf[4];
    CHECK_EQ(fx_read(&x, "/emoji \xf0\x9f\x98\x80.txt", buf, 4), 1);
    CHECK_EQ(buf[0], '3');
    fx_down(&x);
}

TEST(rename_matrix)
{
    struct fx x;
    const struct cairn_fs_ops *o;
    struct cairn_stat st;
    char names[512];
#define FRESH()                                                                             \
    do {                                                                                    \
        REQUIRE_EQ(fx_up(&x, 512, 400), 0);                                                 \
        o = x.fs->ops;                                                                      \
        REQUIRE_EQ(o->mkdir(x.fs, "/d1"), 0);                                               \
        REQUIRE_EQ(o->mkdir(x.fs, "/d2"), 0);                                               \
        REQUIRE_EQ(o->mkdir(x.fs, "/d3"), 0);                                               \
        REQUIRE_EQ(fx_write(&x, "/d3/x", "xx", 2), 0);                                      \
        REQUIRE_EQ(fx_write(&x, "/f1", "one", 3), 0);                                       \
        REQUIRE_EQ(fx_write(&x, "/f2", "two!", 4), 0);                                      \
    } while (0)
    FRESH();
    CHECK_EQ(o->rename(x.fs, "/f1", "/f2"), 0);
    CHECK_EQ(o->stat(x.fs, "/f2", &st), 0);
    CHECK_EQ(st.size, 3);
    CHECK_EQ(o->stat(x.fs, "/f1", &st), CAIRN_ENOENT);
    CHECK_EQ(o->rename(x.fs, "/f2", "/d1"), CAIRN_EISDIR);
    CHECK_EQ(o->rename(x.fs, "/f2", "/d3"), CAIRN_EISDIR);
    CHECK_EQ(o->rename(x.fs, "/d1", "/d2"), CAIRN_EISDIR);
    CHECK_EQ(o->rename(x.fs, "/d1", "/d3"), CAIRN_EISDIR);
    CHECK_EQ(o->rename(x.fs, "/d1", "/d1"), 0);
    CHECK_EQ(o->rename(x.fs, "/missing", "/zz"), CAIRN_ENOENT);
    CHECK_EQ(o->rename(x.fs, "/f2", "/nodir/zz"), CAIRN_ENOENT);
    CHECK_EQ(o->rename(x.fs, "/f2", "/f2/zz"), CAIRN_ENOENT);
    CHECK_EQ(o->rename(x.fs, "/f2", "/zz/"), CAIRN_ENOENT);
    CHECK_EQ(o->rename(x.fs, "/f2", "/a*b"), CAIRN_EINVAL);
    CHECK_EQ(o->rename(x.fs, "/d3", "/d3/sub"), CAIRN_EINVAL); // D7
    CHECK_EQ(o->mkdir(x.fs, "/d3/deep"), 0);
    CHECK_EQ(o->rename(x.fs, "/d3", "/d3/deep/sub"), CAIRN_EINVAL);
    // dir onto a file: the file goes
    CHECK_EQ(o->rename(x.fs, "/d2", "/f2"), 0);
    CHECK_EQ(o->stat(x.fs, "/f2", &st), 0);
    CHECK_EQ(st.mode, CAIRN_S_IFDIR);
    // case only
    CHECK_EQ(o->rename(x.fs, "/d1", "/D1"), 0);
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 3);
    CHECK_STR(names, "D1|d3|f2"); // the new entry takes the first free slots
    // a moved directory's .. follows it
    CHECK_EQ(o->rename(x.fs, "/d3", "/D1/moved"), 0);
    CHECK_EQ(fx_read(&x, "/D1/moved/x", names, 10), 2);
    CHECK_EQ(o->rename(x.fs, "/D1", "/f2/D1"), 0);
    CHECK_EQ(o->stat(x.fs, "/f2/D1/moved/x", &st), 0);
    CHECK_EQ(o->rename(x.fs, "/f2/D1/moved", "/back"), 0);
    CHECK_EQ(o->rename(x.fs, "/back/deep", "/f2/deep"), 0);
    CHECK_EQ(o->rename(x.fs, "/f2", "/back/inside"), 0);
    CHECK_EQ(fx_list(&x, "/back/inside", names, sizeof names), 2);
    CHECK_STR(names, "D1|deep");
    CHECK_EQ(o->rename(x.fs, "/back", "/back/inside/deep/x"), CAIRN_EINVAL);
    // keeps attributes and times; files gain the archive bit
    CHECK_EQ(o->set_mtime(x.fs, "/back/x", 1600000000LL * 1000000000LL), 0);
    CHECK_EQ(o->rename(x.fs, "/back/x", "/y with long name"), 0);
    CHECK_EQ(o->stat(x.fs, "/y with long name", &st), 0);
    CHECK_EQ(st.mtime, 1600000000);
    CHECK_EQ(st.attr & CAIRN_ATTR_ARCHIVE, CAIRN_ATTR_ARCHIVE);
    fx_down(&x);
#undef FRESH
}

TEST(dir_growth_and_reuse)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 4096), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    char p[96], names[16];
    REQUIRE_EQ(o->mkdir(x.fs, "/d"), 0);
    for (int i = 0; i < 200; i++) {
        snprintf(p, sizeof p, "/d/a rather long file name %d", i);
        REQUIRE_EQ(touch(&x, p), 0);
    }
    CHECK_EQ(fx_list(&x, "/d", names, sizeof names), 200);
    for (int i = 0; i < 200; i += 2) {
        snprintf(p, sizeof p, "/d/a rather long file name %d", i);
        REQUIRE_EQ(o->remove(x.fs, p), 0);
    }
    CHECK_EQ(fx_list(&x, "/d", names, sizeof names), 100);
    for (int i = 0; i < 100; i++) {
        snprintf(p, sizeof p, "/d/n%d", i);
        REQUIRE_EQ(touch(&x, p), 0);
    }
    CHECK_EQ(fx_list(&x, "/d", names, sizeof names), 200);
    struct cairn_stat st;
    CHECK_EQ(o->stat(x.fs, "/d/a rather long file name 199", &st), 0);
    CHECK_EQ(o->stat(x.fs, "/d/N99", &st), 0);
    CHECK_EQ(o->rmdir(x.fs, "/d"), CAIRN_ENOTEMPTY);
    // the fixed root fills up: EACCES
    int rc = 0, i;
    for (i = 0; i < 600 && rc == 0; i++) {
        snprintf(p, sizeof p, "/r%d", i);
        rc = touch(&x, p);
    }
    CHECK_EQ(rc, CAIRN_EACCES);
    CHECK_EQ(i, 512); // d + 510 files fit in 512 entries, the 511th fails
    fx_down(&x);
}

// A new entry set that would straddle a sector boundary starts in the next
// sector instead (one write, atomic against a cut); the skipped tail entries
// are marked deleted so that the directory does not end before it.
TEST(entry_set_inside_one_sector)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 64), 0);
    char p[32];
    for (int i = 0; i < 14; i++) {
        snprintf(p, sizeof p, "/f%02d", i);
        REQUIRE_EQ(touch(&x, p), 0);
    }
    REQUIRE_EQ(touch(&x, "/Long Name File.TXT"), 0); // 3 entries: 14..16 would straddle
    const uint8_t *root = x.mem + 2 * 512;
    CHECK_EQ(root[14 * 32], 0xE5);
    CHECK_EQ(root[15 * 32], 0xE5);
    CHECK_EQ(root[16 * 32], 0x42);
    CHECK_EQ(root[17 * 32], 0x01);
    CHECK_MEM(root + 18 * 32, "LONGNA~1TXT", 11);
    char names[512];
    CHECK_EQ(fx_list(&x, "/", names, sizeof names), 15);
    // the skipped entries are reused by the next short names
    REQUIRE_EQ(touch(&x, "/g1"), 0);
    CHECK_MEM(root + 14 * 32, "G1         ", 11);
    CHECK_EQ(fx_fsck(x.fs, 0, NULL, NULL), 0);
    fx_down(&x);
}

// Long names are compared with the looked-up name piece by piece as their
// entries are read (13 units each, last piece first): names that share every
// piece but one, names that are a piece longer or shorter than another, any
// case; listings (which read names into the same buffer) between lookups.
TEST(long_names_compared_piece_by_piece)
{
    struct fx x;
    REQUIRE_EQ(fx_up(&x, 512, 4096), 0);
    const struct cairn_fs_ops *o = x.fs->ops;
    static const char *names[] = {
        "abcdefghijkl",                               // 12: one piece
        "abcdefghijklm",                              // 13: one full piece
        "abcdefghijklmn",                             // 14: two pieces
        "abcdefghijklmnopqrstuvwxyz",                 // 26
        "abcdefghijklmnopqrstuvwxyY0",                // 27: differs in pieces 1 and 2
        "Xbcdefghijklmnopqrstuvwxyz",                 // differs only in piece 0
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF", // 42: four pieces
    };
    const int n = (int)(sizeof names / sizeof names[0]);
    for (int i = 0; i < n; i++) {
        char p[80];
        snprintf(p, sizeof p, "/%s", names[i]);
        char data[4] = {(char)('0' + i), 0, 0, 0};
        REQUIRE_EQ(fx_write(&x, p, data, 1), 0);
    }
    for (int pass = 0; pass < 2; pass++) {
        char list[512];
        CHECK_EQ(fx_list(&x, "/", list, sizeof list), n);
        for (int i = 0; i < n; i++) {
            char p[80];
            snprintf(p, sizeof p, "/%s", names[i]);
            if (pass) {
                for (char *c = p; *c; c++) { // the other case
                    *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
                }
            }
            char b[4] = {0};
            CHECK_EQ(fx_read(&x, p, b, sizeof b), 1);
            CHECK_EQ(b[0], '0' + i);
            CHECK(strstr(list, names[i]) != NULL);
        }
        // a piece more, a piece less, one unit changed: not found
        struct cairn_stat st;
        CHECK_EQ(o->stat(x.fs, "/abcdefghijklmnopqrstuvwxyz0", &st), CAIRN_ENOENT);
        CHECK_EQ(o->stat(x.fs, "/abcdefghijklmnopqrstuvwxy", &st), CAIRN_ENOENT);
        CHECK_EQ(o->stat(x.fs, "/abcdefghijklmnopqrstuvwxyz0123456789ABCDEG", &st), CAIRN_ENOENT);
        CHECK_EQ(o->stat(x.fs, "/abcdefghijklmnopqrstuvwxyz0123456789ABCDE", &st), CAIRN_ENOENT);
        REQUIRE_EQ(fx_remount(&x, 0), 0);
    }
    // exclusive creation sees each of them, whatever the case
    uint8_t fh[256];
    CHECK_EQ(o->open(x.fs, fh, "/ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdef",
                     CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_EXCL),
             CAIRN_EEXIST);
    CHECK_EQ(o->open(x.fs, fh, "/ABCDEFGHIJKLMN", CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_EXCL),
             CAIRN_EEXIST);
    fx_down(&x);
}
