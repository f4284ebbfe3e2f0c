// littlefs v2 power loss: the fault wrapper (emu.h) cuts the power at every
// program/erase of small workloads (linear schedule) and at sampled points of
// larger ones, tearing the interrupted operation. After every cut: the volume
// mounts, the tree is exactly the state before or after the interrupted
// operation (or one of its documented intermediate states), the independent
// checker finds no structural error, and the first write repairs whatever the
// cut left pending (a clean unmount then passes the checker's at-rest rules).
#include <setjmp.h>
#include <stdlib.h>

#include "cairn/emu.h"
#include "harness.h"
#include "lfs2/lfs2check.h"
#include "lfs2/lfs2drv.h"
#include "lfs2/lfs2util.h"

enum { S_PUT, S_APPEND, S_APPEND_SYNC, S_REMOVE, S_RMDIR, S_MKDIR, S_RENAME, S_TRUNC };

struct step {
    int op;
    const char *a, *b;
    uint32_t len;
    uint32_t seed;
};

#define PL_MAX_ACCEPT 8

/*
 * Between the fault wrapper and a strict NOR chip (programming a byte that is
 * not erased fails): counts programs the chip refuses outside a torn
 * operation, i.e. the driver writing where it had not erased.
 */
struct pl_guard {
    struct cairn_bdev bd;
    struct cairn_bdev_ops ops;
    struct cairn_bdev *lower;
    struct cairn_fault *f;
    uint64_t refused;
};

static int pl_guard_read(struct cairn_bdev *bd, uint32_t block, uint32_t off, void *buf,
                         uint32_t len)
{
    struct pl_guard *g = (struct pl_guard *)bd;
    return g->lower->ops->read_ext(g->lower, block, off, buf, len);
}

static int pl_guard_write(struct cairn_bdev *bd, uint32_t block, uint32_t off, const void *buf,
                          uint32_t len)
{
    struct pl_guard *g = (struct pl_guard *)bd;
    int rc = g->lower->ops->write_ext(g->lower, block, off, buf, len);
    int tearing = g->f->cut_at != 0 && g->f->ops_done == g->f->cut_at;
    if (rc != 0 && !tearing) {
        g->refused++;
    }
    return rc;
}

static int32_t pl_guard_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    struct pl_guard *g = (struct pl_guard *)bd;
    return g->lower->ops->ioctl(g->lower, op, arg);
}

struct pl {
    uint32_t bs, bc;
    uint8_t *mem, *snap, *scratch;
    struct cairn_nor nor;
    struct pl_guard guard;
    struct cairn_fault f;
    int strict; // strict NOR behind the guard
    struct cairn_lfs2_config cfg;
    struct lt_fs t;
    struct lfs2check_result model;
    struct lfs2check_result accept[PL_MAX_ACCEPT];
    int naccept;
    uint8_t *buf;
    size_t bufsize;
    volatile int cur; // step being executed
    uint64_t cuts;
    uint64_t repair_cuts; // second cuts, during the repair after a first one
    int nested;           // cut the repair too
    uint8_t *snap2;
    int problems;     // failures reported so far (to stop flooding)
    char name[64];
};

static jmp_buf pl_jb;

static void pl_on_cut(void *ctx)
{
    (void)ctx;
    longjmp(pl_jb, 1);
}

static uint64_t pl_total_cuts;
static int pl_nested; // pl_schedule: also cut the repair after each cut
static int pl_strict; // pl_schedule: strict NOR (no programming of unerased bytes)

static void pl_free_accept(struct pl *p)
{
    for (int i = 0; i < p->naccept; i++) {
        lfs2check_free(&p->accept[i]);
    }
    p->naccept = 0;
}

static void pl_accept(struct pl *p, const struct lfs2check_result *state)
{
    if (p->naccept < PL_MAX_ACCEPT) {
        lm_copy(&p->accept[p->naccept++], state);
    }
}

