// Image file (or block device) as a block device (host.h), and emulator
// persistence. Plain pwrite in the caller's order and fsync/fdatasync at SYNC:
// the power-loss tests of the CLI kill the process at its N-th write and
// expect exactly the writes before it on disk. This is the CLI's device too
// (offset, window, read cache, lock): one implementation of the kill hook.
#define _FILE_OFFSET_BITS 64
#include "cairn/host.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/fs.h>
#endif

// ---- host helpers ------------------------------------------------------------

static int fb_errno(int e)
{
    switch (e) {
    case ENOENT:
        return CAIRN_ENOENT;
    case EACCES:
    case EPERM:
        return CAIRN_EACCES;
    case EROFS:
        return CAIRN_EROFS;
    case EISDIR:
        return CAIRN_EISDIR;
    case ENOSPC:
        return CAIRN_ENOSPC;
    case EFBIG:
        return CAIRN_EFBIG;
    case EWOULDBLOCK:
        return CAIRN_EBUSY;
    case ENOTDIR:
        return CAIRN_ENOTDIR;
    case ENAMETOOLONG:
        return CAIRN_ENAMETOOLONG;
    case ENXIO:
    case ENODEV:
        return CAIRN_ENODEV;
    default:
        return CAIRN_EIO;
    }
}

