// cairn CLI: `mount` serves an image to the host kernel through FUSE
// (libfuse3, high-level API, single-threaded: the VFS calls must not overlap).
#include "cli.h"

#ifndef CAIRN_HAVE_FUSE

int cairn_cmd_mount(struct cairn_cli *c)
{
    (void)c;
    fprintf(stderr, "cairn: mount: not available (cairn was built without libfuse3)\n");
    return CLI_EXIT_FAIL;
}

#else

#define FUSE_USE_VERSION 31
#include <fuse.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void mnt_fill_stat(const struct cairn_stat *cs, struct stat *st)
{
    memset(st, 0, sizeof *st);
    if (cs->mode == CAIRN_S_IFDIR) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
    } else {
        st->st_mode = S_IFREG | ((cs->attr & CAIRN_ATTR_RDONLY) ? 0444 : 0644);
        st->st_nlink = 1;
        st->st_size = (off_t)cs->size;
        st->st_blocks = (blkcnt_t)((cs->size + 511) / 512);
    }
    st->st_uid = getuid();
    st->st_gid = getgid();
    if (cs->has_mtime) {
        st->st_mtim.tv_sec = (time_t)cs->mtime;
        st->st_mtim.tv_nsec = (long)cs->mtime_nsec;
        st->st_ctim = st->st_mtim;
        st->st_atim = st->st_mtim;
    }
}

static int mnt_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    struct cairn_stat cs;
    int rc = cairn_vfs_stat(path, &cs);
    if (rc == 0 && fi != NULL && cs.mode == CAIRN_S_IFREG) {
        // an open handle knows its size before it is committed (littlefs)
        int64_t size = cairn_vfs_fsize((int)fi->fh);
        if (size >= 0) {
            cs.size = size;
        }
    }
    if (rc == 0) {
        mnt_fill_stat(&cs, st);
    }
    return rc;
}

static int mnt_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)off;
    (void)fi;
    (void)flags;
    int dd = cairn_vfs_opendir(path);
    if (dd < 0) {
        return dd;
    }
    filler(buf, ".", NULL, 0, 0);
    filler(buf, "..", NULL, 0, 0);
    struct cairn_dirent *de = malloc(sizeof *de);
    int rc = de ? 0 : -ENOMEM;
    for (int i = 0; de && i < 1000000; i++) {
        rc = cairn_vfs_readdir(dd, de);
        if (rc <= 0) {
            break;
        }
        struct stat st;
        memset(&st, 0, sizeof st);
        st.st_mode = de->type == CAIRN_S_IFDIR ? S_IFDIR : S_IFREG;
        if (filler(buf, de->name, &st, 0, 0) != 0) {
            rc = 0;
            break;
        }
    }
    free(de);
    cairn_vfs_closedir(dd);
    return rc < 0 ? rc : 0;
}

static uint32_t mnt_flags(int oflags)
{
    uint32_t f;
    switch (oflags & O_ACCMODE) {
    case O_WRONLY:
        f = CAIRN_O_WRONLY;
        break;
    case O_RDWR:
        f = CAIRN_O_RDWR;
        break;
    default:
        f = CAIRN_O_RDONLY;
        break;
    }
    if (oflags & O_CREAT) {
        f |= CAIRN_O_CREAT;
    }
    if (oflags & O_EXCL) {
        f |= CAIRN_O_EXCL;
    }
    if (oflags & O_TRUNC) {
        f |= CAIRN_O_TRUNC;
    }
    if (oflags & O_APPEND) {
        f |= CAIRN_O_APPEND;
    }
    return f;
}

static int mnt_open(const char *path, struct fuse_file_info *fi)
{
    int fd = cairn_vfs_open_flags(path, mnt_flags(fi->flags));
    if (fd < 0) {
        return fd;
    }
    fi->fh = (uint64_t)fd;
    return 0;
}

