// libFuzzer harness: random sequences of VFS operations over FAT or littlefs
// on a RAM device, every result checked against an in-memory model of the
// tree (file contents, directory membership). Where the two filesystems
// legitimately differ (errors for a path through a file, opening a
// directory, rename of a directory over an existing entry, append), the
// harness either accepts the documented set or does not generate the case.
//
// Input: byte 0 picks the filesystem and geometry; then one opcode byte and
// its argument bytes per operation.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/fat.h"
#include "cairn/lfs2.h"
#include "cairn/vfs.h"

// ---- model ----------------------------------------------------------------------------

#define MX_NODES 24
#define MX_DATA 3000
#define MX_BUDGET 40000 // total file bytes, far below the device size
#define MX_HANDLES 4

struct mx_node {
    int used, isdir;
    char path[40];
    int size;
    uint8_t data[MX_DATA];
};

struct mx_handle {
    int fd, node;
    int64_t pos;
    uint32_t flags;
};

static struct mx_node mx[MX_NODES];
static struct mx_handle mh[MX_HANDLES];
static int mx_nh;
static uint32_t caps;

// Candidate paths: the mount root, 4 names, 16 two-level names.
static const char *mx_names[] = {"a", "bb", "c.t", "dd"};
static char mx_paths[21][40];

static void mx_fail(const char *what, const char *path, long long got, long long want)
{
    fprintf(stderr, "MISMATCH %s %s: got %lld want %lld\n", what, path ? path : "", got, want);
    abort();
}

#define EXPECT(what, path, got, want)                                                        \
    do {                                                                                     \
        long long mx_g_ = (long long)(got), mx_w_ = (long long)(want);                       \
        if (mx_g_ != mx_w_) {                                                                \
            mx_fail(what, path, mx_g_, mx_w_);                                               \
        }                                                                                    \
    } while (0)

#define EXPECT_FAIL(what, path, got)                                                         \
    do {                                                                                     \
        long long mx_g_ = (long long)(got);                                                  \
        if (mx_g_ >= 0) {                                                                    \
            mx_fail(what, path, mx_g_, -1);                                                  \
        }                                                                                    \
    } while (0)

// The same path spelled another way (the VFS normalises all of them; the
// cwd is /m): doubled slashes, relative, or with "." and "x/.." inserted.
static int spell_v;

static const char *spell(const char *path)
{
    static char buf[4][96];
    static int next;
    char *b = buf[next++ % 4];
    switch (spell_v % 4) {
    case 1: {
        size_t o = 0;
        for (const char *c = path; *c && o + 3 < sizeof buf[0]; c++) {
            b[o++] = *c;
            if (*c == '/') {
                b[o++] = '/';
            }
        }
        b[o] = '\0';
        return b;
    }
    case 2:
        return path[2] == '\0' ? "." : path + 3;
    case 3:
        snprintf(b, sizeof buf[0], "/m/./zz/..%s", path + 2);
        return b;
    default:
        return path;
    }
}

static int mx_find(const char *path)
{
    for (int i = 0; i < MX_NODES; i++) {
        if (mx[i].used && strcmp(mx[i].path, path) == 0) {
            return i;
        }
    }
    return -1;
}

// The parent's node, -1 if missing, -2 if it (or an ancestor) is a file.
static int mx_parent(const char *path)
{
    char p[40];
    strcpy(p, path);
    char *s = strrchr(p, '/');
    *s = '\0';
    int i = mx_find(p);
    if (i < 0) {
        // a missing parent under a file is "through a file"
        char *t = strrchr(p, '/');
        if (t != NULL && t != p) {
            *t = '\0';
            int g = mx_find(p);
            if (g >= 0 && !mx[g].isdir) {
                return -2;
            }
        }
        return -1;
    }
    return mx[i].isdir ? i : -2;
}

static int mx_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && path[n] == '/';
}

static int mx_children(int d)
{
    int n = 0;
    for (int i = 0; i < MX_NODES; i++) {
        if (mx[i].used && i != d && mx_under(mx[i].path, mx[d].path) &&
            strchr(mx[i].path + strlen(mx[d].path) + 1, '/') == NULL) {
            n++;
        }
    }
    return n;
}