// Acceptable outcomes of a step cut short, then the model after it.
static void pl_plan(struct pl *p, const struct step *s)
{
    pl_free_accept(p);
    pl_accept(p, &p->model);
    struct lfs2check_result tmp;
    switch (s->op) {
    case S_PUT:
        if (lfs2check_find(&p->model, s->a) == NULL) {
            // open(O_CREAT) may commit the empty file before the data
            lm_copy(&tmp, &p->model);
            lm_put(&tmp, s->a, NULL, 0);
            pl_accept(p, &tmp);
            lfs2check_free(&tmp);
        }
        lt_fill(p->buf, s->len, s->seed);
        lm_put(&p->model, s->a, p->buf, s->len);
        break;
    case S_APPEND:
        lt_fill(p->buf, s->len, s->seed);
        lm_append(&p->model, s->a, p->buf, s->len);
        break;
    case S_APPEND_SYNC: {
        // four writes, each followed by a sync: every synced prefix may survive
        lt_fill(p->buf, s->len, s->seed);
        uint32_t q = s->len / 4;
        for (int k = 0; k < 4; k++) {
            uint32_t n = k == 3 ? s->len - 3 * q : q;
            lm_append(&p->model, s->a, p->buf + k * q, n);
            if (k < 3) {
                pl_accept(p, &p->model);
            }
        }
        break;
    }
    case S_REMOVE:
    case S_RMDIR:
        lm_remove(&p->model, s->a);
        break;
    case S_MKDIR:
        lm_mkdir(&p->model, s->a);
        break;
    case S_RENAME:
        lm_rename(&p->model, s->a, s->b);
        break;
    case S_TRUNC: {
        const struct lfs2check_entry *e = lfs2check_find(&p->model, s->a);
        if (e) {
            uint32_t keep = s->len < e->size ? s->len : e->size;
            uint8_t *tmpd = malloc(s->len ? s->len : 1);
            if (tmpd == NULL) {
                abort();
            }
            memset(tmpd, 0, s->len);
            memcpy(tmpd, e->data ? e->data : tmpd, keep);
            lm_put(&p->model, s->a, tmpd, s->len);
            free(tmpd);
        }
        break;
    }
    }
    pl_accept(p, &p->model);
}

static void pl_err(struct pl *p, int rc, const char *what, const struct step *s)
{
    if (rc != 0 && p->problems++ < 10) {
        th_fail(__FILE__, __LINE__, "%s: step %d: %s %s: %d", p->name, p->cur, what, s->a, rc);
    }
}

// Execute one step on the driver (no malloc here: a cut longjmps out of it).
static void pl_exec(struct pl *p, const struct step *s)
{
    struct lt_fs *t = &p->t;
    int rc;
    switch (s->op) {
    case S_PUT:
        lt_fill(p->buf, s->len, s->seed);
        pl_err(p, lt_write_file(t, s->a, p->buf, s->len, 0), "put", s);
        break;
    case S_APPEND:
        lt_fill(p->buf, s->len, s->seed);
        pl_err(p, lt_append_file(t, s->a, p->buf, s->len), "append", s);
        break;
    case S_APPEND_SYNC: {
        lt_fill(p->buf, s->len, s->seed);
        rc = t->ops->open(t->fs, t->file, s->a, CAIRN_O_WRONLY | CAIRN_O_APPEND);
        pl_err(p, rc, "open", s);
        if (rc != 0) {
            break;
        }
        uint32_t q = s->len / 4;
        for (int k = 0; k < 4; k++) {
            uint32_t n = k == 3 ? s->len - 3 * q : q;
            int32_t w = t->ops->write(t->fs, t->file, p->buf + k * q, n);
            pl_err(p, w == (int32_t)n ? 0 : (w < 0 ? w : -1), "write", s);
            pl_err(p, t->ops->sync(t->fs, t->file), "sync", s);
        }
        pl_err(p, t->ops->close(t->fs, t->file), "close", s);
        break;
    }
    case S_REMOVE:
        pl_err(p, t->ops->remove(t->fs, s->a), "remove", s);
        break;
    case S_RMDIR:
        pl_err(p, t->ops->rmdir(t->fs, s->a), "rmdir", s);
        break;
    case S_MKDIR:
        pl_err(p, t->ops->mkdir(t->fs, s->a), "mkdir", s);
        break;
    case S_RENAME:
        pl_err(p, t->ops->rename(t->fs, s->a, s->b), "rename", s);
        break;
    case S_TRUNC:
        rc = t->ops->open(t->fs, t->file, s->a, CAIRN_O_RDWR);
        pl_err(p, rc, "open", s);
        if (rc == 0) {
            pl_err(p, t->ops->truncate(t->fs, t->file, s->len), "truncate", s);
            pl_err(p, t->ops->close(t->fs, t->file), "close", s);
        }
        break;
    }
}

