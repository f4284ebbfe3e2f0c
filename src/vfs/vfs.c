// The VFS core: mount table, path resolution, current directory, the open
// file and directory pools, and dispatch to the filesystem drivers (vfs.h).
//
// Rules followed here (spec/vfs.md and decisions D1-D20):
//  * mount points are "/" or "/name" (D1); an occupied point is -EPERM before
//    the driver's mount runs (D2); "/" is kept at the end of the table so
//    sub-mounts win;
//  * paths are normalised here: repeated '/', "." and ".." are resolved, and a
//    driver gets an absolute path inside its mount ("/" = its root) with a
//    trailing '/' kept when the caller wrote one. A path ending in "." or
//    ".." must name a directory (checked here); it reaches the driver
//    without a trailing '/' and cannot be removed or renamed (-EINVAL);
//  * ".." never leaves a sub-mount: at its root it clamps when the driver has
//    CAIRN_FS_CAP_DOTDOT_CLAMP (FAT) and is -EINVAL otherwise (littlefs; chdir
//    reports -ENOENT). The VFS root is its own parent, as in POSIX;
//  * handles carry a generation: a stale handle is -EBADF (D13), closing twice
//    is a no-op success; umount refuses with -EBUSY while handles are open,
//    unless forced, which closes them (D3);
//  * access modes are enforced here for both filesystems (D4) and a read-only
//    mount refuses every modifying call with -EROFS before the driver (D5).
#include "vfs_private.h"

#include <string.h>

#if CAIRN_VFS_MAX_FILES > 256 || CAIRN_VFS_MAX_DIRS > 256 || CAIRN_VFS_MAX_MOUNTS > 127
#error "VFS pools are indexed by a byte"
#endif

// ---- state ------------------------------------------------------------------

struct vfs_mount {
    struct cairn_fs *fs;
    uint8_t *owned; // cleared on umount: frees a VFS-owned pool object
    uint32_t flags; // CAIRN_MOUNT_RDONLY
    uint8_t used;
    uint8_t drv_ro; // the driver itself is mounted read-only (same on every point of one fs)
    char point[CAIRN_VFS_POINT_MAX];
};

// Driver state must be aligned for whatever the driver keeps in it.
union vfs_file_state {
    uint8_t bytes[CAIRN_VFS_FILE_STATE];
    uint64_t u64;
    void *ptr;
    double dbl;
};

union vfs_dir_state {
    uint8_t bytes[CAIRN_VFS_DIR_STATE];
    uint64_t u64;
    void *ptr;
    double dbl;
};

struct vfs_file {
    uint32_t gen; // generation of the handle last issued for this slot
    uint8_t open;
    uint8_t mount;
    uint32_t oflags; // CAIRN_O_* as opened
    union vfs_file_state st;
};

// Directory iterator phases.
enum { VFS_DIR_NAMES, VFS_DIR_DRIVER, VFS_DIR_END };

struct vfs_dir {
    uint32_t gen;
    uint8_t open;
    uint8_t drv_open; // the driver's iterator in `st` is open
    uint8_t phase;
    uint8_t pos;      // VFS root listing: next index in the mount order
    int8_t mount;     // mount of the driver iterator, -1 if none
    union vfs_dir_state st;
};

static struct vfs_mount vfs_mounts[CAIRN_VFS_MAX_MOUNTS];
static uint8_t vfs_order[CAIRN_VFS_MAX_MOUNTS]; // table order: slots, "/" last
static int vfs_nmounts;

static struct vfs_file vfs_files[CAIRN_VFS_MAX_FILES];
static struct vfs_dir vfs_dirs[CAIRN_VFS_MAX_DIRS];

// Current directory: a mount (or -1 for the VFS root) and a normalised path
// inside it without trailing '/', "" for the mount's root.
static int vfs_cwd_mount = -1;
static char vfs_cwd_path[CAIRN_PATH_MAX];

// Two resolution buffers (rename needs both). Calls never overlap: the lock
// or the caller's contract serialises them, so static storage keeps the
// stack small on devices.
struct vfs_res {
    int kind;  // VFS_R_*
    int mount; // VFS_R_MOUNT: slot
    size_t len; // length of path without the trailing '/'
    int dot_end; // the last component was "." or ".."
    char path[CAIRN_PATH_MAX];
};
enum { VFS_R_ROOT, VFS_R_NOMOUNT, VFS_R_MOUNT };
static struct vfs_res vfs_res_buf[2];

static cairn_lock_fn vfs_lock_fn, vfs_unlock_fn;
static void *vfs_lock_ctx;

#define VFS_GEN_MAX 0x7FFFFFu // handles are (gen << 8) | slot, kept positive

// ---- lock ---------------------------------------------------------------------

void cairn_vfs_set_lock(cairn_lock_fn lock, cairn_lock_fn unlock, void *ctx)
{
    vfs_lock_fn = lock;
    vfs_unlock_fn = unlock;
    vfs_lock_ctx = ctx;
}

void cairn_vfs_lock_enter(void)
{
    if (vfs_lock_fn != NULL) {
        vfs_lock_fn(vfs_lock_ctx);
    }
}

void cairn_vfs_lock_leave(void)
{
    if (vfs_unlock_fn != NULL) {
        vfs_unlock_fn(vfs_lock_ctx);
    }
}

// ---- mount table helpers ---------------------------------------------------------

static int vfs_is_root_mount(int m)
{
    return m >= 0 && vfs_mounts[m].point[1] == '\0';
}

// The slot of the "/" mount, or -1.
static int vfs_root_mount(void)
{
    if (vfs_nmounts > 0 && vfs_is_root_mount(vfs_order[vfs_nmounts - 1])) {
        return vfs_order[vfs_nmounts - 1];
    }
    return -1;
}

static int vfs_find_point(const char *norm)
{
    for (int i = 0; i < vfs_nmounts; i++) {
        if (strcmp(vfs_mounts[vfs_order[i]].point, norm) == 0) {
            return vfs_order[i];
        }
    }
    return -1;
}

// A sub-mount whose name (point without '/') equals name[0..n).
static int vfs_find_name(const char *name, size_t n)
{
    for (int i = 0; i < vfs_nmounts; i++) {
        const char *p = vfs_mounts[vfs_order[i]].point + 1;
        if (p[0] != '\0' && strncmp(p, name, n) == 0 && p[n] == '\0') {
            return vfs_order[i];
        }
    }
    return -1;
}

static int vfs_rdonly(int m)
{
    return (vfs_mounts[m].flags & CAIRN_MOUNT_RDONLY) != 0;
}

static uint32_t vfs_caps(int m)
{
    return vfs_mounts[m].fs->ops->caps;
}

