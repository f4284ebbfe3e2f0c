// FAT power loss: workloads on the emulated SD card with the power cut at every
// write (torn multi-sector writes), then: the volume mounts, synced files are
// intact, a file being written holds a prefix of what was written (never stale
// device data), fsck --repair leaves a volume that fsck.fat -n accepts.
#include <stdlib.h>
#include <unistd.h>

#include "cairn/emu.h"
#include "cairn/fat.h"
#include "fat/fat_helpers.h"
#include "harness.h"

// ---- what each path may hold after a cut -------------------------------------------------

#define MAX_EXP 48

// Details are printed for the first failing cuts of a workload only
// (CAIRN_PL_VERBOSE=1: for all).
static int pl_verbose = 1;
#define pl_log(...)                                                                         \
    do {                                                                                    \
        if (pl_verbose) {                                                                   \
            printf(__VA_ARGS__);                                                            \
        }                                                                                   \
    } while (0)

struct exp {
    char path[128];
    uint8_t used;
    uint8_t is_dir;
    uint8_t can_absent;
    uint8_t can_present;
    int pair;              // rename: index of the other name (-1 none); one must exist
    // a present file: a prefix of stream `seed`, size in [lo, hi] ...
    uint32_t seed;
    uint64_t lo, hi;
    // ... or exactly the old content (overwrite with truncation in flight)
    uint8_t has_old;
    uint32_t old_seed;
    uint64_t old_size;
    // ... with bytes [mix_from, mix_to) from stream mix_seed (in-place
    // overwrite); while mix_any, each byte there may be old or new
    uint8_t mix, mix_any;
    uint32_t mix_seed;
    uint64_t mix_from, mix_to;
    // ... and bytes [zero_from, zero_to) zero (grown by truncate or by a
    // write past the end: never stale data)
    uint8_t zero;
    uint64_t zero_from, zero_to;
};

struct model {
    struct exp e[MAX_EXP];
    int n;
};

static struct exp *ex(struct model *m, const char *path)
{
    for (int i = 0; i < m->n; i++) {
        if (strcmp(m->e[i].path, path) == 0) {
            return &m->e[i];
        }
    }
    struct exp *e = &m->e[m->n++];
    memset(e, 0, sizeof *e);
    snprintf(e->path, sizeof e->path, "%s", path);
    e->used = 1;
    e->pair = -1;
    return e;
}

static void exp_file(struct model *m, const char *path, uint32_t seed, uint64_t size)
{
    struct exp *e = ex(m, path);
    e->can_present = 1;
    e->can_absent = 0;
    e->seed = seed;
    e->lo = e->hi = size;
}

static void exp_dir(struct model *m, const char *path)
{
    struct exp *e = ex(m, path);
    e->is_dir = 1;
    e->can_present = 1;
}

// Does the content match one of the states `e` allows? Returns NULL or why not.
static const char *content_ok(const struct exp *e, const uint8_t *d, uint64_t len)
{
    if (e->has_old && len == e->old_size &&
        th_fat_pattern_mismatch(d, len, e->old_seed, 0) == len) {
        return NULL;
    }
    if (len < e->lo || len > e->hi) {
        return "size out of range";
    }
    for (uint64_t i = 0; i < len; i++) {
        uint8_t base = th_fat_pattern_byte(e->seed, i);
        if (e->zero && i >= e->zero_from && i < e->zero_to) {
            if (d[i] != 0) {
                return "non-zero byte where the file was grown";
            }
            continue;
        }
        if (e->mix && i >= e->mix_from && i < e->mix_to) {
            uint8_t nw = th_fat_pattern_byte(e->mix_seed, i);
            if (d[i] == nw || (e->mix_any && d[i] == base)) {
                continue;
            }
            return "foreign byte in the overwritten range";
        }
        if (d[i] != base) {
            return (d[i] == 'S' || d[i] == 'T' || d[i] == 'A' || d[i] == 'L' || d[i] == 'E')
                       ? "stale device data in the file"
                       : "foreign byte";
        }
    }
    return NULL;
}

static int in_model(const struct model *m, const char *path)
{
    for (int i = 0; i < m->n; i++) {
        if (strcmp(m->e[i].path, path) == 0) {
            return 1;
        }
    }
    return 0;
}

// Every listed path must be one the model knows (no resurrected or foreign
// entries); returns the number of problems.
static int check_listing(struct cairn_fs *fs, const struct model *m, const char *dir,
                         const char *tag, int depth)
{
    const struct cairn_fs_ops *o = fs->ops;
    int bad = 0;
    void *d = calloc(1, o->dir_size(fs));
    struct cairn_dirent *ent = malloc(sizeof *ent);
    int rc = o->opendir(fs, d, dir);
    if (rc < 0) {
        pl_log("  %s: opendir(%s) = %d\n", tag, dir, rc);
        free(d);
        free(ent);
        return 1;
    }
    char subs[16][1100];
    int nsub = 0;
    int count = 0;
    while ((rc = o->readdir(fs, d, ent)) == 1 && count++ < 1000) {
        char p[1100];
        snprintf(p, sizeof p, "%.200s%s%s", dir, strcmp(dir, "/") ? "/" : "", ent->name);
        if (!in_model(m, p)) {
            pl_log("  %s: unexpected entry %s\n", tag, p);
            bad++;
        } else if (ent->type == CAIRN_S_IFDIR && nsub < 16) {
            memcpy(subs[nsub++], p, sizeof p);
        }
    }
    if (rc < 0) {
        pl_log("  %s: readdir(%s) = %d\n", tag, dir, rc);
        bad++;
    }
    o->closedir(fs, d);
    free(d);
    free(ent);
    for (int i = 0; i < nsub && depth < 8; i++) {
        bad += check_listing(fs, m, subs[i], tag, depth + 1);
    }
    return bad;
}

