// CLI: help, version, usage errors (exit 2) and errors that need no
// filesystem (missing image, garbage image: exit 1 with a message).
#include "cli_util.h"

#include "cairn/cairn.h"

static const char *const usage_cmds[] = {
    "mkfs", "info", "ls",   "tree", "cat",    "cp",    "mkdir", "rmdir", "rm",
    "mv",   "df",   "fsck", "pack", "unpack", "label", "mount", "demo",
};
#define NCMDS (sizeof usage_cmds / sizeof usage_cmds[0])

TEST(help_lists_every_command)
{
    struct cu_run r = {0};
    CHECK_EQ(cu_run(&r, "--help"), 0);
    for (size_t i = 0; i < NCMDS; i++) {
        char line[64];
        snprintf(line, sizeof line, "\n  %s ", usage_cmds[i]);
        if (!cu_contains(r.out, line)) {
            th_fail(__FILE__, __LINE__, "--help does not list %s", usage_cmds[i]);
        }
    }
    CHECK(cu_contains(r.out, "--image"));
    CHECK(cu_contains(r.out, "--read-only"));
    CHECK_EQ(r.err_len, 0);
    // -h and "help" alone print the same page
    char *first = strdup(r.out);
    CHECK_EQ(cu_run(&r, "-h"), 0);
    CHECK_STR(r.out, first);
    CHECK_EQ(cu_run(&r, "help"), 0);
    CHECK_STR(r.out, first);
    free(first);
    cu_free(&r);
}

TEST(help_pages_are_man_style)
{
    struct cu_run r = {0};
    static const char *const sections[] = {"NAME\n",    "SYNOPSIS\n",    "DESCRIPTION\n",
                                           "OPTIONS\n", "EXIT STATUS\n", "EXAMPLES\n"};
    for (size_t i = 0; i < NCMDS; i++) {
        CHECK_EQ(cu_run(&r, "help", usage_cmds[i]), 0);
        for (size_t s = 0; s < 6; s++) {
            if (!cu_contains(r.out, sections[s])) {
                th_fail(__FILE__, __LINE__, "help %s lacks %s", usage_cmds[i], sections[s]);
            }
        }
        char name[64];
        snprintf(name, sizeof name, "cairn %s - ", usage_cmds[i]);
        CHECK(cu_contains(r.out, name));
        // CMD --help prints the same page
        char *page = strdup(r.out);
        CHECK_EQ(cu_run(&r, usage_cmds[i], "--help"), 0);
        CHECK_STR(r.out, page);
        free(page);
    }
    CHECK_EQ(cu_run(&r, "help", "nosuch"), 2);
    CHECK(cu_contains(r.err, "nosuch"));
    cu_free(&r);
}

TEST(version)
{
    struct cu_run r = {0};
    CHECK_EQ(cu_run(&r, "--version"), 0);
    CHECK_STR(r.out, "cairn " CAIRN_VERSION_STRING "\n");
    cu_free(&r);
}

// Usage errors: exit 2, "cairn: ..." then a one-line hint, nothing on stdout.
static void usage_check(struct cu_run *r, const char *what)
{
    CHECK_EQ(r->status, 2);
    CHECK_EQ(r->out_len, 0);
    CHECK(strncmp(r->err, "cairn: ", 7) == 0);
    CHECK_EQ(cu_count(r->err, "\n"), 2);
    CHECK(cu_contains(r->err, "Try 'cairn"));
    if (what && !cu_contains(r->err, what)) {
        th_fail(__FILE__, __LINE__, "usage message lacks '%s': %s", what, r->err);
    }
}

TEST(usage_errors_exit_2)
{
    struct cu_run r = {0};
    cu_run(&r, (const char *)NULL);
    usage_check(&r, "no command");
    cu_run(&r, "frobnicate");
    usage_check(&r, "unknown command 'frobnicate'");
    cu_run(&r, "ls", "--bogus", "-i", "x.img");
    usage_check(&r, "unknown option '--bogus'");
    cu_run(&r, "ls", "-i", "x.img", "-Z");
    usage_check(&r, "unknown option '-Z'");
    cu_run(&r, "ls", "--size", "1M", "-i", "x.img"); // an option of another command
    usage_check(&r, "--size");
    cu_run(&r, "ls");
    usage_check(&r, "no image given");
    cu_run(&r, "ls", "-i");
    usage_check(&r, "needs a value");
    cu_run(&r, "ls", "-i", "x.img", "--offset", "12Q");
    usage_check(&r, "--offset");
    cu_run(&r, "ls", "-i", "x.img", "--fs", "ntfs");
    usage_check(&r, "ntfs");
    cu_run(&r, "cp", "-i", "x.img", ":/a");
    usage_check(&r, NULL);
    cu_run(&r, "cp", "-i", "x.img", "a", "b");
    usage_check(&r, "host paths");
    cu_run(&r, "mv", "-i", "x.img", "/a");
    usage_check(&r, NULL);
    cu_run(&r, "cat", "-i", "x.img");
    usage_check(&r, NULL);
    cu_run(&r, "mkfs", "-i", th_tmp("absent.img"), "--fs", "fat");
    usage_check(&r, "--size");
    cu_run(&r, "mkfs", "-i", th_tmp("absent.img"), "--size", "1M");
    usage_check(&r, "--fs");
    cu_run(&r, "pack", "-i", th_tmp("absent.img"), "--size", "1M", "--fs", "fat");
    usage_check(&r, NULL);
    cu_run(&r, "mkfs", "-i", th_tmp("absent.img"), "--fs", "fat", "--size", "0");
    usage_check(&r, "size");
    cu_run(&r, "ls", "-i", "x.img", "--partition", "9");
    usage_check(&r, "partition");
    cu_free(&r);
}