// A mount point as stored (D1): "/" or "/name", one trailing '/' stripped,
// into `norm` (CAIRN_VFS_POINT_MAX bytes); anything else -EINVAL.
static int vfs_norm_point(const char *point, char *norm)
{
    if (point == NULL || point[0] != '/') {
        return CAIRN_EINVAL;
    }
    size_t n = strlen(point);
    if (n > 2 && point[n - 1] == '/') {
        n--; // D1: one trailing '/' is stripped
    }
    if (n >= CAIRN_VFS_POINT_MAX) {
        return CAIRN_EINVAL;
    }
    for (size_t i = 1; i < n; i++) {
        if (point[i] == '/') {
            return CAIRN_EINVAL; // one component only (D1)
        }
    }
    if ((n == 2 && point[1] == '.') || (n == 3 && point[1] == '.' && point[2] == '.')) {
        return CAIRN_EINVAL;
    }
    memcpy(norm, point, n);
    norm[n] = '\0';
    return 0;
}

int cairn_vfs_check_point(const char *point, char *norm)
{
    int err = vfs_norm_point(point, norm);
    if (err < 0) {
        return err;
    }
    if (vfs_find_point(norm) >= 0) {
        return CAIRN_EPERM;
    }
    if (vfs_nmounts >= CAIRN_VFS_MAX_MOUNTS) {
        return CAIRN_EMFILE;
    }
    return 0;
}

int cairn_vfs_insert(struct cairn_fs *fs, const char *norm, uint32_t flags, uint8_t *owned)
{
    int slot = -1;
    for (int i = 0; i < CAIRN_VFS_MAX_MOUNTS; i++) {
        if (!vfs_mounts[i].used) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        return CAIRN_EMFILE;
    }
    int drv_ro = (flags & CAIRN_MOUNT_RDONLY) != 0;
    for (int i = 0; i < vfs_nmounts; i++) {
        if (vfs_mounts[vfs_order[i]].fs == fs) {
            drv_ro = vfs_mounts[vfs_order[i]].drv_ro; // one driver mount, shared
            break;
        }
    }
    struct vfs_mount *m = &vfs_mounts[slot];
    m->drv_ro = (uint8_t)drv_ro;
    m->fs = fs;
    m->owned = owned;
    m->flags = flags & CAIRN_MOUNT_RDONLY;
    m->used = 1;
    strcpy(m->point, norm);
    // "/" goes last; any other mount goes before it (vfs.md 4.1 step 4).
    int at = vfs_nmounts;
    int root = vfs_root_mount();
    if (root >= 0 && norm[1] != '\0') {
        at = vfs_nmounts - 1;
    }
    for (int i = vfs_nmounts; i > at; i--) {
        vfs_order[i] = vfs_order[i - 1];
    }
    vfs_order[at] = (uint8_t)slot;
    vfs_nmounts++;
    return 0;
}

// Is this filesystem object already in the table (mounted elsewhere)?
static int vfs_fs_in_table(const struct cairn_fs *fs, int except)
{
    for (int i = 0; i < vfs_nmounts; i++) {
        if (vfs_order[i] != except && vfs_mounts[vfs_order[i]].fs == fs) {
            return 1;
        }
    }
    return 0;
}

// ---- handles ----------------------------------------------------------------------

static int vfs_handle(uint32_t gen, int slot)
{
    return (int)((gen << 8) | (uint32_t)slot);
}

static uint32_t vfs_next_gen(uint32_t gen)
{
    return gen >= VFS_GEN_MAX ? 1 : gen + 1;
}

static struct vfs_file *vfs_file_get(int fd)
{
    if (fd < 0) {
        return NULL;
    }
    uint32_t slot = (uint32_t)fd & 0xFF, gen = (uint32_t)fd >> 8;
    if (slot >= CAIRN_VFS_MAX_FILES || !vfs_files[slot].open || vfs_files[slot].gen != gen) {
        return NULL;
    }
    return &vfs_files[slot];
}

static struct vfs_dir *vfs_dir_get(int dd)
{
    if (dd < 0) {
        return NULL;
    }
    uint32_t slot = (uint32_t)dd & 0xFF, gen = (uint32_t)dd >> 8;
    if (slot >= CAIRN_VFS_MAX_DIRS || !vfs_dirs[slot].open || vfs_dirs[slot].gen != gen) {
        return NULL;
    }
    return &vfs_dirs[slot];
}

// A handle that was issued once and is closed now (close is idempotent).
static int vfs_handle_was_issued(int h, uint32_t slot_gen)
{
    uint32_t gen = (uint32_t)h >> 8;
    return h >= 0 && gen >= 1 && gen <= VFS_GEN_MAX && slot_gen != 0 && gen <= slot_gen;
}

static struct cairn_fs *vfs_file_fs(const struct vfs_file *f)
{
    return vfs_mounts[f->mount].fs;
}

static void vfs_dir_release_driver(struct vfs_dir *d)
{
    if (d->drv_open && d->mount >= 0) {
        struct cairn_fs *fs = vfs_mounts[d->mount].fs;
        (void)fs->ops->closedir(fs, d->st.bytes);
    }
    d->drv_open = 0;
    d->mount = -1;
}

// ---- path resolution ---------------------------------------------------------------

static int vfs_at_vfs_root(int mount, size_t len)
{
    return mount < 0 || (vfs_is_root_mount(mount) && len == 0);
}

/*
 * Resolve `p` against the current directory (vfs.md section 2, with the
 * normalisation of this VFS). Result kinds: the VFS root, no mount (-ENODEV
 * for most calls), or a mount and a path inside it. Errors: -EINVAL for ".."
 * above the root of a filesystem that does not clamp, -ENAMETOOLONG.
 */
