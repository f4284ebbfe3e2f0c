/*
 * littlefs v2 driver: paths and directories: lookup, listing, stat, mkdir, remove, rename.
 */
#include "lx.h"

/* ---- paths ------------------------------------------------------------------------------ */

uint32_t lx_namelen(const char *p)
{
    uint32_t n = 0;
    while (p[n] && p[n] != '/')
        n++;
    return n;
}
/* only slashes left after this name */
int lx_path_islast(const char *p)
{
    p += lx_namelen(p);
    while (*p == '/')
        p++;
    return *p == '\0';
}

/* The pair of directory entry `id` of dir (0x3ff: the root). */
// (out of line: smaller than inlined in its callers)
LX_NOINLINE static int lx_entry_pair(lx_t *L, const lx_mdir *dir, uint32_t id,
                                                  uint32_t pair[2])
{
    uint8_t b[8];
    if (id == 0x3ff) {
        pair[0] = L->root[0], pair[1] = L->root[1];
        return 0;
    }
    int32_t res = lx_get_struct(L, dir, id, b);
    if (res < 0)
        return res;
    pair[0] = lx_le32(b), pair[1] = lx_le32(b + 4);
    return 0;
}

/* Fetch the pair of directory entry `id` of dir into `out`. */
LX_NOINLINE static int lx_entry_fetch(lx_t *L, const lx_mdir *dir, uint32_t id, lx_mdir *out)
{
    uint32_t pair[2];
    int err = lx_entry_pair(L, dir, id, pair);
    return err ? err : lx_fetch(L, out, pair);
}

int32_t lx_find(lx_t *L, lx_mdir *dir, const char **path, uint16_t *id)
{
    const char *name = *path;
    uint32_t tag = LX_TAG(LX_T_DIR, 0x3ff, 0);
    if (*name == '\0')
        return CAIRN_EINVAL;
    if (id)
        *id = 0x3ff;
    for (;;) {
        if (lx_type3(tag) == LX_T_DIR)
            while (*name == '/')
                name++;
        uint32_t nlen = lx_namelen(name);
        if (*name == '\0')
            return (int32_t)tag;
        *path = name;
        if (lx_type3(tag) != LX_T_DIR)
            return CAIRN_ENOTDIR;
        int err = lx_entry_pair(L, dir, lx_id(tag), dir->tail);
        if (err)
            return err;
        for (uint32_t hops = 0;; hops++) {
            if (hops > L->block_count)
                return CAIRN_ECORRUPT;
            struct lx_match m;
            memset(&m, 0, sizeof m);
            m.kind = 1;
            m.name = name;
            m.len = nlen;
            err = cairn_lfs2_fetch_m(L, dir, dir->tail, &m); // (it may alias)
            if (err)
                return err;
            if (id)
                *id = m.id;
            if (m.eq) {
                tag = m.tag;
                break;
            }
            if (m.id < dir->count || !dir->split)
                return CAIRN_ENOENT;
        }
        name += nlen;
    }
}

/* The struct tag of entry `id` (data into b[8]). */
int32_t lx_get_struct(lx_t *L, const lx_mdir *dir, uint32_t id, uint8_t b[8])
{
    return lx_get(L, dir, LX_GET_T1 | LX_TAG(LX_T_STRUCT, id, 8), b);
}

/* The mtime attribute of entry `id` into b: 1 when it has one of 8 bytes,
 * 0 when not, or an error. */
int32_t lx_get_mtime(lx_t *L, const lx_mdir *dir, uint32_t id, uint8_t b[8])
{
    int32_t t = lx_get(L, dir, LX_TAG(LX_T_USERATTR + CAIRN_LFS2_ATTR_MTIME, id, 8), b);
    if (t == CAIRN_ENOENT)
        return 0;
    return t < 0 ? t : lx_tsize((uint32_t)t) == 8;
}

/* ---- directories ----------------------------------------------------------------------- */

/* Type of entry `id`, and its name when `name` is not NULL; returns its size
 * (below 2^31) or an error. */
