// Shared helpers of the FAT verification tests (see fat_helpers.h).
#include "fat_helpers.h"

#include "cairn/fat.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

// ---- data ---------------------------------------------------------------------

uint32_t th_fat_xorshift(uint32_t *state)
{
    uint32_t x = *state ? *state : 1;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

// A 64-bit mix of (seed, word index): random access into the stream.
uint8_t th_fat_pattern_byte(uint32_t seed, uint64_t off)
{
    uint64_t x = (off >> 2) * 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed << 32 | seed);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 32;
    return (uint8_t)(x >> (8 * (off & 3)));
}

void th_fat_pattern(void *buf, size_t len, uint32_t seed, uint64_t off)
{
    uint8_t *b = buf;
    for (size_t i = 0; i < len; i++) {
        b[i] = th_fat_pattern_byte(seed, off + i);
    }
}

size_t th_fat_pattern_mismatch(const void *buf, size_t len, uint32_t seed, uint64_t off)
{
    const uint8_t *b = buf;
    for (size_t i = 0; i < len; i++) {
        if (b[i] != th_fat_pattern_byte(seed, off + i)) {
            return i;
        }
    }
    return len;
}

void th_fat_stale_fill(void *mem, size_t len, uint32_t sector_size)
{
    uint8_t *m = mem;
    for (size_t s = 0; s * sector_size < len; s++) {
        char tag[32];
        int n = snprintf(tag, sizeof tag, "STALE%08zx|", s);
        for (size_t i = 0; i < sector_size && s * sector_size + i < len; i++) {
            m[s * sector_size + i] = (uint8_t)tag[i % (size_t)n];
        }
    }
}

uint64_t th_fat_volume_offset(const uint8_t *s0, uint32_t ss)
{
    int boot = (s0[0] == 0xEB || s0[0] == 0xE9) &&
               (memcmp(s0 + 54, "FAT", 3) == 0 || memcmp(s0 + 82, "FAT32", 5) == 0);
    if (boot) {
        return 0;
    }
    for (int i = 0; i < 4; i++) {
        const uint8_t *e = s0 + 446 + 16 * i;
        uint8_t t = e[4];
        if (t == 0x01 || t == 0x04 || t == 0x06 || t == 0x0B || t == 0x0C || t == 0x0E) {
            uint32_t lba = (uint32_t)e[8] | (uint32_t)e[9] << 8 | (uint32_t)e[10] << 16 |
                           (uint32_t)e[11] << 24;
            return (uint64_t)lba * ss;
        }
    }
    return 0;
}

// ---- counting device ---------------------------------------------------------------

static int thf_count_read(struct cairn_bdev *bd, uint32_t block, void *buf, uint32_t n)
{
    struct th_fat_count *c = (struct th_fat_count *)bd;
    c->reads++;
    c->read_blocks += n;
    return cairn_bdev_read(c->lower, block, buf, n);
}

static int thf_count_write(struct cairn_bdev *bd, uint32_t block, const void *buf, uint32_t n)
{
    struct th_fat_count *c = (struct th_fat_count *)bd;
    c->writes++;
    c->write_blocks += n;
    if (c->writes == c->watch_write) {
        c->watched_blocks = n;
    }
    return cairn_bdev_write(c->lower, block, buf, n);
}

static int32_t thf_count_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    struct th_fat_count *c = (struct th_fat_count *)bd;
    c->ioctls++;
    return cairn_bdev_ioctl(c->lower, op, arg);
}

void th_fat_count_init(struct th_fat_count *c, struct cairn_bdev *lower)
{
    memset(c, 0, sizeof *c);
    c->lower = lower;
    c->ops.read = thf_count_read;
    c->ops.write = thf_count_write;
    c->ops.ioctl = thf_count_ioctl;
    c->bd.ops = &c->ops;
    c->bd.block_size = lower->block_size;
    c->bd.block_count = lower->block_count;
}

void th_fat_count_reset(struct th_fat_count *c)
{
    c->reads = c->read_blocks = c->writes = c->write_blocks = c->ioctls = 0;
}

// ---- image-file device -------------------------------------------------------------------

static int thf_file_read(struct cairn_bdev *bd, uint32_t block, void *buf, uint32_t n)
{
    struct th_fat_file *f = (struct th_fat_file *)bd;
    size_t len = (size_t)n * f->sector_size;
    off_t off = (off_t)(f->offset + (uint64_t)block * f->sector_size);
    ssize_t got = pread(f->fd, buf, len, off);
    if (got < 0) {
        return CAIRN_EIO;
    }
    if ((size_t)got < len) {
        memset((uint8_t *)buf + got, 0, len - (size_t)got); // sparse tail
    }
    return 0;
}