// Open handles on this node or anything below it.
static int mx_busy(const char *path)
{
    for (int h = 0; h < mx_nh; h++) {
        const char *p = mx[mh[h].node].path;
        if (strcmp(p, path) == 0 || mx_under(p, path)) {
            return 1;
        }
    }
    return 0;
}

static int mx_pending(int node)
{
    for (int h = 0; h < mx_nh; h++) {
        if (mh[h].node == node && (mh[h].flags & CAIRN_O_WRONLY)) {
            return 1;
        }
    }
    return 0;
}

static int mx_total(void)
{
    int t = 0;
    for (int i = 0; i < MX_NODES; i++) {
        t += mx[i].used ? mx[i].size : 0;
    }
    return t;
}

static int mx_new(const char *path, int isdir)
{
    for (int i = 0; i < MX_NODES; i++) {
        if (!mx[i].used) {
            mx[i].used = 1;
            mx[i].isdir = isdir;
            mx[i].size = 0;
            strcpy(mx[i].path, path);
            return i;
        }
    }
    return -1;
}

// ---- device and filesystem --------------------------------------------------------------

static uint8_t dev_mem[512 * 1024];
static struct cairn_ram_bdev ram;
static union {
    struct cairn_fs fs;
    struct cairn_fat fat;
    struct cairn_lfs2 lfs;
} fsu;
static struct cairn_lfs2_config lcfg;
static uint8_t lbuf[CAIRN_LFS2_BUFFER_SIZE(128, 32)] __attribute__((aligned(8)));
static int kind;

// A second, small FAT filesystem at /n: only for the cross-mount rules.
static uint8_t dev2_mem[128 * 512];
static struct cairn_ram_bdev ram2;
static struct cairn_fat fat2;

// Rules that involve the VFS root and a second mount (D18, vfs.md section 3).
static void op_cross(const char *pa)
{
    struct cairn_stat st;
    struct cairn_dirent ent;
    int r = cairn_vfs_rename(spell(pa), "/n/x");
    EXPECT("rename-xdev", pa, r, CAIRN_EXDEV); // D18, before anything else
    EXPECT("rename-xdev-back", pa, cairn_vfs_rename("/n/none", spell(pa)), CAIRN_EXDEV);
    EXPECT("stat-root", "/", cairn_vfs_stat("/", &st), 0);
    EXPECT("stat-root.mode", "/", st.mode, CAIRN_S_IFDIR);
    EXPECT("stat-nomount", "/z", cairn_vfs_stat("/z/m", &st), CAIRN_ENODEV);
    EXPECT("mkdir-mountroot", "/n", cairn_vfs_mkdir("/n"), CAIRN_EEXIST);
    // FAT clamps ".." at its root: this is the root of /n, not /m
    EXPECT("stat-dotdot", pa, cairn_vfs_stat("/n/../m/..", &st), 0);
    int dd = cairn_vfs_opendir("/");
    EXPECT("opendir-root", "/", dd >= 0, 1);
    // mount names in table (mount) order: a remount of /m moves it last
    EXPECT("root-1", "/", cairn_vfs_readdir(dd, &ent), 1);
    char first = ent.name[0];
    EXPECT("root-1.name", ent.name, (first == 'm' || first == 'n') && ent.name[1] == '\0', 1);
    EXPECT("root-1.type", ent.name, ent.type, CAIRN_S_IFDIR);
    EXPECT("root-2", "/", cairn_vfs_readdir(dd, &ent), 1);
    EXPECT("root-2.name", ent.name, ent.name[0] == (first == 'm' ? 'n' : 'm') && ent.name[1] == '\0', 1);
    EXPECT("root-end", "/", cairn_vfs_readdir(dd, &ent), 0);
    EXPECT("closedir-root", "/", cairn_vfs_closedir(dd), 0);
}

static int fs_init(void)
{
    memset(&fsu, 0, sizeof fsu);
    if (kind == 0) {
        return cairn_fat_init(&fsu.fat, &ram.bd, NULL);
    }
    memset(&lcfg, 0, sizeof lcfg);
    lcfg.buffer = lbuf;
    lcfg.buffer_size = sizeof lbuf;
    return cairn_lfs2_init(&fsu.lfs, &ram.bd, &lcfg);
}