static int vfs_resolve(const char *p, struct vfs_res *r)
{
    int mount = -1;
    size_t len = 0;
    int trailing = 0, dot_end = 0;
    r->dot_end = 0;
    if (p == NULL) {
        p = "";
    }
    if (p[0] != '/' && vfs_cwd_mount >= 0) {
        mount = vfs_cwd_mount;
        len = strlen(vfs_cwd_path);
        memcpy(r->path, vfs_cwd_path, len);
    }
    const char *s = p;
    while (*s != '\0') {
        while (*s == '/') {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        const char *e = s;
        while (*e != '\0' && *e != '/') {
            e++;
        }
        size_t n = (size_t)(e - s);
        trailing = *e == '/';
        dot_end = 0;
        if (n == 1 && s[0] == '.') {
            dot_end = 1; // "d/." names d as a directory
        } else if (n == 2 && s[0] == '.' && s[1] == '.') {
            dot_end = 1;
            if (vfs_at_vfs_root(mount, len)) {
                mount = vfs_is_root_mount(mount) ? mount : -1; // "/.." is "/"
            } else if (len == 0) {
                if (!(vfs_caps(mount) & CAIRN_FS_CAP_DOTDOT_CLAMP)) {
                    return CAIRN_EINVAL;
                }
            } else {
                while (len > 0 && r->path[len - 1] != '/') {
                    len--;
                }
                len--; // the '/' before the last component
            }
        } else if (vfs_at_vfs_root(mount, len)) {
            int sub = vfs_find_name(s, n);
            if (sub >= 0) {
                mount = sub;
                len = 0;
            } else {
                int root = vfs_root_mount();
                if (root < 0) {
                    r->kind = VFS_R_NOMOUNT;
                    return 0;
                }
                mount = root;
                len = 0;
                if (n + 2 > CAIRN_PATH_MAX) {
                    return CAIRN_ENAMETOOLONG;
                }
                r->path[len++] = '/';
                memcpy(r->path + len, s, n);
                len += n;
            }
        } else {
            if (len + n + 2 > CAIRN_PATH_MAX) {
                return CAIRN_ENAMETOOLONG;
            }
            r->path[len++] = '/';
            memcpy(r->path + len, s, n);
            len += n;
        }
        s = e;
    }
    if (vfs_at_vfs_root(mount, len)) {
        r->kind = VFS_R_ROOT;
        r->mount = -1;
        r->len = 0;
        r->path[0] = '/';
        r->path[1] = '\0';
        return 0;
    }
    if (dot_end) {
        trailing = 0;
    }
    if (trailing && len + 2 > CAIRN_PATH_MAX) {
        return CAIRN_ENAMETOOLONG; // no room for the kept '/' and the NUL
    }
    r->kind = VFS_R_MOUNT;
    r->mount = mount;
    r->len = len;
    r->dot_end = dot_end && len > 0;
    if (len == 0) {
        r->path[0] = '/';
        r->path[1] = '\0';
    } else {
        if (trailing) {
            r->path[len] = '/';
            r->path[len + 1] = '\0';
        } else {
            r->path[len] = '\0';
        }
    }
    return 0;
}

// A path ending in "." or "..": what it names must be a directory.
static int vfs_dot_check(struct vfs_res *r)
{
    if (!r->dot_end) {
        return 0;
    }
    struct cairn_fs *fs = vfs_mounts[r->mount].fs;
    struct cairn_stat st;
    memset(&st, 0, sizeof st);
    int err = fs->ops->stat(fs, r->path, &st);
    if (err < 0) {
        return err;
    }
    return st.mode == CAIRN_S_IFDIR ? 0 : CAIRN_ENOTDIR;
}

// Resolve for an operation that needs a filesystem: VFS root -> `at_root`
// error, no mount -> -ENODEV.
static int vfs_resolve_fs(const char *p, struct vfs_res *r, int at_root)
{
    int err = vfs_resolve(p, r);
    if (err < 0) {
        return err;
    }
    if (r->kind == VFS_R_ROOT) {
        return at_root;
    }
    if (r->kind == VFS_R_NOMOUNT) {
        return CAIRN_ENODEV;
    }
    return vfs_dot_check(r);
}

// For whole-filesystem calls (statvfs, label, info, fsck): the VFS root
// means the "/" mount when there is one.
static int vfs_resolve_whole(const char *p, struct vfs_res *r)
{
    int err = vfs_resolve(p, r);
    if (err < 0) {
        return err;
    }
    if (r->kind == VFS_R_ROOT) {
        int root = vfs_root_mount();
        if (root < 0) {
            return CAIRN_ENODEV;
        }
        r->kind = VFS_R_MOUNT;
        r->mount = root;
    }
    if (r->kind == VFS_R_NOMOUNT) {
        return CAIRN_ENODEV;
    }
    return 0;
}

// ---- mounts ---------------------------------------------------------------------------

static int vfs_mount_busy(int m);

/*
 * D6: read-only belongs to a mount point, but one filesystem object mounted at
 * several points has one driver mount. When a read-write point joins points
 * that mounted the driver read-only, the driver is remounted read-write; only
 * while nothing is open on it (handles hold driver state), else -EBUSY.
 */
static int vfs_remount_rw(struct cairn_fs *fs)
{
    for (int i = 0; i < vfs_nmounts; i++) {
        const struct vfs_mount *mt = &vfs_mounts[vfs_order[i]];
        if (mt->fs == fs && (!mt->drv_ro || vfs_mount_busy(vfs_order[i]))) {
            return mt->drv_ro ? CAIRN_EBUSY : 0;
        }
    }
    int err = fs->ops->umount(fs);
    if (err == 0) {
        err = fs->ops->mount(fs, 0);
        if (err < 0) {
            (void)fs->ops->mount(fs, CAIRN_MOUNT_RDONLY); // keep the read-only points working
            return err;
        }
    }
    if (err < 0) {
        return err;
    }
    for (int i = 0; i < vfs_nmounts; i++) {
        if (vfs_mounts[vfs_order[i]].fs == fs) {
            vfs_mounts[vfs_order[i]].drv_ro = 0;
        }
    }
    return 0;
}

int cairn_vfs_unformatted(int err)
{
    return err == CAIRN_ENODEV || err == CAIRN_ECORRUPT;
}

int cairn_vfs_format_mount(struct cairn_fs *fs, uint32_t flags)
{
    if (flags & CAIRN_MOUNT_RDONLY) {
        return CAIRN_EROFS; // D5: a read-only mount writes nothing, a format included
    }
    int err = fs->ops->mkfs(fs);
    return err < 0 ? err : fs->ops->mount(fs, 0);
}

static int vfs_mount(struct cairn_fs *fs, const char *point, uint32_t flags)
{
    char norm[CAIRN_VFS_POINT_MAX];
    if (fs == NULL || fs->ops == NULL || (flags & ~(uint32_t)(CAIRN_MOUNT_RDONLY | CAIRN_MOUNT_MKFS))) {
        return CAIRN_EINVAL;
    }
    int err = cairn_vfs_check_point(point, norm);
    if (err < 0) {
        return err;
    }
    // An object mounted at several points shares one driver mount.
    if (!vfs_fs_in_table(fs, -1)) {
        err = fs->ops->mount(fs, flags & CAIRN_MOUNT_RDONLY);
        if (err < 0 && (flags & CAIRN_MOUNT_MKFS) && cairn_vfs_unformatted(err)) {
            err = cairn_vfs_format_mount(fs, flags);
        }
        if (err < 0) {
            return err;
        }
    } else if (!(flags & CAIRN_MOUNT_RDONLY)) {
        err = vfs_remount_rw(fs);
        if (err < 0) {
            return err;
        }
    }
    return cairn_vfs_insert(fs, norm, flags, NULL);
}

// Open handles on mount slot m.
static int vfs_mount_busy(int m)
{
    for (int i = 0; i < CAIRN_VFS_MAX_FILES; i++) {
        if (vfs_files[i].open && vfs_files[i].mount == m) {
            return 1;
        }
    }
    for (int i = 0; i < CAIRN_VFS_MAX_DIRS; i++) {
        if (vfs_dirs[i].open && vfs_dirs[i].mount == m) {
            return 1;
        }
    }
    return 0;
}

// Close every handle on mount m; the handles then give -EBADF (D3).
static void vfs_mount_force_close(int m)
{
    struct cairn_fs *fs = vfs_mounts[m].fs;
    for (int i = 0; i < CAIRN_VFS_MAX_FILES; i++) {
        if (vfs_files[i].open && vfs_files[i].mount == m) {
            (void)fs->ops->close(fs, vfs_files[i].st.bytes);
            vfs_files[i].open = 0;
        }
    }
    for (int i = 0; i < CAIRN_VFS_MAX_DIRS; i++) {
        if (vfs_dirs[i].open && vfs_dirs[i].mount == m) {
            vfs_dir_release_driver(&vfs_dirs[i]);
            // a VFS-root listing keeps its mount names but loses the root fs
            vfs_dirs[i].open = 0;
        }
    }
}

static int vfs_umount_slot(int m, int force)
{
    if (vfs_mount_busy(m)) {
        if (!force) {
            return CAIRN_EBUSY;
        }
        vfs_mount_force_close(m);
    }
    int idx = 0;
    while (idx < vfs_nmounts && vfs_order[idx] != m) {
        idx++;
    }
    for (int i = idx; i + 1 < vfs_nmounts; i++) {
        vfs_order[i] = vfs_order[i + 1];
    }
    vfs_nmounts--;
    if (vfs_cwd_mount == m) {
        vfs_cwd_mount = -1;
        vfs_cwd_path[0] = '\0';
    }
    struct vfs_mount *mt = &vfs_mounts[m];
    int err = 0;
    if (!vfs_fs_in_table(mt->fs, -1)) {
        err = mt->fs->ops->umount(mt->fs);
    }
    if (mt->owned != NULL) {
        *mt->owned = 0;
    }
    mt->used = 0;
    mt->fs = NULL;
    mt->owned = NULL;
    return err;
}

static int vfs_umount(const char *point, int force)
{
    char norm[CAIRN_VFS_POINT_MAX];
    int m = vfs_norm_point(point, norm) < 0 ? -1 : vfs_find_point(norm);
    if (m < 0) {
        return CAIRN_EINVAL;
    }
    return vfs_umount_slot(m, force);
}

static int vfs_umount_fs(struct cairn_fs *fs, int force)
{
    for (int i = 0; i < vfs_nmounts; i++) {
        if (vfs_mounts[vfs_order[i]].fs == fs) {
            return vfs_umount_slot(vfs_order[i], force);
        }
    }
    return CAIRN_EINVAL;
}

static void vfs_reset(void)
{
    while (vfs_nmounts > 0) {
        (void)vfs_umount_slot(vfs_order[vfs_nmounts - 1], 1);
    }
    for (int i = 0; i < CAIRN_VFS_MAX_DIRS; i++) {
        vfs_dirs[i].open = 0; // VFS-root listings with no driver part
    }
    vfs_cwd_mount = -1;
    vfs_cwd_path[0] = '\0';
}

// ---- files ----------------------------------------------------------------------------

/*
 * Python mode string -> CAIRN_O_* (vfs.md 11.1). One of r/w/x/a, then any
 * '+', 'b', 't'. A second r/w/x/a, or one after '+', is -EINVAL on both
 * filesystems (littlefs's rule: "rw" means nothing sensible). No r/w/x/a
 * at all ("", "b", "+") opens read-only ("+" alone: read-write). Other
 * characters are ignored, as both reference filesystems do.
 */
static int vfs_parse_mode(const char *mode, uint32_t *out)
{
    uint32_t fl = 0;
    int base = 0, plus = 0;
    if (mode == NULL) {
        mode = "r";
    }
    for (const char *c = mode; *c != '\0'; c++) {
        switch (*c) {
        case 'r':
        case 'w':
        case 'x':
        case 'a':
            if (base || plus) {
                return CAIRN_EINVAL;
            }
            base = *c;
            break;
        case '+':
            plus = 1;
            break;
        default:
            break; // 'b', 't' and others: no effect on raw bytes
        }
    }
    switch (base) {
    case 'w':
        fl = CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_TRUNC;
        break;
    case 'x':
        fl = CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_EXCL;
        break;
    case 'a':
        fl = CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_APPEND;
        break;
    default:
        fl = CAIRN_O_RDONLY;
        break;
    }
    if (plus) {
        fl = (fl & ~(uint32_t)CAIRN_O_ACCMODE) | CAIRN_O_RDWR;
    }
    *out = fl;
    return 0;
}

static int vfs_open_flags(const char *path, uint32_t flags)
{
    uint32_t known = CAIRN_O_ACCMODE | CAIRN_O_CREAT | CAIRN_O_EXCL | CAIRN_O_TRUNC | CAIRN_O_APPEND;
    if ((flags & ~known) != 0 || (flags & CAIRN_O_ACCMODE) == 0) {
        return CAIRN_EINVAL;
    }
    struct vfs_res *r = &vfs_res_buf[0];
    int err = vfs_resolve_fs(path, r, CAIRN_EPERM);
    if (err < 0) {
        return err;
    }
    if (r->len == 0 || r->dot_end) {
        return CAIRN_EISDIR; // a filesystem root, or "d/." (checked to be a directory)
    }
    int writes = (flags & CAIRN_O_WRONLY) || (flags & (CAIRN_O_CREAT | CAIRN_O_TRUNC | CAIRN_O_APPEND));
    if (writes && vfs_rdonly(r->mount)) {
        return CAIRN_EROFS; // D5: refused at open, nothing reaches the device
    }
    struct cairn_fs *fs = vfs_mounts[r->mount].fs;
    uint32_t fsize = fs->ops->file_size(fs);
    if (fsize > CAIRN_VFS_FILE_STATE) {
        return CAIRN_ENOMEM;
    }
    int slot = -1;
    for (int i = 0; i < CAIRN_VFS_MAX_FILES; i++) {
        if (!vfs_files[i].open) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        return CAIRN_EMFILE;
    }
    struct vfs_file *f = &vfs_files[slot];
    memset(&f->st, 0, fsize); // the driver's part only: the rest is never read
    err = fs->ops->open(fs, f->st.bytes, r->path, flags);
    if (err < 0) {
        return err;
    }
    f->gen = vfs_next_gen(f->gen);
    f->open = 1;
    f->mount = (uint8_t)r->mount;
    f->oflags = flags;
    return vfs_handle(f->gen, slot);
}

static int vfs_open(const char *path, const char *mode)
{
    uint32_t flags;
    int err = vfs_parse_mode(mode, &flags);
    if (err < 0) {
        return err;
    }
    return vfs_open_flags(path, flags);
}

static int vfs_close(int fd)
{
    struct vfs_file *f = vfs_file_get(fd);
    if (f == NULL) {
        uint32_t slot = (uint32_t)fd & 0xFF;
        if (fd >= 0 && slot < CAIRN_VFS_MAX_FILES &&
            vfs_handle_was_issued(fd, vfs_files[slot].gen)) {
            return 0;
        }
        return CAIRN_EBADF;
    }
    struct cairn_fs *fs = vfs_file_fs(f);
    int err = fs->ops->close(fs, f->st.bytes);
    f->open = 0; // released even when the final flush failed
    return err;
}

static int vfs_can_read(const struct vfs_file *f)
{
    return (f->oflags & CAIRN_O_RDONLY) != 0;
}

static int vfs_can_write(const struct vfs_file *f)
{
    return (f->oflags & CAIRN_O_WRONLY) != 0;
}

static int32_t vfs_read(int fd, void *buf, uint32_t len)
{
    struct vfs_file *f = vfs_file_get(fd);
    if (f == NULL || !vfs_can_read(f)) {
        return CAIRN_EBADF; // D13 / D4
    }
    if (buf == NULL && len > 0) {
        return CAIRN_EINVAL;
    }
    if (len > INT32_MAX) {
        len = INT32_MAX;
    }
    struct cairn_fs *fs = vfs_file_fs(f);
    return fs->ops->read(fs, f->st.bytes, buf, len);
}

static int32_t vfs_write(int fd, const void *buf, uint32_t len)
{
    struct vfs_file *f = vfs_file_get(fd);
    if (f == NULL || !vfs_can_write(f)) {
        return CAIRN_EBADF;
    }
    if (buf == NULL && len > 0) {
        return CAIRN_EINVAL;
    }
    if (len == 0) {
        return 0; // POSIX: no effect, not even filling a gap past EOF
    }
    if (len > INT32_MAX) {
        return CAIRN_EINVAL; // "all or fails": a count this large cannot be returned
    }
    struct cairn_fs *fs = vfs_file_fs(f);
    int32_t n = fs->ops->write(fs, f->st.bytes, buf, len);
    if (n >= 0 && (uint32_t)n < len) {
        return CAIRN_ENOSPC; // the reference's rule: the bytes that fitted stay
    }
    return n;
}

// Reads a chunk and moves the position back to just after the first '\n'.
static int32_t vfs_readline(int fd, char *buf, uint32_t len)
{
    struct vfs_file *f = vfs_file_get(fd);
    if (f == NULL || !vfs_can_read(f)) {
        return CAIRN_EBADF;
    }
    if (buf == NULL || len < 2) {
        return CAIRN_EINVAL; // no room for a byte and the NUL: 0 would mean EOF
    }
    struct cairn_fs *fs = vfs_file_fs(f);
    int64_t pos = fs->ops->tell(fs, f->st.bytes);
    if (pos < 0) {
        return (int32_t)pos;
    }
    uint32_t want = len - 1;
    if (want > INT32_MAX) {
        want = INT32_MAX;
    }
    int32_t n = want ? fs->ops->read(fs, f->st.bytes, buf, want) : 0;
    if (n < 0) {
        return n;
    }
    for (int32_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            if (i + 1 < n) {
                int64_t sp = fs->ops->seek(fs, f->st.bytes, pos + i + 1, CAIRN_SEEK_SET);
                if (sp < 0) {
                    return (int32_t)sp;
                }
            }
            n = i + 1;
            break;
        }
    }
    buf[n] = '\0';
    return n;
}