// Check the mounted volume against the model; returns the number of problems.
static int check_model(struct cairn_fs *fs, const struct model *m, const char *tag)
{
    int bad = 0;
    int present[MAX_EXP] = {0};
    for (int i = 0; i < m->n; i++) {
        const struct exp *e = &m->e[i];
        struct cairn_stat st;
        int rc = fs->ops->stat(fs, e->path, &st);
        if (rc == CAIRN_ENOENT) {
            if (!e->can_absent) {
                pl_log("  %s: %s is missing\n", tag, e->path);
                bad++;
            }
            continue;
        }
        if (rc != 0) {
            pl_log("  %s: stat(%s) = %d\n", tag, e->path, rc);
            bad++;
            continue;
        }
        present[i] = 1;
        if (!e->can_present) {
            pl_log("  %s: %s should be gone\n", tag, e->path);
            bad++;
            continue;
        }
        if (e->is_dir) {
            if (st.mode != CAIRN_S_IFDIR) {
                pl_log("  %s: %s is not a directory\n", tag, e->path);
                bad++;
            }
            continue;
        }
        uint8_t *data;
        size_t len;
        rc = th_fat_fs_read(fs, e->path, &data, &len);
        if (rc != 0) {
            pl_log("  %s: read(%s) = %d\n", tag, e->path, rc);
            bad++;
            continue;
        }
        const char *why = st.mode != CAIRN_S_IFREG        ? "not a file"
                          : st.size != (int64_t)len       ? "stat size differs from data"
                                                          : content_ok(e, data, len);
        if (why != NULL) {
            pl_log("  %s: %s (%zu bytes): %s%s\n", tag, e->path, len, why,
                   e->pair >= 0 ? " (a duplicate left by an interrupted rename must be dropped, "
                                  "not kept with other content)"
                                : "");
            bad++;
        }
        free(data);
    }
    for (int i = 0; i < m->n; i++) {
        int j = m->e[i].pair;
        if (j > i && !present[i] && !present[j]) {
            pl_log("  %s: both %s and %s are gone\n", tag, m->e[i].path, m->e[j].path);
            bad++;
        }
    }
    bad += check_listing(fs, m, "/", tag, 0);
    return bad;
}

// ---- workloads ---------------------------------------------------------------------------------
// Each runs on a mounted fs and stops at the first failure (the power is off);
// the model is widened before an operation and narrowed once it succeeded.

struct wl {
    struct cairn_fs *fs;
    struct model *m;
    void *file;
};

static int wl_write(struct wl *w, struct exp *e, uint32_t seed, uint64_t off, uint32_t len)
{
    uint8_t buf[8192];
    while (len > 0) {
        uint32_t k = len > sizeof buf ? (uint32_t)sizeof buf : len;
        th_fat_pattern(buf, k, seed, off);
        if (e != NULL && off + k > e->hi) {
            e->hi = off + k;
        }
        int32_t n = w->fs->ops->write(w->fs, w->file, buf, k);
        if (n != (int32_t)k) {
            return n < 0 ? n : CAIRN_EIO;
        }
        off += k;
        len -= k;
    }
    return 0;
}

#define TRY(x)                                                                              \
    do {                                                                                    \
        if ((x) < 0) {                                                                      \
            return;                                                                         \
        }                                                                                   \
    } while (0)

// The files every workload starts with (created, closed, unmounted).
static void base_files(struct model *m)
{
    exp_file(m, "/keep.bin", 101, 3000);
    exp_dir(m, "/dir");
    exp_file(m, "/dir/Keep Me With A Long Name.bin", 102, 700);
    exp_file(m, "/log.txt", 103, 1000);
    exp_file(m, "/victim.bin", 104, 4000);
    exp_dir(m, "/emptydir");
}

static void wl_create(struct wl *w)
{
    const struct cairn_fs_ops *o = w->fs->ops;
    struct exp *e = ex(w->m, "/A new file with a long name.dat");
    e->can_absent = e->can_present = 1;
    e->seed = 201;
    TRY(o->open(w->fs, w->file, e->path, CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_EXCL));
    TRY(wl_write(w, e, 201, 0, 1000));
    TRY(wl_write(w, e, 201, 1000, 2500));
    TRY(wl_write(w, e, 201, 3500, 1700));
    TRY(o->close(w->fs, w->file));
    e->can_absent = 0;
    e->lo = e->hi;
    struct exp *s = ex(w->m, "/short.txt");
    s->can_absent = s->can_present = 1;
    s->seed = 202;
    TRY(o->open(w->fs, w->file, s->path, CAIRN_O_WRONLY | CAIRN_O_CREAT));
    TRY(wl_write(w, s, 202, 0, 10));
    TRY(o->close(w->fs, w->file));
    s->can_absent = 0;
    s->lo = s->hi;
}