// ---- checks ---------------------------------------------------------------------------------

static void check_node(int i)
{
    struct cairn_stat st;
    int r = cairn_vfs_stat(spell(mx[i].path), &st);
    EXPECT("stat", mx[i].path, r, 0);
    EXPECT("stat.mode", mx[i].path, st.mode, mx[i].isdir ? CAIRN_S_IFDIR : CAIRN_S_IFREG);
    if (mx[i].isdir || mx_pending(i)) {
        return;
    }
    EXPECT("stat.size", mx[i].path, st.size, mx[i].size);
    if (mx_busy(mx[i].path)) {
        return;
    }
    static uint8_t buf[MX_DATA + 16];
    int fd = cairn_vfs_open(mx[i].path, "rb");
    if (fd < 0) {
        EXPECT("open-check", mx[i].path, fd, 0);
    }
    int32_t n = cairn_vfs_read(fd, buf, sizeof buf);
    EXPECT("read-check", mx[i].path, n, mx[i].size);
    if (memcmp(buf, mx[i].data, (size_t)n) != 0) {
        mx_fail("content", mx[i].path, 0, 1);
    }
    EXPECT("close-check", mx[i].path, cairn_vfs_close(fd), 0);
}

static void check_list(int d)
{
    struct cairn_dirent ent;
    int dd = cairn_vfs_opendir(mx[d].path);
    EXPECT("opendir", mx[d].path, dd >= 0, 1);
    int n = 0, r;
    char p[40 + CAIRN_NAME_MAX];
    while ((r = cairn_vfs_readdir(dd, &ent)) == 1) {
        snprintf(p, sizeof p, "%s/%s", mx[d].path, ent.name);
        int i = mx_find(p);
        if (i < 0) {
            mx_fail("listed-unknown", p, 0, 0);
        }
        EXPECT("list.type", p, ent.type, mx[i].isdir ? CAIRN_S_IFDIR : CAIRN_S_IFREG);
        if (!mx[i].isdir && !mx_pending(i)) {
            EXPECT("list.size", p, ent.size, mx[i].size);
        }
        n++;
    }
    EXPECT("readdir", mx[d].path, r, 0);
    EXPECT("readdir-again", mx[d].path, cairn_vfs_readdir(dd, &ent), 0);
    EXPECT("closedir", mx[d].path, cairn_vfs_closedir(dd), 0);
    EXPECT("list.count", mx[d].path, n, mx_children(d));
}

static void check_all(void)
{
    for (int i = 0; i < MX_NODES; i++) {
        if (mx[i].used) {
            check_node(i);
            if (mx[i].isdir) {
                check_list(i);
            }
        }
    }
}

static void close_handle(int h)
{
    EXPECT("close", mx[mh[h].node].path, cairn_vfs_close(mh[h].fd), 0);
    mh[h] = mh[--mx_nh];
}

// ---- operations ------------------------------------------------------------------------------

static const char *modes[] = {"r", "w", "a", "r+", "w+", "x", "a+", "rb"};

static void op_open(const char *path, int m)
{
    uint32_t fl;
    cairn_vfs_parse_mode(modes[m], &fl);
    int i = mx_find(path);
    if (mx_nh >= MX_HANDLES || (i >= 0 && mx_busy(path))) {
        return;
    }
    int fd = cairn_vfs_open(spell(path), modes[m]);
    int creat = (fl & CAIRN_O_CREAT) != 0;
    if (i >= 0 && mx[i].isdir) {
        EXPECT_FAIL("open-dir", path, fd);
        return;
    }
    if (i >= 0 && (fl & CAIRN_O_EXCL)) {
        EXPECT("open-excl", path, fd, CAIRN_EEXIST);
        return;
    }
    if (i < 0) {
        int p = mx_parent(path);
        if (!creat || p < 0) {
            if (p == -2) {
                EXPECT_FAIL("open-through-file", path, fd);
            } else {
                EXPECT("open-missing", path, fd, CAIRN_ENOENT);
            }
            return;
        }
        if (fd < 0) {
            mx_fail("open-create", path, fd, 0);
        }
        i = mx_new(path, 0);
    }
    if (fd < 0) {
        mx_fail("open", path, fd, 0);
    }
    if (fl & CAIRN_O_TRUNC) {
        mx[i].size = 0;
    }
    mh[mx_nh].fd = fd;
    mh[mx_nh].node = i;
    // FAT seeks to EOF once at open; littlefs (as POSIX) starts at 0 and
    // appends at every write
    mh[mx_nh].pos = (fl & CAIRN_O_APPEND) && (caps & CAIRN_FS_CAP_APPEND_ONCE) ? mx[i].size : 0;
    mh[mx_nh].flags = fl;
    mx_nh++;
}