static int64_t vfs_seek(int fd, int64_t off, int whence)
{
    struct vfs_file *f = vfs_file_get(fd);
    if (f == NULL) {
        return CAIRN_EBADF;
    }
    struct cairn_fs *fs = vfs_file_fs(f);
    int64_t base;
    switch (whence) {
    case CAIRN_SEEK_SET:
        base = 0;
        break;
    case CAIRN_SEEK_CUR:
        base = fs->ops->tell(fs, f->st.bytes);
        break;
    case CAIRN_SEEK_END:
        base = fs->ops->size(fs, f->st.bytes);
        break;
    default:
        return CAIRN_EINVAL;
    }
    if (base < 0) {
        return base;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0) {
        return CAIRN_EINVAL; // D12: negative (or overflowing) target, no move
    }
    return fs->ops->seek(fs, f->st.bytes, base + off, CAIRN_SEEK_SET);
}

// tell, fsize and flush: the driver entry on an open handle, else -EBADF.
enum { VFS_F_TELL, VFS_F_SIZE, VFS_F_SYNC };

static int64_t vfs_file_call(int fd, int op)
{
    struct vfs_file *f = vfs_file_get(fd);
    if (f == NULL) {
        return CAIRN_EBADF;
    }
    struct cairn_fs *fs = vfs_file_fs(f);
    switch (op) {
    case VFS_F_TELL:
        return fs->ops->tell(fs, f->st.bytes);
    case VFS_F_SIZE:
        return fs->ops->size(fs, f->st.bytes);
    default:
        return fs->ops->sync(fs, f->st.bytes);
    }
}