static int32_t lx_getinfo(lx_t *L, const lx_mdir *m, uint32_t id, char *name, uint32_t *type)
{
#if CAIRN_LFS2_TINY
    // a get for the name, one for the struct (the default build: one scan)
    uint32_t nmax = lx_min(L->name_max, CAIRN_NAME_MAX);
    int32_t t = lx_get(L, m, LX_GET_T1 | LX_TAG(LX_T_NAME, id, name ? nmax : 0), name);
    if (t < 0)
        return t;
    if (lx_type3((uint32_t)t) & 0x780) // (the superblock's name is no entry's)
        return CAIRN_ENOENT;
    if (name)
        name[lx_min(lx_tsize((uint32_t)t), nmax)] = '\0';
    *type = CAIRN_S_IFDIR;
    if (lx_type3((uint32_t)t) != LX_T_REG)
        return 0;
    *type = CAIRN_S_IFREG;
    uint8_t b[8];
    t = lx_get_struct(L, m, id, b);
    if (t < 0)
        return t == CAIRN_ENOENT ? CAIRN_ECORRUPT : t;
    uint32_t t3 = lx_type3((uint32_t)t), sz = 0;
    if (t3 == LX_T_INLINESTRUCT) {
        sz = lx_tsize((uint32_t)t);
    } else if (t3 == LX_T_CTZSTRUCT) {
        sz = lx_le32(b + 4);
        if (lx_tsize((uint32_t)t) < 8 || sz > L->file_max)
            return CAIRN_ECORRUPT;
    }
    return (int32_t)sz;
#else
    uint32_t e4[4];
    int err = cairn_lfs2_get_entry(L, m, id, e4);
    if (err)
        return err;
    uint32_t ntag = e4[0], noff = e4[1], stag = e4[2], soff = e4[3];
    if (name) {
        uint32_t nlen = lx_min(lx_tsize(ntag), lx_min(L->name_max, CAIRN_NAME_MAX));
        err = lx_read_rc(L, nlen, m->pair[0], noff, name, nlen);
        if (err)
            return err;
        name[nlen] = '\0';
    }
    uint32_t reg = lx_type3(ntag) == LX_T_REG, sz = 0;
    *type = reg ? CAIRN_S_IFREG : CAIRN_S_IFDIR;
    if (reg) {
        uint32_t t3 = lx_type3(stag);
        if (!stag)
            return CAIRN_ECORRUPT;
        if (t3 == LX_T_INLINESTRUCT) {
            sz = lx_tsize(stag);
        } else if (t3 == LX_T_CTZSTRUCT) {
            uint8_t b[4];
            if (lx_tsize(stag) < 8)
                return CAIRN_ECORRUPT;
            err = lx_read_rc(L, 4, m->pair[0], soff + 4, b, 4);
            if (err)
                return err;
            sz = lx_le32(b);
            if (sz > L->file_max) // (also keeps the size apart from the errors)
                return CAIRN_ECORRUPT;
        }
    }
    return (int32_t)sz;
#endif
}

int lx_opendir(struct cairn_fs *fs, void *dp, const char *path)
{
    lx_t *L = lx_of(fs);
    struct lx_dir *d = dp;
    if (!fs->mounted)
        return CAIRN_EINVAL;
    memset(d, 0, sizeof *d);
    const char *p = path;
    int32_t tag = lx_find(L, &d->l.m, &p, NULL);
    if (tag < 0)
        return tag;
    if (lx_type3((uint32_t)tag) != LX_T_DIR)
        return CAIRN_ENOTDIR;
    int err = lx_entry_fetch(L, &d->l.m, lx_id((uint32_t)tag), &d->l.m);
    if (err)
        return err;
    d->head[0] = d->l.m.pair[0];
    d->head[1] = d->l.m.pair[1];
    d->l.type = LX_T_DIR;
    lx_mlist_append(L, &d->l);
    return 0;
}

int lx_readdir(struct cairn_fs *fs, void *dp, struct cairn_dirent *ent)
{
    lx_t *L = lx_of(fs);
    struct lx_dir *d = dp;
    for (uint32_t guard = 0;; guard++) {
        if (guard > 0x400u * 4 + L->block_count)
            return CAIRN_ECORRUPT;
        if (d->l.id >= d->l.m.count) {
            if (!d->l.m.split)
                return 0;
            int err = lx_fetch(L, &d->l.m, d->l.m.tail);
            if (err)
                return err;
            d->l.id = 0;
            continue;
        }
        // (an entry moved away, pending its delete, reads as ENOENT)
        int32_t sz = lx_getinfo(L, &d->l.m, d->l.id, ent->name, &ent->type);
        d->l.id++;
        if (sz == CAIRN_ENOENT)
            continue;
        if (sz < 0)
            return sz;
        ent->size = sz;
        d->pos++;
        return 1;
    }
}

int lx_closedir(struct cairn_fs *fs, void *dp)
{
    lx_mlist_remove(lx_of(fs), &((struct lx_dir *)dp)->l);
    return 0;
}

/* ---- path operations ------------------------------------------------------------------- */