static void wl_append(struct wl *w)
{
    const struct cairn_fs_ops *o = w->fs->ops;
    struct exp *e = ex(w->m, "/log.txt");
    TRY(o->open(w->fs, w->file, e->path, CAIRN_O_WRONLY | CAIRN_O_APPEND));
    TRY(wl_write(w, e, e->seed, 1000, 700));
    TRY(wl_write(w, e, e->seed, 1700, 900));
    TRY(o->sync(w->fs, w->file));
    e->lo = e->hi;
    TRY(wl_write(w, e, e->seed, 2600, 1500));
    TRY(o->close(w->fs, w->file));
    e->lo = e->hi;
    for (int i = 0; i < 3; i++) {
        TRY(o->open(w->fs, w->file, e->path, CAIRN_O_WRONLY | CAIRN_O_APPEND));
        TRY(wl_write(w, e, e->seed, e->hi, 32));
        TRY(o->close(w->fs, w->file));
        e->lo = e->hi;
    }
}

static void wl_overwrite(struct wl *w)
{
    const struct cairn_fs_ops *o = w->fs->ops;
    struct exp *e = ex(w->m, "/victim.bin");
    // Truncate-and-rewrite: the old content, or a prefix of the new one.
    e->has_old = 1;
    e->old_seed = e->seed;
    e->old_size = e->hi;
    e->seed = 301;
    e->lo = e->hi = 0;
    TRY(o->open(w->fs, w->file, e->path, CAIRN_O_WRONLY | CAIRN_O_TRUNC));
    TRY(wl_write(w, e, 301, 0, 6000));
    TRY(o->close(w->fs, w->file));
    e->has_old = 0;
    e->lo = e->hi;
    // In place: bytes 1000..3500 become stream 302, the size stays.
    struct exp *k = ex(w->m, "/keep.bin");
    k->mix = k->mix_any = 1;
    k->mix_seed = 302;
    k->mix_from = 1000;
    k->mix_to = 3500;
    k->hi = 3500;
    TRY(o->open(w->fs, w->file, k->path, CAIRN_O_RDWR));
    TRY(o->seek(w->fs, w->file, 1000, CAIRN_SEEK_SET));
    TRY(wl_write(w, NULL, 302, 1000, 2500));
    TRY(o->close(w->fs, w->file));
    k->mix_any = 0;
    k->lo = k->hi;
}

static void wl_truncate(struct wl *w)
{
    const struct cairn_fs_ops *o = w->fs->ops;
    struct exp *e = ex(w->m, "/victim.bin");
    e->lo = 1500;
    TRY(o->open(w->fs, w->file, e->path, CAIRN_O_RDWR));
    TRY(o->truncate(w->fs, w->file, 1500));
    TRY(o->close(w->fs, w->file));
    e->hi = 1500;
    struct exp *l = ex(w->m, "/log.txt");
    l->lo = 0;
    TRY(o->open(w->fs, w->file, l->path, CAIRN_O_WRONLY | CAIRN_O_TRUNC));
    TRY(o->close(w->fs, w->file));
    l->hi = 0;
    // Grow by truncate (zero-filled), then write past the end (D11: the gap
    // reads as zeros).
    struct exp *k = ex(w->m, "/keep.bin");
    k->zero = 1;
    k->zero_from = k->hi;
    k->zero_to = 12000;
    k->hi = 9000;
    TRY(o->open(w->fs, w->file, k->path, CAIRN_O_RDWR));
    TRY(o->truncate(w->fs, w->file, 9000));
    TRY(o->close(w->fs, w->file));
    k->lo = 9000;
    k->mix = 1;
    k->mix_seed = 902;
    k->mix_from = 12000;
    k->mix_to = 12100;
    TRY(o->open(w->fs, w->file, k->path, CAIRN_O_RDWR));
    TRY(o->seek(w->fs, w->file, 12000, CAIRN_SEEK_SET));
    TRY(wl_write(w, k, 902, 12000, 100));
    TRY(o->close(w->fs, w->file));
    k->lo = k->hi;
}

// Rename from -> to (a new name), the model widened while it is in flight
// (either name may hold the object, one must). The new name's expectation,
// or NULL when the rename failed (the power is off).
static struct exp *wl_move(struct wl *w, const char *from, const char *to)
{
    struct model *m = w->m;
    struct exp *a = ex(m, from), *b = ex(m, to);
    *b = *a;
    snprintf(b->path, sizeof b->path, "%s", to);
    a->can_absent = b->can_absent = 1;
    a->pair = (int)(b - m->e);
    b->pair = (int)(a - m->e);
    if (w->fs->ops->rename(w->fs, from, to) < 0) {
        return NULL;
    }
    a->can_present = 0;
    b->can_absent = 0;
    return b;
}