static int vfs_truncate(int fd, int64_t size)
{
    struct vfs_file *f = vfs_file_get(fd);
    if (f == NULL || !vfs_can_write(f)) {
        return CAIRN_EBADF;
    }
    if (size < 0) {
        return CAIRN_EINVAL;
    }
    struct cairn_fs *fs = vfs_file_fs(f);
    return fs->ops->truncate(fs, f->st.bytes, size);
}

// ---- directories ------------------------------------------------------------------------

static int vfs_opendir(const char *path)
{
    struct vfs_res *r = &vfs_res_buf[0];
    int err = vfs_resolve(path, r);
    if (err < 0) {
        return err;
    }
    if (r->kind == VFS_R_NOMOUNT) {
        return CAIRN_ENODEV;
    }
    if (r->kind == VFS_R_MOUNT && (err = vfs_dot_check(r)) < 0) {
        return err;
    }
    int slot = -1;
    for (int i = 0; i < CAIRN_VFS_MAX_DIRS; i++) {
        if (!vfs_dirs[i].open) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        return CAIRN_EMFILE;
    }
    struct vfs_dir *d = &vfs_dirs[slot];
    int m = r->kind == VFS_R_ROOT ? vfs_root_mount() : r->mount;
    d->drv_open = 0;
    d->mount = -1;
    d->pos = 0;
    d->phase = r->kind == VFS_R_ROOT ? VFS_DIR_NAMES : VFS_DIR_DRIVER;
    if (m >= 0) {
        struct cairn_fs *fs = vfs_mounts[m].fs;
        uint32_t dsize = fs->ops->dir_size(fs);
        if (dsize > CAIRN_VFS_DIR_STATE) {
            return CAIRN_ENOMEM;
        }
        memset(&d->st, 0, dsize); // the driver's part only, as for files
        err = fs->ops->opendir(fs, d->st.bytes, r->kind == VFS_R_ROOT ? "/" : r->path);
        if (err < 0) {
            return err;
        }
        d->drv_open = 1;
        d->mount = (int8_t)m;
    }
    d->gen = vfs_next_gen(d->gen);
    d->open = 1;
    return vfs_handle(d->gen, slot);
}

