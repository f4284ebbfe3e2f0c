// cairn CLI: commands that look at or change the tree inside an image:
// mkfs, info, ls, tree, cat, mkdir, rmdir, rm, mv, df, fsck, label.
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

// ---- shared helpers ---------------------------------------------------------------

const char *cairn_cli_join(const char *dir, const char *name, char *buf, size_t len)
{
    size_t dl = strlen(dir);
    while (dl > 0 && dir[dl - 1] == '/') {
        dl--;
    }
    int n = snprintf(buf, len, "%.*s/%s", (int)dl, dir, name);
    if (n < 0 || (size_t)n >= len) {
        return NULL;
    }
    return buf;
}

static int fs_ent_cmp(const void *a, const void *b)
{
    const struct cairn_cli_ent *x = a, *y = b;
    return strcmp(x->name, y->name);
}

void cairn_cli_ents_free(struct cairn_cli_ent *ents, int n)
{
    for (int i = 0; i < n; i++) {
        free(ents[i].name);
    }
    free(ents);
}

int cairn_cli_readdir(const char *path, struct cairn_cli_ent **out)
{
    *out = NULL;
    int dd = cairn_vfs_opendir(path);
    if (dd < 0) {
        return dd;
    }
    struct cairn_cli_ent *ents = NULL;
    int n = 0, cap = 0, rc = 0;
    struct cairn_dirent *de = malloc(sizeof *de);
    if (de == NULL) {
        cairn_vfs_closedir(dd);
        return CAIRN_ENOMEM;
    }
    // a damaged directory could loop: stop after a million entries
    while (n < 1000000) {
        rc = cairn_vfs_readdir(dd, de);
        if (rc <= 0) {
            break;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct cairn_cli_ent *ne = realloc(ents, (size_t)cap * sizeof *ents);
            if (ne == NULL) {
                rc = CAIRN_ENOMEM;
                break;
            }
            ents = ne;
        }
        ents[n].name = strdup(de->name);
        if (ents[n].name == NULL) {
            rc = CAIRN_ENOMEM;
            break;
        }
        memset(&ents[n].st, 0, sizeof ents[n].st);
        ents[n].st.mode = de->type;
        ents[n].st.size = de->size;
        n++;
    }
    free(de);
    cairn_vfs_closedir(dd);
    if (rc < 0) {
        cairn_cli_ents_free(ents, n);
        return rc;
    }
    // stat for mtimes (dirents carry no time)
    char *p = malloc(CAIRN_PATH_MAX + 1);
    for (int i = 0; p && i < n; i++) {
        struct cairn_stat st;
        if (cairn_cli_join(path, ents[i].name, p, CAIRN_PATH_MAX + 1) &&
            cairn_vfs_stat(p, &st) == 0) {
            ents[i].st = st;
        }
    }
    free(p);
    if (n > 1) {
        qsort(ents, (size_t)n, sizeof *ents, fs_ent_cmp);
    }
    *out = ents;
    return n;
}

// Image path of argument i, or "/" when there is none.
static const char *fs_arg(struct cairn_cli *c, int i, char *buf, size_t len)
{
    const char *a = i < c->argc ? c->argv[i] : "/";
    const char *p = cairn_cli_ipath(a, buf, len);
    if (p == NULL) {
        cairn_cli_err(a, CAIRN_ENAMETOOLONG);
    }
    return p;
}

