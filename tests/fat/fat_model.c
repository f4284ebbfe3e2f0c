// The random model of FAT open handles (fat_model.h).
#include "fat_model.h"

uint32_t th_fm_rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

void th_fm_gc(struct th_fm_model *m, int fi)
{
    if (fi < 0) {
        return;
    }
    for (int i = 0; i < TH_FM_NN; i++) {
        if (m->name[i] == fi) {
            return;
        }
    }
    for (int i = 0; i < TH_FM_NH; i++) {
        if (m->h[i].open && m->h[i].file == fi) {
            return;
        }
    }
    m->f[fi].used = 0;
}

int th_fm_new(struct th_fm_model *m)
{
    for (int i = 0; i < TH_FM_NF; i++) {
        if (!m->f[i].used) {
            m->f[i].used = 1;
            m->f[i].size = 0;
            return i;
        }
    }
    return -1;
}

const char *const th_fm_path[TH_FM_NN] = {"/one", "/Two Long Name.dat", "/sub/three"};

// One random step; returns 0 when the driver matched the model.
int th_fm_step(struct fx *x, struct th_fm_model *m, uint32_t *seed, uint8_t *buf)
{
    const struct cairn_fs_ops *o = x->fs->ops;
    int hi = (int)(th_fm_rnd(seed) % TH_FM_NH), ni = (int)(th_fm_rnd(seed) % TH_FM_NN);
    struct th_fm_handle *h = &m->h[hi];
    // (writes and reads more often than what removes files or empties them)
    static const uint8_t mix[21] = {0, 0, 0, 0, 2, 3, 3, 3, 3, 3, 5, 5, 5, 5, 6, 7, 7, 8, 9, 9, 10};
    m->op = mix[th_fm_rnd(seed) % 21];
    m->hi = hi;
    m->ni = ni;
    switch (m->op) {
    case 0:
    case 1: { // open
        if (h->open) {
            (void)o->close(x->fs, h->st);
            h->open = 0;
            th_fm_gc(m, h->file);
        }
        static const uint32_t modes[] = {
            CAIRN_O_RDONLY, CAIRN_O_RDWR, CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_TRUNC,
            CAIRN_O_RDWR | CAIRN_O_CREAT, CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_APPEND};
        uint32_t fl = modes[th_fm_rnd(seed) % 5];
        int rc = o->open(x->fs, h->st, th_fm_path[ni], fl);
        int fi = m->name[ni];
        if (fi < 0 && !(fl & CAIRN_O_CREAT)) {
            return rc == CAIRN_ENOENT ? 0 : 1;
        }
        if (rc == CAIRN_ENOSPC && m->nospc && fi < 0) {
            return 0;
        }
        if (rc) {
            return 2;
        }
        if (fi < 0) {
            fi = m->name[ni] = th_fm_new(m);
        } else if (fl & CAIRN_O_TRUNC) {
            m->f[fi].size = 0;
        }
        h->open = 1;
        h->file = fi;
        h->rd = (fl & CAIRN_O_RDONLY) != 0;
        h->wr = (fl & CAIRN_O_WRONLY) != 0;
        h->pos = fl & CAIRN_O_APPEND ? m->f[fi].size : 0;
        return 0;
    }
    case 2: // close
        if (h->open) {
            h->open = 0;
            int rc = o->close(x->fs, h->st);
            th_fm_gc(m, h->file);
            return rc ? 3 : 0;
        }
        return 0;
    case 3:
    case 4: { // write at a random place
        if (!h->open || !h->wr) {
            return 0;
        }
        struct th_fm_file *f = &m->f[h->file];
        uint32_t at = th_fm_rnd(seed) % (f->size + 600), n = 1 + th_fm_rnd(seed) % 1100;
        if (at + n > TH_FM_MAXSZ) {
            return 0;
        }
        for (uint32_t i = 0; i < n; i++) {
            buf[i] = (uint8_t)th_fm_rnd(seed);
        }
        if (o->seek(x->fs, h->st, at, CAIRN_SEEK_SET) != at) {
            return 4;
        }
        int32_t w = o->write(x->fs, h->st, buf, n);
        if (w != (int32_t)n) {
            if (!m->nospc || (w >= 0 && w > (int32_t)n) || (w < 0 && w != CAIRN_ENOSPC)) {
                return 4;
            }
            // a full volume: what made it in, as the size says
            int64_t ns = o->size(x->fs, h->st);
            if (ns < (int64_t)f->size || ns > (int64_t)(at + n) ||
                (w > 0 && ns != (int64_t)(at + (uint32_t)w) && ns != (int64_t)f->size)) {
                fprintf(stderr, "short write: at %u n %u w %d size %u -> %lld\n", at, n, w,
                        f->size, (long long)ns);
                return 16;
            }
            if ((uint32_t)ns > f->size) {
                uint32_t z = (uint32_t)ns < at ? (uint32_t)ns : at;
                if (z > f->size) {
                    memset(f->data + f->size, 0, z - f->size);
                }
                if ((uint32_t)ns > at) {
                    memcpy(f->data + at, buf, (uint32_t)ns - at);
                }
                f->size = (uint32_t)ns;
            } else if (w > 0) {
                memcpy(f->data + at, buf, (uint32_t)w);
            }
            return 0;
        }
        if (at > f->size) {
            memset(f->data + f->size, 0, at - f->size);
        }
        memcpy(f->data + at, buf, n);
        if (at + n > f->size) {
            f->size = at + n;
        }
        h->pos = at + n;
        return 0;
    }
    case 5: { // read from a random place, compare
        if (!h->open || !h->rd) {
            return 0;
        }
        struct th_fm_file *f = &m->f[h->file];
        uint32_t at = th_fm_rnd(seed) % (f->size + 100), n = th_fm_rnd(seed) % 2000;
        if (o->seek(x->fs, h->st, at, CAIRN_SEEK_SET) != at) {
            return 5;
        }
        uint32_t want = at >= f->size ? 0 : f->size - at < n ? f->size - at : n;
        int32_t r = o->read(x->fs, h->st, buf, n);
        if (r != (int32_t)want || memcmp(buf, f->data + at, want) != 0) {
            return 6;
        }
        h->pos = at + want;
        return 0;
    }
    case 6: { // truncate
        if (!h->open || !h->wr) {
            return 0;
        }
        struct th_fm_file *f = &m->f[h->file];
        uint32_t ns = th_fm_rnd(seed) % (f->size + 800);
        if (ns > TH_FM_MAXSZ) {
            return 0;
        }
        int trc = o->truncate(x->fs, h->st, ns);
        if (trc == CAIRN_ENOSPC && m->nospc) {
            int64_t got = o->size(x->fs, h->st);
            if (got < (int64_t)f->size || got > (int64_t)ns) {
                return 17;
            }
            memset(f->data + f->size, 0, (uint32_t)got - f->size);
            f->size = (uint32_t)got;
            return 0;
        }
        if (trc != 0) {
            return 7;
        }
        if (ns > f->size) {
            memset(f->data + f->size, 0, ns - f->size);
        }
        f->size = ns;
        return 0;
    }
    case 7: // sync, and the size through every handle
        if (h->open && o->sync(x->fs, h->st) != 0) {
            return 8;
        }
        for (int i = 0; i < TH_FM_NH; i++) {
            if (m->h[i].open && o->size(x->fs, m->h[i].st) != m->f[m->h[i].file].size) {
                return 9;
            }
        }
        return 0;
    case 8: { // remove
        int rc = o->remove(x->fs, th_fm_path[ni]);
        int fi = m->name[ni];
        if (fi < 0) {
            return rc == CAIRN_ENOENT ? 0 : 10;
        }
        if (rc) {
            return 11;
        }
        m->name[ni] = -1;
        th_fm_gc(m, fi);
        return 0;
    }
    case 10: { // a change of case only
        static const char *const upath[TH_FM_NN] = {"/ONE", "/two LONG name.DAT", "/sub/Three"};
        int fi = m->name[ni];
        int rc = o->rename(x->fs, th_fm_path[ni], upath[ni]);
        if (fi < 0) {
            return rc == CAIRN_ENOENT ? 0 : 14;
        }
        return rc && !(rc == CAIRN_ENOSPC && m->nospc) ? 15 : 0;
    }
    default: { // rename, perhaps over another name
        int to = (int)(th_fm_rnd(seed) % TH_FM_NN), fi = m->name[ni];
        int rc = o->rename(x->fs, th_fm_path[ni], th_fm_path[to]);
        if (fi < 0) {
            return rc == CAIRN_ENOENT ? 0 : 12;
        }
        if (rc == CAIRN_ENOSPC && m->nospc) {
            struct cairn_stat st;
            int old = m->name[to];
            if (to != ni && old >= 0 && o->stat(x->fs, th_fm_path[to], &st) == CAIRN_ENOENT) {
                m->name[to] = -1;
                th_fm_gc(m, old);
            }
            return 0;
        }
        if (rc) {
            return 13;
        }
        if (to != ni) {
            int old = m->name[to];
            m->name[to] = fi;
            m->name[ni] = -1;
            th_fm_gc(m, old);
        }
        return 0;
    }
    }
}