static void wl_rename(struct wl *w)
{
    const struct cairn_fs_ops *o = w->fs->ops;
    struct model *m = w->m;
    // Across directories, to a long name.
    if (!wl_move(w, "/victim.bin", "/dir/Renamed Victim With Long Name.bin")) {
        return;
    }
    // Replacing an existing file: the log is either one.
    struct exp *k = ex(m, "/keep.bin");
    struct exp *l = ex(m, "/log.txt");
    struct exp saved = *k;
    k->can_absent = 1;
    l->can_absent = 1;
    k->pair = (int)(l - m->e);
    l->pair = (int)(k - m->e);
    // /keep.bin may hold the old keep or the log
    k->has_old = 1;
    k->old_seed = saved.seed;
    k->old_size = saved.hi;
    k->seed = l->seed;
    k->lo = l->lo;
    k->hi = l->hi;
    TRY(o->rename(w->fs, l->path, k->path));
    l->can_present = 0;
    k->has_old = 0;
    k->can_absent = 0;
    // A directory with content moves into another.
    (void)wl_move(w, "/emptydir", "/dir/moved dir");
}

static void wl_mkdir(struct wl *w)
{
    const struct cairn_fs_ops *o = w->fs->ops;
    struct exp *a = ex(w->m, "/New Directory");
    a->is_dir = a->can_absent = a->can_present = 1;
    TRY(o->mkdir(w->fs, a->path));
    a->can_absent = 0;
    struct exp *b = ex(w->m, "/New Directory/sub");
    b->is_dir = b->can_absent = b->can_present = 1;
    TRY(o->mkdir(w->fs, b->path));
    b->can_absent = 0;
    struct exp *f = ex(w->m, "/New Directory/sub/inner file.bin");
    f->can_absent = f->can_present = 1;
    f->seed = 601;
    TRY(o->open(w->fs, w->file, f->path, CAIRN_O_WRONLY | CAIRN_O_CREAT));
    TRY(wl_write(w, f, 601, 0, 2100));
    TRY(o->close(w->fs, w->file));
    f->can_absent = 0;
    f->lo = f->hi;
}

static void wl_remove(struct wl *w)
{
    const struct cairn_fs_ops *o = w->fs->ops;
    struct exp *a = ex(w->m, "/victim.bin");
    a->can_absent = 1;
    TRY(o->remove(w->fs, a->path));
    a->can_present = 0;
    struct exp *b = ex(w->m, "/emptydir");
    b->can_absent = 1;
    TRY(o->rmdir(w->fs, b->path));
    b->can_present = 0;
    struct exp *c = ex(w->m, "/dir/Keep Me With A Long Name.bin");
    c->can_absent = 1;
    TRY(o->remove(w->fs, c->path));
    c->can_present = 0;
}

// Many small files in one directory: the directory grows by clusters and
// long-name entry sets cross sector boundaries.
static void wl_many(struct wl *w)
{
    const struct cairn_fs_ops *o = w->fs->ops;
    for (int i = 0; i < 24; i++) {
        char p[128];
        snprintf(p, sizeof p, "/dir/Small file number %02d with long name.txt", i);
        struct exp *e = ex(w->m, p);
        e->can_absent = e->can_present = 1;
        e->seed = 700 + (uint32_t)i;
        TRY(o->open(w->fs, w->file, p, CAIRN_O_WRONLY | CAIRN_O_CREAT));
        TRY(wl_write(w, e, e->seed, 0, (uint32_t)(50 + 37 * i)));
        TRY(o->close(w->fs, w->file));
        e->can_absent = 0;
        e->lo = e->hi;
    }
}

// Large single writes: multi-sector writes that a cut tears part way.
static void wl_big(struct wl *w)
{
    const struct cairn_fs_ops *o = w->fs->ops;
    struct exp *e = ex(w->m, "/big.bin");
    e->can_absent = e->can_present = 1;
    e->seed = 801;
    TRY(o->open(w->fs, w->file, e->path, CAIRN_O_RDWR | CAIRN_O_CREAT));
    TRY(wl_write(w, e, 801, 0, 24576));
    TRY(o->sync(w->fs, w->file));
    e->can_absent = 0;
    e->lo = e->hi;
    // Rewrite the middle in one call, then grow the file in one call.
    e->mix = e->mix_any = 1;
    e->mix_seed = 802;
    e->mix_from = 4096;
    e->mix_to = 20480;
    TRY(o->seek(w->fs, w->file, 4096, CAIRN_SEEK_SET));
    TRY(wl_write(w, NULL, 802, 4096, 16384));
    TRY(o->sync(w->fs, w->file));
    e->mix_any = 0;
    TRY(o->seek(w->fs, w->file, 0, CAIRN_SEEK_END));
    TRY(wl_write(w, e, 801, 24576, 8192));
    TRY(o->close(w->fs, w->file));
    e->lo = e->hi;
}

