// libFuzzer harness: the input is a FAT image (corrupt BPB, looping and
// cross-linked chains, garbage directories, MBRs). Mount it read-only and walk
// it (list every directory, stat, read every file, statvfs, fsck report-only),
// then read-write with a few writes, fsck with repair and a second walk. Must never crash or hang, and every error
// must be one of cairn's negative errno values.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/fat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_BYTES (8u << 20) // device memory cap
#define FZ_MAX_DIRS 64
// Entries a walk lists: each costs a lookup, which a looping directory chain
// runs to FAT's 65,536-entry limit (2,000 took ~10 s per input under ASan).
#define FZ_MAX_ENTRIES 256

static uint32_t fz_le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t fz_le32(const uint8_t *p)
{
    return fz_le16(p) | fz_le16(p + 2) << 16;
}

// An error must be 0/positive (a count) or one of the errno values cairn.h lists.
static void fz_check(long long rc)
{
    static const int known[] = {
        CAIRN_EPERM,  CAIRN_ENOENT,  CAIRN_EIO,     CAIRN_EBADF,        CAIRN_ENOMEM,
        CAIRN_EACCES, CAIRN_EBUSY,   CAIRN_EEXIST,  CAIRN_EXDEV,        CAIRN_ENODEV,
        CAIRN_ENOTDIR, CAIRN_EISDIR, CAIRN_EINVAL,  CAIRN_EMFILE,       CAIRN_EFBIG,
        CAIRN_ENOSPC, CAIRN_EROFS,   CAIRN_ENAMETOOLONG, CAIRN_ENOTEMPTY, CAIRN_ENODATA,
        CAIRN_ECORRUPT, CAIRN_EOPNOTSUPP,
    };
    if (rc >= 0) {
        return;
    }
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (rc == known[i]) {
            return;
        }
    }
    abort(); // an unknown error value
}

// Device geometry from the input: the sector size of the BPB when it is a
// valid one, and enough sectors for what the BPB or MBR claims (capped).
static void fz_geometry(const uint8_t *d, size_t n, uint32_t *ss, uint32_t *count)
{
    *ss = 512;
    uint64_t need = n;
    if (n >= 512) {
        uint32_t bps = fz_le16(d + 11);
        if (bps == 512 || bps == 1024 || bps == 2048 || bps == 4096) {
            *ss = bps;
        }
        uint64_t tot = fz_le16(d + 19) ? fz_le16(d + 19) : fz_le32(d + 32);
        if (tot * *ss > need) {
            need = tot * *ss;
        }
        for (int i = 0; i < 4; i++) {
            const uint8_t *e = d + 446 + 16 * i;
            uint64_t end = ((uint64_t)fz_le32(e + 8) + fz_le32(e + 12)) * 512;
            if (e[4] != 0 && end > need) {
                need = end;
            }
        }
    }
    if (need > FZ_MAX_BYTES) {
        need = FZ_MAX_BYTES;
    }
    if (need < (uint64_t)*ss * 16) {
        need = (uint64_t)*ss * 16;
    }
    *count = (uint32_t)((need + *ss - 1) / *ss);
}

static char fz_dirs[FZ_MAX_DIRS][300];

// Breadth-first walk: list, stat and read everything, all bounded.
static void fz_walk(struct cairn_fs *fs, void *file, void *dir)
{
    const struct cairn_fs_ops *o = fs->ops;
    static struct cairn_dirent ent;
    static uint8_t buf[4096];
    int head = 0, tail = 0, entries = 0;
    strcpy(fz_dirs[tail++], "/");
    while (head < tail && entries < FZ_MAX_ENTRIES) {
        const char *dpath = fz_dirs[head++];
        int rc = o->opendir(fs, dir, dpath);
        fz_check(rc);
        if (rc < 0) {
            continue;
        }
        while (entries++ < FZ_MAX_ENTRIES) {
            rc = o->readdir(fs, dir, &ent);
            fz_check(rc);
            if (rc <= 0) {
                break;
            }
            if (memchr(ent.name, '\0', sizeof ent.name) == NULL) {
                abort(); // names are NUL-terminated
            }
            char p[600];
            size_t dl = strlen(dpath), nl = strlen(ent.name);
            if (dl + nl + 2 > 290) {
                continue;
            }
            memcpy(p, dpath, dl);
            size_t k = dl;
            if (dl > 1) {
                p[k++] = '/';
            }
            memcpy(p + k, ent.name, nl + 1);
            struct cairn_stat st;
            fz_check(o->stat(fs, p, &st));
            if (ent.type == CAIRN_S_IFDIR) {
                if (tail < FZ_MAX_DIRS) {
                    strcpy(fz_dirs[tail++], p);
                }
                continue;
            }
            rc = o->open(fs, file, p, CAIRN_O_RDONLY);
            fz_check(rc);
            if (rc < 0) {
                continue;
            }
            int64_t total = 0;
            for (int i = 0; i < 64; i++) { // at most 256 KiB per file
                int32_t got = o->read(fs, file, buf, sizeof buf);
                fz_check(got);
                if (got <= 0) {
                    break;
                }
                if ((uint32_t)got > sizeof buf) {
                    abort();
                }
                total += got;
            }
            int64_t sz = o->size(fs, file);
            fz_check(sz);
            if (sz >= 0 && total > sz) {
                abort(); // read more than the file holds
            }
            fz_check(o->seek(fs, file, 3, CAIRN_SEEK_END));
            fz_check(o->close(fs, file));
        }
        fz_check(o->closedir(fs, dir));
    }
}