int lx_stat(struct cairn_fs *fs, const char *path, struct cairn_stat *st)
{
    lx_t *L = lx_of(fs);
    lx_mdir cwd;
    const char *p = path;
    memset(st, 0, sizeof *st);
    int32_t tag = lx_find(L, &cwd, &p, NULL);
    if (tag < 0)
        return tag;
    uint32_t id = lx_id((uint32_t)tag);
    if (id == 0x3ff) {
        st->mode = CAIRN_S_IFDIR;
        return 0;
    }
    int32_t sz = lx_getinfo(L, &cwd, id, NULL, &st->mode);
    if (sz < 0)
        return sz;
    st->size = sz;
    uint8_t b[8];
    int32_t t = lx_get_mtime(L, &cwd, id, b);
    if (t < 0)
        return t;
    if (t) {
        uint64_t ns = (uint64_t)lx_le32(b) | (uint64_t)lx_le32(b + 4) << 32;
        st->mtime = (int64_t)(ns / 1000000000u);
        st->mtime_nsec = (uint32_t)(ns % 1000000000u);
        st->has_mtime = 1;
    }
    return 0;
}

int lx_mkdir(struct cairn_fs *fs, const char *path)
{
    lx_t *L = lx_of(fs);
    int err = lx_writable(L);
    if (err)
        return err;
    struct lx_mlist cwd;
    cwd.next = L->mlist;
    cwd.id = 0, cwd.type = 0; // a temporary entry (its pair is fetched before use)
    uint16_t id; // (set by lx_find)
    const char *p = path;
    int32_t tag = lx_find(L, &cwd.m, &p, &id);
    if (!(tag == CAIRN_ENOENT && lx_path_islast(p)))
        return tag < 0 ? tag : CAIRN_EEXIST;
    uint32_t nlen = lx_namelen(p);
    if (nlen > L->name_max)
        return CAIRN_ENAMETOOLONG;
    lx_alloc_ckpoint(L);
    lx_mdir dir;
    err = lx_dir_alloc(L, &dir);
    if (err)
        return err;
    lx_mdir pred = cwd.m;
    for (uint32_t hops = 0; pred.split; hops++) {
        if (hops > L->block_count)
            return CAIRN_ECORRUPT;
        err = lx_fetch(L, &pred, pred.tail);
        if (err)
            return err;
    }
    // the new pair takes the last pair's tail, and becomes the directory's last
    uint8_t b[8], dp[8];
    lx_ple32(b, pred.tail[0]);
    lx_ple32(b + 4, pred.tail[1]);
    struct lx_attr a[4] = {
        {LX_TAG(LX_T_CREATE, id, 0), NULL},
        {LX_TAG(LX_T_DIR, id, nlen), p},
        {LX_TAG(LX_T_DIRSTRUCT, id, 8), dp},
        {LX_TAG(LX_T_SOFTTAIL, 0x3ff, 8), b},
    };
    err = lx_commit(L, &dir, a + 3, 1);
    if (err)
        return err;
    lx_ple32(dp, dir.pair[0]);
    lx_ple32(dp + 4, dir.pair[1]);
    a[3].buf = dp;
    if (cwd.m.split) {
        lx_preporphans(L, +1);
        L->mlist = &cwd;
        err = lx_commit(L, &pred, a + 3, 1);
        L->mlist = cwd.next;
        if (err)
            return err;
        lx_preporphans(L, -1);
    }
    err = lx_commit(L, &cwd.m, a, cwd.m.split ? 3 : 4);
    return err;
}

/* The entry of directory `m` is gone: unlink its pairs from the list (the
 * orphan count taken for it is given back first); `cwd` is scratch. */
static int lx_unlink_dir(lx_t *L, lx_mdir *cwd, const lx_mdir *m)
{
    lx_preporphans(L, -1);
    int err = lx_pred(L, m->pair, cwd);
    return err ? err : lx_drop(L, cwd, m);
}

/* Directory entry `id` of cwd is about to go: fetch its pair into d->m (empty
 * only), take an orphan for it and track it in the open list. */
LX_NOINLINE static int lx_rmdir_prep(lx_t *L, const lx_mdir *cwd, uint32_t id,
                                                  struct lx_mlist *d)
{
    int err = lx_entry_fetch(L, cwd, id, &d->m);
    if (err)
        return err;
    if (d->m.count > 0 || d->m.split)
        return CAIRN_ENOTEMPTY;
    lx_preporphans(L, +1);
    L->mlist = d;
    return 0;
}

/* Remove an entry; want_dir selects rmdir (dirs only) or remove (files only). */
static int lx_remove_any(struct cairn_fs *fs, const char *path, int want_dir)
{
    lx_t *L = lx_of(fs);
    int err = lx_writable(L);
    if (err)
        return err;
    lx_mdir cwd;
    const char *p = path;
    int32_t tag = lx_find(L, &cwd, &p, NULL);
    if (tag < 0)
        return tag;
    int isdir = lx_type3((uint32_t)tag) == LX_T_DIR;
    if (isdir != want_dir)
        return isdir ? CAIRN_EISDIR : CAIRN_ENOTDIR;
    if (lx_id((uint32_t)tag) == 0x3ff) // (the root)
        return CAIRN_EINVAL;
    struct lx_mlist dir;
    dir.next = L->mlist;
    dir.id = 0, dir.type = 0; // a temporary entry (its pair is fetched before use)
    if (isdir) {
        err = lx_rmdir_prep(L, &cwd, lx_id((uint32_t)tag), &dir);
        if (err)
            return err;
    }
    struct lx_attr a = {LX_TAG(LX_T_DELETE, lx_id((uint32_t)tag), 0), NULL};
    err = lx_commit(L, &cwd, &a, 1);
    L->mlist = dir.next;
    if (err)
        return err;
    return isdir ? lx_unlink_dir(L, &cwd, &dir.m) : 0;
}