static int fb_pread(int fd, void *buf, uint64_t len, uint64_t off)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return fb_errno(errno);
        }
        if (n == 0) {
            return CAIRN_EIO; // the image shrank under us
        }
        p += n;
        len -= (uint64_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

static int fb_pwrite(int fd, const void *buf, uint64_t len, uint64_t off)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return n < 0 ? fb_errno(errno) : CAIRN_EIO;
        }
        p += n;
        len -= (uint64_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

// ---- kill schedule (host.h: CAIRN_FILE_KILL_AT) ------------------------------------

static int fb_kill_loaded;
static uint64_t fb_kill_at; // 1-based write to die at; 0 = never
static int fb_kill_mode;    // 0 full, 1 half, 2 none
static uint64_t fb_writes;  // write calls so far in this process
static const char *fb_count_path;

static int fb_mode(const char *mode)
{
    if (mode != NULL && strcmp(mode, "half") == 0) {
        return 1;
    }
    return mode != NULL && strcmp(mode, "none") == 0 ? 2 : 0;
}

static void fb_count_at_exit(void)
{
    FILE *fp = fopen(fb_count_path, "w");
    if (fp != NULL) {
        fprintf(fp, "%llu\n", (unsigned long long)fb_writes);
        fclose(fp);
    }
}

static void fb_kill_load(void)
{
    if (fb_kill_loaded) {
        return;
    }
    fb_kill_loaded = 1;
    const char *at = getenv("CAIRN_FILE_KILL_AT");
    const char *mode = getenv("CAIRN_FILE_KILL_MODE");
    fb_kill_at = at != NULL ? strtoull(at, NULL, 10) : 0;
    fb_kill_mode = fb_mode(mode);
    fb_count_path = getenv("CAIRN_FILE_WRITE_COUNT");
    if (fb_count_path != NULL && fb_count_path[0] != '\0') {
        atexit(fb_count_at_exit);
    }
}

void cairn_file_bdev_kill_at(uint64_t n, const char *mode)
{
    fb_kill_load();
    fb_kill_at = n;
    fb_kill_mode = fb_mode(mode);
}

uint64_t cairn_file_bdev_writes(void)
{
    return fb_writes;
}

// Every data write to an image is counted here. Returns how many of its
// `len` bytes to write: all of them, except at the scheduled write, where the
// caller writes that many and then calls fb_die().
static int fb_dying;
static uint64_t fb_kill_limit(uint64_t len)
{
    fb_writes++;
    if (fb_kill_at == 0 || fb_writes != fb_kill_at) {
        return len;
    }
    fb_dying = 1;
    return fb_kill_mode == 0 ? len : fb_kill_mode == 1 ? len / 2 : 0;
}

// Die as a power cut would leave the image: no close, no fsync, no atexit.
static void fb_die(void)
{
    if (fb_count_path != NULL && fb_count_path[0] != '\0') {
        fb_count_at_exit();
    }
    raise(SIGKILL);
    _exit(137); // not reached
}

static int fb_write_at(int fd, const void *buf, uint64_t len, uint64_t off)
{
    uint64_t n = fb_kill_limit(len);
    int rc = n > 0 ? fb_pwrite(fd, buf, n, off) : 0;
    if (fb_dying) {
        fb_die();
    }
    return rc;
}

// ---- read cache ------------------------------------------------------------------

static void fb_cache_clear(struct cairn_file_bdev *f)
{
    for (uint32_t i = 0; i < f->cache_slots; i++) {
        f->cache_tag[i] = UINT32_MAX;
    }
}

// The slot holding `block`, or NULL.
static uint8_t *fb_cached(struct cairn_file_bdev *f, uint32_t block)
{
    if (f->cache == NULL) {
        return NULL;
    }
    uint32_t slot = block % f->cache_slots;
    return f->cache_tag[slot] == block ? f->cache + (size_t)slot * f->block_size : NULL;
}

// Keep cached copies equal to what was just written at byte `pos` of the
// device (src NULL: 0xFF); after a failed write, drop them: the file may hold
// any part of it.
static void fb_cache_write(struct cairn_file_bdev *f, uint64_t pos, const uint8_t *src,
                           uint64_t len, int failed)
{
    while (f->cache != NULL && len > 0) {
        uint32_t block = (uint32_t)(pos / f->block_size);
        uint32_t off = (uint32_t)(pos % f->block_size);
        uint64_t n = f->block_size - off < len ? f->block_size - off : len;
        uint8_t *c = fb_cached(f, block);
        if (c != NULL && failed) {
            f->cache_tag[block % f->cache_slots] = UINT32_MAX;
        } else if (c != NULL) {
            if (src != NULL) {
                memcpy(c + off, src, (size_t)n);
            } else {
                memset(c + off, 0xFF, (size_t)n);
            }
        }
        pos += n;
        len -= n;
        if (src != NULL) {
            src += n;
        }
    }
}

// ---- device entries --------------------------------------------------------------

static int fb_range(const struct cairn_file_bdev *f, uint32_t block, uint32_t n)
{
    return block >= f->block_count || n > f->block_count - block ? CAIRN_EINVAL : 0;
}

static int fb_ext_range(const struct cairn_file_bdev *f, uint32_t block, uint32_t offset,
                        uint32_t len)
{
    if (block >= f->block_count || offset > f->block_size || len > f->block_size - offset) {
        return CAIRN_EINVAL;
    }
    return 0;
}

// Byte position in the device (the file position adds f->offset).
static uint64_t fb_pos(const struct cairn_file_bdev *f, uint32_t block, uint32_t offset)
{
    return (uint64_t)block * f->block_size + offset;
}

static int fb_dev_read(struct cairn_file_bdev *f, void *buf, uint64_t len, uint64_t pos)
{
    int rc = fb_pread(f->fd, buf, len, f->offset + pos);
    if (rc) {
        f->io_errors++;
        return rc;
    }
    f->bytes_read += len;
    if (f->on_read) {
        f->on_read(f->on_read_ctx, f->bytes_read);
    }
    return 0;
}

// A data write of the device: counted by the kill schedule, keeps the cache.
static int fb_dev_write(struct cairn_file_bdev *f, const void *buf, uint64_t len, uint64_t pos)
{
    f->dirty = 1;
    int rc = fb_write_at(f->fd, buf, len, f->offset + pos);
    if (rc) {
        f->io_errors++;
    }
    fb_cache_write(f, pos, buf, len, rc != 0);
    return rc;
}

static int fb_read(struct cairn_bdev *bd, uint32_t block, void *buf, uint32_t n)
{
    struct cairn_file_bdev *f = (struct cairn_file_bdev *)bd;
    int rc = fb_range(f, block, n);
    if (rc) {
        return rc;
    }
    const uint8_t *c = n == 1 ? fb_cached(f, block) : NULL;
    if (c != NULL) {
        memcpy(buf, c, f->block_size);
        return 0;
    }
    return fb_dev_read(f, buf, (uint64_t)n * f->block_size, fb_pos(f, block, 0));
}

static int fb_write(struct cairn_bdev *bd, uint32_t block, const void *buf, uint32_t n)
{
    struct cairn_file_bdev *f = (struct cairn_file_bdev *)bd;
    int rc = fb_range(f, block, n);
    return rc ? rc : fb_dev_write(f, buf, (uint64_t)n * f->block_size, fb_pos(f, block, 0));
}

static int fb_read_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset, void *buf,
                       uint32_t len)
{
    struct cairn_file_bdev *f = (struct cairn_file_bdev *)bd;
    int rc = fb_ext_range(f, block, offset, len);
    if (rc) {
        return rc;
    }
    // small reads fill a whole block into the cache: one pread instead of many
    if (f->cache != NULL && len < f->block_size) {
        uint8_t *c = fb_cached(f, block);
        if (c == NULL) {
            uint32_t slot = block % f->cache_slots;
            c = f->cache + (size_t)slot * f->block_size;
            f->cache_tag[slot] = UINT32_MAX;
            rc = fb_dev_read(f, c, f->block_size, fb_pos(f, block, 0));
            if (rc) {
                return rc;
            }
            f->cache_tag[slot] = block;
        }
        memcpy(buf, c + offset, len);
        return 0;
    }
    return fb_dev_read(f, buf, len, fb_pos(f, block, offset));
}

