// CLI power-loss tests (docs/power-loss.md, fault model 2): each modifying
// command is run once to count its writes to the image
// (CAIRN_FILE_WRITE_COUNT), then killed at its N-th write
// (CAIRN_FILE_KILL_AT=N) with that write complete or only half written
// (CAIRN_FILE_KILL_MODE), for every N under CAIRN_LONG=1 and a deterministic
// sample otherwise. After each kill:
//   littlefs: the image mounts read-only with no repair (unpack reads every
//             file), every earlier command's result is intact, a command that
//             is one metadata operation is all-or-nothing, a copied file is
//             absent or a byte-exact prefix of its source, fsck is clean (or
//             reports only orphans pending, which fsck --repair and the next
//             write each finish);
//   FAT:      fsck --repair, then fsck is clean, fsck.fat -n (when installed)
//             finds nothing, earlier results are intact, a copied file is
//             absent, empty or a byte-exact prefix (never foreign data).
// Pack cut inside its mkfs only has to leave an image the CLI reports on
// without crashing. A littlefs partition at --offset inside a dump is cut too:
// the bytes around it must never change. CAIRN_PL_POINTS=N sets the sample.
#include "cli_util.h"
#include "fat/fat_helpers.h"

#define PL_MAX_ENTS 64
#define PL_PATH 256

// ---- host trees ---------------------------------------------------------------

struct pl_ent {
    char path[PL_PATH]; // relative, no leading '/'
    int dir;
    char *data;
    size_t len;
};

struct pl_tree {
    struct pl_ent e[PL_MAX_ENTS];
    int n;
};

static void pl_tree_free(struct pl_tree *t)
{
    for (int i = 0; i < t->n; i++) {
        free(t->e[i].data);
    }
    t->n = 0;
}

static void pl_walk(struct pl_tree *t, const char *root, const char *rel)
{
    char dpath[2048];
    snprintf(dpath, sizeof dpath, "%s%s%s", root, rel[0] ? "/" : "", rel);
    DIR *d = opendir(dpath);
    if (d == NULL) {
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL && t->n < PL_MAX_ENTS) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        struct pl_ent *e = &t->e[t->n];
        int len = snprintf(e->path, sizeof e->path, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
        if (len < 0 || (size_t)len >= sizeof e->path) {
            continue;
        }
        char full[2400];
        snprintf(full, sizeof full, "%s/%s", root, e->path);
        struct stat st;
        if (stat(full, &st) != 0) {
            continue;
        }
        t->n++;
        e->dir = S_ISDIR(st.st_mode);
        e->data = NULL;
        e->len = 0;
        if (e->dir) {
            char sub[PL_PATH];
            snprintf(sub, sizeof sub, "%s", e->path);
            pl_walk(t, root, sub);
        } else {
            e->data = cu_slurp(full, &e->len);
        }
    }
    closedir(d);
}

static const struct pl_ent *pl_find(const struct pl_tree *t, const char *path)
{
    for (int i = 0; i < t->n; i++) {
        if (strcmp(t->e[i].path, path) == 0) {
            return &t->e[i];
        }
    }
    return NULL;
}