// Files removed and renamed while open. The removed file's handle goes on
// writing into clusters that stay its own until it closes, while a new file
// takes the freed entry and free clusters: no byte of the removed file may
// show up in it. The renamed file is written on under its new name.
static void wl_while_open(struct wl *w)
{
    const struct cairn_fs_ops *o = w->fs->ops;
    struct model *m = w->m;
    // (static: a cut leaves it open, and unmount still reaches it)
    static _Alignas(16) uint8_t second[256];
    void *held = w->file;
    if (o->file_size(w->fs) > sizeof second) {
        return;
    }
    struct exp *v = ex(m, "/victim.bin");
    TRY(o->open(w->fs, w->file, v->path, CAIRN_O_RDWR | CAIRN_O_APPEND));
    v->can_absent = 1;
    TRY(o->remove(w->fs, v->path));
    v->can_present = 0;
    TRY(wl_write(w, NULL, 901, 4000, 3000));
    TRY(o->sync(w->fs, w->file));
    struct exp *n = ex(m, "/newcomer.bin");
    n->can_absent = n->can_present = 1;
    n->seed = 902;
    w->file = second;
    TRY(o->open(w->fs, w->file, n->path, CAIRN_O_WRONLY | CAIRN_O_CREAT));
    TRY(wl_write(w, n, 902, 0, 5000));
    TRY(o->close(w->fs, w->file));
    n->can_absent = 0;
    n->lo = n->hi;
    w->file = held;
    TRY(wl_write(w, NULL, 901, 7000, 2000));
    TRY(o->close(w->fs, w->file)); // (its clusters are freed now)
    // renamed while open, then grown
    TRY(o->open(w->fs, w->file, "/keep.bin", CAIRN_O_WRONLY | CAIRN_O_APPEND));
    struct exp *b = wl_move(w, "/keep.bin", "/dir/Kept under a new name.bin");
    if (!b) {
        return;
    }
    TRY(wl_write(w, b, b->seed, 3000, 2500));
    TRY(o->close(w->fs, w->file));
    b->lo = b->hi;
}

struct workload {
    const char *name;
    void (*run)(struct wl *w);
};

static const struct workload workloads[] = {
    {"create", wl_create},     {"append", wl_append}, {"overwrite", wl_overwrite},
    {"truncate", wl_truncate}, {"rename", wl_rename}, {"mkdir", wl_mkdir},
    {"remove", wl_remove},     {"many", wl_many},     {"big", wl_big},
    {"while-open", wl_while_open},
};

// ---- the schedule ----------------------------------------------------------------------------------

struct geom {
    const char *name;
    uint32_t ss, count;
    struct cairn_fat_config cfg;
    uint8_t tear;
};

struct rig {
    const struct geom *g;
    uint8_t *base; // formatted image with the base files
    uint8_t *mem;  // the card
    size_t bytes;
    uint8_t scratch[4096];
    struct cairn_sd sd;
    struct cairn_fault fault;
    struct th_fat_count count; // above the fault wrapper: sees the torn op's length
    struct cairn_fat fat;
    void *file;
};

static int rig_devices(struct rig *r, uint32_t seed)
{
    struct cairn_sd_config sc = {r->g->ss, r->g->count, r->g->tear};
    if (cairn_sd_init(&r->sd, &sc, r->mem) != 0 ||
        cairn_fault_init(&r->fault, &r->sd.bd, r->scratch, sizeof r->scratch, seed) != 0) {
        return CAIRN_EINVAL;
    }
    th_fat_count_init(&r->count, &r->fault.bd);
    if (cairn_fat_init(&r->fat, &r->count.bd, &r->g->cfg) != 0) {
        return CAIRN_EINVAL;
    }
    return 0;
}

static void rig_setup(struct rig *r, const struct geom *g)
{
    memset(r, 0, sizeof *r);
    r->g = g;
    r->bytes = (size_t)g->ss * g->count;
    r->base = malloc(r->bytes);
    r->mem = malloc(r->bytes);
    th_fat_stale_fill(r->mem, r->bytes, g->ss);
    struct cairn_sd_config sc = {g->ss, g->count, g->tear};
    REQUIRE_EQ(cairn_sd_init(&r->sd, &sc, r->mem), 0);
    REQUIRE_EQ(cairn_fat_init(&r->fat, &r->sd.bd, &g->cfg), 0);
    struct cairn_fs *fs = &r->fat.fs;
    REQUIRE_EQ(fs->ops->mkfs(fs), 0);
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    r->file = calloc(1, fs->ops->file_size(fs) + 16);
    uint8_t *buf = malloc(8192);
    struct model m = {0};
    base_files(&m);
    for (int i = 0; i < m.n; i++) {
        const struct exp *e = &m.e[i];
        if (e->is_dir) {
            REQUIRE_EQ(fs->ops->mkdir(fs, e->path), 0);
        } else {
            th_fat_pattern(buf, e->hi, e->seed, 0);
            REQUIRE_EQ(th_fat_fs_write(fs, e->path, buf, e->hi, 0), 0);
        }
    }
    free(buf);
    REQUIRE_EQ(fs->ops->umount(fs), 0);
    memcpy(r->base, r->mem, r->bytes);
}

