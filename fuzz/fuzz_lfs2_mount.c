// libFuzzer harness: the input is a littlefs v2 image. Mount it read-only and
// read-write with the driver, walk every directory, read every file, stat,
// statvfs, fsck, then a few writes and a remount. Nothing may crash or hang,
// and every error must be one a caller can get from this driver.
//
// Input: byte 0 picks the block size (128 << (b % 6)), byte 1 the read/prog
// size (16 << (b & 3), at most the block size) and options; the rest is the
// image, cut to whole blocks (at least 2, at most 256 KiB).
//
// Oracle: when the independent checker (tests/lfs2/lfs2check.c) finds the
// image valid and the read-write session's writes all succeed, the volume
// must still be valid afterwards with the same tree. A custom mutator
// re-seals commit CRCs after most mutations so that damaged structures (not
// just bad CRCs) reach the driver.
//
// Built with -DFUZZ_LFS2_GEN_SEEDS it is instead a small program that writes
// seed images made by the driver into the folder given as argv[1].
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/bdev.h"
#include "cairn/lfs2.h"

// The independent checker of the tests, as an oracle: fuzz.sh links only
// fuzz/ and src/, so it is compiled into the harness here.
#include "../tests/lfs2/lfs2check.c"

#define FZ_MAX_IMAGE (256u * 1024u)
#define FZ_MAX_ENTRIES 2000
#define FZ_MAX_READ (2u * 1024u * 1024u)

static int fz_allowed(int rc)
{
    switch (rc) {
    case 0:
    case CAIRN_ECORRUPT:
    case CAIRN_EIO:
    case CAIRN_ENOENT:
    case CAIRN_ENOTDIR:
    case CAIRN_EISDIR:
    case CAIRN_EEXIST:
    case CAIRN_ENOSPC:
    case CAIRN_ENAMETOOLONG:
    case CAIRN_EINVAL:
    case CAIRN_ENOTEMPTY:
    case CAIRN_EFBIG:
    case CAIRN_ENODATA:
    case CAIRN_EROFS:
    case CAIRN_ENODEV:
    case CAIRN_ENOMEM:
        return 1;
    default:
        return 0;
    }
}

// An error outside the documented set is a finding: stop right here.
static int fz_rc_at(int rc, int line)
{
    if (rc > 0 || !fz_allowed(rc)) {
        fprintf(stderr, "fuzz_lfs2_mount: unexpected result %d at line %d\n", rc, line);
        __builtin_trap();
    }
    return rc;
}
#define fz_rc(rc) fz_rc_at((rc), __LINE__)

struct fz {
    struct cairn_lfs2 lfs;
    struct cairn_fs *fs;
    const struct cairn_fs_ops *ops;
    void *file, *dir;
    size_t read_total;
    int mounted_rw; // the read-write session mounted
    int writes_ok;  // every write of that session succeeded
};

// Breadth-first walk with a bounded queue of paths.
static void fz_walk(struct fz *z)
{
    enum { QMAX = 64, PMAX = 320 };
    static char q[QMAX][PMAX];
    static struct cairn_dirent ent;
    static uint8_t buf[1024];
    int qn = 1, qi = 0, entries = 0;
    strcpy(q[0], "/");
    while (qi < qn && entries < FZ_MAX_ENTRIES) {
        const char *d = q[qi++];
        if (fz_rc(z->ops->opendir(z->fs, z->dir, d)) != 0) {
            continue;
        }
        for (;;) {
            int rc = z->ops->readdir(z->fs, z->dir, &ent); // 1 = an entry
            if (rc != 1) {
                fz_rc(rc);
            }
            if (rc <= 0 || ++entries >= FZ_MAX_ENTRIES) {
                break;
            }
            char path[PMAX];
            size_t dl = strlen(d), nl = strnlen(ent.name, sizeof ent.name);
            if (dl + nl + 2 > sizeof path) {
                continue;
            }
            memcpy(path, d, dl);
            size_t o = dl;
            if (dl > 1) {
                path[o++] = '/';
            }
            memcpy(path + o, ent.name, nl);
            path[o + nl] = '\0';
            if (memchr(ent.name, '/', nl) != NULL) {
                continue; // a corrupt name cannot be looked up as a path
            }
            struct cairn_stat st;
            fz_rc(z->ops->stat(z->fs, path, &st));
            uint8_t attr[8];
            int32_t an = z->ops->getattr(z->fs, path, 1, attr, sizeof attr);
            if (an < 0) {
                fz_rc(an);
            }
            if (ent.type == CAIRN_S_IFDIR) {
                if (qn < QMAX) {
                    memcpy(q[qn++], path, strlen(path) + 1);
                }
                continue;
            }
            if (fz_rc(z->ops->open(z->fs, z->file, path, CAIRN_O_RDONLY)) != 0) {
                continue;
            }
            int64_t size = z->ops->size(z->fs, z->file);
            if (size < 0) {
                fz_rc((int)size);
            }
            while (z->read_total < FZ_MAX_READ) {
                int32_t r = z->ops->read(z->fs, z->file, buf, sizeof buf);
                if (r <= 0) {
                    if (r < 0) {
                        fz_rc(r);
                    }
                    break;
                }
                z->read_total += (size_t)r;
            }
            if (size > 3) {
                int64_t s = z->ops->seek(z->fs, z->file, size / 2, CAIRN_SEEK_SET);
                if (s < 0) {
                    fz_rc((int)s);
                } else {
                    int32_t r = z->ops->read(z->fs, z->file, buf, 3);
                    if (r < 0) {
                        fz_rc(r);
                    }
                }
            }
            fz_rc(z->ops->close(z->fs, z->file));
        }
        fz_rc(z->ops->closedir(z->fs, z->dir));
    }
}