static int fb_write_ext(struct cairn_bdev *bd, uint32_t block, uint32_t offset, const void *buf,
                        uint32_t len)
{
    struct cairn_file_bdev *f = (struct cairn_file_bdev *)bd;
    int rc = fb_ext_range(f, block, offset, len);
    return rc ? rc : fb_dev_write(f, buf, len, fb_pos(f, block, offset));
}

// Write 0xFF over [pos, pos + len) of the file, in chunks from a stack buffer.
static int fb_fill_ff(int fd, uint64_t pos, uint64_t len)
{
    uint8_t ff[4096];
    memset(ff, 0xFF, sizeof ff);
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < sizeof ff ? len - done : sizeof ff;
        int rc = fb_pwrite(fd, ff, n, pos + done);
        if (rc) {
            return rc;
        }
        done += n;
    }
    return 0;
}

// Erase = write 0xFF over the block; one write for the kill schedule.
static int fb_erase(struct cairn_file_bdev *f, uint32_t block)
{
    f->dirty = 1;
    uint64_t limit = fb_kill_limit(f->block_size);
    int rc = fb_fill_ff(f->fd, f->offset + fb_pos(f, block, 0), limit);
    if (fb_dying) {
        fb_die();
    }
    if (rc) {
        f->io_errors++;
    }
    fb_cache_write(f, fb_pos(f, block, 0), NULL, f->block_size, rc != 0);
    return rc;
}

static int fb_fsync(struct cairn_file_bdev *f)
{
    int rc = (f->flags & CAIRN_FILE_DATASYNC) ? fdatasync(f->fd) : fsync(f->fd);
    f->syncs++;
    // EINVAL: a special file that cannot sync (nothing to wait for)
    if (rc != 0 && errno != EINVAL) {
        f->io_errors++;
        return fb_errno(errno);
    }
    f->dirty = 0;
    return 0;
}