static void op_write(int h, const uint8_t *d, int len)
{
    struct mx_handle *x = &mh[h];
    struct mx_node *n = &mx[x->node];
    if (!(x->flags & CAIRN_O_WRONLY)) {
        EXPECT("write-rdonly", n->path, cairn_vfs_write(x->fd, d, (uint32_t)len), CAIRN_EBADF);
        return;
    }
    int64_t pos = x->pos;
    if ((x->flags & CAIRN_O_APPEND) && !(caps & CAIRN_FS_CAP_APPEND_ONCE)) {
        if (pos > n->size) {
            // littlefs (like upstream) writes at a position past EOF even
            // in append mode; POSIX appends at EOF. Known, not generated.
            return;
        }
        pos = n->size;
    }
    if (pos + len > MX_DATA || mx_total() + (pos + len - n->size) > MX_BUDGET) {
        return;
    }
    EXPECT("write", n->path, cairn_vfs_write(x->fd, d, (uint32_t)len), len);
    if (len == 0) {
        return; // no data, no gap filled, position unchanged
    }
    if (pos > n->size) {
        memset(n->data + n->size, 0, (size_t)(pos - n->size));
    }
    memcpy(n->data + pos, d, (size_t)len);
    x->pos = pos + len;
    if (x->pos > n->size) {
        n->size = (int)x->pos;
    }
}

static void op_read(int h, int len)
{
    static uint8_t buf[1024];
    struct mx_handle *x = &mh[h];
    struct mx_node *n = &mx[x->node];
    int32_t r = cairn_vfs_read(x->fd, buf, (uint32_t)len);
    if (!(x->flags & CAIRN_O_RDONLY)) {
        EXPECT("read-wronly", n->path, r, CAIRN_EBADF);
        return;
    }
    int64_t avail = n->size - x->pos;
    int want = avail <= 0 ? 0 : (avail < len ? (int)avail : len);
    EXPECT("read", n->path, r, want);
    if (memcmp(buf, n->data + x->pos, (size_t)want) != 0) {
        mx_fail("read-content", n->path, x->pos, 0);
    }
    x->pos += want;
}

static void op_seek(int h, int off)
{
    struct mx_handle *x = &mh[h];
    struct mx_node *n = &mx[x->node];
    int64_t target = off % (n->size + 65);
    EXPECT("seek", n->path, cairn_vfs_seek(x->fd, target, CAIRN_SEEK_SET), target);
    x->pos = target;
    EXPECT("tell", n->path, cairn_vfs_tell(x->fd), target);
    EXPECT("seek-neg", n->path, cairn_vfs_seek(x->fd, -1 - target, CAIRN_SEEK_CUR), CAIRN_EINVAL);
}

static void op_truncate(int h, int size)
{
    struct mx_handle *x = &mh[h];
    struct mx_node *n = &mx[x->node];
    size %= n->size + 65;
    if (!(x->flags & CAIRN_O_WRONLY)) {
        EXPECT("truncate-rdonly", n->path, cairn_vfs_truncate(x->fd, size), CAIRN_EBADF);
        return;
    }
    if (size > MX_DATA || mx_total() + size - n->size > MX_BUDGET) {
        return;
    }
    EXPECT("truncate", n->path, cairn_vfs_truncate(x->fd, size), 0);
    if (size > n->size) {
        memset(n->data + n->size, 0, (size_t)(size - n->size));
    }
    n->size = size;
    EXPECT("fsize", n->path, cairn_vfs_fsize(x->fd), size);
}