static const char *fs_basename(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

// ---- mkfs ---------------------------------------------------------------------------

int cairn_cmd_mkfs(struct cairn_cli *c)
{
    if (c->argc > 0) {
        return cairn_cli_usage(c, "unexpected argument '%s'", c->argv[0]);
    }
    return cairn_cli_format(c);
}

// ---- info and df ------------------------------------------------------------------------

int cairn_cmd_info(struct cairn_cli *c)
{
    if (c->argc > 0) {
        return cairn_cli_usage(c, "unexpected argument '%s'", c->argv[0]);
    }
    struct cairn_img *img = cairn_cli_open(c, 0);
    if (img == NULL) {
        return CLI_EXIT_FAIL;
    }
    struct cairn_fs_info fi;
    memset(&fi, 0, sizeof fi);
    int rc = cairn_vfs_info("/", &fi);
    int status = 0;
    if (rc != 0) {
        status = cairn_cli_err(c->image, rc);
    } else {
        uint64_t total = fi.units_total * fi.unit_size, avail = fi.units_free * fi.unit_size;
        printf("image:        %s\n", c->image);
        printf("filesystem:   %s%s%s\n", fi.type, fi.version[0] ? " " : "", fi.version);
        printf("block size:   %u\n", (unsigned)fi.block_size);
        printf("block count:  %u\n", (unsigned)fi.block_count);
        printf("unit size:    %u\n", (unsigned)fi.unit_size);
        printf("units total:  %llu\n", (unsigned long long)fi.units_total);
        printf("units free:   %llu\n", (unsigned long long)fi.units_free);
        printf("size:         %llu\n", (unsigned long long)total);
        printf("used:         %llu\n", (unsigned long long)(total - avail));
        printf("free:         %llu\n", (unsigned long long)avail);
        printf("name max:     %u\n", (unsigned)fi.name_max);
        if (fi.label[0]) {
            printf("label:        %s\n", fi.label);
        }
        if (fi.fat_copies) {
            printf("details:      start %u, sectors %u, FATs %u x %u sectors", (unsigned)fi.vol_start,
                   (unsigned)fi.vol_blocks, (unsigned)fi.fat_copies, (unsigned)fi.fat_blocks);
            if (fi.root_entries) {
                printf(", root entries %u", (unsigned)fi.root_entries);
            }
            printf("%s\n", fi.flags & CAIRN_FS_INFO_UNCLEAN ? ", not cleanly unmounted" : "");
        }
    }
    int rc2 = cairn_cli_close(img);
    return status ? status : rc2;
}

int cairn_cmd_df(struct cairn_cli *c)
{
    if (c->argc > 0) {
        return cairn_cli_usage(c, "unexpected argument '%s'", c->argv[0]);
    }
    struct cairn_img *img = cairn_cli_open(c, 0);
    if (img == NULL) {
        return CLI_EXIT_FAIL;
    }
    struct cairn_statvfs sv;
    int rc = cairn_vfs_statvfs("/", &sv);
    int status = 0;
    if (rc != 0) {
        status = cairn_cli_err(c->image, rc);
    } else {
        uint64_t size = sv.f_blocks * sv.f_frsize, avail = sv.f_bavail * sv.f_frsize;
        uint64_t used = (sv.f_blocks - sv.f_bfree) * sv.f_frsize;
        unsigned pct = size ? (unsigned)((used * 100 + size - 1) / size) : 0;
        printf("%-20s %12s %12s %12s %4s %s\n", "Image", "Size", "Used", "Avail", "Use%", "Type");
        printf("%-20s %12llu %12llu %12llu %3u%% %s\n", c->image, (unsigned long long)size,
               (unsigned long long)used, (unsigned long long)avail, pct, cairn_cli_fstype(img));
    }
    int rc2 = cairn_cli_close(img);
    return status ? status : rc2;
}

// ---- ls ---------------------------------------------------------------------------------

static void fs_json_str(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            printf("\\%c", *p);
        } else if (*p < 0x20) {
            printf("\\u%04x", *p);
        } else {
            putchar(*p);
        }
    }
    putchar('"');
}

struct fs_ls {
    struct cairn_cli *c;
    int first_json;
    int status;
};

static void fs_ls_line(struct fs_ls *ls, const char *abs, const char *shown,
                       const struct cairn_stat *st)
{
    int dir = st->mode == CAIRN_S_IFDIR;
    if (ls->c->json) {
        printf("%s\n  {\"path\": ", ls->first_json ? "" : ",");
        ls->first_json = 0;
        fs_json_str(abs);
        printf(", \"type\": \"%s\", \"size\": %lld, \"mtime\": ", dir ? "dir" : "file",
               (long long)st->size);
        if (st->has_mtime) {
            printf("%lld}", (long long)st->mtime);
        } else {
            printf("null}");
        }
        return;
    }
    if (ls->c->long_fmt) {
        char when[32] = "-";
        if (st->has_mtime) {
            time_t t = (time_t)st->mtime;
            struct tm tm;
            if (gmtime_r(&t, &tm)) {
                strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
            }
        }
        printf("%c %12lld %-19s %s%s\n", dir ? 'd' : '-', (long long)st->size, when, shown,
               dir ? "/" : "");
        return;
    }
    printf("%s\n", shown);
}

