// CLI: `cairn mount` (FUSE): mount an image, edit it with ordinary shell
// tools, unmount, read it back with `cairn unpack`. Skips when FUSE cannot
// run here (no usable /dev/fuse, no fusermount3, or no libfuse3 build).
#include "cli_util.h"
#include "fat/fat_helpers.h"

#include <signal.h>

static int mount_usable(struct cu_run *r)
{
    int fd = open("/dev/fuse", O_RDWR);
    if (fd < 0) {
        return 0;
    }
    close(fd);
    if (!cu_have("fusermount3")) {
        return 0;
    }
    // a build without libfuse3 says so
    cu_run(r, "mount", "-i", "/nonexistent.img", "/nonexistent");
    return !cu_contains(r->err, "not available");
}

// Run `cairn mount -f` as a child; returns its pid once the mount is up
// (the child prints a line), or -1.
static pid_t mount_start(const char *img, const char *mp)
{
    int p[2];
    if (pipe(p) != 0) {
        return -1;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], 1);
        int fe = open(th_tmp("mount.err"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fe, 2);
        execl(cu_cli(), cu_cli(), "mount", "-f", "-i", img, mp, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char line[1024];
    ssize_t n = read(p[0], line, sizeof line - 1);
    close(p[0]);
    if (n <= 0) {
        int st;
        waitpid(pid, &st, 0);
        return -1;
    }
    return pid;
}

// 0 done (pass or fail recorded), 1 when the kernel refused the mount.
static int mount_roundtrip(const char *fs)
{
    struct cu_run r = {0};
    char img[1024], mp[1024], out[1024], cmd[16384];
    snprintf(img, sizeof img, "%s.img", th_tmp(fs));
    snprintf(mp, sizeof mp, "%s.mnt", th_tmp(fs));
    snprintf(out, sizeof out, "%s.out", th_tmp(fs));
    unlink(img);
    if (cu_run(&r, "mkfs", "-i", img, "--fs", fs, "--size", "2M") != 0 ||
        cu_run_in(&r, "old\n", 4, "cp", "-i", img, "-", ":/old.txt", NULL) != 0) {
        th_fail(__FILE__, __LINE__, "setup %s: %s", fs, r.err);
        cu_free(&r);
        return 0;
    }
    cu_fresh_dir(mp);
    pid_t pid = mount_start(img, mp);
    if (pid < 0) {
        size_t n;
        char *e = cu_slurp(th_tmp("mount.err"), &n);
        int refused = cu_contains(e, "cannot mount");
        if (!refused) {
            th_fail(__FILE__, __LINE__, "mount %s failed: %s", fs, e);
        }
        free(e);
        cu_free(&r);
        return refused;
    }
    // ordinary tools: create, append, mkdir, rename, remove, truncate, stat
    snprintf(cmd, sizeof cmd,
             "set -e; cd '%s'; test \"$(cat old.txt)\" = old; echo hello > new.txt; "
             "echo more >> new.txt; mkdir -p d/e; seq 1 20000 > d/e/numbers.txt; "
             "mv old.txt d/moved.txt; cp d/e/numbers.txt gone.txt; rm gone.txt; "
             "head -c 100000 /dev/zero > trunc.bin; truncate -s 1234 trunc.bin; "
             "test \"$(stat -c %%s trunc.bin)\" = 1234; mkdir tmpdir; rmdir tmpdir; "
             "test \"$(ls | tr '\\n' ' ')\" = 'd new.txt trunc.bin '",
             mp);
    int shell = system(cmd);
    CHECK_EQ(shell, 0);
    snprintf(cmd, sizeof cmd, "fusermount3 -u '%s'", mp);
    int um = system(cmd);
    CHECK_EQ(um, 0);
    if (um != 0) {
        kill(pid, SIGTERM); // never leave the test waiting on a stuck mount
    }
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    cu_fresh_dir(out);
    cu_run(&r, "unpack", "-i", img, out);
    CHECK_EQ(r.status, 0);
    snprintf(cmd, sizeof cmd,
             "set -e; cd '%s'; test \"$(cat new.txt)\" = \"$(printf 'hello\\nmore')\"; "
             "test \"$(cat d/moved.txt)\" = old; seq 1 20000 | cmp -s - d/e/numbers.txt; "
             "test ! -e gone.txt; test \"$(stat -c %%s trunc.bin)\" = 1234; "
             "test \"$(head -c 1234 /dev/zero | cmp - trunc.bin && echo same)\" = same",
             out);
    CHECK_EQ(system(cmd), 0);
    cu_run(&r, "fsck", "-i", img);
    CHECK_EQ(r.status, 0);
    // a PC's tools read the edited FAT image the same way
    if (strcmp(fs, "fat") == 0 &&
        system("command -v fsck.fat >/dev/null 2>&1 && command -v mcopy >/dev/null 2>&1") == 0) {
        snprintf(cmd, sizeof cmd,
                 "set -e; fsck.fat -n '%s' >/dev/null; rm -rf '%s.mt'; mkdir '%s.mt'; "
                 "MTOOLS_SKIP_CHECK=1 mcopy -s -n -i '%s' '::/*' '%s.mt/'; diff -r '%s' '%s.mt'; "
                 "rm -rf '%s.mt'",
                 img, out, out, img, out, out, out, out);
        CHECK_EQ(system(cmd), 0);
    }
    cu_free(&r);
    return 0;
}

TEST(fuse_mount_fat)
{
    if (!th_fat_has_fsck()) {
        SKIP("FAT built without fsck (CAIRN_FAT_FSCK=0)");
    }
    struct cu_run r = {0};
    int ok = mount_usable(&r);
    cu_free(&r);
    if (!ok) {
        SKIP("FUSE not usable here (/dev/fuse, fusermount3 or libfuse3 build missing)");
    }
    if (mount_roundtrip("fat")) {
        SKIP("the kernel refused the FUSE mount (no mount permission here)");
    }
}

TEST(fuse_mount_lfs2)
{
    struct cu_run r = {0};
    int ok = mount_usable(&r);
    cu_free(&r);
    if (!ok) {
        SKIP("FUSE not usable here (/dev/fuse, fusermount3 or libfuse3 build missing)");
    }
    if (mount_roundtrip("lfs2")) {
        SKIP("the kernel refused the FUSE mount (no mount permission here)");
    }
}