static void op_mkdir(const char *path)
{
    int i = mx_find(path);
    int p = mx_parent(path);
    int r = cairn_vfs_mkdir(spell(path));
    if (i >= 0) {
        EXPECT("mkdir-exists", path, r, CAIRN_EEXIST);
    } else if (p == -2) {
        EXPECT_FAIL("mkdir-through-file", path, r);
    } else if (p < 0) {
        EXPECT("mkdir-noparent", path, r, CAIRN_ENOENT);
    } else {
        EXPECT("mkdir", path, r, 0);
        mx_new(path, 1);
    }
}

static void op_remove(const char *path, int dir)
{
    int i = mx_find(path);
    if (i >= 0 && mx_busy(path)) {
        return;
    }
    int r = dir ? cairn_vfs_rmdir(spell(path)) : cairn_vfs_remove(spell(path));
    if (i == 0) {
        EXPECT("remove-root", path, r, CAIRN_EINVAL); // a filesystem root
        return;
    }
    if (i < 0) {
        if (mx_parent(path) == -2) {
            EXPECT_FAIL("remove-through-file", path, r);
        } else {
            EXPECT("remove-missing", path, r, CAIRN_ENOENT);
        }
    } else if (dir && !mx[i].isdir) {
        EXPECT("rmdir-file", path, r, CAIRN_ENOTDIR); // D8
    } else if (!dir && mx[i].isdir) {
        EXPECT("remove-dir", path, r, CAIRN_EISDIR); // D8
    } else if (dir && mx_children(i) > 0) {
        EXPECT("rmdir-nonempty", path, r, CAIRN_ENOTEMPTY); // D9
    } else {
        EXPECT("remove", path, r, 0);
        mx[i].used = 0;
    }
}

static void op_rename(const char *from, const char *to)
{
    int s = mx_find(from), t = mx_find(to);
    if (strcmp(from, "/m") == 0 || strcmp(to, "/m") == 0) {
        EXPECT("rename-root", from, cairn_vfs_rename(spell(from), spell(to)), CAIRN_EINVAL);
        return;
    }
    if (mx_busy(from) || mx_busy(to)) {
        return;
    }
    // legitimately different outcomes: a directory over an existing entry
    if (s >= 0 && mx[s].isdir && t >= 0 && t != s) {
        return;
    }
    int r = cairn_vfs_rename(spell(from), spell(to));
    if (s < 0) {
        EXPECT_FAIL("rename-missing", from, r);
        return;
    }
    if (s == t) {
        EXPECT("rename-same", from, r, 0);
        return;
    }
    if (mx[s].isdir && mx_under(to, from)) {
        EXPECT("rename-subtree", from, r, CAIRN_EINVAL); // D7
        return;
    }
    int p = mx_parent(to);
    if (p < 0) {
        EXPECT_FAIL("rename-noparent", to, r);
        return;
    }
    if (t >= 0 && mx[t].isdir) {
        EXPECT("rename-onto-dir", to, r, CAIRN_EISDIR);
        return;
    }
    EXPECT("rename", from, r, 0);
    if (t >= 0) {
        mx[t].used = 0;
    }
    char old[40];
    strcpy(old, from);
    for (int i = 0; i < MX_NODES; i++) {
        if (mx[i].used && (i == s || mx_under(mx[i].path, old))) {
            char np[80];
            snprintf(np, sizeof np, "%s%s", to, mx[i].path + strlen(old));
            if (strlen(np) >= sizeof mx[i].path) {
                abort(); // cannot happen with the candidate paths
            }
            strcpy(mx[i].path, np);
        }
    }
}

static void op_remount(void)
{
    while (mx_nh > 0) {
        close_handle(mx_nh - 1);
    }
    EXPECT("umount", "/m", cairn_vfs_umount("/m", 0), 0);
    EXPECT("init", "/m", fs_init(), 0);
    EXPECT("mount", "/m", cairn_vfs_mount(&fsu.fs, "/m", 0), 0);
    EXPECT("chdir", "/m", cairn_vfs_chdir("/m"), 0);
    check_all();
}