static void rig_free(struct rig *r)
{
    free(r->base);
    free(r->mem);
    free(r->file);
}

// Run workload `w` from the base image, with a cut at op `cut` (0 = none).
// Returns the ops the run performed; the model says what may be on the card.
static uint64_t run_once(struct rig *r, const struct workload *w, uint64_t cut, uint32_t seed,
                         struct model *m)
{
    memcpy(r->mem, r->base, r->bytes);
    memset(m, 0, sizeof *m);
    base_files(m);
    if (rig_devices(r, seed) != 0) {
        return UINT64_MAX;
    }
    if (cut != 0) {
        // Every write is one op, so the cut-th write call is the torn one.
        cairn_fault_cut_after(&r->fault, cut, CAIRN_CUT_PROG_PREFIX);
        r->count.watch_write = cut;
    }
    // A cut may land in the mount itself (the dirty flag): then nothing runs.
    if (r->fat.fs.ops->mount(&r->fat.fs, 0) == 0) {
        struct wl ctx = {&r->fat.fs, m, r->file};
        w->run(&ctx);
        r->fat.fs.ops->umount(&r->fat.fs);
    }
    return cairn_fault_ops_count(&r->fault);
}

static const char *fsck_problem;
static void fsck_report(void *ctx, const char *problem, int fixed)
{
    int *n = ctx;
    (*n)++;
    fsck_problem = problem;
    (void)fixed;
}

// After a cut: power on, mount, check, repair, check, fsck.fat -n (sampled).
static int after_cut(struct rig *r, const struct workload *w, uint64_t cut, const struct model *m,
                     int run_fsck_fat)
{
    char tag[96];
    snprintf(tag, sizeof tag, "%s/%s cut %llu", r->g->name, w->name, (unsigned long long)cut);
    struct cairn_sd_config sc = {r->g->ss, r->g->count, r->g->tear};
    cairn_sd_init(&r->sd, &sc, r->mem);
    cairn_fat_init(&r->fat, &r->sd.bd, &r->g->cfg);
    struct cairn_fs *fs = &r->fat.fs;
    int rc = fs->ops->mount(fs, 0);
    if (rc != 0) {
        pl_log("  %s: mount = %d\n", tag, rc);
        return 1;
    }
    int bad = check_model(fs, m, tag);
    int reported = 0;
    int32_t left = fs->ops->fsck(fs, CAIRN_FSCK_REPAIR, fsck_report, &reported);
    if (left != 0) {
        pl_log("  %s: fsck --repair left %d problems (last: %s)\n", tag, (int)left,
               fsck_problem ? fsck_problem : "?");
        bad++;
    }
    int again = 0;
    left = fs->ops->fsck(fs, 0, fsck_report, &again);
    if (left != 0 || again != 0) {
        pl_log("  %s: fsck after repair still finds %d (%d reported; last: %s)\n", tag, (int)left,
               again, fsck_problem ? fsck_problem : "?");
        bad++;
    }
    char tag2[120];
    snprintf(tag2, sizeof tag2, "%s after repair", tag);
    bad += check_model(fs, m, tag2);
    // Every directory lists and every file reads, to its end.
    long walked = th_fat_fs_walk(fs, 10000);
    if (walked < 0) {
        pl_log("  %s: walking the repaired volume failed: %ld\n", tag, walked);
        bad++;
    }
    // The repaired volume is usable: a new file goes in and comes back.
    uint8_t buf[3000];
    th_fat_pattern(buf, sizeof buf, 999, 0);
    rc = th_fat_fs_write(fs, "/after the cut.bin", buf, sizeof buf, 0);
    uint8_t *back = NULL;
    size_t bl = 0;
    if (rc == 0) {
        rc = th_fat_fs_read(fs, "/after the cut.bin", &back, &bl);
    }
    if (rc != 0 || bl != sizeof buf || memcmp(back, buf, bl) != 0) {
        pl_log("  %s: writing after repair failed (%d)\n", tag, rc);
        bad++;
    }
    free(back);
    rc = fs->ops->umount(fs);
    if (rc != 0) {
        pl_log("  %s: umount = %d\n", tag, rc);
        bad++;
    }
    if (run_fsck_fat) {
        const char *img = th_tmp("pl.img");
        char cmd[1200], out[4096];
        // fsck.fat wants the volume alone (behind an MBR it starts later).
        uint64_t off = th_fat_volume_offset(r->mem, r->g->ss);
        if (off >= r->bytes || th_fat_write_host(img, r->mem + off, r->bytes - off) != 0) {
            pl_log("  %s: cannot write %s\n", tag, img);
            return bad + 1;
        }
        snprintf(cmd, sizeof cmd, "%s -n '%s'", th_fat_tool("fsck.fat"), img);
        rc = th_fat_run(cmd, out, sizeof out);
        if (rc != 0) {
            pl_log("  %s: fsck.fat -n = %d:\n%s\n", tag, rc, out);
            bad++;
        }
    }
    return bad;
}