static int32_t fb_ioctl(struct cairn_bdev *bd, int op, uint32_t arg)
{
    struct cairn_file_bdev *f = (struct cairn_file_bdev *)bd;
    switch (op) {
    case CAIRN_BDEV_INIT:
    case CAIRN_BDEV_DEINIT:
        return 0;
    case CAIRN_BDEV_SYNC:
        // a sync point with nothing written since the last one has nothing
        // to make durable
        if ((f->flags & (CAIRN_FILE_RDONLY | CAIRN_FILE_SYNC_AT_CLOSE)) || !f->dirty) {
            return 0;
        }
        return fb_fsync(f);
    case CAIRN_BDEV_BLOCK_COUNT:
        return (int32_t)f->block_count;
    case CAIRN_BDEV_BLOCK_SIZE:
        return (int32_t)f->block_size;
    case CAIRN_BDEV_BLOCK_ERASE:
        if (!(f->flags & CAIRN_FILE_EXT)) {
            return CAIRN_BDEV_IOCTL_NONE;
        }
        if (arg >= f->block_count) {
            return CAIRN_EINVAL;
        }
        if (f->flags & CAIRN_FILE_RDONLY) {
            return CAIRN_EROFS;
        }
        return fb_erase(f, arg);
    default:
        return CAIRN_BDEV_IOCTL_NONE;
    }
}

// ---- open / close ------------------------------------------------------------------

// Bytes in the file or block device.
static int fb_host_size(int fd, const struct stat *st, uint64_t *size)
{
#ifdef BLKGETSIZE64
    if (S_ISBLK(st->st_mode)) {
        uint64_t sz = 0;
        if (ioctl(fd, BLKGETSIZE64, &sz) != 0) {
            return fb_errno(errno);
        }
        *size = sz;
        return 0;
    }
#else
    (void)fd;
#endif
    *size = (uint64_t)st->st_size;
    return 0;
}

// Check a geometry against the bytes after the offset; fills *count when 0.
static int fb_check_geometry(uint64_t size, uint32_t flags, uint32_t block_size,
                             uint32_t *count)
{
    if (block_size == 0 || block_size > INT32_MAX || *count > INT32_MAX) {
        return CAIRN_EINVAL;
    }
    if (flags & CAIRN_FILE_WINDOW) {
        if (*count == 0) {
            uint64_t n = size / block_size;
            *count = n > INT32_MAX ? INT32_MAX : (uint32_t)n;
        }
        return (uint64_t)block_size * *count <= size ? 0 : CAIRN_EINVAL;
    }
    if (*count == 0) {
        if (size == 0 || size % block_size != 0 || size / block_size > INT32_MAX) {
            return CAIRN_EINVAL;
        }
        *count = (uint32_t)(size / block_size);
        return 0;
    }
    // refuse a geometry that does not match the image
    return size == (uint64_t)block_size * *count ? 0 : CAIRN_EINVAL;
}

#define FB_CACHE_MAX (1024u * 1024u)

static int fb_cache_alloc(struct cairn_file_bdev *f, uint32_t slots, uint32_t block_size)
{
    free(f->cache);
    free(f->cache_tag);
    f->cache = NULL;
    f->cache_tag = NULL;
    f->cache_slots = 0;
    // at most 1 MiB of cache: fewer slots for big blocks
    if (slots > 0 && (uint64_t)slots * block_size > FB_CACHE_MAX) {
        slots = block_size >= FB_CACHE_MAX ? 1 : (uint32_t)(FB_CACHE_MAX / block_size);
    }
    if (slots == 0) {
        return 0;
    }
    f->cache = malloc((size_t)slots * block_size);
    f->cache_tag = malloc((size_t)slots * sizeof *f->cache_tag);
    if (f->cache == NULL || f->cache_tag == NULL) {
        free(f->cache);
        free(f->cache_tag);
        f->cache = NULL;
        f->cache_tag = NULL;
        return CAIRN_ENOMEM;
    }
    f->cache_slots = slots;
    fb_cache_clear(f);
    return 0;
}