static int pl_setup(struct pl *p, const char *name, uint32_t bs, uint32_t bc, uint32_t prog,
                    int32_t cycles)
{
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->bs = bs;
    p->bc = bc;
    p->mem = malloc((size_t)bs * bc);
    p->snap = malloc((size_t)bs * bc);
    p->snap2 = malloc((size_t)bs * bc);
    p->scratch = malloc(bs);
    p->bufsize = 64 * 1024;
    p->buf = malloc(p->bufsize);
    if (!p->mem || !p->snap || !p->snap2 || !p->scratch || !p->buf) {
        abort();
    }
    memset(p->mem, 0xFF, (size_t)bs * bc);
    struct cairn_nor_config nc;
    memset(&nc, 0, sizeof nc);
    nc.block_size = bs;
    nc.block_count = bc;
    nc.read_size = 1;
    nc.prog_size = prog;
    nc.strict = (uint8_t)pl_strict;
    p->strict = pl_strict;
    if (cairn_nor_init(&p->nor, &nc, p->mem, NULL) != 0) {
        th_fail(__FILE__, __LINE__, "nor init");
        return -1;
    }
    p->guard.ops.read_ext = pl_guard_read;
    p->guard.ops.write_ext = pl_guard_write;
    p->guard.ops.ioctl = pl_guard_ioctl;
    p->guard.bd.ops = &p->guard.ops;
    p->guard.bd.block_size = bs;
    p->guard.bd.block_count = bc;
    p->guard.lower = &p->nor.bd;
    p->guard.f = &p->f;
    if (cairn_fault_init(&p->f, &p->guard.bd, p->scratch, bs, 1) != 0) {
        th_fail(__FILE__, __LINE__, "fault init");
        return -1;
    }
    memset(&p->cfg, 0, sizeof p->cfg);
    p->cfg.read_size = prog;
    p->cfg.prog_size = prog;
    p->cfg.block_cycles = cycles;
    p->cfg.lookahead_size = 8;
    if (lt_init(&p->t, &p->f.bd, &p->cfg) != 0 || lt_mkfs(&p->t) != 0 ||
        lt_mount(&p->t, 0) != 0) {
        th_fail(__FILE__, __LINE__, "%s: mkfs/mount", name);
        return -1;
    }
    lm_init(&p->model);
    return 0;
}

static void pl_teardown(struct pl *p)
{
    pl_free_accept(p);
    lfs2check_free(&p->model);
    lt_fini(&p->t);
    free(p->mem);
    free(p->snap);
    free(p->snap2);
    free(p->scratch);
    free(p->buf);
}

// Run steps without cuts (setup), updating the model.
static void pl_run_plain(struct pl *p, const struct step *steps, int n)
{
    for (int i = 0; i < n; i++) {
        p->cur = i;
        pl_plan(p, &steps[i]);
        pl_exec(p, &steps[i]);
    }
    pl_free_accept(p);
}

static const uint8_t pl_marker[5] = "after";

#define PL_FAIL(p, ...)                                                                     \
    do {                                                                                    \
        if ((p)->problems++ < 10) {                                                         \
            th_fail(__FILE__, __LINE__, __VA_ARGS__);                                       \
        }                                                                                   \
    } while (0)

/*
 * Power is back after a cut: mount, walk, and require an accepted state (the
 * repair marker file, when `marker_ok`, may be absent, empty or complete),
 * and a valid image whose tree the driver shows. Leaves the volume mounted
 * and the walk (without the marker) in *walk; returns 0, or -1 if the mount
 * failed.
 */
static int pl_check_state(struct pl *p, const char *what, int marker_ok,
                          struct lfs2check_result *walk)
{
    lt_reinit(&p->t);
    int rc = lt_mount(&p->t, 0);
    if (rc != 0) {
        PL_FAIL(p, "%s: mount after the cut: %d", what, rc);
        return -1;
    }
    rc = lt_walk(&p->t, walk);
    if (rc != 0 || walk->errors) {
        PL_FAIL(p, "%s: walk: %d", what, rc);
        lfs2check_print(walk, what);
    }
    // the raw image: valid, and the same tree the driver shows
    struct lfs2check_result ck;
    int e = lfs2check_image(p->mem, p->bs, p->bc, 0, &ck);
    if (e) {
        PL_FAIL(p, "%s: the checker finds %d errors", what, e);
        lfs2check_print(&ck, what);
    }
    if (e == 0 && lfs2t_compare_trees(walk, &ck, 1, what, 0) != 0) {
        PL_FAIL(p, "%s: checker and driver disagree", what);
        lfs2t_compare_trees(walk, &ck, 1, what, 4);
    }
    lfs2check_free(&ck);
    const struct lfs2check_entry *mk = lfs2check_find(walk, "/zz_after_cut");
    if (mk && marker_ok) {
        if (mk->size != 0 && (mk->size != sizeof pl_marker ||
                              memcmp(mk->data, pl_marker, sizeof pl_marker) != 0)) {
            PL_FAIL(p, "%s: the marker file holds %u foreign bytes", what, mk->size);
        }
        lm_remove(walk, "/zz_after_cut");
    }
    int match = -1;
    for (int i = 0; i < p->naccept && match < 0; i++) {
        if (lfs2t_compare_trees(walk, &p->accept[i], 0, what, 0) == 0) {
            match = i;
        }
    }
    if (match < 0) {
        PL_FAIL(p, "%s: the tree is neither before nor after the step", what);
        if (p->problems <= 10) {
            lfs2t_compare_trees(walk, &p->accept[0], 0, "vs before", 4);
            lfs2t_compare_trees(walk, &p->accept[p->naccept - 1], 0, "vs after", 4);
        }
    }
    return 0;
}