// List the directory `abs`; names shown relative to the listed root (`rel`).
static void fs_ls_dir(struct fs_ls *ls, const char *abs, const char *rel, int depth)
{
    struct cairn_cli_ent *ents;
    int n = cairn_cli_readdir(abs, &ents);
    if (n < 0) {
        ls->status = cairn_cli_err(abs, n);
        return;
    }
    char *p = malloc(CAIRN_PATH_MAX + 1), *r = malloc(CAIRN_PATH_MAX + 1);
    for (int i = 0; p && r && i < n; i++) {
        if (!cairn_cli_join(abs, ents[i].name, p, CAIRN_PATH_MAX + 1)) {
            ls->status = cairn_cli_err(ents[i].name, CAIRN_ENAMETOOLONG);
            continue;
        }
        if (rel[0]) {
            snprintf(r, CAIRN_PATH_MAX + 1, "%s/%s", rel, ents[i].name);
        } else {
            snprintf(r, CAIRN_PATH_MAX + 1, "%s", ents[i].name);
        }
        fs_ls_line(ls, p, r, &ents[i].st);
        if (ls->c->recursive && ents[i].st.mode == CAIRN_S_IFDIR && depth < 256) {
            fs_ls_dir(ls, p, r, depth + 1);
        }
    }
    free(p);
    free(r);
    cairn_cli_ents_free(ents, n);
}

int cairn_cmd_ls(struct cairn_cli *c)
{
    struct cairn_img *img = cairn_cli_open(c, 0);
    if (img == NULL) {
        return CLI_EXIT_FAIL;
    }
    struct fs_ls ls = {c, 1, 0};
    char buf[CAIRN_PATH_MAX + 2];
    int n = c->argc ? c->argc : 1;
    if (c->json) {
        printf("[");
    }
    for (int i = 0; i < n; i++) {
        const char *p = fs_arg(c, i, buf, sizeof buf);
        if (p == NULL) {
            ls.status = 1;
            continue;
        }
        struct cairn_stat st;
        int rc = cairn_vfs_stat(p, &st);
        if (rc != 0) {
            ls.status = cairn_cli_err(c->argc ? c->argv[i] : "/", rc);
            continue;
        }
        if (st.mode == CAIRN_S_IFDIR) {
            if (n > 1 && !c->json) {
                printf("%s%s:\n", i ? "\n" : "", p);
            }
            fs_ls_dir(&ls, p, "", 0);
        } else {
            fs_ls_line(&ls, p, c->json ? p : fs_basename(p), &st);
        }
    }
    if (c->json) {
        printf("%s]\n", ls.first_json ? "" : "\n");
    }
    int rc = cairn_cli_close(img);
    return ls.status ? ls.status : rc;
}

// ---- tree -------------------------------------------------------------------------------

struct fs_tree {
    unsigned dirs, files;
    int status;
    char prefix[4 * 256 + 1];
};

static void fs_tree_dir(struct fs_tree *t, const char *abs, size_t plen)
{
    struct cairn_cli_ent *ents;
    int n = cairn_cli_readdir(abs, &ents);
    if (n < 0) {
        t->status = cairn_cli_err(abs, n);
        return;
    }
    char *p = malloc(CAIRN_PATH_MAX + 1);
    for (int i = 0; p && i < n; i++) {
        int last = i == n - 1, dir = ents[i].st.mode == CAIRN_S_IFDIR;
        printf("%.*s%s%s%s\n", (int)plen, t->prefix, last ? "`-- " : "|-- ", ents[i].name,
               dir ? "/" : "");
        if (dir) {
            t->dirs++;
            if (plen + 4 < sizeof t->prefix &&
                cairn_cli_join(abs, ents[i].name, p, CAIRN_PATH_MAX + 1)) {
                memcpy(t->prefix + plen, last ? "    " : "|   ", 4);
                fs_tree_dir(t, p, plen + 4);
            }
        } else {
            t->files++;
        }
    }
    free(p);
    cairn_cli_ents_free(ents, n);
}