static int thf_file_write(struct cairn_bdev *bd, uint32_t block, const void *buf, uint32_t n)
{
    struct th_fat_file *f = (struct th_fat_file *)bd;
    size_t len = (size_t)n * f->sector_size;
    off_t off = (off_t)(f->offset + (uint64_t)block * f->sector_size);
    return pwrite(f->fd, buf, len, off) == (ssize_t)len ? 0 : CAIRN_EIO;
}

static int32_t thf_file_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    struct th_fat_file *f = (struct th_fat_file *)bd;
    (void)arg;
    switch (op) {
    case CAIRN_BDEV_INIT:
    case CAIRN_BDEV_DEINIT:
        return 0;
    case CAIRN_BDEV_SYNC:
        return 0; // scratch images: no fsync (it only costs time here)
    case CAIRN_BDEV_BLOCK_COUNT:
        return (int32_t)f->sector_count;
    case CAIRN_BDEV_BLOCK_SIZE:
        return (int32_t)f->sector_size;
    default:
        return CAIRN_BDEV_IOCTL_NONE;
    }
}

int th_fat_file_open(struct th_fat_file *f, const char *path, uint32_t sector_size,
                     uint32_t sector_count, int readonly)
{
    memset(f, 0, sizeof *f);
    f->fd = open(path, readonly ? O_RDONLY : O_RDWR);
    if (f->fd < 0) {
        return CAIRN_EIO;
    }
    if (sector_count == 0) {
        struct stat st;
        if (fstat(f->fd, &st) != 0) {
            close(f->fd);
            return CAIRN_EIO;
        }
        sector_count = (uint32_t)((uint64_t)st.st_size / sector_size);
    }
    f->sector_size = sector_size;
    f->sector_count = sector_count;
    f->ops.read = thf_file_read;
    f->ops.write = readonly ? NULL : thf_file_write;
    f->ops.ioctl = thf_file_ioctl;
    f->bd.ops = &f->ops;
    f->bd.block_size = sector_size;
    f->bd.block_count = sector_count;
    return 0;
}

void th_fat_file_close(struct th_fat_file *f)
{
    if (f->fd >= 0) {
        close(f->fd);
        f->fd = -1;
    }
}

// ---- host helpers -----------------------------------------------------------------------

const char *th_fat_tool(const char *prog)
{
    static char buf[256];
    static const char *dirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/bin"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(buf, sizeof buf, "%s/%s", dirs[i], prog);
        if (access(buf, X_OK) == 0) {
            return buf;
        }
    }
    return prog;
}

int th_fat_have_tool(const char *prog)
{
    return th_fat_tool(prog)[0] == '/';
}

int th_fat_run(const char *cmd, char *out, size_t outlen)
{
    char full[8192];
    snprintf(full, sizeof full, "( %s ) 2>&1", cmd);
    FILE *p = popen(full, "r");
    if (p == NULL) {
        return -1;
    }
    size_t n = 0;
    char tmp[1024];
    size_t got;
    while ((got = fread(tmp, 1, sizeof tmp, p)) > 0) {
        if (out != NULL && outlen > 1) {
            size_t room = outlen - 1 - n;
            size_t k = got < room ? got : room;
            memcpy(out + n, tmp, k);
            n += k;
        }
    }
    if (out != NULL && outlen > 0) {
        out[n] = '\0';
    }
    int st = pclose(p);
    if (st == -1 || !WIFEXITED(st)) {
        return -1;
    }
    return WEXITSTATUS(st);
}

uint8_t *th_fat_read_host(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap);
    size_t got;
    while (b != NULL && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(b, cap * 2);
            if (nb == NULL) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (b != NULL) {
        *len = n;
    }
    return b;
}

int th_fat_write_host(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return -1;
    }
    size_t w = len ? fwrite(data, 1, len, f) : 0;
    int rc = fclose(f);
    return (w == len && rc == 0) ? 0 : -1;
}