// The first write after a cut completes any pending move / orphan repair;
// then a clean unmount must pass the checker's at-rest rules, tree unchanged.
static void pl_repair(struct pl *p, const char *what, struct lfs2check_result *walk)
{
    int rc = lt_write_file(&p->t, "/zz_after_cut", pl_marker, sizeof pl_marker, 0);
    if (rc != 0) {
        PL_FAIL(p, "%s: first write after the cut: %d", what, rc);
    }
    rc = lt_umount(&p->t);
    if (rc != 0) {
        PL_FAIL(p, "%s: umount: %d", what, rc);
    }
    struct lfs2check_result ck;
    int e = lfs2check_image(p->mem, p->bs, p->bc, LFS2CHECK_AT_REST, &ck);
    if (e) {
        PL_FAIL(p, "%s: after repair, the checker finds %d errors", what, e);
        lfs2check_print(&ck, what);
    }
    if (e == 0) {
        lm_put(walk, "/zz_after_cut", pl_marker, sizeof pl_marker);
        if (lfs2t_compare_trees(walk, &ck, 0, what, 0) != 0) {
            PL_FAIL(p, "%s: the repair changed the tree", what);
            lfs2t_compare_trees(walk, &ck, 0, what, 4);
        }
    }
    lfs2check_free(&ck);
}

// Write the marker (and unmount) with a cut armed; 1 when the cut came.
static int pl_repair_until_cut(struct pl *p)
{
    if (setjmp(pl_jb) != 0) {
        return 1;
    }
    lt_write_file(&p->t, "/zz_after_cut", pl_marker, sizeof pl_marker, 0);
    lt_umount(&p->t);
    return 0;
}

/*
 * A second cut, during the repair itself: for every operation of the first
 * write after the cut, cut there too, then check the state and repair again.
 * Leaves the image as it was after the first cut, mounted.
 */
static void pl_repair_cuts(struct pl *p, const char *what)
{
    size_t size = (size_t)p->bs * p->bc;
    memcpy(p->snap2, p->mem, size);
    uint64_t o0 = cairn_fault_ops_count(&p->f);
    lt_write_file(&p->t, "/zz_after_cut", pl_marker, sizeof pl_marker, 0);
    lt_umount(&p->t);
    uint64_t cnt = cairn_fault_ops_count(&p->f) - o0;
    for (uint64_t m = 1; m <= cnt && p->problems < 10; m++) {
        char what2[200];
        snprintf(what2, sizeof what2, "%s, then at repair op %llu", what, (unsigned long long)m);
        memcpy(p->mem, p->snap2, size);
        cairn_fault_power_restore(&p->f);
        lt_reinit(&p->t);
        if (lt_mount(&p->t, 0) != 0) {
            PL_FAIL(p, "%s: remount", what2);
            break;
        }
        static const uint8_t modes[] = {CAIRN_CUT_PROG_PREFIX | CAIRN_CUT_ERASE_PARTIAL,
                                        CAIRN_CUT_PROG_DROP | CAIRN_CUT_ERASE_GARBAGE,
                                        CAIRN_CUT_PROG_BITS | CAIRN_CUT_ERASE_DROP};
        cairn_fault_seed(&p->f, (uint32_t)(m * 31 + 7));
        p->f.on_cut = pl_on_cut;
        cairn_fault_cut_after(&p->f, m, modes[m % 3]);
        int cut = pl_repair_until_cut(p);
        p->f.on_cut = NULL;
        cairn_fault_cut_after(&p->f, 0, 0);
        if (!cut) {
            continue;
        }
        p->repair_cuts++;
        cairn_fault_power_restore(&p->f);
        struct lfs2check_result walk;
        if (pl_check_state(p, what2, 1, &walk) == 0) {
            pl_repair(p, what2, &walk);
        }
        lfs2check_free(&walk);
    }
    memcpy(p->mem, p->snap2, size);
    cairn_fault_power_restore(&p->f);
    lt_reinit(&p->t);
    if (lt_mount(&p->t, 0) != 0) {
        PL_FAIL(p, "%s: remount after the repair cuts", what);
    }
}