int cairn_cmd_tree(struct cairn_cli *c)
{
    if (c->argc > 1) {
        return cairn_cli_usage(c, "too many arguments");
    }
    struct cairn_img *img = cairn_cli_open(c, 0);
    if (img == NULL) {
        return CLI_EXIT_FAIL;
    }
    struct fs_tree *t = calloc(1, sizeof *t);
    char buf[CAIRN_PATH_MAX + 2];
    const char *p = fs_arg(c, 0, buf, sizeof buf);
    int status = 0;
    struct cairn_stat st;
    int rc = p ? cairn_vfs_stat(p, &st) : CAIRN_ENAMETOOLONG;
    if (t == NULL) {
        status = cairn_cli_err(c->image, CAIRN_ENOMEM);
    } else if (rc != 0) {
        status = cairn_cli_err(c->argc ? c->argv[0] : "/", rc);
    } else if (st.mode != CAIRN_S_IFDIR) {
        status = cairn_cli_err(c->argv[0], CAIRN_ENOTDIR);
    } else {
        printf("%s\n", p);
        fs_tree_dir(t, p, 0);
        printf("\n%u director%s, %u file%s\n", t->dirs, t->dirs == 1 ? "y" : "ies", t->files,
               t->files == 1 ? "" : "s");
        status = t->status;
    }
    free(t);
    rc = cairn_cli_close(img);
    return status ? status : rc;
}

// ---- cat -----------------------------------------------------------------------------------

int cairn_cmd_cat(struct cairn_cli *c)
{
    if (c->argc == 0) {
        return cairn_cli_usage(c, "no file given");
    }
    struct cairn_img *img = cairn_cli_open(c, 0);
    if (img == NULL) {
        return CLI_EXIT_FAIL;
    }
    int status = 0;
    char buf[CAIRN_PATH_MAX + 2];
    static uint8_t data[65536];
    for (int i = 0; i < c->argc; i++) {
        const char *p = fs_arg(c, i, buf, sizeof buf);
        if (p == NULL) {
            status = 1;
            continue;
        }
        // FAT answers ENOENT for a directory (as MicroPython): say what it is
        struct cairn_stat st;
        int fd = cairn_vfs_stat(p, &st);
        if (fd == 0 && st.mode == CAIRN_S_IFDIR) {
            fd = CAIRN_EISDIR;
        }
        if (fd == 0) {
            fd = cairn_vfs_open(p, "rb");
        }
        if (fd < 0) {
            status = cairn_cli_err(c->argv[i], fd);
            continue;
        }
        for (;;) {
            int32_t n = cairn_vfs_read(fd, data, sizeof data);
            if (n < 0) {
                status = cairn_cli_err(c->argv[i], n);
                break;
            }
            if (n == 0) {
                break;
            }
            if (fwrite(data, 1, (size_t)n, stdout) != (size_t)n) {
                status = cairn_cli_errno("stdout");
                break;
            }
        }
        cairn_vfs_close(fd);
    }
    int rc = cairn_cli_close(img);
    return status ? status : rc;
}

// ---- mkdir / rmdir / rm / mv ------------------------------------------------------------------