int lx_remove(struct cairn_fs *fs, const char *path)
{
    return lx_remove_any(fs, path, 0);
}
int lx_rmdir(struct cairn_fs *fs, const char *path)
{
    return lx_remove_any(fs, path, 1);
}

int lx_rename(struct cairn_fs *fs, const char *from, const char *to)
{
    lx_t *L = lx_of(fs);
    int err = lx_writable(L);
    if (err)
        return err;
    lx_mdir oldcwd, newcwd;
    const char *op = from, *np = to;
    int32_t oldtag = lx_find(L, &oldcwd, &op, NULL);
    if (oldtag < 0)
        return oldtag;
    if (lx_id((uint32_t)oldtag) == 0x3ff)
        return CAIRN_EINVAL;
    uint16_t newid; // (set by lx_find)
    int32_t prevtag = lx_find(L, &newcwd, &np, &newid);
    if ((prevtag < 0 || lx_id((uint32_t)prevtag) == 0x3ff) &&
        !(prevtag == CAIRN_ENOENT && lx_path_islast(np)))
        return prevtag < 0 ? prevtag : CAIRN_EINVAL;
    int olddir = lx_type3((uint32_t)oldtag) == LX_T_DIR;
    if (olddir) {
        // D7: not into its own subtree (fl: `from` without trailing slashes)
        size_t fl = (size_t)(op - from) + lx_namelen(op);
        if (strncmp(to, from, fl) == 0 && to[fl] == '/' && !lx_path_islast(to + fl))
            return CAIRN_EINVAL;
    }
    int samepair = lx_pair_cmp(oldcwd.pair, newcwd.pair) == 0;
    uint32_t newoldid = lx_id((uint32_t)oldtag);
    struct lx_mlist prevdir;
    prevdir.next = L->mlist;
    prevdir.id = 0, prevdir.type = 0; // a temporary entry (its pair is fetched before use)
    int previsdir = 0;
    uint32_t nlen = lx_namelen(np);
    if (prevtag == CAIRN_ENOENT) {
        if (np[nlen] && !olddir) // (a slash follows)
            return CAIRN_ENOTDIR;
        if (nlen > L->name_max)
            return CAIRN_ENAMETOOLONG;
        if (samepair && newid <= newoldid)
            newoldid += 1;
    } else if (lx_type3((uint32_t)prevtag) != lx_type3((uint32_t)oldtag)) {
        return lx_type3((uint32_t)prevtag) == LX_T_DIR ? CAIRN_EISDIR : CAIRN_ENOTDIR;
    } else if (samepair && newid == newoldid) {
        return 0;
    } else if (lx_type3((uint32_t)prevtag) == LX_T_DIR) {
        err = lx_rmdir_prep(L, &newcwd, newid, &prevdir);
        if (err)
            return err;
        previsdir = 1;
    }
    if (!samepair)
        lx_prepmove(L, newoldid, oldcwd.pair);
    // (a replaced entry goes first; the old name goes too when in the same pair)
    struct lx_attr a[5] = {
        {LX_TAG(LX_T_DELETE, newid, 0), NULL},
        {LX_TAG(LX_T_CREATE, newid, 0), NULL},
        {LX_TAG(lx_type3((uint32_t)oldtag), newid, nlen), np},
        {LX_TAG(LX_T_FROM_MOVE, newid, lx_id((uint32_t)oldtag)), &oldcwd},
        {LX_TAG(LX_T_DELETE, newoldid, 0), NULL},
    };
    int fresh = prevtag == CAIRN_ENOENT;
    err = lx_commit(L, &newcwd, a + fresh, 4 - fresh + samepair);
    if (!err && !samepair && (L->gstate.tag >> 20) & 0x700) {
        lx_prepmove(L, 0x3ff, NULL);
        a[0].tag = LX_TAG(LX_T_DELETE, lx_id((uint32_t)oldtag), 0);
        err = lx_commit(L, &oldcwd, a, 1);
    }
    L->mlist = prevdir.next;
    if (err)
        return err;
    return previsdir ? lx_unlink_dir(L, &newcwd, &prevdir.m) : 0;
}