// After a cut in step p->cur: remount, compare, check, repair, check again.
static void pl_verify(struct pl *p, uint64_t n)
{
    char what[160];
    snprintf(what, sizeof what, "%s: cut at op %llu (step %d)", p->name, (unsigned long long)n,
             p->cur);
    cairn_fault_power_restore(&p->f);
    p->f.on_cut = NULL;
    struct lfs2check_result walk;
    if (pl_check_state(p, what, 0, &walk) != 0) {
        return;
    }
    if (p->nested) {
        pl_repair_cuts(p, what);
    }
    pl_repair(p, what, &walk);
    lfs2check_free(&walk);
}

// Run the steps with a cut armed; 1 when the cut came (longjmp from on_cut).
static int pl_run_until_cut(struct pl *p, const struct step *steps, int nsteps)
{
    if (setjmp(pl_jb) != 0) {
        return 1;
    }
    for (p->cur = 0; p->cur < nsteps; p->cur++) {
        pl_plan(p, &steps[p->cur]);
        pl_exec(p, &steps[p->cur]);
    }
    return 0;
}

/*
 * One workload under a schedule: setup steps run plainly, then the image is
 * snapshotted; `steps` run once to count operations, then again from the
 * snapshot for each chosen cut point. samples == 0: every point (linear);
 * else that many random points with random tear modes.
 */
static void pl_schedule(const char *name, uint32_t bs, uint32_t bc, uint32_t prog, int32_t cycles,
                        const struct step *setup, int nsetup, const struct step *steps, int nsteps,
                        int samples)
{
    static struct pl p; // static: it must survive longjmp without volatile games
    if (pl_setup(&p, name, bs, bc, prog, cycles) != 0) {
        pl_teardown(&p);
        return;
    }
    p.nested = pl_nested;
    pl_run_plain(&p, setup, nsetup);
    if (lt_umount(&p.t) != 0) {
        th_fail(__FILE__, __LINE__, "%s: umount after setup", name);
    }
    if (p.strict) {
        // the guard works: reprogramming the superblock's first bytes is refused
        static const uint8_t zero[16];
        if (cairn_bdev_write_ext(&p.f.bd, 0, 0, zero, sizeof zero) == 0 || p.guard.refused != 1) {
            th_fail(__FILE__, __LINE__, "%s: the strict flash guard does not work", name);
        }
        p.guard.refused = 0;
    }
    memcpy(p.snap, p.mem, (size_t)bs * bc);
    struct lfs2check_result base;
    lm_copy(&base, &p.model);

    // dry run: count the operations of the steps
    lt_reinit(&p.t);
    if (lt_mount(&p.t, 0) != 0) {
        th_fail(__FILE__, __LINE__, "%s: mount for the dry run", name);
        goto out;
    }
    uint64_t ops0 = cairn_fault_ops_count(&p.f);
    pl_run_plain(&p, steps, nsteps);
    lt_umount(&p.t);
    uint64_t total = cairn_fault_ops_count(&p.f) - ops0;
    {
        // what the uncut run made: pairs, relocations (revisions), splits
        struct lfs2check_result ck;
        if (lfs2check_image(p.mem, bs, bc, LFS2CHECK_AT_REST, &ck) != 0) {
            th_fail(__FILE__, __LINE__, "%s: the uncut run leaves an invalid image", name);
            lfs2check_print(&ck, name);
        }
        if (lfs2t_compare_trees(&ck, &p.model, 0, name, 5) != 0) {
            th_fail(__FILE__, __LINE__, "%s: the uncut run's tree is wrong", name);
        }
        printf("lfs2 powerloss %s: uncut run: %u pairs, %u superblock pairs, max revision %u, "
               "%u used blocks\n",
               name, ck.pairs, ck.superblock_pairs, ck.max_rev, ck.used_blocks);
        lfs2check_free(&ck);
    }
    if (total == 0) {
        th_fail(__FILE__, __LINE__, "%s: the workload programs nothing", name);
        goto out;
    }
    static const uint8_t modes[] = {
        CAIRN_CUT_PROG_DROP | CAIRN_CUT_ERASE_DROP,
        CAIRN_CUT_PROG_PREFIX | CAIRN_CUT_ERASE_PARTIAL,
        CAIRN_CUT_PROG_BITS | CAIRN_CUT_ERASE_GARBAGE,
        CAIRN_CUT_PROG_FULL | CAIRN_CUT_ERASE_FULL,
    };
    uint64_t npoints = samples ? (uint64_t)samples : total;
    int nmodes = samples ? 1 : 4; // linear: every tear mode at every point
    uint32_t rng = 0x9E3779B9u ^ bs ^ (uint32_t)nsteps;
    for (uint64_t k = 0; k < npoints && p.problems < 10; k++) {
        for (int mi = 0; mi < nmodes; mi++) {
            uint64_t n;
            uint8_t mode;
            if (samples) {
                rng ^= rng << 13;
                rng ^= rng >> 17;
                rng ^= rng << 5;
                n = 1 + rng % total;
                mode = CAIRN_CUT_RANDOM;
            } else {
                n = k + 1;
                mode = modes[(nmodes == 4 ? (uint64_t)mi : k) % 4];
            }
            memcpy(p.mem, p.snap, (size_t)bs * bc);
            lfs2check_free(&p.model);
            lm_copy(&p.model, &base);
            cairn_fault_power_restore(&p.f);
            cairn_fault_seed(&p.f, (uint32_t)(n * 7919u + (uint64_t)mi + 1));
            lt_reinit(&p.t);
            if (lt_mount(&p.t, 0) != 0) {
                th_fail(__FILE__, __LINE__, "%s: mount before the cut", name);
                goto out;
            }
            p.f.on_cut = pl_on_cut;
            p.f.on_cut_ctx = NULL;
            cairn_fault_cut_after(&p.f, n, mode);
            int cut = pl_run_until_cut(&p, steps, nsteps);
            p.f.on_cut = NULL;
            cairn_fault_cut_after(&p.f, 0, 0);
            if (!cut) {
                // the op count can shift with allocation; the cut never came
                lt_umount(&p.t);
                continue;
            }
            p.cuts++;
            pl_verify(&p, n);
        }
    }
    if (p.guard.refused) {
        th_fail(__FILE__, __LINE__, "%s: %llu programs of bytes that were not erased", name,
                (unsigned long long)p.guard.refused);
    }
    printf("lfs2 powerloss %s: %llu cut points over %llu ops", name, (unsigned long long)p.cuts,
           (unsigned long long)total);
    if (p.nested) {
        printf(", + %llu second cuts during the repair", (unsigned long long)p.repair_cuts);
    }
    printf("\n");
    pl_total_cuts += p.cuts + p.repair_cuts;
out:
    lfs2check_free(&base);
    pl_teardown(&p);
}