static int pl_same(const struct pl_ent *a, const struct pl_ent *b)
{
    return a->dir == b->dir && a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

// e holds a byte-exact prefix (possibly empty, possibly all) of file `of`.
static int pl_prefix(const struct pl_ent *e, const struct pl_ent *of)
{
    return !e->dir && !of->dir && e->len <= of->len &&
           (e->len == 0 || memcmp(e->data, of->data, e->len) == 0);
}

static int pl_equal(const struct pl_tree *a, const struct pl_tree *b)
{
    if (a->n != b->n) {
        return 0;
    }
    for (int i = 0; i < a->n; i++) {
        const struct pl_ent *o = pl_find(b, a->e[i].path);
        if (o == NULL || !pl_same(&a->e[i], o)) {
            return 0;
        }
    }
    return 1;
}

// The image's whole tree, read through the CLI (a mount, a recursive listing
// and every file's bytes). Returns the exit status of unpack.
static int pl_unpack(struct cu_run *r, const char *img, const char *dir, struct pl_tree *t)
{
    pl_tree_free(t);
    cu_fresh_dir(dir);
    int st = cu_run(r, "unpack", "-i", img, dir);
    if (st == 0) {
        pl_walk(t, dir, "");
    }
    return st;
}

// ---- judging one cut image ------------------------------------------------------------

// Problems with state `s` of an image cut during a command that turns `before`
// into `after`; printed (up to a few), counted.
static int pl_judge(const struct pl_tree *before, const struct pl_tree *after,
                    const struct pl_tree *s, int atomic, const char *what)
{
    int bad = 0;
    char why[512];
    why[0] = '\0';
    // nothing that neither state has: a file is the old bytes or a prefix of the new
    for (int i = 0; i < s->n; i++) {
        const struct pl_ent *e = &s->e[i];
        const struct pl_ent *b = pl_find(before, e->path), *a = pl_find(after, e->path);
        int ok = e->dir ? (b && b->dir) || (a && a->dir)
                        : (b && pl_same(e, b)) || (a && pl_prefix(e, a));
        if (!ok) {
            bad++;
            snprintf(why, sizeof why, "unexpected %s %s (%zu bytes)", e->dir ? "dir" : "file",
                     e->path, e->len);
        }
    }
    for (int i = 0; i < before->n; i++) {
        const struct pl_ent *b = &before->e[i];
        const struct pl_ent *a = pl_find(after, b->path), *e = pl_find(s, b->path);
        // untouched by the command: an earlier command's result
        if (a && pl_same(a, b) && !(e && pl_same(e, b))) {
            bad++;
            snprintf(why, sizeof why, "earlier result %s lost or changed", b->path);
        }
        // bytes the command keeps (mv): somewhere in full
        if (!b->dir && b->len > 0) {
            int kept = 0, found = 0;
            for (int j = 0; j < after->n && !kept; j++) {
                kept = pl_same(&after->e[j], b);
            }
            for (int j = 0; kept && j < s->n && !found; j++) {
                found = pl_same(&s->e[j], b);
            }
            if (kept && !found) {
                bad++;
                snprintf(why, sizeof why, "contents of %s lost", b->path);
            }
        }
    }
    if (atomic && !pl_equal(s, before) && !pl_equal(s, after)) {
        bad++;
        snprintf(why, sizeof why, "not all-or-nothing (%d entries; before %d, after %d)", s->n,
                 before->n, after->n);
    }
    if (bad) {
        printf("  %s: %s\n", what, why);
    }
    return bad;
}

// ---- the scenarios ---------------------------------------------------------------------

struct pl_cmd {
    const char *name;
    int fat_only;
    int atomic; // one metadata operation: all-or-nothing on littlefs
    int pack;   // formats: the image before does not matter (2: over the base image)
    const char *args[8]; // "@IMG", "@SRC", "@TREE", "@FS", "@SIZE" replaced
    const char *expect;  // path the command makes (NULL: none)
    const char *gone;    // path the command removes (NULL: none)
};

static const struct pl_cmd pl_cmds[] = {
    {"cp", 0, 0, 0, {"cp", "-i", "@IMG", "@SRC", ":/copied.bin"}, "copied.bin", NULL},
    {"cp over", 0, 0, 0, {"cp", "-i", "@IMG", "@SRC", ":/keep/k.bin"}, "keep/k.bin", NULL},
    {"cp -r", 0, 0, 0, {"cp", "-r", "-i", "@IMG", "@TREE", ":/t"}, "t/sub/b.bin", NULL},
    {"mkdir", 0, 1, 0, {"mkdir", "-i", "@IMG", "/newdir"}, "newdir", NULL},
    {"rm", 0, 1, 0, {"rm", "-i", "@IMG", "/keep/old.bin"}, NULL, "keep/old.bin"},
    {"mv", 0, 1, 0, {"mv", "-i", "@IMG", "/keep/m.txt", "/dir2/moved.txt"}, "dir2/moved.txt",
     "keep/m.txt"},
    {"mkdir -p", 0, 0, 0, {"mkdir", "-p", "-i", "@IMG", "/x/y/z"}, "x/y/z", NULL},
    {"rm -r", 0, 0, 0, {"rm", "-r", "-i", "@IMG", "/keep"}, NULL, "keep"},
    {"mv dir", 0, 1, 0, {"mv", "-i", "@IMG", "/keep", "/dir2/kept"}, "dir2/kept/k.bin", "keep"},
    {"label", 1, 1, 0, {"label", "-i", "@IMG", "NEWLABEL"}, NULL, NULL},
    {"pack", 0, 0, 1, {"pack", "-i", "@IMG", "--fs", "@FS", "--size", "@SIZE", "@TREE"}, "sub/b.bin",
     NULL},
    {"pack over", 0, 0, 2, {"pack", "-i", "@IMG", "--fs", "@FS", "--size", "@SIZE", "@TREE"},
     "sub/b.bin", "keep"},
};

struct pl_ctx {
    const char *fs;
    const char *size;
    int fat;
    char base[900], img[1024], src[1024], tree[1024], dir[1024], count[1024];
    char *base_bytes;
    size_t base_len;
    struct cu_run r;
    struct pl_tree before, after, s;
    long points, kills, problems, orphans;
};

static void pl_argv(struct pl_ctx *x, const struct pl_cmd *c, char **argv)
{
    int n = 0;
    argv[n++] = (char *)cu_cli();
    for (int i = 0; i < 8 && c->args[i]; i++) {
        const char *a = c->args[i];
        a = strcmp(a, "@IMG") == 0    ? x->img
            : strcmp(a, "@SRC") == 0  ? x->src
            : strcmp(a, "@TREE") == 0 ? x->tree
            : strcmp(a, "@FS") == 0   ? x->fs
            : strcmp(a, "@SIZE") == 0 ? x->size
                                      : a;
        argv[n++] = (char *)a;
    }
    argv[n] = NULL;
}

// Run the command on a fresh copy of the base image (pack: no image), killed
// at write `kill_at` (0: never). Returns the exit status (137: killed).
static int pl_run(struct pl_ctx *x, const struct pl_cmd *c, long kill_at, const char *mode)
{
    unlink(x->img);
    if (c->pack != 1) {
        cu_write_file(x->img, x->base_bytes, x->base_len);
    }
    char *argv[12], n[32];
    pl_argv(x, c, argv);
    if (kill_at > 0) {
        snprintf(n, sizeof n, "%ld", kill_at);
        setenv("CAIRN_FILE_KILL_AT", n, 1);
        setenv("CAIRN_FILE_KILL_MODE", mode, 1);
    } else {
        setenv("CAIRN_FILE_WRITE_COUNT", x->count, 1);
    }
    cu_free(&x->r);
    int st = cu_runv(&x->r, NULL, 0, argv);
    unsetenv("CAIRN_FILE_KILL_AT");
    unsetenv("CAIRN_FILE_KILL_MODE");
    unsetenv("CAIRN_FILE_WRITE_COUNT");
    return st;
}

static long pl_count(struct pl_ctx *x)
{
    char *s = cu_slurp(x->count, NULL);
    long n = strtol(s, NULL, 10);
    free(s);
    return n;
}

// The label, or "" when it cannot be read.
static void pl_label(struct pl_ctx *x, char *out, size_t len)
{
    out[0] = '\0';
    if (cu_run(&x->r, "label", "-i", x->img) == 0) {
        snprintf(out, len, "%.*s", (int)strcspn(x->r.out, "\n"), x->r.out);
    }
}

// Judge the image left by a kill; returns the number of problems.
static int pl_check(struct pl_ctx *x, const struct pl_cmd *c, const struct pl_tree *before,
                    const char *what, const char *old_label)
{
    struct cu_run *r = &x->r;
    if (x->fat) {
        cu_run(r, "fsck", "-i", x->img, "--repair");
        if (r->status > 1) {
            printf("  %s: fsck --repair exit %d: %s", what, r->status, r->err);
            return 1;
        }
        if (cu_run(r, "fsck", "-i", x->img) != 0) {
            printf("  %s: fsck after repair: exit %d: %s%s", what, r->status, r->out, r->err);
            return 1;
        }
        if (cu_have("fsck.fat")) {
            char cmd[2200];
            snprintf(cmd, sizeof cmd, "fsck.fat -n '%s' >/dev/null 2>&1", x->img);
            if (system(cmd) != 0) {
                printf("  %s: fsck.fat -n finds problems after repair\n", what);
                return 1;
            }
        }
    }
    // littlefs: judged as mounted read-only, with no repair
    if (pl_unpack(r, x->img, x->dir, &x->s) != 0) {
        printf("  %s: unpack: exit %d: %s", what, r->status, r->err);
        return 1;
    }
    int bad = pl_judge(before, &x->after, &x->s, c->atomic && !x->fat, what);
    if (!x->fat && cu_run(r, "fsck", "-i", x->img) != 0) {
        // a directory removed from its parent but not yet from the global
        // list is littlefs's designed intermediate state (formats.md 1.8):
        // the next writer finishes it. Anything else is a problem.
        if (r->status != 1 || cu_count(r->out, "\n") != 1 + cu_count(r->out, "orphans pending repair\n")) {
            printf("  %s: littlefs fsck: exit %d: %s%s", what, r->status, r->out, r->err);
            return bad + 1;
        }
        x->orphans++;
        // fsck --repair finishes it on the medium and says so
        cu_run(r, "fsck", "-i", x->img, "--repair");
        if (r->status != 1 || strstr(r->out, "orphans pending repair (repaired)") == NULL ||
            strstr(r->out, ", 0 left") == NULL || cu_run(r, "fsck", "-i", x->img) != 0) {
            printf("  %s: littlefs fsck --repair: exit %d: %s%s", what, r->status, r->out, r->err);
            return bad + 1;
        }
        // and the next write has nothing left to finish
        cu_run(r, "mkdir", "-i", x->img, "/pl-probe");
        if (r->status != 0 || cu_run(r, "fsck", "-i", x->img) != 0) {
            printf("  %s: littlefs after the next write: %s%s", what, r->out, r->err);
            return bad + 1;
        }
    }
    if (strcmp(c->name, "label") == 0) {
        char l[64];
        pl_label(x, l, sizeof l);
        if (strcmp(l, old_label) != 0 && strcmp(l, "NEWLABEL") != 0) {
            printf("  %s: label \"%s\"\n", what, l);
            bad++;
        }
    }
    return bad;
}

// Kill points for W writes: all of them under CAIRN_LONG, else the last few
// (the commits) and an even spread over the rest.
static int pl_points(long w, long *pts, int max)
{
    int k = 0;
    if (th_long() || w <= max) {
        for (long i = 1; i <= w && k < max; i++) {
            pts[k++] = i;
        }
        return k;
    }
    int tail = max / 2, spread = max - tail;
    long rest = w - tail;
    for (int i = 0; i < spread; i++) {
        pts[k++] = 1 + (long)i * (rest - 1) / (spread > 1 ? spread - 1 : 1);
    }
    for (long i = w - tail + 1; i <= w; i++) {
        pts[k++] = i;
    }
    return k;
}

static int pl_sample(void)
{
    const char *e = getenv("CAIRN_PL_POINTS");
    int n = e ? atoi(e) : 0;
    return n > 0 ? n : 24;
}

static void pl_scenario(struct pl_ctx *x, const struct pl_cmd *c)
{
    char what[200], old_label[64] = "";
    static struct pl_tree empty; // pack: nothing before
    if (x->fat) {
        snprintf(x->img, sizeof x->img, "%s", x->base);
        pl_label(x, old_label, sizeof old_label);
        snprintf(x->img, sizeof x->img, "%s.work", x->base);
    }
    // the uncut run: its write count and the state after
    if (pl_run(x, c, 0, NULL) != 0) {
        th_fail(__FILE__, __LINE__, "%s %s: exit %d: %s", x->fs, c->name, x->r.status, x->r.err);
        return;
    }
    long w = pl_count(x);
    if (pl_unpack(&x->r, x->img, x->dir, &x->after) != 0) {
        th_fail(__FILE__, __LINE__, "%s %s: unpack after: %s", x->fs, c->name, x->r.err);
        return;
    }
    CHECK(c->expect == NULL || pl_find(&x->after, c->expect) != NULL);
    CHECK(c->gone == NULL || pl_find(&x->after, c->gone) == NULL);
    if (x->fat) {
        CHECK_EQ(cu_run(&x->r, "fsck", "-i", x->img), 0);
    }
    // pack: writes up to the end of its mkfs leave an unfinished format
    long fmt = 0;
    if (c->pack) {
        unlink(x->img);
        if (c->pack == 2) {
            cu_write_file(x->img, x->base_bytes, x->base_len);
        }
        setenv("CAIRN_FILE_WRITE_COUNT", x->count, 1);
        cu_run(&x->r, "mkfs", "-i", x->img, "--fs", x->fs, "--size", x->size);
        unsetenv("CAIRN_FILE_WRITE_COUNT");
        fmt = pl_count(x);
    }
    const struct pl_tree *before = c->pack ? &empty : &x->before;
    long pts[4096];
    int np = pl_points(w, pts, th_long() ? 4096 : pl_sample());
    static const char *const modes[] = {"full", "half"};
    long problems = 0;
    for (int i = 0; i < np; i++) {
        for (int m = 0; m < 2; m++) {
            snprintf(what, sizeof what, "%s %s killed at write %ld/%ld (%s)", x->fs, c->name,
                     pts[i], w, modes[m]);
            int st = pl_run(x, c, pts[i], modes[m]);
            x->kills++;
            if (st != 128 + 9) {
                printf("  %s: not killed (exit %d)\n", what, st);
                problems++;
                continue;
            }
            if (pts[i] <= fmt) {
                // an unfinished format promises nothing but a clear message
                cu_run(&x->r, "ls", "-i", x->img, "-R");
                if (x->r.status > 1) {
                    printf("  %s: ls crashed (status %d)\n", what, x->r.status);
                    problems++;
                }
                continue;
            }
            problems += pl_check(x, c, before, what, old_label);
        }
    }
    x->points += np;
    x->problems += problems;
    printf("  %-4s %-8s %5ld writes, %d kill points x 2 modes%s, %ld problems\n", x->fs, c->name, w,
           np, c->pack ? " (format included)" : "", problems);
    CHECK_EQ(problems, 0);
}

// Scratch files: on tmpfs when there is one. The kill model needs no fsync
// (a killed process's writes stay in the page cache), and the CLI's
// fdatasync at every sync point made the run depend on the disk's load.
static void pl_paths(struct pl_ctx *x, const char *fs)
{
    x->fs = fs;
    x->fat = strcmp(fs, "fat") == 0;
    x->size = x->fat ? "1M" : "256K";
    char stem[800];
    struct stat st;
    if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0) {
        snprintf(stem, sizeof stem, "/dev/shm/cairn-pl-%ld-%s", (long)getpid(), fs);
    } else {
        snprintf(stem, sizeof stem, "%.700s_%s", th_tmp("pl"), fs);
    }
    snprintf(x->base, sizeof x->base, "%s.base.img", stem);
    snprintf(x->img, sizeof x->img, "%s.work", x->base);
    snprintf(x->src, sizeof x->src, "%s.src.bin", stem);
    snprintf(x->tree, sizeof x->tree, "%s.tree", stem);
    snprintf(x->dir, sizeof x->dir, "%s.out", stem);
    snprintf(x->count, sizeof x->count, "%s.count", stem);
}