// Sorted names of a host directory (without . and ..); returns the count.
static int thf_host_list(const char *dir, char ***names)
{
    DIR *d = opendir(dir);
    *names = NULL;
    if (d == NULL) {
        return -1;
    }
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            *names = realloc(*names, sizeof(char *) * (size_t)cap);
        }
        (*names)[n++] = strdup(e->d_name);
    }
    closedir(d);
    for (int i = 1; i < n; i++) {
        for (int j = i; j > 0 && strcmp((*names)[j - 1], (*names)[j]) > 0; j--) {
            char *t = (*names)[j];
            (*names)[j] = (*names)[j - 1];
            (*names)[j - 1] = t;
        }
    }
    return n;
}

static void thf_free_list(char **names, int n)
{
    for (int i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
}

static int thf_file_equal(const char *a, const char *b)
{
    size_t la, lb;
    uint8_t *da = th_fat_read_host(a, &la), *db = th_fat_read_host(b, &lb);
    int eq = da != NULL && db != NULL && la == lb && memcmp(da, db, la) == 0;
    free(da);
    free(db);
    return eq;
}

int th_fat_cmp_host_dirs(const char *a, const char *b, const char *what)
{
    char **na, **nb;
    int ca = thf_host_list(a, &na), cb = thf_host_list(b, &nb);
    int diffs = 0;
    if (ca < 0 || cb < 0) {
        printf("  %s: cannot list %s or %s\n", what, a, b);
        thf_free_list(na, ca < 0 ? 0 : ca);
        thf_free_list(nb, cb < 0 ? 0 : cb);
        return 1;
    }
    int i = 0, j = 0;
    while (i < ca || j < cb) {
        int c = i >= ca ? 1 : j >= cb ? -1 : strcmp(na[i], nb[j]);
        if (c < 0) {
            printf("  %s: only in %s: %s\n", what, a, na[i++]);
            diffs++;
            continue;
        }
        if (c > 0) {
            printf("  %s: only in %s: %s\n", what, b, nb[j++]);
            diffs++;
            continue;
        }
        char pa[4096], pb[4096];
        snprintf(pa, sizeof pa, "%s/%s", a, na[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, nb[j]);
        struct stat sa, sb;
        if (lstat(pa, &sa) != 0 || lstat(pb, &sb) != 0 ||
            S_ISDIR(sa.st_mode) != S_ISDIR(sb.st_mode)) {
            printf("  %s: type differs: %s\n", what, pa);
            diffs++;
        } else if (S_ISDIR(sa.st_mode)) {
            diffs += th_fat_cmp_host_dirs(pa, pb, what);
        } else if (!thf_file_equal(pa, pb)) {
            printf("  %s: content differs: %s\n", what, pa);
            diffs++;
        }
        i++;
        j++;
    }
    thf_free_list(na, ca);
    thf_free_list(nb, cb);
    return diffs;
}

// ---- through a driver -----------------------------------------------------------------------

int th_fat_fs_read(struct cairn_fs *fs, const char *path, uint8_t **data, size_t *len)
{
    const struct cairn_fs_ops *o = fs->ops;
    void *f = calloc(1, o->file_size(fs));
    *data = NULL;
    *len = 0;
    if (f == NULL) {
        return CAIRN_ENOMEM;
    }
    int rc = o->open(fs, f, path, CAIRN_O_RDONLY);
    if (rc < 0) {
        free(f);
        return rc;
    }
    int64_t sz = o->size(fs, f);
    if (sz < 0 || sz > ((int64_t)1 << 31)) {
        o->close(fs, f);
        free(f);
        return sz < 0 ? (int)sz : CAIRN_EFBIG;
    }
    uint8_t *buf = malloc((size_t)sz + 1);
    size_t n = 0;
    rc = 0;
    while (n < (size_t)sz) {
        uint32_t want = (size_t)sz - n > 65536 ? 65536 : (uint32_t)((size_t)sz - n);
        int32_t got = o->read(fs, f, buf + n, want);
        if (got < 0) {
            rc = got;
            break;
        }
        if (got == 0) {
            break;
        }
        n += (size_t)got;
    }
    if (rc == 0) {
        // The size must be what read() delivers: nothing past it.
        uint8_t extra;
        int32_t got = o->read(fs, f, &extra, 1);
        if (got != 0) {
            rc = got < 0 ? got : CAIRN_ECORRUPT;
        }
    }
    int crc = o->close(fs, f);
    free(f);
    if (rc == 0 && crc < 0) {
        rc = crc;
    }
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *data = buf;
    *len = n;
    return 0;
}

int th_fat_fs_write(struct cairn_fs *fs, const char *path, const void *data, size_t len,
                    size_t chunk)
{
    const struct cairn_fs_ops *o = fs->ops;
    void *f = calloc(1, o->file_size(fs));
    if (f == NULL) {
        return CAIRN_ENOMEM;
    }
    int rc = o->open(fs, f, path, CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_TRUNC);
    if (rc < 0) {
        free(f);
        return rc;
    }
    if (chunk == 0) {
        chunk = len ? len : 1;
    }
    const uint8_t *d = data;
    size_t n = 0;
    while (n < len) {
        size_t k = len - n < chunk ? len - n : chunk;
        int32_t w = o->write(fs, f, d + n, (uint32_t)k);
        if (w < 0) {
            rc = w;
            break;
        }
        if ((size_t)w != k) {
            rc = CAIRN_ENOSPC;
            break;
        }
        n += k;
    }
    int crc = o->close(fs, f);
    free(f);
    return rc < 0 ? rc : crc;
}

// Sorted dirent names of a driver directory; returns the count or an error.
static int thf_fs_list(struct cairn_fs *fs, const char *path, struct cairn_dirent **out)
{
    const struct cairn_fs_ops *o = fs->ops;
    void *d = calloc(1, o->dir_size(fs));
    *out = NULL;
    int rc = o->opendir(fs, d, path);
    if (rc < 0) {
        free(d);
        return rc;
    }
    int n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            *out = realloc(*out, sizeof(struct cairn_dirent) * (size_t)cap);
        }
        rc = o->readdir(fs, d, &(*out)[n]);
        if (rc <= 0) {
            break;
        }
        n++;
        if (n > 1000000) {
            rc = CAIRN_ECORRUPT;
            break;
        }
    }
    o->closedir(fs, d);
    free(d);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        return rc;
    }
    for (int i = 1; i < n; i++) {
        for (int j = i; j > 0 && strcmp((*out)[j - 1].name, (*out)[j].name) > 0; j--) {
            struct cairn_dirent t = (*out)[j];
            (*out)[j] = (*out)[j - 1];
            (*out)[j - 1] = t;
        }
    }
    return n;
}

