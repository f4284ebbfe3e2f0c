// cairn CLI: moving data in and out of images: cp, pack, unpack.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define CP_BUF 65536
#define CP_PATH (CAIRN_PATH_MAX + 2)
#define CP_HOST_PATH 4096
#define CP_MAX_DEPTH 256

struct cp_ctx {
    struct cairn_cli *c;
    uint8_t *buf;
    int preserve; // copy mtimes
    uint64_t files, bytes;
    const char *what; // progress label
};

static void cp_progress(struct cp_ctx *x)
{
    cairn_cli_progress(x->what, x->files, 0);
}

static const char *cp_base(const char *p, char *buf, size_t len)
{
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/') {
        n--;
    }
    const char *s = p + n;
    while (s > p && s[-1] != '/') {
        s--;
    }
    snprintf(buf, len, "%.*s", (int)(p + n - s), s);
    return buf;
}

static int cp_host_join(const char *dir, const char *name, char *buf, size_t len)
{
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/') {
        dl--;
    }
    int n = snprintf(buf, len, "%.*s%s%s", (int)dl, dir, (dl > 0 && dir[dl - 1] == '/') ? "" : "/",
                     name);
    return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

// ---- files ------------------------------------------------------------------------

// Host file (fd) -> image file. mtime_ns < 0: leave the fs's own time.
static int cp_fd_to_image(struct cp_ctx *x, int hfd, const char *hname, const char *ipath,
                          int64_t mtime_ns)
{
    int fd = cairn_vfs_open(ipath, "wb");
    if (fd < 0) {
        return cairn_cli_err(ipath, fd);
    }
    int status = 0;
    for (;;) {
        ssize_t n = read(hfd, x->buf, CP_BUF);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            status = cairn_cli_errno(hname);
            break;
        }
        if (n == 0) {
            break;
        }
        int32_t w = cairn_vfs_write(fd, x->buf, (uint32_t)n);
        if (w < 0 || w != (int32_t)n) {
            status = cairn_cli_err(ipath, w < 0 ? w : CAIRN_ENOSPC);
            break;
        }
        x->bytes += (uint64_t)n;
    }
    int rc = cairn_vfs_close(fd);
    if (rc != 0 && status == 0) {
        status = cairn_cli_err(ipath, rc);
    }
    if (status == 0 && mtime_ns >= 0) {
        rc = cairn_vfs_set_mtime(ipath, mtime_ns);
        if (rc != 0 && rc != CAIRN_EOPNOTSUPP) {
            status = cairn_cli_err(ipath, rc);
        }
    }
    x->files++;
    cp_progress(x);
    return status;
}

static int cp_host_to_image(struct cp_ctx *x, const char *hpath, const char *ipath)
{
    int hfd = open(hpath, O_RDONLY | O_CLOEXEC);
    if (hfd < 0) {
        return cairn_cli_errno(hpath);
    }
    struct stat st;
    int64_t mt = -1;
    if (x->preserve && fstat(hfd, &st) == 0) {
        mt = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    }
    int status = cp_fd_to_image(x, hfd, hpath, ipath, mt);
    close(hfd);
    return status;
}

static int cp_set_host_mtime(const char *hpath, const struct cairn_stat *st)
{
    if (!st->has_mtime) {
        return 0;
    }
    struct timespec ts[2];
    ts[0].tv_sec = 0;
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_sec = (time_t)st->mtime;
    ts[1].tv_nsec = (long)st->mtime_nsec;
    if (utimensat(AT_FDCWD, hpath, ts, 0) != 0) {
        return cairn_cli_errno(hpath);
    }
    return 0;
}