/* ---- workloads -------------------------------------------------------- */

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct step w_create[] = {
    {S_PUT, "/a", NULL, 10, 1},
    {S_PUT, "/b", NULL, 100, 2},
    {S_PUT, "/c", NULL, 0, 3},
};

static const struct step w_append_setup[] = {{S_PUT, "/log", NULL, 30, 10}};
static const struct step w_append[] = {
    {S_APPEND, "/log", NULL, 20, 11},
    {S_APPEND_SYNC, "/log", NULL, 200, 12},
    {S_APPEND, "/log", NULL, 700, 13},
};

static const struct step w_over_setup[] = {
    {S_PUT, "/f", NULL, 40, 20},
    {S_PUT, "/g", NULL, 1500, 21},
};
static const struct step w_over[] = {
    {S_PUT, "/f", NULL, 50, 22},  // inline over inline
    {S_PUT, "/g", NULL, 900, 23}, // CTZ over CTZ
    {S_PUT, "/f", NULL, 1200, 24}, // inline becomes CTZ
    {S_PUT, "/g", NULL, 20, 25},  // CTZ becomes inline
    {S_TRUNC, "/f", NULL, 300, 0},
};

static const struct step w_rename_setup[] = {
    {S_MKDIR, "/d", NULL, 0, 0},
    {S_PUT, "/d/x", NULL, 30, 30},
    {S_PUT, "/y", NULL, 600, 31},
    {S_PUT, "/z", NULL, 10, 32},
};
static const struct step w_rename[] = {
    {S_RENAME, "/y", "/d/y", 0, 0},   // across directories (move state)
    {S_RENAME, "/d/x", "/x2", 0, 0},
    {S_RENAME, "/z", "/d/y", 0, 0},   // replaces a file
    {S_RENAME, "/d", "/e", 0, 0},     // a directory
    {S_RENAME, "/x2", "/e/x3", 0, 0},
};

