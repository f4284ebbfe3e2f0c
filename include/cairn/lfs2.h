/*
 * littlefs v2 driver: on-disk compatible with the reference littlefs (disk
 * version 2.1 by default, 2.0 readable and writable), power-loss safe,
 * wear-levelling. Plugs into the VFS through struct cairn_fs (fs.h).
 *
 *   struct cairn_lfs2 lfs;
 *   static uint8_t buf[CAIRN_LFS2_BUFFER_SIZE(128, 32)];
 *   struct cairn_lfs2_config cfg = {0};          // zero = MicroPython's VfsLfs2 defaults
 *   cfg.buffer = buf; cfg.buffer_size = sizeof buf;
 *   cairn_lfs2_init(&lfs, bdev, &cfg);
 *   lfs.fs.ops->mkfs(&lfs.fs);                   // VfsLfs2.mkfs
 *   cairn_vfs_mount(&lfs.fs, "/flash", 0);
 *
 * The device must offer the extended interface (wrap a disk in a
 * cairn_bdev_ext_adapter).
 */
#ifndef CAIRN_LFS2_H
#define CAIRN_LFS2_H

#include "cairn/fs.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CAIRN_LFS2_DISK_VERSION_2_0 0x00020000u
#define CAIRN_LFS2_DISK_VERSION_2_1 0x00020001u

/* The MicroPython mtime attribute: type 1, 8 bytes LE ns since 1970. */
#define CAIRN_LFS2_ATTR_MTIME 1

/* cairn_lfs2_config.prog_verify */
#define CAIRN_LFS2_VERIFY_COMMITS 0
#define CAIRN_LFS2_VERIFY_ALL 1
#define CAIRN_LFS2_VERIFY_NONE 2

/*
 * Configuration. Zero fields take MicroPython VfsLfs2's defaults:
 * read_size 32, prog_size 32, lookahead_size 32 bytes, cache_size
 * min(block_size, 4 * max(read, prog)), block_cycles 100, name_max 255,
 * file_max 2147483647, attr_max 1022, metadata_max = block_size,
 * inline_max = min(cache_size, attr_max, block_size / 8), disk_version 2.1,
 * mtime on, commits read back. block_size / block_count 0 = from the device
 * (ioctl 5 / 4); at mount a device block count of 0 adopts the superblock's.
 * The config must outlive the mount.
 */
struct cairn_lfs2_config {
    uint32_t read_size;
    uint32_t prog_size;
    uint32_t lookahead_size; /* bytes; 8 blocks per byte */
    uint32_t cache_size;
    int32_t block_cycles;    /* -1 disables wear levelling */
    uint32_t name_max;
    uint32_t file_max;
    uint32_t attr_max;
    uint32_t metadata_max;
    uint32_t inline_max;
    uint32_t disk_version;
    uint32_t block_size;
    uint32_t block_count;
    uint8_t no_mtime;        /* 1 = do not read or write the mtime attribute */
    /* Which programs are read back (a mismatch relocates the block):
     * CAIRN_LFS2_VERIFY_COMMITS (0, default) every metadata commit, as the
     * reference does; CAIRN_LFS2_VERIFY_ALL file data too (for devices that
     * fail silently, e.g. CAIRN_NOR_WEAR_STUCK: littlefs keeps no checksum
     * of file data); CAIRN_LFS2_VERIFY_NONE nothing. A program or erase the
     * device reports as failed (-EIO) is relocated in every mode. */
    uint8_t prog_verify;
    /* Caller memory for the caches and lookahead bitmap, aligned to 4:
     * CAIRN_LFS2_BUFFER_SIZE(cache_size, lookahead_size) bytes (at least
     * CAIRN_LFS2_BUFFER_MIN; more makes a larger pair-state cache, except
     * with CAIRN_LFS2_TINY). */
    void *buffer;
    uint32_t buffer_size;
};