static void pl_cleanup(struct pl_ctx *x)
{
    unlink(x->base);
    unlink(x->img);
    unlink(x->src);
    unlink(x->count);
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", x->tree, x->dir);
    if (system(cmd) != 0) {
        printf("  could not remove %s, %s\n", x->tree, x->dir);
    }
}

// The base image: the results of earlier commands, which every cut must keep.
static int pl_setup(struct pl_ctx *x)
{
    struct cu_run *r = &x->r;
    static char k[7000], old[3000], m[500], src[9000], a[100], b[5000];
    cu_fill(k, sizeof k, 11);
    cu_fill(old, sizeof old, 12);
    cu_fill(m, sizeof m, 13);
    cu_fill(src, sizeof src, 14);
    cu_fill(a, sizeof a, 15);
    cu_fill(b, sizeof b, 16);
    char p[1200];
    if (cu_write_file(x->src, src, sizeof src) != 0) {
        th_fail(__FILE__, __LINE__, "cannot write %s", x->src);
        return -1;
    }
    cu_fresh_dir(x->tree);
    snprintf(p, sizeof p, "%s/sub", x->tree);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/a.txt", x->tree);
    cu_write_file(p, a, sizeof a);
    snprintf(p, sizeof p, "%s/sub/b.bin", x->tree);
    cu_write_file(p, b, sizeof b);
    snprintf(p, sizeof p, "%s/sub/empty", x->tree);
    cu_write_file(p, "", 0);

    unlink(x->base);
    if (x->fat) {
        cu_run(r, "mkfs", "-i", x->base, "--fs", "fat", "--size", x->size, "--label", "OLDLABEL");
    } else {
        cu_run(r, "mkfs", "-i", x->base, "--fs", "lfs2", "--size", x->size);
    }
    if (r->status != 0) {
        th_fail(__FILE__, __LINE__, "mkfs %s: %s", x->fs, r->err);
        return -1;
    }
    int st = cu_run(r, "mkdir", "-i", x->base, "/keep", "/dir2");
    st |= cu_run_in(r, k, sizeof k, "cp", "-i", x->base, "-", ":/keep/k.bin", NULL);
    st |= cu_run_in(r, old, sizeof old, "cp", "-i", x->base, "-", ":/keep/old.bin", NULL);
    st |= cu_run_in(r, m, sizeof m, "cp", "-i", x->base, "-", ":/keep/m.txt", NULL);
    st |= cu_run_in(r, "top", 3, "cp", "-i", x->base, "-", ":/top.txt", NULL);
    if (st != 0) {
        th_fail(__FILE__, __LINE__, "%s base image: %s", x->fs, r->err);
        return -1;
    }
    if (pl_unpack(r, x->base, x->dir, &x->before) != 0 || x->before.n != 6) {
        th_fail(__FILE__, __LINE__, "%s base image reads back %d entries: %s", x->fs, x->before.n,
                r->err);
        return -1;
    }
    free(x->base_bytes);
    x->base_bytes = cu_slurp(x->base, &x->base_len);
    return 0;
}