TEST(global_options_before_or_after_the_command)
{
    struct cu_run r = {0};
    const char *img = th_tmp("missing.img");
    unlink(img);
    // both spellings reach the same error: the image does not exist
    CHECK_EQ(cu_run(&r, "-i", img, "ls", "/"), 1);
    char *a = strdup(r.err);
    CHECK_EQ(cu_run(&r, "ls", "/", "-i", img), 1);
    CHECK_STR(r.err, a);
    CHECK_EQ(cu_run(&r, "ls", "--image=", "/"), 1); // empty name: open fails
    CHECK_EQ(cu_run(&r, "--image", img, "--read-only", "ls"), 1);
    CHECK_STR(r.err, a);
    free(a);
    cu_free(&r);
}

TEST(missing_image)
{
    struct cu_run r = {0};
    const char *img = th_tmp("missing.img");
    unlink(img);
    CHECK_EQ(cu_run(&r, "ls", "-i", img), 1);
    char want[1200];
    snprintf(want, sizeof want, "cairn: %s: No such file or directory\n", img);
    CHECK_STR(r.err, want);
    CHECK_EQ(r.out_len, 0);
    cu_free(&r);
}

TEST(garbage_and_empty_images)
{
    struct cu_run r = {0};
    const char *img = th_tmp("garbage.img");
    static uint8_t junk[256 * 1024];
    cu_fill(junk, sizeof junk, 42);
    REQUIRE(cu_write_file(img, junk, sizeof junk) == 0);
    static const char *const cmds[] = {"ls", "info", "df", "tree", "fsck"};
    for (size_t i = 0; i < 5; i++) {
        CHECK_EQ(cu_run(&r, cmds[i], "-i", img), 1);
        CHECK(cu_contains(r.err, "no filesystem found"));
    }
    CHECK_EQ(cu_run(&r, "ls", "-i", img, "--fs", "lfs2"), 1);
    CHECK(cu_contains(r.err, "not a littlefs image"));
    REQUIRE(cu_write_file(img, "", 0) == 0);
    CHECK_EQ(cu_run(&r, "ls", "-i", img), 1);
    CHECK(cu_contains(r.err, "empty image"));
    // offset past the end
    REQUIRE(cu_write_file(img, junk, 4096) == 0);
    CHECK_EQ(cu_run(&r, "ls", "-i", img, "--offset", "1M"), 1);
    CHECK(cu_contains(r.err, "past the end"));
    cu_free(&r);
}

TEST(littlefs_v1_is_named)
{
    struct cu_run r = {0};
    CHECK_EQ(cu_run(&r, "ls", "-i", th_interop("lfs1/lfs1_bs512_bc1024.img")), 1);
    CHECK(cu_contains(r.err, "littlefs v1"));
    cu_free(&r);
}

TEST(size_suffixes)
{
    // mkfs makes the file exactly --size bytes, whatever the spelling
    struct cu_run r = {0};
    static const struct {
        const char *s;
        long long bytes;
    } sizes[] = {{"64K", 65536}, {"1M", 1048576}, {"0x20000", 131072}, {"2MiB", 2097152}};
    for (size_t i = 0; i < 4; i++) {
        const char *img = th_tmp("sizes.img");
        unlink(img);
        cu_run(&r, "mkfs", "-i", img, "--fs", "fat", "--size", sizes[i].s);
        struct stat st;
        if (r.status == 0 && stat(img, &st) == 0) {
            CHECK_EQ(st.st_size, sizes[i].bytes);
        } else {
            th_fail(__FILE__, __LINE__, "mkfs --size %s: exit %d: %s", sizes[i].s, r.status, r.err);
        }
    }
    cu_free(&r);
}