static int vfs_readdir(int dd, struct cairn_dirent *ent)
{
    struct vfs_dir *d = vfs_dir_get(dd);
    if (d == NULL) {
        return CAIRN_EBADF;
    }
    if (ent == NULL) {
        return CAIRN_EINVAL;
    }
    if (d->phase == VFS_DIR_NAMES) {
        // Mount names in table order; the "/" mount (last) lists its own
        // entries after them.
        while (d->pos < vfs_nmounts) {
            const struct vfs_mount *m = &vfs_mounts[vfs_order[d->pos++]];
            if (m->point[1] != '\0') {
                size_t n = strlen(m->point + 1);
                memcpy(ent->name, m->point + 1, n + 1);
                ent->type = CAIRN_S_IFDIR;
                ent->size = 0;
                return 1;
            }
        }
        d->phase = d->drv_open ? VFS_DIR_DRIVER : VFS_DIR_END;
    }
    if (d->phase == VFS_DIR_DRIVER && d->drv_open) {
        struct cairn_fs *fs = vfs_mounts[d->mount].fs;
        int err = fs->ops->readdir(fs, d->st.bytes, ent);
        if (err != 0) {
            return err < 0 ? err : 1;
        }
        d->phase = VFS_DIR_END;
    }
    return 0;
}

static int vfs_closedir(int dd)
{
    struct vfs_dir *d = vfs_dir_get(dd);
    if (d == NULL) {
        uint32_t slot = (uint32_t)dd & 0xFF;
        if (dd >= 0 && slot < CAIRN_VFS_MAX_DIRS &&
            vfs_handle_was_issued(dd, vfs_dirs[slot].gen)) {
            return 0;
        }
        return CAIRN_EBADF;
    }
    int err = 0;
    if (d->drv_open && d->mount >= 0) {
        struct cairn_fs *fs = vfs_mounts[d->mount].fs;
        err = fs->ops->closedir(fs, d->st.bytes);
    }
    d->drv_open = 0;
    d->mount = -1;
    d->open = 0;
    return err;
}

// ---- path operations --------------------------------------------------------------------------

static struct cairn_fs *vfs_res_fs(const struct vfs_res *r)
{
    return vfs_mounts[r->mount].fs;
}

static int vfs_stat(const char *path, struct cairn_stat *st)
{
    struct vfs_res *r = &vfs_res_buf[0];
    if (st == NULL) {
        return CAIRN_EINVAL;
    }
    int err = vfs_resolve_fs(path, r, 1);
    if (err < 0) {
        return err;
    }
    if (err == 1) {
        memset(st, 0, sizeof *st); // the VFS root: a synthetic directory
        st->mode = CAIRN_S_IFDIR;
        return 0;
    }
    struct cairn_fs *fs = vfs_res_fs(r);
    memset(st, 0, sizeof *st);
    return fs->ops->stat(fs, r->path, st);
}

static int vfs_statvfs(const char *path, struct cairn_statvfs *st)
{
    struct vfs_res *r = &vfs_res_buf[0];
    if (st == NULL) {
        return CAIRN_EINVAL;
    }
    int err = vfs_resolve_whole(path, r);
    if (err == CAIRN_ENODEV && r->kind == VFS_R_ROOT) {
        memset(st, 0, sizeof *st); // nothing at "/": the reference's zeros
        st->f_namemax = CAIRN_PATH_MAX;
        return 0;
    }
    if (err < 0) {
        return err;
    }
    struct cairn_fs *fs = vfs_res_fs(r);
    memset(st, 0, sizeof *st);
    return fs->ops->statvfs(fs, st);
}

static int vfs_mkdir(const char *path)
{
    struct vfs_res *r = &vfs_res_buf[0];
    int err = vfs_resolve_fs(path, r, CAIRN_EEXIST);
    if (err < 0) {
        return err;
    }
    if (r->len == 0 || r->dot_end) {
        return CAIRN_EEXIST; // a filesystem root, or an existing "d/."
    }
    if (vfs_rdonly(r->mount)) {
        return CAIRN_EROFS;
    }
    struct cairn_fs *fs = vfs_res_fs(r);
    return fs->ops->mkdir(fs, r->path);
}

static int vfs_remove_common(const char *path, int dir)
{
    struct vfs_res *r = &vfs_res_buf[0];
    int err = vfs_resolve_fs(path, r, CAIRN_EPERM);
    if (err < 0) {
        return err;
    }
    if (r->len == 0 || r->dot_end) {
        return CAIRN_EINVAL; // a filesystem root (both references: EINVAL), or "d/." (POSIX)
    }
    if (vfs_rdonly(r->mount)) {
        return CAIRN_EROFS;
    }
    struct cairn_fs *fs = vfs_res_fs(r);
    return dir ? fs->ops->rmdir(fs, r->path) : fs->ops->remove(fs, r->path);
}

static int vfs_name_eq(const char *a, const char *b, size_t n, int nocase)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (nocase) {
            x = (x >= 'a' && x <= 'z') ? (char)(x - 32) : x;
            y = (y >= 'a' && y <= 'z') ? (char)(y - 32) : y;
        }
        if (x != y) {
            return 0;
        }
    }
    return 1;
}

static int vfs_rename(const char *from, const char *to)
{
    struct vfs_res *a = &vfs_res_buf[0], *b = &vfs_res_buf[1];
    int err = vfs_resolve(from, a);
    if (err < 0) {
        return err;
    }
    err = vfs_resolve(to, b);
    if (err < 0) {
        return err;
    }
    // vfs.md section 3: both sides under no mount -> ENODEV; a VFS-root
    // side -> EPERM; otherwise both must be on one filesystem (D18: EXDEV,
    // also when one side is under no mount).
    if (a->kind == VFS_R_NOMOUNT && b->kind == VFS_R_NOMOUNT) {
        return CAIRN_ENODEV;
    }
    if (a->kind == VFS_R_ROOT || b->kind == VFS_R_ROOT) {
        return CAIRN_EPERM;
    }
    if (a->kind == VFS_R_NOMOUNT || b->kind == VFS_R_NOMOUNT) {
        return CAIRN_EXDEV;
    }
    struct cairn_fs *fs = vfs_res_fs(a);
    if (fs != vfs_res_fs(b)) {
        return CAIRN_EXDEV; // D18
    }
    if (a->len == 0 || b->len == 0 || a->dot_end || b->dot_end) {
        return CAIRN_EINVAL; // a filesystem root, or a path ending in "." / ".."
    }
    if (vfs_rdonly(a->mount) || vfs_rdonly(b->mount)) {
        return CAIRN_EROFS;
    }
    // D7: a directory into its own subtree is refused before the driver.
    if (b->len > a->len && b->path[a->len] == '/' &&
        vfs_name_eq(a->path, b->path, a->len, (fs->ops->caps & CAIRN_FS_CAP_CASE_INSENSITIVE) != 0)) {
        struct cairn_stat st;
        char save = a->path[a->len];
        a->path[a->len] = '\0';
        err = fs->ops->stat(fs, a->path, &st);
        a->path[a->len] = save;
        if (err == 0 && st.mode == CAIRN_S_IFDIR) {
            return CAIRN_EINVAL;
        }
    }
    return fs->ops->rename(fs, a->path, b->path);
}