// Image file -> host fd (hpath NULL = stdout).
static int cp_image_to_fd(struct cp_ctx *x, const char *ipath, int hfd, const char *hname)
{
    int fd = cairn_vfs_open(ipath, "rb");
    if (fd < 0) {
        return cairn_cli_err(ipath, fd);
    }
    int status = 0;
    for (;;) {
        int32_t n = cairn_vfs_read(fd, x->buf, CP_BUF);
        if (n < 0) {
            status = cairn_cli_err(ipath, n);
            break;
        }
        if (n == 0) {
            break;
        }
        for (int32_t off = 0; off < n;) {
            ssize_t w = write(hfd, x->buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR) {
                continue;
            }
            if (w <= 0) {
                status = cairn_cli_errno(hname);
                break;
            }
            off += (int32_t)w;
        }
        if (status) {
            break;
        }
        x->bytes += (uint64_t)n;
    }
    cairn_vfs_close(fd);
    x->files++;
    cp_progress(x);
    return status;
}

static int cp_image_to_host(struct cp_ctx *x, const char *ipath, const char *hpath)
{
    int hfd = open(hpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (hfd < 0) {
        return cairn_cli_errno(hpath);
    }
    int status = cp_image_to_fd(x, ipath, hfd, hpath);
    if (close(hfd) != 0 && status == 0) {
        status = cairn_cli_errno(hpath);
    }
    if (status == 0 && x->preserve) {
        struct cairn_stat st;
        if (cairn_vfs_stat(ipath, &st) == 0) {
            status = cp_set_host_mtime(hpath, &st);
        }
    }
    return status;
}

// Source `in` -> host temporary file, rewound; NULL after reporting an error.
static FILE *cp_stage(struct cp_ctx *x, int in, const char *from)
{
    FILE *tmp = tmpfile();
    if (tmp == NULL) {
        cairn_cli_errno("temporary file");
        return NULL;
    }
    for (;;) {
        int32_t n = cairn_vfs_read(in, x->buf, CP_BUF);
        if (n < 0) {
            cairn_cli_err(from, n);
            break;
        }
        if (n == 0) {
            rewind(tmp);
            return tmp;
        }
        if (fwrite(x->buf, 1, (size_t)n, tmp) != (size_t)n) {
            cairn_cli_errno("temporary file");
            break;
        }
    }
    fclose(tmp);
    return NULL;
}

static int cp_image_to_image(struct cp_ctx *x, const char *from, const char *to)
{
    if (strcmp(from, to) == 0) {
        fprintf(stderr, "cairn: %s: source and destination are the same file\n", from);
        return CLI_EXIT_FAIL;
    }
    int in = cairn_vfs_open(from, "rb");
    if (in < 0) {
        return cairn_cli_err(from, in);
    }
    // An existing destination may be the source under another spelling
    // (FAT's case-insensitive or short names, "./x"): opening it "wb"
    // truncates the source. Stage the source on the host first.
    FILE *tmp = NULL;
    struct cairn_stat st;
    if (cairn_vfs_stat(to, &st) == 0 && st.mode == CAIRN_S_IFREG) {
        tmp = cp_stage(x, in, from);
        cairn_vfs_close(in);
        in = -1;
        if (tmp == NULL) {
            return CLI_EXIT_FAIL;
        }
    }
    int out = cairn_vfs_open(to, "wb");
    if (out < 0) {
        if (tmp != NULL) {
            fclose(tmp);
        } else {
            cairn_vfs_close(in);
        }
        return cairn_cli_err(to, out);
    }
    int status = 0;
    for (;;) {
        int32_t n;
        if (tmp != NULL) {
            size_t got = fread(x->buf, 1, CP_BUF, tmp);
            if (got == 0 && ferror(tmp)) {
                status = cairn_cli_errno("temporary file");
                break;
            }
            n = (int32_t)got;
        } else {
            n = cairn_vfs_read(in, x->buf, CP_BUF);
        }
        if (n < 0) {
            status = cairn_cli_err(from, n);
            break;
        }
        if (n == 0) {
            break;
        }
        int32_t w = cairn_vfs_write(out, x->buf, (uint32_t)n);
        if (w != n) {
            status = cairn_cli_err(to, w < 0 ? w : CAIRN_ENOSPC);
            break;
        }
    }
    if (tmp != NULL) {
        fclose(tmp);
    } else {
        cairn_vfs_close(in);
    }
    int rc = cairn_vfs_close(out);
    if (rc != 0 && status == 0) {
        status = cairn_cli_err(to, rc);
    }
    if (status == 0 && x->preserve) {
        if (cairn_vfs_stat(from, &st) == 0 && st.has_mtime) {
            cairn_vfs_set_mtime(to, st.mtime * 1000000000LL + st.mtime_nsec);
        }
    }
    x->files++;
    return status;
}

// ---- trees ------------------------------------------------------------------------------

static int cp_image_mkdir(const char *ipath)
{
    int rc = cairn_vfs_mkdir(ipath);
    if (rc == CAIRN_EEXIST) {
        struct cairn_stat st;
        rc = cairn_vfs_stat(ipath, &st);
        if (rc == 0 && st.mode != CAIRN_S_IFDIR) {
            rc = CAIRN_ENOTDIR;
        }
    }
    return rc ? cairn_cli_err(ipath, rc) : 0;
}

static int cp_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// Names in a host directory, sorted (so images come out the same every time).
static int cp_host_list(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return -1;
    }
    char **names = NULL;
    int n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, (size_t)cap * sizeof *names);
            if (nn == NULL) {
                break;
            }
            names = nn;
        }
        names[n] = strdup(de->d_name);
        if (names[n]) {
            n++;
        }
    }
    closedir(d);
    if (n > 1) {
        qsort(names, (size_t)n, sizeof *names, cp_name_cmp);
    }
    *out = names;
    return n;
}