static void fz_report(void *ctx, const char *problem, int fixed)
{
    (void)ctx, (void)fixed;
    if (problem == NULL) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t ss, count;
    fz_geometry(data, size, &ss, &count);
    size_t bytes = (size_t)ss * count;
    uint8_t *mem = calloc(1, bytes);
    if (mem == NULL) {
        return 0;
    }
    memcpy(mem, data, size < bytes ? size : bytes);

    struct cairn_ram_bdev ram;
    struct cairn_fat fat;
    struct cairn_fs *fs = &fat.fs;
    if (cairn_ram_bdev_init(&ram, mem, ss, count, CAIRN_RAM_SIMPLE, 0) != 0 ||
        cairn_fat_init(&fat, &ram.bd, NULL) != 0) {
        free(mem);
        return 0;
    }
    int rc = fs->ops->mount(fs, CAIRN_MOUNT_RDONLY);
    fz_check(rc);
    if (rc == 0) {
        void *file = calloc(1, fs->ops->file_size(fs));
        void *dir = calloc(1, fs->ops->dir_size(fs));
        fz_walk(fs, file, dir);
        struct cairn_statvfs sv;
        fz_check(fs->ops->statvfs(fs, &sv));
        struct cairn_fs_info info;
        fz_check(fs->ops->info(fs, &info));
        fz_check(fs->ops->fsck(fs, 0, fz_report, NULL));
        // Read-only: writes are refused.
        rc = fs->ops->open(fs, file, "/x", CAIRN_O_WRONLY | CAIRN_O_CREAT);
        fz_check(rc);
        if (rc == 0) {
            abort();
        }
        fz_check(fs->ops->umount(fs));
        free(file);
        free(dir);
    }

    // Read-write: a few modifications on whatever is there.
    cairn_fat_init(&fat, &ram.bd, NULL);
    rc = fs->ops->mount(fs, 0);
    fz_check(rc);
    if (rc == 0) {
        void *file = calloc(1, fs->ops->file_size(fs));
        static const uint8_t msg[700] = "cairn fuzz";
        rc = fs->ops->open(fs, file, "/fuzz file.txt", CAIRN_O_WRONLY | CAIRN_O_CREAT);
        fz_check(rc);
        if (rc == 0) {
            fz_check(fs->ops->write(fs, file, msg, sizeof msg));
            fz_check(fs->ops->close(fs, file));
        }
        fz_check(fs->ops->mkdir(fs, "/FUZZDIR"));
        fz_check(fs->ops->rename(fs, "/fuzz file.txt", "/FUZZDIR/moved.txt"));
        fz_check(fs->ops->remove(fs, "/FUZZDIR/moved.txt"));
        fz_check(fs->ops->rmdir(fs, "/FUZZDIR"));
        // Two handles on one file: grown and truncated through one, removed,
        // then written on through the other while a new file takes its
        // place (on garbage, the shared chain may be anything)
        void *f2 = calloc(1, fs->ops->file_size(fs));
        if (fs->ops->open(fs, file, "/fuzz two.txt", CAIRN_O_RDWR | CAIRN_O_CREAT) == 0) {
            fz_check(fs->ops->write(fs, file, msg, sizeof msg));
            int rc2 = fs->ops->open(fs, f2, "/fuzz two.txt", CAIRN_O_RDWR | CAIRN_O_APPEND);
            fz_check(rc2);
            fz_check(fs->ops->write(fs, file, msg, sizeof msg));
            fz_check(fs->ops->truncate(fs, file, 900));
            fz_check(fs->ops->remove(fs, "/fuzz two.txt"));
            if (rc2 == 0) {
                fz_check(fs->ops->write(fs, f2, msg, sizeof msg));
                fz_check(fs->ops->sync(fs, f2));
            }
            fz_check(fs->ops->close(fs, file));
            if (fs->ops->open(fs, file, "/fuzz two.txt", CAIRN_O_WRONLY | CAIRN_O_CREAT) == 0) {
                fz_check(fs->ops->write(fs, file, msg, sizeof msg));
                fz_check(fs->ops->close(fs, file));
            }
            if (rc2 == 0) {
                uint8_t back[64];
                fz_check(fs->ops->seek(fs, f2, 0, CAIRN_SEEK_SET));
                fz_check(fs->ops->read(fs, f2, back, sizeof back));
                fz_check(fs->ops->close(fs, f2));
            }
            fz_check(fs->ops->remove(fs, "/fuzz two.txt"));
        }
        free(f2);
        struct cairn_statvfs sv;
        fz_check(fs->ops->statvfs(fs, &sv));
        fz_check(fs->ops->fsck(fs, 0, fz_report, NULL));
        // Repair runs on garbage too; the repaired volume still walks.
        fz_check(fs->ops->fsck(fs, CAIRN_FSCK_REPAIR, fz_report, NULL));
        void *dir = calloc(1, fs->ops->dir_size(fs));
        fz_walk(fs, file, dir);
        free(dir);
        fz_check(fs->ops->umount(fs));
        free(file);
    }
    free(mem);
    return 0;
}