static void fz_report(void *ctx, const char *problem, int fixed)
{
    (void)ctx;
    (void)problem;
    (void)fixed;
}

static void fz_session(struct fz *z, uint32_t flags, int writes)
{
    if (fz_rc(z->ops->mount(z->fs, flags)) != 0) {
        return;
    }
    size_t fsz = z->ops->file_size(z->fs), dsz = z->ops->dir_size(z->fs);
    z->file = calloc(1, fsz + 16);
    z->dir = calloc(1, dsz + 16);
    z->read_total = 0;
    fz_walk(z);
    struct cairn_statvfs sv;
    fz_rc(z->ops->statvfs(z->fs, &sv));
    int32_t fr = z->ops->fsck(z->fs, 0, fz_report, NULL);
    if (fr < 0) {
        fz_rc(fr);
    }
    if (writes) {
        // names no valid seed uses, created and removed again
        static const uint8_t data[300] = {1, 2, 3, 4, 5};
        z->mounted_rw = 1;
        int ok = 1;
        if (fz_rc(z->ops->open(z->fs, z->file, "/fz.bin", CAIRN_O_WRONLY | CAIRN_O_CREAT |
                                                           CAIRN_O_EXCL)) == 0) {
            int32_t w = z->ops->write(z->fs, z->file, data, sizeof data);
            if (w < 0) {
                fz_rc(w);
            }
            ok &= w == (int32_t)sizeof data;
            ok &= fz_rc(z->ops->close(z->fs, z->file)) == 0;
        } else {
            ok = 0;
        }
        ok &= fz_rc(z->ops->mkdir(z->fs, "/fzdir")) == 0;
        ok &= fz_rc(z->ops->rename(z->fs, "/fz.bin", "/fzdir/moved.bin")) == 0;
        ok &= fz_rc(z->ops->remove(z->fs, "/fzdir/moved.bin")) == 0;
        ok &= fz_rc(z->ops->rmdir(z->fs, "/fzdir")) == 0;
        ok &= fz_rc(z->ops->sync_fs(z->fs)) == 0;
        fz_walk(z);
        z->writes_ok = ok;
    }
    if (fz_rc(z->ops->umount(z->fs)) != 0 && writes) {
        z->writes_ok = 0;
    }
    free(z->file);
    free(z->dir);
    z->file = z->dir = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

static uint32_t fz_crc(uint32_t crc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return crc;
}

static uint32_t fz_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

// Re-seal every commit of a block with a matching CRC, so that mutated tags
// and data reach the driver's structure checks instead of failing the CRC.
static void fz_reseal(uint8_t *blk, uint32_t bs)
{
    uint32_t off = 4, ptag = 0xFFFFFFFFu, crc = fz_crc(0xFFFFFFFFu, blk, 4);
    while (off + 4 <= bs) {
        uint32_t tag = fz_be32(blk + off) ^ ptag;
        if (tag & 0x80000000u) {
            break;
        }
        uint32_t len = tag & 0x3FF;
        uint32_t dsize = 4 + (len == 0x3FF ? 0 : len);
        if (off + dsize > bs) {
            break;
        }
        crc = fz_crc(crc, blk + off, 4);
        ptag = tag;
        if (((tag >> 20) & 0x780) == 0x500) {
            if (len >= 4 && len != 0x3FF) {
                blk[off + 4] = (uint8_t)crc;
                blk[off + 5] = (uint8_t)(crc >> 8);
                blk[off + 6] = (uint8_t)(crc >> 16);
                blk[off + 7] = (uint8_t)(crc >> 24);
            }
            ptag ^= ((tag >> 20) & 1u) << 31;
            crc = 0xFFFFFFFFu;
        } else {
            crc = fz_crc(crc, blk + off + 4, dsize - 4);
        }
        off += dsize;
    }
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    size = LLVMFuzzerMutate(data, size, max_size);
    if (size < 2 || (seed & 3) == 0) {
        return size; // sometimes leave broken CRCs: torn commits matter too
    }
    uint32_t bs = 128u << (data[0] % 6);
    for (size_t off = 2; off + bs <= size; off += bs) {
        fz_reseal(data + off, bs);
    }
    return size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    uint32_t bs = 128u << (data[0] % 6);
    uint32_t rp = 16u << (data[1] & 3);
    if (rp > bs) {
        rp = bs;
    }
    size_t img = size - 2;
    if (img > FZ_MAX_IMAGE) {
        img = FZ_MAX_IMAGE;
    }
    uint32_t bc = (uint32_t)(img / bs);
    if (bc < 2) {
        return 0;
    }
    uint8_t *mem = malloc((size_t)bs * bc);
    if (mem == NULL) {
        return 0;
    }
    memcpy(mem, data + 2, (size_t)bs * bc);
    struct cairn_ram_bdev ram;
    if (cairn_ram_bdev_init(&ram, mem, bs, bc, CAIRN_RAM_EXT, 0xFF) != 0) {
        free(mem);
        return 0;
    }
    // The CLI's geometry probe reads the same untrusted superblock: any size,
    // any offset, and what it reports must be a size it tried.
    struct cairn_lfs2_probe_info info;
    uint64_t base = (uint64_t)(data[1] >> 3) * 16;
    int pr = cairn_lfs2_probe(&ram.bd, base, (data[0] & 0x80) ? bs : 0, &info);
    if (pr == 0 && (info.block_size < 128 || info.block_size > 65536 ||
                    (info.block_size & (info.block_size - 1)) != 0)) {
        fprintf(stderr, "fuzz_lfs2_mount: probe reported block size %u\n",
                (unsigned)info.block_size);
        __builtin_trap();
    }
    static uint8_t buffer[CAIRN_LFS2_BUFFER_SIZE(4096, 64)] __attribute__((aligned(8)));
    struct cairn_lfs2_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.read_size = rp;
    cfg.prog_size = rp;
    cfg.lookahead_size = 16;
    cfg.block_cycles = (data[1] & 4) ? 4 : 100;
    cfg.buffer = buffer;
    cfg.buffer_size = sizeof buffer;
    // what the checker makes of the image before the driver writes to it
    struct lfs2check_result before;
    int valid = lfs2check_image(mem, bs, bc, 0, &before) == 0;
    struct fz z;
    memset(&z, 0, sizeof z);
    if (cairn_lfs2_init(&z.lfs, &ram.bd, &cfg) == 0) {
        z.fs = &z.lfs.fs;
        z.ops = z.fs->ops;
        fz_session(&z, CAIRN_MOUNT_RDONLY, 0);
        z.writes_ok = 1;
        fz_session(&z, 0, 1);
        fz_session(&z, CAIRN_MOUNT_RDONLY, 0);
    }
    if (valid && z.mounted_rw && z.writes_ok) {
        // a valid volume stays valid, with the same tree, after writes that
        // all succeeded and undid themselves
        struct lfs2check_result after;
        int errs = lfs2check_image(mem, bs, bc, 0, &after);
        int same = errs == 0 && after.count == before.count;
        for (size_t i = 0; same && i < after.count; i++) {
            const struct lfs2check_entry *x = &before.entries[i], *y = &after.entries[i];
            same = strcmp(x->path, y->path) == 0 && x->is_dir == y->is_dir &&
                   x->size == y->size &&
                   (x->size == 0 || (x->data && y->data && memcmp(x->data, y->data, x->size) == 0));
        }
        if (!same) {
            fprintf(stderr, "fuzz_lfs2_mount: the driver damaged a valid volume (%d errors)\n",
                    errs);
            lfs2check_print(&after, "after");
            fflush(stdout);
            __builtin_trap();
        }
        lfs2check_free(&after);
    }
    lfs2check_free(&before);
    free(mem);
    return 0;
}

#ifdef FUZZ_LFS2_GEN_SEEDS

static void gen_fill(uint8_t *b, size_t n, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = (uint8_t)x;
    }
}