/* 1 = size-first configuration (as FatFs's FF_FS_TINY): the speed caches and
 * fast paths are left out, code and RAM: the pair-state cache with its
 * name-range keys (CAIRN_LFS2_MCACHE), the lookup memo, the CTZ skip-list map
 * (CAIRN_LFS2_PCACHE), mount's walk seeding the first allocator window (and
 * finding each pair's move state in the same pass), the multi-entry
 * compaction scan, the one-scan block walk of a pair and name+struct lookup
 * of an entry, cache bypasses for long aligned reads and programs, and the
 * 64-byte CRC table (16 bytes instead: two bits a step). It costs speed only:
 * every pair is fetched again (revisions read, CRCs checked) each time it is
 * used, lookups scan whole logs, seeks walk skip lists from their head, the
 * first allocation after a mount scans the filesystem, more device reads and
 * instructions overall. Every return value and error, what each commit and
 * file write puts on the medium (bytes, order, power-loss safety, wear
 * levelling) are the same; only which free blocks are taken after a mount
 * can differ (the first lookahead window starts at the mount's seed, as in
 * the default build when its buffer has no room for the walk's bitmap). The
 * buffer needs CAIRN_LFS2_BUFFER_MIN only (both buffer macros give it; more
 * is not used). The mount state is 48 bytes smaller (no cache pointers; the
 * read and lookahead sizes, block cycles, metadata_max, mtime and verify
 * settings are read from the configuration where used; the disk version is
 * one byte; the allocator's seed gathers in its window start during the
 * mount) and an open file's 4 (its flags share a byte of its open-list
 * entry). A fetch checks a pair's log and runs a lookup's matcher in one
 * pass. The same setting must be used for the library and every file that
 * includes this header (the structs differ). 0 (default) = speed-first. */
#ifndef CAIRN_LFS2_TINY
#define CAIRN_LFS2_TINY 0
#endif

/* Metadata pairs whose state a mount remembers (44 bytes each of caller
 * buffer: the state and a bound on the names in its log): walking a
 * directory chain of up to this many pairs needs no revision reads or CRC
 * checks, and a lookup skips the pairs whose names all sort before it.
 * CAIRN_LFS2_BUFFER_SIZE reserves this many; buffer space beyond
 * CAIRN_LFS2_BUFFER_MIN goes to pair states first (up to this many, at most
 * 32; none is fine too), then to the skip-list map (CAIRN_LFS2_PCACHE). */
#ifndef CAIRN_LFS2_MCACHE
#define CAIRN_LFS2_MCACHE 32
#endif

/* Slots of 4 bytes for block numbers of one CTZ skip list a mount remembers:
 * the list last read or appended to, as a run of consecutive blocks and the
 * blocks of its first indices. A seek or a block crossing starts its walk
 * next to the target instead of at the list's head (in the run: no walk) and
 * an append reads no pointer.
 * CAIRN_LFS2_BUFFER_SIZE reserves this many; space left
 * after the pair states is used the same way (up to 255; fewer than 8 =
 * none). */
#ifndef CAIRN_LFS2_PCACHE
#define CAIRN_LFS2_PCACHE 80
#endif
#if CAIRN_LFS2_PCACHE < 0 || CAIRN_LFS2_PCACHE > 255
#error "CAIRN_LFS2_PCACHE must be 0..255"
#endif

/* 1 (default) = the fsck op walks the metadata list and the tree and, with
 * CAIRN_FSCK_REPAIR, commits the pending orphan/move repair. 0 = fsck returns
 * CAIRN_EOPNOTSUPP and its code is not compiled (the reference littlefs has
 * no fsck); mount, format and cairn_lfs2_probe are unaffected. */
#ifndef CAIRN_LFS2_FSCK
#define CAIRN_LFS2_FSCK 1
#endif

/* 1 (default) = cairn_lfs2_probe is compiled. 0 = it returns CAIRN_EOPNOTSUPP
 * and its code is left out (the reference littlefs has no probe; mount and
 * format do not use it). */