static void pl_fs(const char *fs)
{
    static struct pl_ctx x;
    memset(&x, 0, sizeof x);
    pl_paths(&x, fs);
    if (pl_setup(&x) == 0) {
        for (size_t i = 0; i < sizeof pl_cmds / sizeof pl_cmds[0]; i++) {
            if (pl_cmds[i].fat_only && !x.fat) {
                continue;
            }
            pl_scenario(&x, &pl_cmds[i]);
        }
    }
    printf("  %s: %ld kill points, %ld killed runs judged, %ld problems", fs, x.points, x.kills,
           x.problems);
    if (!x.fat) {
        printf(" (%ld left orphans, repaired by fsck --repair)", x.orphans);
    }
    printf("\n");
    pl_cleanup(&x);
    pl_tree_free(&x.before);
    pl_tree_free(&x.after);
    pl_tree_free(&x.s);
    free(x.base_bytes);
    cu_free(&x.r);
}

// ---- the judge itself ----------------------------------------------------------------

static void pl_add(struct pl_tree *t, const char *path, const char *data)
{
    struct pl_ent *e = &t->e[t->n++];
    snprintf(e->path, sizeof e->path, "%s", path);
    e->dir = data == NULL;
    e->data = data ? strdup(data) : NULL;
    e->len = data ? strlen(data) : 0;
}