static void schedule(const struct geom *g, uint64_t stride_fsck_fat)
{
    if (!th_fat_has_fsck()) {
        SKIP("built with CAIRN_FAT_FSCK 0: every cut is checked with fsck --repair");
    }
    struct rig r;
    rig_setup(&r, g);
    if (th_failed_now()) {
        rig_free(&r);
        return;
    }
    int have_fsck = th_fat_have_tool("fsck.fat");
    if (!have_fsck) {
        pl_log("  fsck.fat missing (dosfstools): only cairn's own fsck is checked\n");
    }
    uint64_t cuts = 0, fsck_fat_runs = 0, multi = 0;
    struct model m;
    for (size_t wi = 0; wi < sizeof workloads / sizeof workloads[0]; wi++) {
        const struct workload *w = &workloads[wi];
        uint64_t total = run_once(&r, w, 0, 1, &m);
        if (total == UINT64_MAX) {
            th_fail(__FILE__, __LINE__, "%s: cannot set up the devices", w->name);
            break;
        }
        // The uncut run leaves exactly the final state.
        int failures = after_cut(&r, w, 0, &m, have_fsck);
        uint64_t wl_cuts = 0;
        // A cut inside a multi-sector write is retried with other tear lengths
        // (CAIRN_LONG: more of them).
        int tears = th_long() ? 4 : 2;
        for (uint64_t n = 1; n <= total; n++) {
            for (int t = 0; t < tears; t++) {
                pl_verbose = failures < 3 || getenv("CAIRN_PL_VERBOSE") != NULL;
                uint32_t seed = (uint32_t)(n * 7919u + wi * 104729u + (uint32_t)t * 31337u + 1);
                run_once(&r, w, n, seed, &m);
                if (!cairn_fault_power_is_off(&r.fault)) {
                    break; // the workload finished before op n (it wrote less this time)
                }
                int multi_op = r.count.watched_blocks > 1;
                if (t > 0 && !multi_op) {
                    break; // a single-sector op tears only one way
                }
                int fsck_fat =
                    have_fsck && stride_fsck_fat != 0 && ((n - 1) % stride_fsck_fat) == 0;
                fsck_fat_runs += fsck_fat;
                failures += after_cut(&r, w, n, &m, fsck_fat);
                cuts++;
                wl_cuts++;
                multi += multi_op;
            }
        }
        pl_verbose = 1;
        if (failures != 0) {
            th_fail(__FILE__, __LINE__, "%s/%s: %d of %llu cut points fail", g->name, w->name,
                    failures, (unsigned long long)wl_cuts);
        }
    }
    printf("fat powerloss %s: %llu cut points covered (%llu in multi-sector writes, %llu checked "
           "with fsck.fat)\n",
           g->name, (unsigned long long)cuts, (unsigned long long)multi,
           (unsigned long long)fsck_fat_runs);
    CHECK(cuts > 0);
    rig_free(&r);
}

TEST(powerloss_fat12_sd512)
{
    // 1 MiB card: FAT12 with 512-byte clusters; torn writes keep a prefix of sectors.
    struct geom g = {"fat12-sd512", 512, 2048, {0}, CAIRN_SD_TEAR_SECTORS};
    schedule(&g, 1);
}

TEST(powerloss_fat16_two_fats)
{
    // FAT16 with both FAT copies, 1 KiB clusters.
    struct geom g = {"fat16-2fats", 512, 8400, {0}, CAIRN_SD_TEAR_SECTORS};
    g.cfg.fat_type = 16;
    g.cfg.n_fats = 2;
    g.cfg.cluster_size = 1024;
    schedule(&g, th_long() ? 1 : 3);
}

TEST(powerloss_fat12_sd4096)
{
    // 4096-byte sectors (D14), 2-sector clusters: torn multi-sector writes.
    struct geom g = {"fat12-sd4096", 4096, 512, {0}, CAIRN_SD_TEAR_SECTORS};
    g.cfg.cluster_size = 8192;
    schedule(&g, th_long() ? 1 : 2);
}

TEST(powerloss_fat32)
{
    // 34 MiB card: FAT32 (>= 65525 clusters of 512 bytes) with FSInfo.
    struct geom g = {"fat32-sd512", 512, 70000, {0}, CAIRN_SD_TEAR_SECTORS};
    g.cfg.fat_type = 32;
    g.cfg.no_mbr = 1;
    g.cfg.cluster_size = 512;
    schedule(&g, th_long() ? 1 : 16);
}

TEST(powerloss_fat32_mbr)
{
    // FAT32 behind an MBR (the volume at sector 63), 1 KiB clusters, two FATs.
    if (!th_long()) {
        SKIP("70 MiB card: CAIRN_LONG=1 only");
    }
    struct geom g = {"fat32-mbr", 512, 140000, {0}, CAIRN_SD_TEAR_SECTORS};
    g.cfg.fat_type = 32;
    g.cfg.n_fats = 2;
    g.cfg.cluster_size = 1024;
    schedule(&g, 4);
}