// Cut or extend a regular file to exactly `want` bytes (padding with 0xFF
// when asked): setup before the device exists, so not counted as writes.
static int fb_resize(int fd, uint64_t cur, uint64_t want, int ff)
{
    if (ftruncate(fd, (off_t)(cur < want && ff ? cur : want)) != 0) {
        return fb_errno(errno);
    }
    return cur < want && ff ? fb_fill_ff(fd, cur, want - cur) : 0;
}

int cairn_file_bdev_open_ex(struct cairn_file_bdev *f, const char *path,
                            const struct cairn_file_bdev_config *cfg)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    fb_kill_load();
    if (cfg == NULL) {
        return CAIRN_EINVAL;
    }
    uint32_t flags = cfg->flags;
    uint32_t block_size = cfg->block_size, block_count = cfg->block_count;
    int ro = (flags & CAIRN_FILE_RDONLY) != 0;
    if (path == NULL || block_size == 0 || block_size > INT32_MAX || block_count > INT32_MAX ||
        (ro && (flags & CAIRN_FILE_CREATE)) || (ro && cfg->resize) ||
        cfg->offset > (uint64_t)INT64_MAX || cfg->resize > (uint64_t)INT64_MAX - cfg->offset) {
        return CAIRN_EINVAL;
    }
    int oflags = (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC;
    if (flags & CAIRN_FILE_CREATE) {
        oflags |= O_CREAT;
    }
    int fd = open(path, oflags, 0644);
    if (fd < 0) {
        return fb_errno(errno);
    }
    int rc = 0;
    // two writers on one image would corrupt it; a host filesystem without
    // locks (ENOLCK, EOPNOTSUPP) is used unlocked
    if ((flags & CAIRN_FILE_LOCK) && flock(fd, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0 &&
        errno == EWOULDBLOCK) {
        rc = CAIRN_EBUSY;
        goto fail;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = fb_errno(errno);
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = CAIRN_EISDIR;
        goto fail;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        rc = CAIRN_EINVAL;
        goto fail;
    }
    uint64_t fsize = 0;
    rc = fb_host_size(fd, &st, &fsize);
    if (rc) {
        goto fail;
    }
    if (S_ISREG(st.st_mode) && cfg->resize != 0 && fsize != cfg->offset + cfg->resize) {
        rc = fb_resize(fd, fsize, cfg->offset + cfg->resize, (flags & CAIRN_FILE_FILL_FF) != 0);
        if (rc) {
            goto fail;
        }
        fsize = cfg->offset + cfg->resize;
    }
    if (S_ISREG(st.st_mode) && fsize == 0 && (flags & CAIRN_FILE_CREATE) && block_count != 0) {
        uint64_t want = cfg->offset + (uint64_t)block_size * block_count;
        if (ftruncate(fd, (off_t)want) != 0) { // sparse: no data written
            rc = fb_errno(errno);
            goto fail;
        }
        fsize = want;
    }
    f->offset = cfg->offset;
    f->file_size = fsize;
    f->size = fsize > cfg->offset ? fsize - cfg->offset : 0;
    if (cfg->offset > fsize && !(flags & CAIRN_FILE_WINDOW)) {
        rc = CAIRN_EINVAL;
        goto fail;
    }
    rc = fb_check_geometry(f->size, flags, block_size, &block_count);
    if (rc == 0) {
        f->cache_want = cfg->cache_blocks;
        rc = fb_cache_alloc(f, cfg->cache_blocks, block_size);
    }
    if (rc) {
        goto fail;
    }
    int ext = (flags & CAIRN_FILE_EXT) != 0;
    int simple = (flags & CAIRN_FILE_SIMPLE) != 0 || !ext;
    f->ops.read = simple ? fb_read : NULL;
    f->ops.write = simple && !ro ? fb_write : NULL;
    f->ops.read_ext = ext ? fb_read_ext : NULL;
    f->ops.write_ext = ext && !ro ? fb_write_ext : NULL;
    f->ops.ioctl = fb_ioctl;
    f->bd.ops = &f->ops;
    f->bd.block_size = f->block_size = block_size;
    f->bd.block_count = f->block_count = block_count;
    f->flags = flags;
    f->fd = fd;
    // a resize is a change the caller expects to be durable at the first sync
    f->dirty = cfg->resize != 0;
    return 0;
fail:
    close(fd);
    return rc;
}

int cairn_file_bdev_open(struct cairn_file_bdev *f, const char *path, uint32_t block_size,
                         uint32_t block_count, uint32_t flags)
{
    struct cairn_file_bdev_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.block_size = block_size;
    cfg.block_count = block_count;
    cfg.flags = flags;
    return cairn_file_bdev_open_ex(f, path, &cfg);
}

int cairn_file_bdev_set_geometry(struct cairn_file_bdev *f, uint32_t block_size,
                                 uint32_t block_count)
{
    if (f->fd < 0) {
        return CAIRN_EINVAL;
    }
    int rc = fb_check_geometry(f->size, f->flags, block_size, &block_count);
    if (rc == 0 && block_size != f->block_size && f->cache_want) {
        rc = fb_cache_alloc(f, f->cache_want, block_size);
    }
    if (rc) {
        return rc;
    }
    if (f->cache != NULL) {
        fb_cache_clear(f);
    }
    f->bd.block_size = f->block_size = block_size;
    f->bd.block_count = f->block_count = block_count;
    return 0;
}

int cairn_file_bdev_pread(struct cairn_file_bdev *f, uint64_t pos, void *buf, uint32_t len)
{
    if (f->fd < 0 || pos > f->size || len > f->size - pos) {
        return CAIRN_EINVAL;
    }
    return fb_dev_read(f, buf, len, pos);
}

int cairn_file_bdev_close(struct cairn_file_bdev *f)
{
    if (f->fd < 0) {
        return 0;
    }
    int rc = 0;
    if (!(f->flags & CAIRN_FILE_RDONLY) && f->dirty) {
        rc = fb_fsync(f);
    }
    if (close(f->fd) != 0 && rc == 0) {
        rc = fb_errno(errno);
    }
    f->fd = -1;
    fb_cache_alloc(f, 0, 0);
    return rc;
}

// ---- emulator persistence ------------------------------------------------------------

static int fb_load(const char *path, uint8_t *mem, uint64_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return fb_errno(errno);
    }
    struct stat st;
    int rc = fstat(fd, &st) != 0 ? fb_errno(errno) : 0;
    if (rc == 0 && (uint64_t)st.st_size != size) {
        rc = CAIRN_EINVAL;
    }
    if (rc == 0) {
        rc = fb_pread(fd, mem, size, 0);
    }
    close(fd);
    return rc;
}