// Start from the base tree of the judge tests.
static void pl_base(struct pl_tree *t)
{
    pl_tree_free(t);
    pl_add(t, "keep", NULL);
    pl_add(t, "keep/k.bin", "earlier");
    pl_add(t, "m.txt", "move me");
}

TEST(judge_rejects_what_a_cut_must_not_leave)
{
    static struct pl_tree before, cp, mv, s;
    pl_base(&before);
    pl_base(&cp);
    pl_add(&cp, "copied.bin", "0123456789");
    pl_tree_free(&mv);
    pl_add(&mv, "keep", NULL);
    pl_add(&mv, "keep/k.bin", "earlier");
    pl_add(&mv, "keep/moved.txt", "move me");
    // acceptable: nothing yet, a prefix, empty, all
    static const char *const good[] = {NULL, "", "01234", "0123456789"};
    for (int i = 0; i < 4; i++) {
        pl_base(&s);
        if (good[i]) {
            pl_add(&s, "copied.bin", good[i]);
        }
        CHECK_EQ(pl_judge(&before, &cp, &s, 0, "good cp"), 0);
    }
    // foreign bytes, too long, an extra file, an earlier result lost or changed
    pl_base(&s);
    pl_add(&s, "copied.bin", "01x");
    CHECK_EQ(pl_judge(&before, &cp, &s, 0, "(expected) foreign"), 1);
    pl_base(&s);
    pl_add(&s, "copied.bin", "0123456789AB");
    CHECK_EQ(pl_judge(&before, &cp, &s, 0, "(expected) too long"), 1);
    pl_base(&s);
    pl_add(&s, "junk", "x");
    CHECK_EQ(pl_judge(&before, &cp, &s, 0, "(expected) extra"), 1);
    pl_base(&s);
    s.e[1].data[0] = 'E';
    CHECK(pl_judge(&before, &cp, &s, 0, "(expected) changed") > 0);
    pl_base(&s);
    free(s.e[1].data);
    s.e[1] = s.e[2];
    s.n = 2;
    CHECK(pl_judge(&before, &cp, &s, 0, "(expected) lost") > 0);
    // mv: old or new name, never both (on littlefs) nor neither
    CHECK_EQ(pl_judge(&before, &mv, &before, 1, "mv before"), 0);
    CHECK_EQ(pl_judge(&before, &mv, &mv, 1, "mv after"), 0);
    pl_base(&s);
    pl_add(&s, "keep/moved.txt", "move me");
    CHECK_EQ(pl_judge(&before, &mv, &s, 1, "(expected) both names"), 1);
    CHECK_EQ(pl_judge(&before, &mv, &s, 0, "both names, not atomic"), 0);
    pl_tree_free(&s);
    pl_add(&s, "keep", NULL);
    pl_add(&s, "keep/k.bin", "earlier");
    CHECK(pl_judge(&before, &mv, &s, 0, "(expected) neither name") > 0);
    pl_tree_free(&before);
    pl_tree_free(&cp);
    pl_tree_free(&mv);
    pl_tree_free(&s);
}