// ---- the checker itself: it must catch what it is there to catch -------------------------

TEST(checker_rejects_foreign_content)
{
    struct exp e;
    memset(&e, 0, sizeof e);
    e.can_present = 1;
    e.pair = -1;
    e.seed = 5;
    e.lo = 0;
    e.hi = 100;
    uint8_t buf[200];
    th_fat_pattern(buf, sizeof buf, 5, 0);
    CHECK(content_ok(&e, buf, 60) == NULL);  // a prefix
    CHECK(content_ok(&e, buf, 100) == NULL); // all of it
    CHECK(content_ok(&e, buf, 120) != NULL); // longer than written
    th_fat_stale_fill(buf + 32, 64, 512);
    CHECK(content_ok(&e, buf, 60) != NULL); // stale device data inside
    // Truncate-and-rewrite in flight: old content whole, or a prefix of the new.
    e.has_old = 1;
    e.old_seed = 6;
    e.old_size = 50;
    th_fat_pattern(buf, sizeof buf, 6, 0);
    CHECK(content_ok(&e, buf, 50) == NULL);
    CHECK(content_ok(&e, buf, 40) != NULL); // old content cut short
    // In-place overwrite: old or new bytes in the range while in flight, new after.
    memset(&e, 0, sizeof e);
    e.can_present = 1;
    e.seed = 7;
    e.lo = e.hi = 100;
    e.mix = e.mix_any = 1;
    e.mix_seed = 8;
    e.mix_from = 20;
    e.mix_to = 60;
    th_fat_pattern(buf, 100, 7, 0);
    th_fat_pattern(buf + 20, 15, 8, 20);
    CHECK(content_ok(&e, buf, 100) == NULL);
    e.mix_any = 0;
    CHECK(content_ok(&e, buf, 100) != NULL);
    th_fat_pattern(buf + 20, 40, 8, 20);
    CHECK(content_ok(&e, buf, 100) == NULL);
    buf[70] ^= 0x40; // outside the range: must be the old stream
    CHECK(content_ok(&e, buf, 100) != NULL);
    // Grown files: zeros in the grown range, stale data there is caught.
    memset(&e, 0, sizeof e);
    e.can_present = 1;
    e.seed = 9;
    e.lo = 10;
    e.hi = 100;
    e.zero = 1;
    e.zero_from = 10;
    e.zero_to = 100;
    th_fat_pattern(buf, 10, 9, 0);
    memset(buf + 10, 0, 90);
    CHECK(content_ok(&e, buf, 100) == NULL);
    th_fat_stale_fill(buf + 64, 16, 512);
    CHECK(content_ok(&e, buf, 100) != NULL);
}

// End to end on a real volume: stale data behind a file's size, a missing
// file and an unexpected entry are all reported.
TEST(checker_catches_damage_on_a_volume)
{
    struct geom g = {"check", 512, 2048, {0}, CAIRN_SD_TEAR_SECTORS};
    struct rig r;
    rig_setup(&r, &g);
    if (th_failed_now()) {
        rig_free(&r);
        return;
    }
    struct model m;
    memset(&m, 0, sizeof m);
    base_files(&m);
    memcpy(r.mem, r.base, r.bytes);
    struct cairn_sd_config sc = {g.ss, g.count, g.tear};
    REQUIRE_EQ(cairn_sd_init(&r.sd, &sc, r.mem), 0);
    REQUIRE_EQ(cairn_fat_init(&r.fat, &r.sd.bd, &g.cfg), 0);
    struct cairn_fs *fs = &r.fat.fs;
    REQUIRE_EQ(fs->ops->mount(fs, 0), 0);
    pl_verbose = 0;
    CHECK_EQ(check_model(fs, &m, "clean"), 0);
    // Replace the second sector of /keep.bin's data with stale device data.
    uint8_t probe[32];
    th_fat_pattern(probe, sizeof probe, 101, 512);
    uint8_t *hit = NULL;
    for (size_t off = 0; off + 512 <= r.bytes && hit == NULL; off += 512) {
        if (memcmp(r.mem + off, probe, sizeof probe) == 0) {
            hit = r.mem + off;
        }
    }
    REQUIRE(hit != NULL);
    th_fat_stale_fill(hit, 512, 512);
    CHECK_EQ(check_model(fs, &m, "stale"), 1);
    th_fat_pattern(hit, 512, 101, 512);
    CHECK_EQ(check_model(fs, &m, "restored"), 0);
    // A file the model requires but the volume lacks; an entry it does not know.
    exp_file(&m, "/never written.bin", 9, 10);
    CHECK_EQ(check_model(fs, &m, "missing"), 1);
    m.n--;
    uint8_t d[10] = {0};
    REQUIRE_EQ(th_fat_fs_write(fs, "/stray.bin", d, sizeof d, 0), 0);
    CHECK_EQ(check_model(fs, &m, "stray"), 1);
    pl_verbose = 1;
    fs->ops->umount(fs);
    rig_free(&r);
}
