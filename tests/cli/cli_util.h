/*
 * Helpers for the CLI tests: run build/cairn (CAIRN_CLI) with arguments and
 * capture its exit status, stdout and stderr; make and compare host trees.
 * Header-only (static functions) so that nothing leaks into other test
 * programs, which link every non-test_*.c helper.
 */
#ifndef CAIRN_TESTS_CLI_UTIL_H
#define CAIRN_TESTS_CLI_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define CU_UNUSED __attribute__((unused))

struct cu_run {
    int status; /* exit status, or 128 + signal */
    char *out;  /* NUL-terminated (may contain NULs before the end) */
    size_t out_len;
    char *err;
    size_t err_len;
};

static CU_UNUSED const char *cu_cli(void)
{
    const char *p = getenv("CAIRN_CLI");
    return p && *p ? p : "build/cairn";
}

static CU_UNUSED char *cu_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    if (f) {
        size_t got;
        while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
            n += got;
            if (n == cap) {
                cap *= 2;
                buf = realloc(buf, cap + 1);
            }
        }
        fclose(f);
    }
    buf[n] = '\0';
    if (len) {
        *len = n;
    }
    return buf;
}

static CU_UNUSED int cu_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return -1;
    }
    size_t n = fwrite(data, 1, len, f);
    return (fclose(f) == 0 && n == len) ? 0 : -1;
}

static CU_UNUSED void cu_free(struct cu_run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

/* Run the CLI with argv (NULL-terminated), stdin from `in` (len bytes; NULL =
 * /dev/null). */
static CU_UNUSED int cu_runv(struct cu_run *r, const void *in, size_t in_len, char *const *argv)
{
    // th_tmp's buffers rotate: take the paths once, before any test holds one
    static char outp[1024], errp[1024], inp[1024];
    if (outp[0] == '\0') {
        snprintf(outp, sizeof outp, "%s", th_tmp("run.out"));
        snprintf(errp, sizeof errp, "%s", th_tmp("run.err"));
        snprintf(inp, sizeof inp, "%s", th_tmp("run.in"));
    }
    if (in) {
        cu_write_file(inp, in, in_len);
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int fi = open(in ? inp : "/dev/null", O_RDONLY);
        int fo = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fi, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        execv(cu_cli(), argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r->out = cu_slurp(outp, &r->out_len);
    r->err = cu_slurp(errp, &r->err_len);
    return r->status;
}

/* cu_run(&r, "ls", "-i", img, NULL): runs and returns the exit status. The
 * previous output in r is freed first (r must be zero-initialised once). */
static CU_UNUSED int cu_run_in(struct cu_run *r, const void *in, size_t in_len, ...)
{
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)cu_cli();
    va_list ap;
    va_start(ap, in_len);
    const char *a;
    while (n < 63 && (a = va_arg(ap, const char *)) != NULL) {
        argv[n++] = (char *)a;
    }
    va_end(ap);
    argv[n] = NULL;
    cu_free(r);
    return cu_runv(r, in, in_len, argv);
}

#define cu_run(r, ...) cu_run_in((r), NULL, 0, __VA_ARGS__, (const char *)NULL)

/* A fresh empty directory (removed first if it exists). */
static CU_UNUSED int cu_fresh_dir(const char *path)
{
    if (strlen(path) > 4000) {
        return -1;
    }
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", path, path);
    return system(cmd) == 0 ? 0 : -1;
}

static CU_UNUSED int cu_have(const char *tool)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

/* Compare two host trees: same names, types, bytes; with `mtimes` also the
 * files' mtimes (seconds; with mtimes == 2 also nanoseconds). Returns the
 * number of differences, printing each. */
static CU_UNUSED int cu_tree_diff(const char *a, const char *b, int mtimes)
{
    int diffs = 0;
    DIR *d = opendir(a);
    if (d == NULL) {
        printf("  cannot open %s\n", a);
        return 1;
    }
    struct dirent *de;
    int na = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        na++;
        char pa[4096], pb[4096];
        snprintf(pa, sizeof pa, "%s/%s", a, de->d_name);
        snprintf(pb, sizeof pb, "%s/%s", b, de->d_name);
        struct stat sa, sb;
        if (stat(pa, &sa) != 0 || stat(pb, &sb) != 0) {
            printf("  missing: %s\n", pb);
            diffs++;
            continue;
        }
        if (S_ISDIR(sa.st_mode) != S_ISDIR(sb.st_mode)) {
            printf("  type differs: %s\n", pb);
            diffs++;
            continue;
        }
        if (S_ISDIR(sa.st_mode)) {
            diffs += cu_tree_diff(pa, pb, mtimes);
            continue;
        }
        size_t la, lb;
        char *da = cu_slurp(pa, &la), *db = cu_slurp(pb, &lb);
        if (la != lb || memcmp(da, db, la) != 0) {
            printf("  content differs: %s (%zu vs %zu bytes)\n", pb, la, lb);
            diffs++;
        }
        free(da);
        free(db);
        if (mtimes && (sa.st_mtim.tv_sec != sb.st_mtim.tv_sec ||
                       (mtimes == 2 && sa.st_mtim.tv_nsec != sb.st_mtim.tv_nsec))) {
            printf("  mtime differs: %s (%lld.%09ld vs %lld.%09ld)\n", pb,
                   (long long)sa.st_mtim.tv_sec, sa.st_mtim.tv_nsec, (long long)sb.st_mtim.tv_sec,
                   sb.st_mtim.tv_nsec);
            diffs++;
        }
    }
    closedir(d);
    // nothing extra in b
    d = opendir(b);
    int nb = 0;
    while (d && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            nb++;
        }
    }
    if (d) {
        closedir(d);
    }
    if (na != nb) {
        printf("  %s has %d entries, %s has %d\n", a, na, b, nb);
        diffs++;
    }
    return diffs;
}

/* Set a host path's mtime (seconds + ns). */
static CU_UNUSED void cu_set_mtime(const char *path, long long sec, long nsec)
{
    struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};
    utimensat(AT_FDCWD, path, ts, 0);
}

/* Deterministic bytes (xorshift32). */
static CU_UNUSED void cu_fill(void *buf, size_t len, uint32_t seed)
{
    uint8_t *p = buf;
    uint32_t x = seed ? seed : 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
}

static CU_UNUSED int cu_contains(const char *hay, const char *needle)
{
    return hay != NULL && strstr(hay, needle) != NULL;
}

static CU_UNUSED int cu_count(const char *hay, const char *needle)
{
    int n = 0;
    size_t l = strlen(needle);
    for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p += l) {
        n++;
    }
    return n;
}

#endif /* CAIRN_TESTS_CLI_UTIL_H */