static int gen_put(struct cairn_fs *fs, void *file, const char *path, size_t len, uint32_t seed)
{
    static uint8_t b[8192];
    gen_fill(b, len, seed);
    int rc = fs->ops->open(fs, file, path, CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_TRUNC);
    if (rc == 0) {
        fs->ops->write(fs, file, b, (uint32_t)len);
        rc = fs->ops->close(fs, file);
    }
    return rc;
}

static int gen_one(const char *dir, const char *name, uint32_t bs, uint32_t bc, uint32_t rp,
                   uint32_t version, int variant)
{
    uint8_t *mem = malloc((size_t)bs * bc);
    memset(mem, 0xFF, (size_t)bs * bc);
    struct cairn_ram_bdev ram;
    cairn_ram_bdev_init(&ram, mem, bs, bc, CAIRN_RAM_EXT, 0xFF);
    static uint8_t buffer[CAIRN_LFS2_BUFFER_SIZE(4096, 64)] __attribute__((aligned(8)));
    struct cairn_lfs2_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.read_size = rp;
    cfg.prog_size = rp;
    cfg.lookahead_size = 16;
    cfg.disk_version = version;
    cfg.block_cycles = 4;
    cfg.buffer = buffer;
    cfg.buffer_size = sizeof buffer;
    struct cairn_lfs2 lfs;
    struct cairn_fs *fs = &lfs.fs;
    if (cairn_lfs2_init(&lfs, &ram.bd, &cfg) != 0 || fs->ops->mkfs(fs) != 0 ||
        fs->ops->mount(fs, 0) != 0) {
        fprintf(stderr, "%s: mkfs/mount failed\n", name);
        free(mem);
        return 1;
    }
    void *file = calloc(1, fs->ops->file_size(fs) + 16);
    gen_put(fs, file, "/hello.txt", 12, 1);
    fs->ops->mkdir(fs, "/dir");
    gen_put(fs, file, "/dir/inline", bs / 16, 2);
    gen_put(fs, file, "/dir/ctz.bin", bs >= 4096 ? (size_t)bs + 7 : (size_t)bs * 3 + 7, 3);
    if (variant >= 1) {
        fs->ops->mkdir(fs, "/dir/sub");
        for (int i = 0; i < 12 * variant; i++) {
            char p[48];
            snprintf(p, sizeof p, "/dir/sub/entry_%02d", i);
            gen_put(fs, file, p, (size_t)(i * 5), (uint32_t)i);
        }
        fs->ops->rename(fs, "/hello.txt", "/dir/sub/hello_moved");
        fs->ops->remove(fs, "/dir/sub/entry_03");
    }
    if (variant >= 2) {
        for (int i = 0; i < 10; i++) {
            gen_put(fs, file, "/over", (size_t)(i * 37) % (bs * 2), (uint32_t)(50 + i));
        }
    }
    fs->ops->umount(fs);
    free(file);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        free(mem);
        return 1;
    }
    uint8_t hdr[2];
    hdr[0] = 0;
    while ((128u << hdr[0]) != bs) {
        hdr[0]++;
    }
    hdr[1] = 0;
    while ((16u << hdr[1]) != rp) {
        hdr[1]++;
    }
    fwrite(hdr, 1, 2, f);
    fwrite(mem, 1, (size_t)bs * bc, f);
    fclose(f);
    free(mem);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SEED_DIR\n", argv[0]);
        return 2;
    }
    int bad = 0;
    bad |= gen_one(argv[1], "bs512_bc16_v21", 512, 16, 16, CAIRN_LFS2_DISK_VERSION_2_1, 1);
    bad |= gen_one(argv[1], "bs128_bc48_v21", 128, 48, 16, CAIRN_LFS2_DISK_VERSION_2_1, 1);
    bad |= gen_one(argv[1], "bs256_bc32_v20", 256, 32, 16, CAIRN_LFS2_DISK_VERSION_2_0, 1);
    bad |= gen_one(argv[1], "bs4096_bc8_v21", 4096, 8, 64, CAIRN_LFS2_DISK_VERSION_2_1, 0);
    bad |= gen_one(argv[1], "bs1024_bc24_v21", 1024, 24, 32, CAIRN_LFS2_DISK_VERSION_2_1, 2);
    bad |= gen_one(argv[1], "bs512_bc8_small", 512, 8, 32, CAIRN_LFS2_DISK_VERSION_2_1, 0);
    return bad;
}
#endif