// Write to a temporary beside `path`, then rename over it, so a crash in the
// middle of a save leaves the previous image whole.
static int fb_save(const char *path, const uint8_t *mem, uint64_t size)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        return CAIRN_ENAMETOOLONG;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return fb_errno(errno);
    }
    int rc = fb_pwrite(fd, mem, size, 0);
    if (rc == 0 && fsync(fd) != 0) {
        rc = fb_errno(errno);
    }
    if (close(fd) != 0 && rc == 0) {
        rc = fb_errno(errno);
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = fb_errno(errno);
    }
    if (rc != 0) {
        (void)unlink(tmp);
    }
    return rc;
}

int cairn_nor_load(struct cairn_nor *nor, const char *path)
{
    return fb_load(path, nor->mem, (uint64_t)nor->cfg.block_size * nor->cfg.block_count);
}

int cairn_nor_save(const struct cairn_nor *nor, const char *path)
{
    return fb_save(path, nor->mem, (uint64_t)nor->cfg.block_size * nor->cfg.block_count);
}

int cairn_sd_load(struct cairn_sd *sd, const char *path)
{
    return fb_load(path, sd->mem, (uint64_t)sd->sector_size * sd->sector_count);
}

int cairn_sd_save(const struct cairn_sd *sd, const char *path)
{
    return fb_save(path, sd->mem, (uint64_t)sd->sector_size * sd->sector_count);
}