#ifndef CAIRN_LFS2_PROBE
#define CAIRN_LFS2_PROBE 1
#endif
/* Internal types (private to the driver; here only so the caller can own them). */
struct cairn_lfs2_cache {
    uint32_t block, off, size;
    uint8_t *buf;
};
struct cairn_lfs2_mdir {
    uint32_t pair[2];
    uint32_t rev;
    uint32_t off;
    uint32_t etag;
    uint16_t count;
    uint8_t erased;
    uint8_t split;
    uint32_t tail[2];
};
struct cairn_lfs2_gstate {
    uint32_t tag;
    uint32_t pair[2];
};

/* Bytes of caller buffer a mount needs for a given cache and lookahead size:
 * lookahead bitmap, read cache, program cache and the lookup memo (the
 * minimum), then CAIRN_LFS2_MCACHE pair states
 * with their name-range keys and CAIRN_LFS2_PCACHE skip-list map slots. A
 * multiple of 4. CAIRN_LFS2_TINY: the lookahead bitmap and the two caches
 * only (both macros). */
#if CAIRN_LFS2_TINY
#define CAIRN_LFS2_BUFFER_AUX 0u
#else
#define CAIRN_LFS2_BUFFER_AUX 72u /* lookup memo */
#endif
#define CAIRN_LFS2_BUFFER_MIN(cache, lookahead)                                              \
    ((((lookahead) + 3u) & ~3u) + ((2u * (cache) + 3u) & ~3u) + CAIRN_LFS2_BUFFER_AUX)
#define CAIRN_LFS2_MKEY 12 /* bytes of name-range key per remembered pair */
#if CAIRN_LFS2_TINY
#define CAIRN_LFS2_BUFFER_SIZE(cache, lookahead) CAIRN_LFS2_BUFFER_MIN(cache, lookahead)
#else
#define CAIRN_LFS2_BUFFER_SIZE(cache, lookahead)                                             \
    (CAIRN_LFS2_BUFFER_MIN(cache, lookahead) +                                               \
     (uint32_t)(CAIRN_LFS2_MCACHE * (sizeof(struct cairn_lfs2_mdir) + CAIRN_LFS2_MKEY)) +    \
     (4u * CAIRN_LFS2_PCACHE))
#endif

/* Mount state (caller-owned). Fields are private to the driver. */
struct cairn_lfs2 {
    struct cairn_fs fs; /* first: the VFS sees this */
    struct cairn_lfs2_private {
        /* (ordered for code size: short loads reach only small offsets) */
        const struct cairn_lfs2_config *cfg;
#if !CAIRN_LFS2_TINY
        uint8_t mc_next, mc_n;
#endif
        uint8_t name_max; /* <= 255 */
        uint8_t ro;
#if !CAIRN_LFS2_TINY
        /* (CAIRN_LFS2_TINY reads these two from the configuration) */
        uint8_t no_mtime;
        uint8_t verify; /* cfg->prog_verify */
#endif
        uint8_t bad_run; /* consecutive program/erase failures */
#if !CAIRN_LFS2_TINY
        uint8_t pk_n;
#else
        uint8_t minor; /* disk version 2.<minor> (0 or 1) */
#endif
        uint16_t attr_max, inline_max; /* <= 1022 */
        uint32_t block_count, cache_size, block_size, prog_size;
#if !CAIRN_LFS2_TINY
        uint32_t read_size; /* (CAIRN_LFS2_TINY: from the configuration) */
#endif
        void *mlist; /* open files and directories */
#if !CAIRN_LFS2_TINY
        uint32_t la_bytes;  /* lookahead bitmap bytes */
        int32_t block_cycles;
#endif
        uint32_t file_max;
#if !CAIRN_LFS2_TINY
        uint32_t metadata_max; /* (CAIRN_LFS2_TINY: from the configuration) */
#endif
        struct cairn_lfs2_gstate gstate, gdisk, gdelta;
#if !CAIRN_LFS2_TINY
        uint32_t seed; /* (CAIRN_LFS2_TINY: la_start, while not mounted) */
#endif
        uint32_t root[2];
        uint32_t la_start, la_size, la_next, la_ckpoint;
#if !CAIRN_LFS2_TINY
        uint8_t *la_buf;
#endif
        struct cairn_lfs2_cache rcache, pcache;
#if !CAIRN_LFS2_TINY
        /* states of recently fetched/committed pairs: while mounted only this
         * driver writes, so a known pair needs no re-read or CRC check */
        struct cairn_lfs2_mdir *mc; /* pair-state cache at the end of the buffer */
        uint32_t mc_used; /* clock bits of the pair cache's slots */
        uint32_t disk_version;
#endif
#if !CAIRN_LFS2_TINY
        /* in the caller's buffer: 5 + pk_n slots (4 bytes) of skip-list map
         * (CAIRN_LFS2_PCACHE, layout in ctz.c) */
        uint32_t *pk;
        /* in the caller's buffer: the last name lookup's scan state in a
         * known pair, so the next lookup of that name scans only the commits
         * appended since (72 bytes) */
        uint32_t *memo;
#endif
    } priv;
};