static const struct step w_rm_setup[] = {
    {S_PUT, "/r1", NULL, 30, 40},
    {S_PUT, "/r2", NULL, 2000, 41},
    {S_MKDIR, "/rd", NULL, 0, 0},
};
static const struct step w_rm[] = {
    {S_REMOVE, "/r1", NULL, 0, 0},
    {S_REMOVE, "/r2", NULL, 0, 0},
    {S_MKDIR, "/m", NULL, 0, 0},
    {S_MKDIR, "/m/n", NULL, 0, 0},
    {S_PUT, "/m/n/f", NULL, 70, 42},
    {S_REMOVE, "/m/n/f", NULL, 0, 0},
    {S_RMDIR, "/m/n", NULL, 0, 0},
    {S_RMDIR, "/rd", NULL, 0, 0},
};

static const struct step w_grow_setup[] = {{S_PUT, "/grow", NULL, 10, 50}};
static const struct step w_grow[] = {
    {S_APPEND, "/grow", NULL, 30, 51},
    {S_APPEND, "/grow", NULL, 40, 52}, // past inline_max (64): becomes a CTZ list
    {S_APPEND, "/grow", NULL, 600, 53},
    {S_APPEND_SYNC, "/grow", NULL, 1200, 54},
};

static struct step w_hot[61];

// Many small commits to the same pairs: compactions and, with a tiny
// block_cycles, relocations (of the root too: the superblock expands).
static void build_hot(void)
{
    w_hot[0] = (struct step){S_MKDIR, "/d", NULL, 0, 0};
    for (int i = 1; i < N(w_hot); i++) {
        int sub = (i % 3) == 0;
        w_hot[i] = (struct step){S_PUT, sub ? "/d/hot2" : "/hot", NULL,
                                 (uint32_t)((i * 13) % 60), (uint32_t)(700 + i)};
    }
}

static struct step w_many[26];
static char w_many_names[26][40];

static void build_many(void)
{
    w_many[0] = (struct step){S_MKDIR, "/many", NULL, 0, 0};
    for (int i = 1; i < N(w_many); i++) {
        snprintf(w_many_names[i], sizeof w_many_names[i], "/many/entry_%02d_%s", (i * 7) % 26,
                 (i & 1) ? "odd_name" : "e");
        w_many[i] = (struct step){S_PUT, w_many_names[i], NULL, (uint32_t)(20 + i), (uint32_t)i};
    }
}

TEST(powerloss_linear_small_workloads)
{
    pl_total_cuts = 0;
    const uint32_t bs = 512, bc = 48;
    pl_schedule("create", bs, bc, 16, 100, NULL, 0, w_create, N(w_create), 0);
    pl_schedule("append", bs, bc, 16, 100, w_append_setup, N(w_append_setup), w_append,
                N(w_append), 0);
    pl_schedule("overwrite", bs, bc, 16, 100, w_over_setup, N(w_over_setup), w_over, N(w_over),
                0);
    pl_schedule("rename", bs, bc, 16, 100, w_rename_setup, N(w_rename_setup), w_rename,
                N(w_rename), 0);
    pl_schedule("remove+mkdir", bs, bc, 16, 100, w_rm_setup, N(w_rm_setup), w_rm, N(w_rm), 0);
    pl_schedule("inline->ctz", bs, bc, 16, 100, w_grow_setup, N(w_grow_setup), w_grow,
                N(w_grow), 0);
    build_many();
    pl_schedule("many entries", bs, bc, 16, 100, NULL, 0, w_many, N(w_many), 0);
    // relocations: a tiny block_cycles moves pairs all the time
    pl_schedule("rename, cycles 2", bs, bc, 16, 2, w_rename_setup, N(w_rename_setup), w_rename,
                N(w_rename), 0);
    pl_schedule("many, cycles 3", bs, bc, 16, 3, NULL, 0, w_many, N(w_many), 0);
    build_hot();
    pl_schedule("hot overwrites, cycles 2", bs, bc, 16, 2, NULL, 0, w_hot, N(w_hot), 0);
    // a second cut during the repair of the first (moves, orphans, splits)
    pl_nested = 1;
    pl_schedule("rename, cut twice", bs, bc, 16, 100, w_rename_setup, N(w_rename_setup),
                w_rename, N(w_rename), 0);
    pl_schedule("remove+mkdir, cut twice", bs, bc, 16, 100, w_rm_setup, N(w_rm_setup), w_rm,
                N(w_rm), 0);
    pl_schedule("many, cut twice", bs, bc, 16, 3, NULL, 0, w_many, N(w_many), 0);
    pl_nested = 0;
    // strict flash: the driver never programs a byte it has not erased, even
    // after torn programs and partial erases
    pl_strict = 1;
    pl_schedule("append, strict", bs, bc, 16, 100, w_append_setup, N(w_append_setup), w_append,
                N(w_append), 0);
    pl_schedule("overwrite, strict", bs, bc, 16, 100, w_over_setup, N(w_over_setup), w_over,
                N(w_over), 0);
    pl_schedule("many, cycles 3, strict", bs, bc, 16, 3, NULL, 0, w_many, N(w_many), 0);
    pl_schedule("hot, cycles 2, strict", bs, bc, 16, 2, NULL, 0, w_hot, N(w_hot), 0);
    pl_strict = 0;
    // NOR-sized blocks, and byte-programmable flash (read/prog size 1)
    pl_schedule("overwrite 4k", 4096, 16, 64, 5, w_over_setup, N(w_over_setup), w_over,
                N(w_over), 0);
    pl_schedule("rename 4k", 4096, 16, 64, 5, w_rename_setup, N(w_rename_setup), w_rename,
                N(w_rename), 0);
    pl_schedule("rename, prog 1", bs, bc, 1, 100, w_rename_setup, N(w_rename_setup), w_rename,
                N(w_rename), 0);
    pl_schedule("inline->ctz, prog 1", bs, bc, 1, 100, w_grow_setup, N(w_grow_setup), w_grow,
                N(w_grow), 0);
    if (th_long()) {
        pl_schedule("hot overwrites, cycles 100", bs, bc, 16, 100, NULL, 0, w_hot, N(w_hot), 0);
        pl_schedule("many, prog 1", bs, bc, 1, 3, NULL, 0, w_many, N(w_many), 0);
    }
    printf("lfs2 powerloss: %llu cut points (linear)\n", (unsigned long long)pl_total_cuts);
    CHECK(pl_total_cuts > 100);
}