static int vfs_chdir(const char *path)
{
    struct vfs_res *r = &vfs_res_buf[0];
    int err = vfs_resolve(path, r);
    if (err < 0) {
        return err == CAIRN_EINVAL ? CAIRN_ENOENT : err;
    }
    if (r->kind == VFS_R_NOMOUNT) {
        return CAIRN_ENODEV;
    }
    if (r->kind == VFS_R_ROOT) {
        vfs_cwd_mount = -1;
        vfs_cwd_path[0] = '\0';
        return 0;
    }
    r->path[r->len] = '\0'; // the cwd is kept without a trailing '/'
    if (r->len > 0) {
        struct cairn_fs *fs = vfs_res_fs(r);
        struct cairn_stat st;
        memset(&st, 0, sizeof st);
        err = fs->ops->stat(fs, r->path, &st);
        if (err == CAIRN_ENOTDIR || err == CAIRN_EINVAL || (err == 0 && st.mode != CAIRN_S_IFDIR)) {
            err = CAIRN_ENOENT; // both references say ENOENT for "not a directory"
        }
        if (err < 0) {
            return err;
        }
    }
    memcpy(vfs_cwd_path, r->path, r->len + 1);
    vfs_cwd_mount = r->mount;
    return 0;
}

static int vfs_getcwd(char *buf, uint32_t len)
{
    const char *pre = "", *rest;
    if (buf == NULL) {
        return CAIRN_EINVAL;
    }
    if (vfs_cwd_mount < 0) {
        rest = "/";
    } else {
        if (!vfs_is_root_mount(vfs_cwd_mount)) {
            pre = vfs_mounts[vfs_cwd_mount].point;
        }
        rest = vfs_cwd_path;
    }
    size_t a = strlen(pre), b = strlen(rest);
    if (a + b + 1 > len) {
        return CAIRN_ENAMETOOLONG;
    }
    memcpy(buf, pre, a);
    memcpy(buf + a, rest, b + 1);
    return 0;
}

// ---- extensions ------------------------------------------------------------------------------------

static int vfs_set_mtime(const char *path, int64_t mtime_ns)
{
    struct vfs_res *r = &vfs_res_buf[0];
    int err = vfs_resolve_fs(path, r, CAIRN_EPERM);
    if (err < 0) {
        return err;
    }
    if (vfs_rdonly(r->mount)) {
        return CAIRN_EROFS;
    }
    struct cairn_fs *fs = vfs_res_fs(r);
    return fs->ops->set_mtime(fs, r->path, mtime_ns);
}

static int32_t vfs_getattr(const char *path, uint8_t type, void *buf, uint32_t len)
{
    struct vfs_res *r = &vfs_res_buf[0];
    int err = vfs_resolve_fs(path, r, CAIRN_EPERM);
    if (err < 0) {
        return err;
    }
    struct cairn_fs *fs = vfs_res_fs(r);
    return fs->ops->getattr(fs, r->path, type, buf, len);
}

static int vfs_setattr(const char *path, uint8_t type, const void *buf, uint32_t len, int remove)
{
    struct vfs_res *r = &vfs_res_buf[0];
    int err = vfs_resolve_fs(path, r, CAIRN_EPERM);
    if (err < 0) {
        return err;
    }
    if (vfs_rdonly(r->mount)) {
        return CAIRN_EROFS;
    }
    struct cairn_fs *fs = vfs_res_fs(r);
    return remove ? fs->ops->removeattr(fs, r->path, type)
                  : fs->ops->setattr(fs, r->path, type, buf, len);
}

static int vfs_label(const char *path, char *buf, uint32_t len, const char *set)
{
    struct vfs_res *r = &vfs_res_buf[0];
    int err = vfs_resolve_whole(path, r);
    if (err < 0) {
        return err;
    }
    if (set != NULL && vfs_rdonly(r->mount)) {
        return CAIRN_EROFS;
    }
    struct cairn_fs *fs = vfs_res_fs(r);
    return fs->ops->label(fs, buf, len, set);
}

static int vfs_info(const char *path, struct cairn_fs_info *info)
{
    struct vfs_res *r = &vfs_res_buf[0];
    if (info == NULL) {
        return CAIRN_EINVAL;
    }
    int err = vfs_resolve_whole(path, r);
    if (err < 0) {
        return err;
    }
    struct cairn_fs *fs = vfs_res_fs(r);
    memset(info, 0, sizeof *info);
    return fs->ops->info(fs, info);
}

static int32_t vfs_fsck(const char *path, uint32_t flags, cairn_fsck_report_fn report, void *ctx)
{
    struct vfs_res *r = &vfs_res_buf[0];
    int err = vfs_resolve_whole(path, r);
    if (err < 0) {
        return err;
    }
    if ((flags & CAIRN_FSCK_REPAIR) && vfs_rdonly(r->mount)) {
        return CAIRN_EROFS;
    }
    struct cairn_fs *fs = vfs_res_fs(r);
    // A repair must not run under open handles: an open file's clusters or
    // blocks are not yet in its directory entry and would be freed as lost.
    for (int i = 0; (flags & CAIRN_FSCK_REPAIR) && i < vfs_nmounts; i++) {
        if (vfs_mounts[vfs_order[i]].fs == fs && vfs_mount_busy(vfs_order[i])) {
            return CAIRN_EBUSY;
        }
    }
    return fs->ops->fsck(fs, flags, report, ctx);
}

// Flush every writable open file, then every read-write filesystem once.
static int vfs_sync(void)
{
    int first = 0;
    for (int i = 0; i < CAIRN_VFS_MAX_FILES; i++) {
        struct vfs_file *f = &vfs_files[i];
        if (f->open && vfs_can_write(f)) {
            struct cairn_fs *fs = vfs_file_fs(f);
            int err = fs->ops->sync(fs, f->st.bytes);
            if (err < 0 && first == 0) {
                first = err;
            }
        }
    }
    for (int i = 0; i < vfs_nmounts; i++) {
        int m = vfs_order[i];
        int seen = 0;
        for (int j = 0; j < i; j++) {
            seen |= vfs_mounts[vfs_order[j]].fs == vfs_mounts[m].fs;
        }
        if (seen || vfs_rdonly(m)) {
            continue;
        }
        struct cairn_fs *fs = vfs_mounts[m].fs;
        int err = fs->ops->sync_fs(fs);
        if (err < 0 && first == 0) {
            first = err;
        }
    }
    return first;
}

// ---- public wrappers: take the lock around the inner function ------------------------------------

#define VFS_LOCKED(type, call)                                                                     \
    do {                                                                                           \
        cairn_vfs_lock_enter();                                                                    \
        type vfs_ret_ = call;                                                                      \
        cairn_vfs_lock_leave();                                                                    \
        return vfs_ret_;                                                                           \
    } while (0)