// A littlefs partition inside a flash dump (--offset): cut cp at every
// sampled write; the bytes around the partition never change, the
// partition mounts, the file is absent or a prefix of its source.
TEST(kill_inside_a_flash_dump)
{
    struct cu_run r = {0};
    char part[1024], dump[1100], count[1100];
    snprintf(part, sizeof part, "%s", th_tmp("pl_part.img"));
    snprintf(dump, sizeof dump, "%s.dump", part);
    snprintf(count, sizeof count, "%s.count", part);
    unlink(part);
    REQUIRE(cu_run(&r, "mkfs", "-i", part, "--fs", "lfs2", "--size", "128K") == 0);
    size_t plen;
    char *pbytes = cu_slurp(part, &plen);
    const size_t pre = 64 * 1024, post = 32 * 1024, len = pre + plen + post;
    char *d = malloc(len);
    memset(d, 0xA5, len);
    memcpy(d + pre, pbytes, plen);
    static char src[6000];
    cu_fill(src, sizeof src, 21);
    setenv("CAIRN_FILE_WRITE_COUNT", count, 1);
    REQUIRE(cu_write_file(dump, d, len) == 0);
    cu_run_in(&r, src, sizeof src, "cp", "-i", dump, "--offset", "64K", "-", ":/f.bin", NULL);
    unsetenv("CAIRN_FILE_WRITE_COUNT");
    CHECK_EQ(r.status, 0);
    char *cs = cu_slurp(count, NULL);
    long w = strtol(cs, NULL, 10);
    free(cs);
    CHECK(w > 0);
    long pts[4096];
    int np = pl_points(w, pts, th_long() ? 4096 : pl_sample());
    static const char *const modes[] = {"full", "half"};
    int bad = 0;
    for (int i = 0; i < np; i++) {
        for (int m = 0; m < 2; m++) {
            char n[32];
            snprintf(n, sizeof n, "%ld", pts[i]);
            REQUIRE(cu_write_file(dump, d, len) == 0);
            setenv("CAIRN_FILE_KILL_AT", n, 1);
            setenv("CAIRN_FILE_KILL_MODE", modes[m], 1);
            cu_run_in(&r, src, sizeof src, "cp", "-i", dump, "--offset", "64K", "-", ":/f.bin",
                      NULL);
            unsetenv("CAIRN_FILE_KILL_AT");
            unsetenv("CAIRN_FILE_KILL_MODE");
            int ok = r.status == 128 + 9;
            size_t got;
            char *after = cu_slurp(dump, &got);
            ok = ok && got == len && memcmp(after, d, pre) == 0 &&
                 memcmp(after + pre + plen, d + pre + plen, post) == 0;
            free(after);
            ok = ok && cu_run(&r, "ls", "-i", dump, "--offset", "64K", "-R") == 0;
            if (ok && strstr(r.out, "f.bin") != NULL) {
                cu_run(&r, "cat", "-i", dump, "--offset", "64K", "/f.bin");
                ok = r.status == 0 && r.out_len <= sizeof src &&
                     memcmp(r.out, src, r.out_len) == 0;
            }
            if (!ok) {
                printf("  cp in a dump killed at write %ld/%ld (%s): status %d %s\n", pts[i], w,
                       modes[m], r.status, r.err);
                bad++;
            }
        }
    }
    printf("  lfs2 at --offset 64K: cp %ld writes, %d kill points x 2 modes, %d problems\n", w, np,
           bad);
    CHECK_EQ(bad, 0);
    free(d);
    free(pbytes);
    unlink(dump);
    unlink(part);
    unlink(count);
    cu_free(&r);
}

TEST(kill_at_every_write_lfs2)
{
    pl_fs("lfs2");
}

TEST(kill_at_every_write_fat)
{
    if (!th_fat_has_fsck()) {
        SKIP("FAT built without fsck (CAIRN_FAT_FSCK=0)");
    }
    pl_fs("fat");
}