static void thf_join(char *out, size_t n, const char *dir, const char *name)
{
    size_t l = strlen(dir);
    snprintf(out, n, "%s%s%s", dir, (l > 0 && dir[l - 1] == '/') ? "" : "/", name);
}

int th_fat_cmp_fs_host(struct cairn_fs *fs, const char *fspath, const char *host)
{
    struct cairn_dirent *ents;
    char **names;
    int ce = thf_fs_list(fs, fspath, &ents);
    int ch = thf_host_list(host, &names);
    int diffs = 0;
    if (ce < 0 || ch < 0) {
        printf("  cmp: cannot list %s (%d) or %s\n", fspath, ce, host);
        free(ents);
        thf_free_list(names, ch < 0 ? 0 : ch);
        return 1;
    }
    int i = 0, j = 0;
    while (i < ce || j < ch) {
        int c = i >= ce ? 1 : j >= ch ? -1 : strcmp(ents[i].name, names[j]);
        if (c < 0) {
            char fp[1024];
            thf_join(fp, sizeof fp, fspath, ents[i++].name);
            printf("  cmp: only in image: %s\n", fp);
            diffs++;
            continue;
        }
        if (c > 0) {
            printf("  cmp: only on host: %s/%s\n", host, names[j++]);
            diffs++;
            continue;
        }
        char fp[1024], hp[4096];
        thf_join(fp, sizeof fp, fspath, ents[i].name);
        snprintf(hp, sizeof hp, "%s/%s", host, names[j]);
        struct stat hs;
        struct cairn_stat st;
        int src = fs->ops->stat(fs, fp, &st);
        if (lstat(hp, &hs) != 0 || src < 0) {
            printf("  cmp: stat failed: %s (%d)\n", fp, src);
            diffs++;
        } else if (S_ISDIR(hs.st_mode)) {
            if (ents[i].type != CAIRN_S_IFDIR || st.mode != CAIRN_S_IFDIR) {
                printf("  cmp: not a directory in the image: %s\n", fp);
                diffs++;
            } else {
                diffs += th_fat_cmp_fs_host(fs, fp, hp);
            }
        } else {
            size_t hl, fl;
            uint8_t *hd = th_fat_read_host(hp, &hl);
            uint8_t *fd = NULL;
            int rc = th_fat_fs_read(fs, fp, &fd, &fl);
            if (ents[i].type != CAIRN_S_IFREG || st.mode != CAIRN_S_IFREG) {
                printf("  cmp: not a file in the image: %s\n", fp);
                diffs++;
            } else if (rc < 0 || hd == NULL) {
                printf("  cmp: read failed: %s (%d)\n", fp, rc);
                diffs++;
            } else if (fl != hl || st.size != (int64_t)hl || ents[i].size != (int64_t)hl ||
                       memcmp(fd, hd, hl) != 0) {
                printf("  cmp: content differs: %s (image %zu/%lld/%lld bytes, host %zu)\n",
                       fp, fl, (long long)st.size, (long long)ents[i].size, hl);
                diffs++;
            }
            free(hd);
            free(fd);
        }
        i++;
        j++;
    }
    free(ents);
    thf_free_list(names, ch);
    return diffs;
}