static void cp_names_free(char **names, int n)
{
    for (int i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
}

// Host directory contents -> existing image directory.
static int cp_host_tree(struct cp_ctx *x, const char *hdir, const char *idir, int depth)
{
    if (depth > CP_MAX_DEPTH) {
        fprintf(stderr, "cairn: %s: directories nested too deep\n", hdir);
        return CLI_EXIT_FAIL;
    }
    char **names;
    int n = cp_host_list(hdir, &names);
    if (n < 0) {
        return cairn_cli_errno(hdir);
    }
    int status = 0;
    char *hp = malloc(CP_HOST_PATH), *ip = malloc(CP_PATH);
    for (int i = 0; hp && ip && i < n; i++) {
        if (cp_host_join(hdir, names[i], hp, CP_HOST_PATH) != 0) {
            status = cairn_cli_err(names[i], CAIRN_ENAMETOOLONG);
            continue;
        }
        if (!cairn_cli_join(idir, names[i], ip, CP_PATH)) {
            status = cairn_cli_err(hp, CAIRN_ENAMETOOLONG);
            continue;
        }
        struct stat st;
        if (stat(hp, &st) != 0) {
            status = cairn_cli_errno(hp);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (cp_image_mkdir(ip) != 0 || cp_host_tree(x, hp, ip, depth + 1) != 0) {
                status = 1;
                continue;
            }
            if (x->preserve) {
                int64_t mt = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
                int rc = cairn_vfs_set_mtime(ip, mt);
                if (rc != 0 && rc != CAIRN_EOPNOTSUPP) {
                    status = cairn_cli_err(ip, rc);
                }
            }
        } else if (S_ISREG(st.st_mode)) {
            if (cp_host_to_image(x, hp, ip) != 0) {
                status = 1;
            }
        } else {
            fprintf(stderr, "cairn: %s: skipped (not a regular file or directory)\n", hp);
            status = 1;
        }
    }
    free(hp);
    free(ip);
    cp_names_free(names, n);
    return status;
}

// Image directory contents -> existing host directory.
static int cp_image_tree(struct cp_ctx *x, const char *idir, const char *hdir, int depth)
{
    if (depth > CP_MAX_DEPTH) {
        fprintf(stderr, "cairn: %s: directories nested too deep\n", idir);
        return CLI_EXIT_FAIL;
    }
    struct cairn_cli_ent *ents;
    int n = cairn_cli_readdir(idir, &ents);
    if (n < 0) {
        return cairn_cli_err(idir, n);
    }
    int status = 0;
    char *hp = malloc(CP_HOST_PATH), *ip = malloc(CP_PATH);
    for (int i = 0; hp && ip && i < n; i++) {
        if (!cairn_cli_join(idir, ents[i].name, ip, CP_PATH) ||
            cp_host_join(hdir, ents[i].name, hp, CP_HOST_PATH) != 0) {
            status = cairn_cli_err(ents[i].name, CAIRN_ENAMETOOLONG);
            continue;
        }
        if (strchr(ents[i].name, '/') || strcmp(ents[i].name, "..") == 0 ||
            strcmp(ents[i].name, ".") == 0 || ents[i].name[0] == '\0') {
            // a damaged image must not write outside the target directory
            fprintf(stderr, "cairn: %s: skipped: unsafe name in the image\n", ip);
            status = 1;
            continue;
        }
        if (ents[i].st.mode == CAIRN_S_IFDIR) {
            if (mkdir(hp, 0755) != 0 && errno != EEXIST) {
                status = cairn_cli_errno(hp);
                continue;
            }
            if (cp_image_tree(x, ip, hp, depth + 1) != 0) {
                status = 1;
            }
            if (x->preserve && cp_set_host_mtime(hp, &ents[i].st) != 0) {
                status = 1;
            }
        } else if (cp_image_to_host(x, ip, hp) != 0) {
            status = 1;
        }
    }
    free(hp);
    free(ip);
    cairn_cli_ents_free(ents, n);
    return status;
}

// Image directory contents -> existing image directory.
static int cp_image_image_tree(struct cp_ctx *x, const char *from, const char *to, int depth)
{
    size_t fl = strlen(from);
    if (depth > CP_MAX_DEPTH ||
        (strncmp(to, from, fl) == 0 && (to[fl] == '/' || to[fl] == '\0' || fl == 1))) {
        fprintf(stderr, "cairn: %s: cannot copy a directory into itself\n", from);
        return CLI_EXIT_FAIL;
    }
    struct cairn_cli_ent *ents;
    int n = cairn_cli_readdir(from, &ents);
    if (n < 0) {
        return cairn_cli_err(from, n);
    }
    int status = 0;
    char *a = malloc(CP_PATH), *b = malloc(CP_PATH);
    for (int i = 0; a && b && i < n; i++) {
        if (!cairn_cli_join(from, ents[i].name, a, CP_PATH) ||
            !cairn_cli_join(to, ents[i].name, b, CP_PATH)) {
            status = cairn_cli_err(ents[i].name, CAIRN_ENAMETOOLONG);
            continue;
        }
        if (ents[i].st.mode == CAIRN_S_IFDIR) {
            if (cp_image_mkdir(b) != 0 || cp_image_image_tree(x, a, b, depth + 1) != 0) {
                status = 1;
            }
        } else if (cp_image_to_image(x, a, b) != 0) {
            status = 1;
        }
    }
    free(a);
    free(b);
    cairn_cli_ents_free(ents, n);
    return status;
}

// ---- cp ---------------------------------------------------------------------------------

static int cp_is_image(const char *a)
{
    return a[0] == ':';
}

static int cp_one(struct cp_ctx *x, const char *src, const char *dst, int dst_is_dir)
{
    char sbuf[CP_PATH], dbuf[CP_HOST_PATH], base[CAIRN_NAME_MAX + 1];
    int simg = cp_is_image(src), dimg = cp_is_image(dst);
    int sstd = strcmp(src, "-") == 0, dstd = strcmp(dst, "-") == 0;
    struct cairn_cli *c = x->c;

    // source kind
    int sdir = 0;
    const char *s = src;
    if (simg) {
        s = cairn_cli_ipath(src, sbuf, sizeof sbuf);
        if (s == NULL) {
            return cairn_cli_err(src, CAIRN_ENAMETOOLONG);
        }
        struct cairn_stat st;
        int rc = cairn_vfs_stat(s, &st);
        if (rc != 0) {
            return cairn_cli_err(src, rc);
        }
        sdir = st.mode == CAIRN_S_IFDIR;
    } else if (!sstd) {
        struct stat st;
        if (stat(src, &st) != 0) {
            return cairn_cli_errno(src);
        }
        sdir = S_ISDIR(st.st_mode);
    }
    if (sdir && !c->recursive) {
        fprintf(stderr, "cairn: %s: is a directory (use -r)\n", src);
        return CLI_EXIT_FAIL;
    }

    // destination name: inside DST when DST is a directory
    const char *d = dst;
    char dtmp[CP_HOST_PATH];
    if (dimg) {
        d = cairn_cli_ipath(dst, dtmp, sizeof dtmp);
        if (d == NULL) {
            return cairn_cli_err(dst, CAIRN_ENAMETOOLONG);
        }
    }
    if (dst_is_dir) {
        if (sstd) {
            fprintf(stderr, "cairn: %s: cannot copy stdin into a directory: name the file\n", dst);
            return CLI_EXIT_FAIL;
        }
        cp_base(simg ? s : src, base, sizeof base);
        if (base[0] == '\0' || strcmp(base, "/") == 0) {
            snprintf(base, sizeof base, "%s", "");
        }
        if (base[0] != '\0') {
            int bad = dimg ? !cairn_cli_join(d, base, dbuf, sizeof dbuf)
                           : cp_host_join(d, base, dbuf, sizeof dbuf) != 0;
            if (bad) {
                return cairn_cli_err(dst, CAIRN_ENAMETOOLONG);
            }
            d = dbuf;
        }
    }

    if (sdir) {
        // copy the directory itself (or its contents into an existing one)
        if (dstd) {
            fprintf(stderr, "cairn: %s: cannot copy a directory to stdout\n", src);
            return CLI_EXIT_FAIL;
        }
        if (dimg) {
            size_t sl = strlen(s);
            if (simg && strncmp(d, s, sl) == 0 && (d[sl] == '/' || d[sl] == '\0' || sl == 1)) {
                fprintf(stderr, "cairn: %s: cannot copy a directory into itself\n", src);
                return CLI_EXIT_FAIL;
            }
            if (strcmp(d, "/") != 0 && cp_image_mkdir(d) != 0) {
                return CLI_EXIT_FAIL;
            }
            return simg ? cp_image_image_tree(x, s, d, 0) : cp_host_tree(x, src, d, 0);
        }
        if (mkdir(d, 0755) != 0 && errno != EEXIST) {
            return cairn_cli_errno(d);
        }
        return cp_image_tree(x, s, d, 0);
    }
    if (sstd) {
        return cp_fd_to_image(x, STDIN_FILENO, "stdin", d, -1);
    }
    if (dstd) {
        if (!simg) {
            fprintf(stderr, "cairn: %s: not an image path (prefix it with ':')\n", src);
            return CLI_EXIT_FAIL;
        }
        return cp_image_to_fd(x, s, STDOUT_FILENO, "stdout");
    }
    if (simg && dimg) {
        return cp_image_to_image(x, s, d);
    }
    return simg ? cp_image_to_host(x, s, d) : cp_host_to_image(x, src, d);
}

int cairn_cmd_cp(struct cairn_cli *c)
{
    if (c->argc < 2) {
        return cairn_cli_usage(c, "need SRC... DST");
    }
    const char *dst = c->argv[c->argc - 1];
    int any_img = cp_is_image(dst), dimg = cp_is_image(dst);
    for (int i = 0; i < c->argc - 1; i++) {
        const char *s = c->argv[i];
        any_img |= cp_is_image(s);
        if (!cp_is_image(s) && !dimg && strcmp(s, "-") != 0) {
            return cairn_cli_usage(c,
                                   "'%s' and '%s' are both host paths (image paths start "
                                   "with ':')",
                                   s, dst);
        }
        if (strcmp(s, "-") == 0 && !dimg) {
            return cairn_cli_usage(c, "stdin can only be copied into the image");
        }
    }
    if (!any_img) {
        return cairn_cli_usage(c, "no image path given (image paths start with ':')");
    }
    if (strcmp(dst, "-") == 0 && c->argc > 2 && c->recursive) {
        return cairn_cli_usage(c, "cannot copy directories to stdout");
    }
    struct cairn_img *img = cairn_cli_open(c, dimg ? CLI_OPEN_WRITE : 0);
    if (img == NULL) {
        return CLI_EXIT_FAIL;
    }
    struct cp_ctx x = {c, malloc(CP_BUF), c->preserve, 0, 0, "cp"};
    int status = 0;
    // is DST an existing directory?
    int dst_dir = 0;
    if (dimg) {
        char b[CP_PATH];
        struct cairn_stat st;
        const char *d = cairn_cli_ipath(dst, b, sizeof b);
        dst_dir = d && cairn_vfs_stat(d, &st) == 0 && st.mode == CAIRN_S_IFDIR;
    } else if (strcmp(dst, "-") != 0) {
        struct stat st;
        dst_dir = stat(dst, &st) == 0 && S_ISDIR(st.st_mode);
    }
    // several sources, or "DIR/", need an existing directory
    size_t dl = strlen(dst);
    if ((c->argc > 2 || (dl > 1 && dst[dl - 1] == '/')) && !dst_dir && strcmp(dst, "-") != 0) {
        status = cairn_cli_err(dst, CAIRN_ENOTDIR);
    }
    for (int i = 0; status == 0 && x.buf && i < c->argc - 1; i++) {
        if (cp_one(&x, c->argv[i], dst, dst_dir) != 0) {
            status = 1;
        }
    }
    if (x.buf == NULL) {
        status = cairn_cli_err("cp", CAIRN_ENOMEM);
    }
    cairn_cli_progress_end();
    free(x.buf);
    int rc = cairn_cli_close(img);
    return status ? status : rc;
}

// ---- pack / unpack ---------------------------------------------------------------------------

int cairn_cmd_pack(struct cairn_cli *c)
{
    if (c->argc != 1) {
        return cairn_cli_usage(c, "need exactly one host directory");
    }
    if (c->fs == NULL) {
        return cairn_cli_usage(c, "say which filesystem: --fs fat or --fs lfs2");
    }
    struct stat st;
    if (stat(c->argv[0], &st) != 0) {
        return cairn_cli_errno(c->argv[0]);
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "cairn: %s: %s\n", c->argv[0], cairn_strerror(CAIRN_ENOTDIR));
        return CLI_EXIT_FAIL;
    }
    int status = cairn_cli_format(c);
    if (status) {
        return status;
    }
    struct cairn_img *img = cairn_cli_open(c, CLI_OPEN_WRITE | CLI_OPEN_BULK);
    if (img == NULL) {
        return CLI_EXIT_FAIL;
    }
    struct cp_ctx x = {c, malloc(CP_BUF), 1, 0, 0, "pack"};
    status = x.buf ? cp_host_tree(&x, c->argv[0], "/", 0) : cairn_cli_err("pack", CAIRN_ENOMEM);
    cairn_cli_progress_end();
    free(x.buf);
    int rc = cairn_cli_close(img);
    return status ? status : rc;
}

int cairn_cmd_unpack(struct cairn_cli *c)
{
    if (c->argc != 1) {
        return cairn_cli_usage(c, "need exactly one host directory");
    }
    struct cairn_img *img = cairn_cli_open(c, 0);
    if (img == NULL) {
        return CLI_EXIT_FAIL;
    }
    int status = 0;
    const char *dir = c->argv[0];
    struct stat st;
    if (mkdir(dir, 0755) != 0 && !(errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))) {
        status = errno == EEXIST ? cairn_cli_err(dir, CAIRN_ENOTDIR) : cairn_cli_errno(dir);
    }
    struct cp_ctx x = {c, malloc(CP_BUF), 1, 0, 0, "unpack"};
    if (status == 0) {
        status = x.buf ? cp_image_tree(&x, "/", dir, 0) : cairn_cli_err("unpack", CAIRN_ENOMEM);
    }
    cairn_cli_progress_end();
    free(x.buf);
    int rc = cairn_cli_close(img);
    return status ? status : rc;
}