int th_fm_up(struct fx *x)
{
    fx_dev(x, 512, 400);
    x->cfg.cluster_size = 512;
    int rc = x->fs->ops->mkfs(x->fs);
    return rc ? rc : x->fs->ops->mount(x->fs, 0);
}

void th_fm_pattern(uint8_t *p, uint32_t n, uint8_t seed)
{
    for (uint32_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
    }
}

void th_fm_reset(struct th_fm_model *m, int nospc)
{
    memset(m, 0, sizeof *m);
    for (int i = 0; i < TH_FM_NN; i++) {
        m->name[i] = -1;
    }
    m->nospc = nospc;
}

int th_fm_round_end(struct fx *x, struct th_fm_model *m, uint32_t cb, uint32_t free0)
{
    static uint8_t buf[TH_FM_MAXSZ];
    const struct cairn_fs_ops *o = x->fs->ops;
    int before = th_failed_now();
    for (int i = 0; i < TH_FM_NH; i++) {
        if (m->h[i].open) {
            CHECK_EQ(o->close(x->fs, m->h[i].st), 0);
            m->h[i].open = 0;
            th_fm_gc(m, m->h[i].file);
        }
    }
    uint32_t used = 0;
    for (int i = 0; i < TH_FM_NN; i++) {
        int fi = m->name[i];
        int32_t n = fx_read(x, th_fm_path[i], buf, sizeof buf);
        if (fi < 0) {
            CHECK_EQ(n, CAIRN_ENOENT);
            continue;
        }
        CHECK_EQ(n, (int32_t)m->f[fi].size);
        CHECK(n >= 0 && memcmp(buf, m->f[fi].data, (size_t)n) == 0);
        used += (m->f[fi].size + cb - 1) / cb;
    }
    CHECK_EQ(fx_bfree(x), free0 - used);
    CHECK_EQ(fx_problems(x), 0);
    return th_failed_now() && !before;
}