int th_fat_copy_host_to_fs(struct cairn_fs *fs, const char *host, const char *fspath)
{
    char **names;
    int n = thf_host_list(host, &names);
    if (n < 0) {
        return CAIRN_EIO;
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        char fp[1024], hp[4096];
        thf_join(fp, sizeof fp, fspath, names[i]);
        snprintf(hp, sizeof hp, "%s/%s", host, names[i]);
        struct stat hs;
        if (lstat(hp, &hs) != 0) {
            rc = CAIRN_EIO;
        } else if (S_ISDIR(hs.st_mode)) {
            rc = fs->ops->mkdir(fs, fp);
            if (rc == 0) {
                rc = th_fat_copy_host_to_fs(fs, hp, fp);
            }
        } else {
            size_t len;
            uint8_t *d = th_fat_read_host(hp, &len);
            rc = d ? th_fat_fs_write(fs, fp, d, len, 4096 + 123) : CAIRN_EIO;
            free(d);
        }
        if (rc != 0) {
            printf("  copy: %s -> %s failed: %d\n", hp, fp, rc);
        }
    }
    thf_free_list(names, n);
    return rc;
}

long th_fat_fs_walk(struct cairn_fs *fs, long max_entries)
{
    // Breadth-first with an explicit queue: no recursion, bounded.
    size_t cap = 64, head = 0, tail = 0;
    char **queue = malloc(sizeof(char *) * cap);
    queue[tail++] = strdup("/");
    long seen = 0;
    long err = 0;
    while (head < tail && err == 0) {
        char *dir = queue[head++];
        struct cairn_dirent *ents;
        int n = thf_fs_list(fs, dir, &ents);
        if (n < 0) {
            err = n;
        }
        for (int i = 0; i < n && err == 0; i++) {
            char p[1024];
            thf_join(p, sizeof p, dir, ents[i].name);
            if (++seen > max_entries) {
                err = CAIRN_ECORRUPT;
                break;
            }
            struct cairn_stat st;
            int rc = fs->ops->stat(fs, p, &st);
            if (rc < 0) {
                err = rc;
            } else if (ents[i].type == CAIRN_S_IFDIR) {
                if (tail == cap) {
                    cap *= 2;
                    queue = realloc(queue, sizeof(char *) * cap);
                }
                queue[tail++] = strdup(p);
            } else {
                uint8_t *d;
                size_t len;
                rc = th_fat_fs_read(fs, p, &d, &len);
                free(d);
                if (rc < 0) {
                    err = rc;
                }
            }
        }
        free(ents);
    }
    for (size_t i = 0; i < tail; i++) {
        free(queue[i]);
    }
    free(queue);
    return err ? err : seen;
}

int32_t th_fat_fsck(struct cairn_fs *fs, uint32_t flags, cairn_fsck_report_fn report, void *ctx)
{
    int32_t rc = fs->ops->fsck(fs, flags, report, ctx);
    return rc == CAIRN_EOPNOTSUPP ? 0 : rc;
}

int th_fat_has_fsck(void)
{
    // the real op answers -ENODEV for an unmounted volume, the stub -EOPNOTSUPP
    static uint8_t mem[16 * 512];
    struct cairn_ram_bdev ram;
    struct cairn_fat fat;
    if (cairn_ram_bdev_init(&ram, mem, 512, 16, CAIRN_RAM_SIMPLE, 0xFF) != 0 ||
        cairn_fat_init(&fat, &ram.bd, NULL) != 0) {
        return 1;
    }
    return fat.fs.ops->fsck(&fat.fs, 0, NULL, NULL) != CAIRN_EOPNOTSUPP;
}