// mkdir -p: every missing component; existing directories are fine.
static int fs_mkdir_p(const char *path)
{
    char tmp[CAIRN_PATH_MAX + 2];
    snprintf(tmp, sizeof tmp, "%s", path);
    size_t len = strlen(tmp);
    for (size_t i = 1; i <= len; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0') {
            continue;
        }
        char save = tmp[i];
        tmp[i] = '\0';
        int rc = cairn_vfs_mkdir(tmp);
        if (rc == CAIRN_EEXIST) {
            struct cairn_stat st;
            rc = cairn_vfs_stat(tmp, &st);
            if (rc == 0 && st.mode != CAIRN_S_IFDIR) {
                rc = CAIRN_ENOTDIR;
            }
        }
        tmp[i] = save;
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

// The body of mkdir, rmdir and rm: each path argument in turn through `one`,
// which reports its own error; then the image is closed (synced). Exit 1 if
// any path failed.
static int fs_each_path(struct cairn_cli *c, const char *none,
                        int (*one)(struct cairn_cli *c, int i, const char *p))
{
    if (c->argc == 0) {
        return cairn_cli_usage(c, "%s", none);
    }
    struct cairn_img *img = cairn_cli_open(c, CLI_OPEN_WRITE);
    if (img == NULL) {
        return CLI_EXIT_FAIL;
    }
    int status = 0;
    char buf[CAIRN_PATH_MAX + 2];
    for (int i = 0; i < c->argc; i++) {
        const char *p = fs_arg(c, i, buf, sizeof buf); // reports a path too long
        if (p == NULL || one(c, i, p) != 0) {
            status = CLI_EXIT_FAIL;
        }
    }
    int rc = cairn_cli_close(img);
    return status ? status : rc;
}

static int fs_mkdir_one(struct cairn_cli *c, int i, const char *p)
{
    int rc = c->parents ? fs_mkdir_p(p) : cairn_vfs_mkdir(p);
    return rc ? cairn_cli_err(c->argv[i], rc) : 0;
}

int cairn_cmd_mkdir(struct cairn_cli *c)
{
    return fs_each_path(c, "no directory given", fs_mkdir_one);
}

static int fs_rmdir_one(struct cairn_cli *c, int i, const char *p)
{
    int rc = cairn_vfs_rmdir(p);
    return rc ? cairn_cli_err(c->argv[i], rc) : 0;
}

int cairn_cmd_rmdir(struct cairn_cli *c)
{
    return fs_each_path(c, "no directory given", fs_rmdir_one);
}

// Remove a tree, children first. Reports the first error per path.
static int fs_rm_tree(const char *path, int depth)
{
    struct cairn_stat st;
    int rc = cairn_vfs_stat(path, &st);
    if (rc != 0) {
        return cairn_cli_err(path, rc);
    }
    if (st.mode != CAIRN_S_IFDIR) {
        rc = cairn_vfs_remove(path);
        return rc ? cairn_cli_err(path, rc) : 0;
    }
    if (depth > 256) {
        return cairn_cli_err(path, CAIRN_ENAMETOOLONG);
    }
    struct cairn_cli_ent *ents;
    int n = cairn_cli_readdir(path, &ents);
    if (n < 0) {
        return cairn_cli_err(path, n);
    }
    int status = 0;
    char *p = malloc(CAIRN_PATH_MAX + 1);
    for (int i = 0; p && i < n; i++) {
        if (!cairn_cli_join(path, ents[i].name, p, CAIRN_PATH_MAX + 1)) {
            status = cairn_cli_err(ents[i].name, CAIRN_ENAMETOOLONG);
            continue;
        }
        if (fs_rm_tree(p, depth + 1) != 0) {
            status = 1;
        }
    }
    free(p);
    cairn_cli_ents_free(ents, n);
    if (status == 0 && strcmp(path, "/") != 0) {
        rc = cairn_vfs_rmdir(path);
        if (rc != 0) {
            status = cairn_cli_err(path, rc);
        }
    }
    return status;
}

static int fs_rm_one(struct cairn_cli *c, int i, const char *p)
{
    struct cairn_stat st;
    int rc = cairn_vfs_stat(p, &st);
    if (rc == CAIRN_ENOENT && c->force) {
        return 0;
    }
    if (rc == 0 && st.mode == CAIRN_S_IFDIR) {
        if (!c->recursive) {
            return cairn_cli_err(c->argv[i], CAIRN_EISDIR);
        }
        return fs_rm_tree(p, 0) != 0 ? CLI_EXIT_FAIL : 0;
    }
    if (rc == 0) {
        rc = cairn_vfs_remove(p);
    }
    return rc ? cairn_cli_err(c->argv[i], rc) : 0;
}

int cairn_cmd_rm(struct cairn_cli *c)
{
    return fs_each_path(c, "no file given", fs_rm_one);
}

int cairn_cmd_mv(struct cairn_cli *c)
{
    if (c->argc != 2) {
        return cairn_cli_usage(c, "need OLD and NEW");
    }
    char from[CAIRN_PATH_MAX + 2], to[CAIRN_PATH_MAX + 2], into[CAIRN_PATH_MAX + 2];
    if (!fs_arg(c, 0, from, sizeof from) || !fs_arg(c, 1, to, sizeof to)) {
        return CLI_EXIT_FAIL;
    }
    struct cairn_img *img = cairn_cli_open(c, CLI_OPEN_WRITE);
    if (img == NULL) {
        return CLI_EXIT_FAIL;
    }
    int status = 0;
    struct cairn_stat st, sst;
    int rc = cairn_vfs_stat(from, &sst);
    const char *dst = to;
    // like mv(1): moving onto an existing directory moves into it
    if (rc == 0 && strcmp(from, "/") != 0 && cairn_vfs_stat(to, &st) == 0 &&
        st.mode == CAIRN_S_IFDIR && strcmp(from, to) != 0) {
        if (!cairn_cli_join(to, fs_basename(from), into, sizeof into)) {
            rc = CAIRN_ENAMETOOLONG;
        }
        dst = into;
    }
    if (rc == 0) {
        rc = cairn_vfs_rename(from, dst);
    }
    if (rc != 0) {
        status = cairn_cli_err(
            rc == CAIRN_ENOENT && cairn_vfs_stat(from, &sst) == 0 ? c->argv[1] : c->argv[0], rc);
    }
    int rc2 = cairn_cli_close(img);
    return status ? status : rc2;
}

// ---- fsck --------------------------------------------------------------------------------------

struct fs_fsck {
    unsigned found, fixed;
};

static void fs_fsck_report(void *ctx, const char *problem, int fixed)
{
    struct fs_fsck *f = ctx;
    f->found++;
    if (fixed) {
        f->fixed++;
    }
    printf("%s%s\n", problem, fixed ? " (repaired)" : "");
}

int cairn_cmd_fsck(struct cairn_cli *c)
{
    if (c->argc > 0) {
        return cairn_cli_usage(c, "unexpected argument '%s'", c->argv[0]);
    }
    struct cairn_img *img = cairn_cli_open(c, c->repair ? CLI_OPEN_WRITE : 0);
    if (img == NULL) {
        return CLI_EXIT_FAIL;
    }
    struct fs_fsck f = {0, 0};
    uint32_t flags = (c->repair ? CAIRN_FSCK_REPAIR : 0) | (c->verbose ? CAIRN_FSCK_VERBOSE : 0);
    cairn_cli_watch_reads(img, "fsck, KiB read");
    int32_t rc = cairn_vfs_fsck("/", flags, fs_fsck_report, &f);
    cairn_cli_watch_reads(img, NULL);
    int status;
    if (rc < 0) {
        fprintf(stderr, "cairn: %s: fsck failed: %s\n", c->image, cairn_strerror(rc));
        status = 1;
    } else if (rc == 0 && f.found == 0) {
        printf("%s: clean\n", c->image);
        status = 0;
    } else {
        unsigned left = (unsigned)rc;
        printf("%s: %u problem%s found, %u repaired, %u left\n", c->image,
               f.found > left ? f.found : left, (f.found > left ? f.found : left) == 1 ? "" : "s",
               f.fixed, left);
        status = 1;
    }
    int rc2 = cairn_cli_close(img);
    return status ? status : rc2;
}

// ---- label
// ---------------------------------------------------------------------------------------

int cairn_cmd_label(struct cairn_cli *c)
{
    if (c->argc > 1) {
        return cairn_cli_usage(c, "too many arguments");
    }
    const char *set = c->argc ? c->argv[0] : NULL;
    struct cairn_img *img = cairn_cli_open(c, set ? CLI_OPEN_WRITE : 0);
    if (img == NULL) {
        return CLI_EXIT_FAIL;
    }
    char buf[64] = "";
    int rc = cairn_vfs_label("/", buf, sizeof buf, set);
    int status = 0;
    if (rc == CAIRN_EOPNOTSUPP) {
        fprintf(stderr, "cairn: %s: %s has no volume label\n", c->image,
                strcmp(cairn_cli_fstype(img), "lfs2") == 0 ? "littlefs" : "this filesystem");
        status = 1;
    } else if (rc != 0) {
        status = cairn_cli_err(set ? set : c->image, rc);
    } else if (!set) {
        printf("%s\n", buf);
    }
    int rc2 = cairn_cli_close(img);
    return status ? status : rc2;
}