int cairn_vfs_mount(struct cairn_fs *fs, const char *point, uint32_t flags)
{
    VFS_LOCKED(int, vfs_mount(fs, point, flags));
}

int cairn_vfs_umount(const char *point, int force)
{
    VFS_LOCKED(int, vfs_umount(point, force));
}

int cairn_vfs_umount_fs(struct cairn_fs *fs, int force)
{
    VFS_LOCKED(int, vfs_umount_fs(fs, force));
}

static int vfs_mount_info(int index, const char **point, struct cairn_fs **fs)
{
    if (index < 0 || index >= vfs_nmounts) {
        return CAIRN_ENOENT;
    }
    const struct vfs_mount *m = &vfs_mounts[vfs_order[index]];
    if (point != NULL) {
        *point = m->point;
    }
    if (fs != NULL) {
        *fs = m->fs;
    }
    return 0;
}

int cairn_vfs_mount_info(int index, const char **point, struct cairn_fs **fs)
{
    VFS_LOCKED(int, vfs_mount_info(index, point, fs));
}

static int vfs_mount_flags(const char *point)
{
    char norm[CAIRN_VFS_POINT_MAX];
    int m = vfs_norm_point(point, norm) < 0 ? -1 : vfs_find_point(norm);
    return m < 0 ? CAIRN_EINVAL : (int)vfs_mounts[m].flags;
}

int cairn_vfs_mount_flags(const char *point)
{
    VFS_LOCKED(int, vfs_mount_flags(point));
}

void cairn_vfs_reset(void)
{
    cairn_vfs_lock_enter();
    vfs_reset();
    cairn_vfs_lock_leave();
}

int cairn_vfs_open(const char *path, const char *mode)
{
    VFS_LOCKED(int, vfs_open(path, mode));
}

int cairn_vfs_open_flags(const char *path, uint32_t flags)
{
    VFS_LOCKED(int, vfs_open_flags(path, flags));
}

int cairn_vfs_parse_mode(const char *mode, uint32_t *flags)
{
    if (flags == NULL) {
        return CAIRN_EINVAL;
    }
    return vfs_parse_mode(mode, flags);
}

int cairn_vfs_close(int fd)
{
    VFS_LOCKED(int, vfs_close(fd));
}

int32_t cairn_vfs_read(int fd, void *buf, uint32_t len)
{
    VFS_LOCKED(int32_t, vfs_read(fd, buf, len));
}

int32_t cairn_vfs_write(int fd, const void *buf, uint32_t len)
{
    VFS_LOCKED(int32_t, vfs_write(fd, buf, len));
}

int32_t cairn_vfs_readline(int fd, char *buf, uint32_t len)
{
    VFS_LOCKED(int32_t, vfs_readline(fd, buf, len));
}

int64_t cairn_vfs_seek(int fd, int64_t off, int whence)
{
    VFS_LOCKED(int64_t, vfs_seek(fd, off, whence));
}

int64_t cairn_vfs_tell(int fd)
{
    VFS_LOCKED(int64_t, vfs_file_call(fd, VFS_F_TELL));
}

int64_t cairn_vfs_fsize(int fd)
{
    VFS_LOCKED(int64_t, vfs_file_call(fd, VFS_F_SIZE));
}

int cairn_vfs_flush(int fd)
{
    VFS_LOCKED(int, (int)vfs_file_call(fd, VFS_F_SYNC));
}

int cairn_vfs_truncate(int fd, int64_t size)
{
    VFS_LOCKED(int, vfs_truncate(fd, size));
}

int cairn_vfs_opendir(const char *path)
{
    VFS_LOCKED(int, vfs_opendir(path));
}

int cairn_vfs_readdir(int dd, struct cairn_dirent *ent)
{
    VFS_LOCKED(int, vfs_readdir(dd, ent));
}

int cairn_vfs_closedir(int dd)
{
    VFS_LOCKED(int, vfs_closedir(dd));
}

int cairn_vfs_stat(const char *path, struct cairn_stat *st)
{
    VFS_LOCKED(int, vfs_stat(path, st));
}

int cairn_vfs_statvfs(const char *path, struct cairn_statvfs *st)
{
    VFS_LOCKED(int, vfs_statvfs(path, st));
}

int cairn_vfs_mkdir(const char *path)
{
    VFS_LOCKED(int, vfs_mkdir(path));
}

int cairn_vfs_rmdir(const char *path)
{
    VFS_LOCKED(int, vfs_remove_common(path, 1));
}

int cairn_vfs_remove(const char *path)
{
    VFS_LOCKED(int, vfs_remove_common(path, 0));
}

int cairn_vfs_rename(const char *from, const char *to)
{
    VFS_LOCKED(int, vfs_rename(from, to));
}

int cairn_vfs_chdir(const char *path)
{
    VFS_LOCKED(int, vfs_chdir(path));
}

int cairn_vfs_getcwd(char *buf, uint32_t len)
{
    VFS_LOCKED(int, vfs_getcwd(buf, len));
}

int cairn_vfs_set_mtime(const char *path, int64_t mtime_ns)
{
    VFS_LOCKED(int, vfs_set_mtime(path, mtime_ns));
}

int32_t cairn_vfs_getattr(const char *path, uint8_t type, void *buf, uint32_t len)
{
    VFS_LOCKED(int32_t, vfs_getattr(path, type, buf, len));
}

int cairn_vfs_setattr(const char *path, uint8_t type, const void *buf, uint32_t len)
{
    VFS_LOCKED(int, vfs_setattr(path, type, buf, len, 0));
}

int cairn_vfs_removeattr(const char *path, uint8_t type)
{
    VFS_LOCKED(int, vfs_setattr(path, type, NULL, 0, 1));
}

int cairn_vfs_label(const char *path, char *buf, uint32_t len, const char *set)
{
    VFS_LOCKED(int, vfs_label(path, buf, len, set));
}

int cairn_vfs_info(const char *path, struct cairn_fs_info *info)
{
    VFS_LOCKED(int, vfs_info(path, info));
}

int32_t cairn_vfs_fsck(const char *path, uint32_t flags, cairn_fsck_report_fn report, void *ctx)
{
    VFS_LOCKED(int32_t, vfs_fsck(path, flags, report, ctx));
}

int cairn_vfs_sync(void)
{
    VFS_LOCKED(int, vfs_sync());
}

// ---- MicroPython views ----------------------------------------------------------

void cairn_vfs_stat_tuple(const struct cairn_stat *st, int64_t epoch, int64_t out[10])
{
    int64_t t = st->has_mtime ? st->mtime - epoch : 0;
    for (int i = 0; i < 10; i++) {
        out[i] = 0;
    }
    out[0] = st->mode;
    out[6] = st->size;
    out[7] = out[8] = out[9] = t;
}