static int mnt_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    (void)mode;
    int fd = cairn_vfs_open_flags(path, mnt_flags(fi->flags) | CAIRN_O_CREAT);
    if (fd < 0) {
        return fd;
    }
    fi->fh = (uint64_t)fd;
    return 0;
}

static int mnt_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path;
    int fd = (int)fi->fh;
    int64_t pos = cairn_vfs_seek(fd, off, CAIRN_SEEK_SET);
    if (pos < 0) {
        return (int)pos;
    }
    size_t done = 0;
    while (done < size) {
        int32_t n = cairn_vfs_read(fd, buf + done, (uint32_t)(size - done));
        if (n < 0) {
            return done ? (int)done : n;
        }
        if (n == 0) {
            break;
        }
        done += (size_t)n;
    }
    return (int)done;
}

static int mnt_write(const char *path, const char *buf, size_t size, off_t off,
                     struct fuse_file_info *fi)
{
    (void)path;
    int fd = (int)fi->fh;
    if (!(fi->flags & O_APPEND)) {
        int64_t pos = cairn_vfs_seek(fd, off, CAIRN_SEEK_SET);
        if (pos < 0) {
            return (int)pos;
        }
    }
    int32_t n = cairn_vfs_write(fd, buf, (uint32_t)size);
    return n;
}

static int mnt_release(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    return cairn_vfs_close((int)fi->fh);
}

static int mnt_flush(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    return cairn_vfs_flush((int)fi->fh);
}

static int mnt_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)path;
    (void)datasync;
    return cairn_vfs_flush((int)fi->fh);
}

static int mnt_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    if (fi) {
        // commit now: the kernel caches the size that getattr reports next
        int rc = cairn_vfs_truncate((int)fi->fh, size);
        return rc ? rc : cairn_vfs_flush((int)fi->fh);
    }
    int fd = cairn_vfs_open(path, "r+b");
    if (fd < 0) {
        return fd;
    }
    int rc = cairn_vfs_truncate(fd, size);
    int rc2 = cairn_vfs_close(fd);
    return rc ? rc : rc2;
}

static int mnt_mkdir(const char *path, mode_t mode)
{
    (void)mode;
    return cairn_vfs_mkdir(path);
}

static int mnt_unlink(const char *path)
{
    return cairn_vfs_remove(path);
}

static int mnt_rmdir(const char *path)
{
    return cairn_vfs_rmdir(path);
}

static int mnt_rename(const char *from, const char *to, unsigned int flags)
{
    if (flags & RENAME_EXCHANGE) {
        return -EINVAL;
    }
    if (flags & RENAME_NOREPLACE) {
        struct cairn_stat st;
        if (cairn_vfs_stat(to, &st) == 0) {
            return -EEXIST;
        }
    }
    return cairn_vfs_rename(from, to);
}

static int mnt_statfs(const char *path, struct statvfs *st)
{
    struct cairn_statvfs sv;
    int rc = cairn_vfs_statvfs(path, &sv);
    if (rc != 0) {
        return rc;
    }
    memset(st, 0, sizeof *st);
    st->f_bsize = sv.f_bsize;
    st->f_frsize = sv.f_frsize;
    st->f_blocks = sv.f_blocks;
    st->f_bfree = sv.f_bfree;
    st->f_bavail = sv.f_bavail;
    st->f_files = sv.f_files;
    st->f_ffree = sv.f_ffree;
    st->f_favail = sv.f_favail;
    st->f_namemax = sv.f_namemax;
    return 0;
}

static int mnt_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    (void)fi;
    struct timespec now;
    const struct timespec *m = &tv[1];
    if (m->tv_nsec == UTIME_OMIT) {
        return 0;
    }
    if (m->tv_nsec == UTIME_NOW) {
        clock_gettime(CLOCK_REALTIME, &now);
        m = &now;
    }
    int rc = cairn_vfs_set_mtime(path, (int64_t)m->tv_sec * 1000000000LL + m->tv_nsec);
    return rc == CAIRN_EOPNOTSUPP ? 0 : rc;
}