/* The driver's ops table. */
extern const struct cairn_fs_ops cairn_lfs2_ops;

/*
 * Prepare `lfs` for mkfs/mount on `bd` with `cfg` (required: it carries the
 * buffer; it must outlive the mount). Validates what it can without the
 * device: read/prog/cache divisibility -> -EINVAL, a buffer that is missing,
 * misaligned or too small for a known cache size -> -EINVAL. mkfs/mount
 * probe the device and check the rest. Does not touch the device.
 */
int cairn_lfs2_init(struct cairn_lfs2 *lfs, struct cairn_bdev *bd,
                    const struct cairn_lfs2_config *cfg);

/* Blocks in use (lfs_fs_size), after a whole-filesystem traversal. */
int32_t cairn_lfs2_fs_size(struct cairn_lfs2 *lfs);
/* Proactive garbage collection / compaction (lfs_fs_gc). */
int cairn_lfs2_gc(struct cairn_lfs2 *lfs);
/* Grow the filesystem to a larger block count (lfs_fs_grow). */
int cairn_lfs2_grow(struct cairn_lfs2 *lfs, uint32_t block_count);

/* What cairn_lfs2_probe found in a superblock. */
struct cairn_lfs2_probe_info {
    uint32_t block_size;   /* the size it was found at (= the superblock's) */
    uint32_t block_count;  /* from the superblock */
    uint32_t disk_version; /* from the superblock, e.g. 0x00020001 (not checked) */
    uint32_t rev;          /* revision of the newest commit of the pair */
    uint8_t block;         /* 0 or 1: the half of the pair that holds it */
    uint8_t in_block0;     /* block 0 on its own holds a valid superblock commit */
};

/*
 * Look for a littlefs v2 superblock in `bd` starting `base` bytes in: the
 * magic at byte 8 of block 0 or 1, then the pair {0, 1} fetched and
 * CRC-checked by the driver's own code (the newest valid commit wins), at
 * block size `block_size` or, when 0, each power of two 128..65536 (the first
 * size whose superblock records that same size wins; block_size must be a
 * multiple of 128). Only reads, through the extended interface, at any byte
 * position: `bd` may have any block size (a device never probed is probed).
 * Returns 0 with *info filled, -ENOENT when there is no superblock, -EINVAL
 * (no extended interface) or the device's error. Uses about 1.3 KiB of stack
 * (Cortex-M4): a mount state and the smallest caches.
 */
int cairn_lfs2_probe(struct cairn_bdev *bd, uint64_t base, uint32_t block_size,
                     struct cairn_lfs2_probe_info *info);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_LFS2_H */