static struct step w_big[80];
static char w_big_names[80][48];

static void build_big(uint32_t seed)
{
    uint32_t x = seed;
    int nfiles = 0;
    for (int i = 0; i < N(w_big); i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        int kind = (int)(x % 10);
        struct step *s = &w_big[i];
        if (i < 2) {
            kind = 9;
        }
        if (kind == 9 && i < 4) {
            snprintf(w_big_names[i], sizeof w_big_names[i], "/dir%d", i);
            *s = (struct step){S_MKDIR, w_big_names[i], NULL, 0, 0};
            continue;
        }
        int f = nfiles ? (int)((x >> 8) % (uint32_t)nfiles) : 0;
        if (kind <= 4 || nfiles == 0) {
            snprintf(w_big_names[i], sizeof w_big_names[i], "/dir%d/file%02d", (i & 1), i);
            *s = (struct step){S_PUT, w_big_names[i], NULL, (x >> 4) % 3000, x};
            nfiles++;
        } else if (kind <= 7) {
            // rewrite an earlier file (a put's name)
            int j = i - 1 - (int)((x >> 12) % (uint32_t)(i > 4 ? 4 : i));
            while (j >= 0 && w_big[j].op != S_PUT) {
                j--;
            }
            const char *path = j >= 0 ? w_big[j].a : "/dir0/hot";
            *s = (struct step){S_PUT, path, NULL, (x >> 3) % 2500, x + 1};
        } else {
            *s = (struct step){S_PUT, "/dir0/hot", NULL, (x >> 5) % 200, x + 2};
        }
        (void)f;
    }
}

TEST(powerloss_sampled_larger_workload)
{
    pl_total_cuts = 0;
    build_big(0xC0FFEE);
    int samples = th_long() ? 3000 : 300;
    pl_schedule("random workload", 512, 256, 16, 8, NULL, 0, w_big, N(w_big), samples);
    pl_schedule("random workload 4k", 4096, 80, 64, 50, NULL, 0, w_big, N(w_big),
                samples / 2);
    pl_strict = 1;
    pl_schedule("random workload, strict", 512, 256, 16, 8, NULL, 0, w_big, N(w_big),
                samples / 2);
    pl_strict = 0;
    if (th_long()) {
        // every point of the larger workload
        pl_schedule("random workload, linear", 512, 256, 16, 8, NULL, 0, w_big, N(w_big), 0);
    }
    printf("lfs2 powerloss: %llu cut points (sampled)\n", (unsigned long long)pl_total_cuts);
    CHECK(pl_total_cuts >= (uint64_t)samples);
}