// Permissions and owners do not exist on these filesystems: accept and ignore,
// so that cp -p and friends work.
static int mnt_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    (void)mode;
    (void)fi;
    struct cairn_stat st;
    return cairn_vfs_stat(path, &st);
}

static int mnt_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    (void)uid;
    (void)gid;
    (void)fi;
    struct cairn_stat st;
    return cairn_vfs_stat(path, &st);
}

static void mnt_destroy(void *data)
{
    (void)data;
    cairn_vfs_sync();
}

static const struct fuse_operations mnt_ops = {
    .getattr = mnt_getattr,
    .readdir = mnt_readdir,
    .open = mnt_open,
    .create = mnt_create,
    .read = mnt_read,
    .write = mnt_write,
    .release = mnt_release,
    .flush = mnt_flush,
    .fsync = mnt_fsync,
    .truncate = mnt_truncate,
    .mkdir = mnt_mkdir,
    .unlink = mnt_unlink,
    .rmdir = mnt_rmdir,
    .rename = mnt_rename,
    .statfs = mnt_statfs,
    .utimens = mnt_utimens,
    .chmod = mnt_chmod,
    .chown = mnt_chown,
    .destroy = mnt_destroy,
};

int cairn_cmd_mount(struct cairn_cli *c)
{
    if (c->argc != 1) {
        return cairn_cli_usage(c, "need exactly one MOUNTPOINT");
    }
    const char *mp = c->argv[0];
    struct cairn_img *img = cairn_cli_open(c, CLI_OPEN_WRITE);
    if (img == NULL) {
        return CLI_EXIT_FAIL;
    }
    cairn_cli_sync_always(img);
    char fsname[600];
    snprintf(fsname, sizeof fsname, "fsname=cairn:%s,subtype=cairn%s", c->image,
             c->read_only ? ",ro" : "");
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
    int status = CLI_EXIT_FAIL;
    if (fuse_opt_add_arg(&args, "cairn") != 0 || fuse_opt_add_arg(&args, "-o") != 0 ||
        fuse_opt_add_arg(&args, fsname) != 0 ||
        (c->fuse_opts &&
         (fuse_opt_add_arg(&args, "-o") != 0 || fuse_opt_add_arg(&args, c->fuse_opts) != 0))) {
        fuse_opt_free_args(&args);
        cairn_cli_close(img);
        return cairn_cli_err("mount", CAIRN_ENOMEM);
    }
    struct fuse *f = fuse_new(&args, &mnt_ops, sizeof mnt_ops, img);
    if (f == NULL) {
        fprintf(stderr, "cairn: %s: cannot set up FUSE\n", mp);
    } else if (fuse_mount(f, mp) != 0) {
        fprintf(stderr,
                "cairn: %s: cannot mount (is /dev/fuse usable and fusermount3 "
                "installed?)\n",
                mp);
        fuse_destroy(f);
        f = NULL;
    }
    if (f != NULL) {
        if (c->foreground) {
            // scripts wait for this line before using the mount
            printf("cairn: %s mounted on %s\n", c->image, mp);
            fflush(stdout);
        }
        if (fuse_daemonize(c->foreground) != 0) {
            fprintf(stderr, "cairn: %s: cannot go to the background\n", mp);
        } else {
            struct fuse_session *se = fuse_get_session(f);
            int hs = fuse_set_signal_handlers(se);
            int rc = fuse_loop(f);
            if (hs == 0) {
                fuse_remove_signal_handlers(se);
            }
            status = rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
        }
        fuse_unmount(f);
        fuse_destroy(f);
    }
    fuse_opt_free_args(&args);
    int rc = cairn_cli_close(img);
    return status ? status : rc;
}

#endif /* CAIRN_HAVE_FUSE */