// ---- driver -------------------------------------------------------------------------------------

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    if (mx_paths[0][0] == '\0') {
        strcpy(mx_paths[0], "/m");
        for (int i = 0; i < 4; i++) {
            snprintf(mx_paths[1 + i], sizeof mx_paths[0], "/m/%s", mx_names[i]);
            for (int j = 0; j < 4; j++) {
                snprintf(mx_paths[5 + 4 * i + j], sizeof mx_paths[0], "/m/%s/%s", mx_names[i],
                         mx_names[j]);
            }
        }
    }
    kind = data[0] & 1;
    uint32_t bs = (data[0] & 2) ? 4096 : 512;
    uint32_t bc = (uint32_t)(sizeof dev_mem / bs);
    if (data[0] & 4) {
        bc /= 2; // a smaller device too
    }
    cairn_vfs_reset();
    memset(dev_mem, kind ? 0xFF : 0, sizeof dev_mem);
    uint32_t rf = kind ? CAIRN_RAM_EXT : CAIRN_RAM_SIMPLE;
    if (cairn_ram_bdev_init(&ram, dev_mem, bs, bc, rf, 0xFF) < 0 || fs_init() < 0 ||
        fsu.fs.ops->mkfs(&fsu.fs) < 0) {
        abort();
    }
    caps = fsu.fs.ops->caps;
    EXPECT("mount", "/m", cairn_vfs_mount(&fsu.fs, "/m", 0), 0);
    EXPECT("chdir", "/m", cairn_vfs_chdir("/m"), 0);
    memset(dev2_mem, 0, sizeof dev2_mem);
    if (cairn_ram_bdev_init(&ram2, dev2_mem, 512, 128, CAIRN_RAM_SIMPLE, 0) < 0 ||
        cairn_fat_init(&fat2, &ram2.bd, NULL) < 0 || fat2.fs.ops->mkfs(&fat2.fs) < 0) {
        abort();
    }
    EXPECT("mount2", "/n", cairn_vfs_mount(&fat2.fs, "/n", 0), 0);
    memset(mx, 0, sizeof mx);
    mx_nh = 0;
    mx_new("/m", 1);
    size_t i = 1;
    int ops = 0;
    while (i + 3 <= size && ops++ < 200) {
        uint8_t op = data[i], a = data[i + 1], b = data[i + 2];
        i += 3;
        const char *pa = mx_paths[a % 21], *pb = mx_paths[b % 21];
        spell_v = op >> 4; // the opcode's high bits pick the spelling
        int h = mx_nh ? a % mx_nh : -1;
        switch (op % 16) {
        case 0:
        case 1:
            op_open(pa, b % 8);
            break;
        case 2:
        case 3:
            if (h >= 0) {
                int len = b * 3 % 700;
                op_write(h, data + i, len <= (int)(size - i) ? len : (int)(size - i));
            }
            break;
        case 4:
            if (h >= 0) {
                op_read(h, b * 4 % 1000);
            }
            break;
        case 5:
            if (h >= 0) {
                op_seek(h, b * 13);
            }
            break;
        case 6:
            if (h >= 0) {
                close_handle(h);
            }
            break;
        case 7:
            if (h >= 0) {
                op_truncate(h, b * 11);
            }
            break;
        case 8:
            op_mkdir(pa);
            break;
        case 9:
            op_remove(pa, 0);
            break;
        case 10:
            op_remove(pa, 1);
            break;
        case 11:
            op_rename(pa, pb);
            break;
        case 12: {
            int n = mx_find(pa);
            if (n >= 0) {
                check_node(n);
                if (mx[n].isdir) {
                    check_list(n);
                }
            } else {
                struct cairn_stat st;
                int r = cairn_vfs_stat(pa, &st);
                EXPECT_FAIL("stat-missing", pa, r);
            }
            break;
        }
        case 13:
            if (h >= 0) {
                EXPECT("flush", mx[mh[h].node].path, cairn_vfs_flush(mh[h].fd), 0);
            }
            break;
        case 14:
            if (b & 1) {
                op_cross(pa);
            } else {
                op_remount();
            }
            break;
        default:
            check_all();
            break;
        }
    }
    op_remount();
    cairn_vfs_reset();
    return 0;
}
