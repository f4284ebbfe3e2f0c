// Private interface between the FAT driver's files (src/fat/*.c).
#ifndef CAIRN_FAT_INT_H
#define CAIRN_FAT_INT_H

#include "cairn/fat.h"

#include <string.h>

// Out of line: GCC -Os inlines a static function with one caller, which in
// big functions costs more code than the call saves.
#if defined(__GNUC__)
#define FAT_NOINLINE __attribute__((noinline))
#else
#define FAT_NOINLINE
#endif

// ---- little-endian access ---------------------------------------------------

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
// one (unaligned) load/store where the target allows it, not one per byte
static inline uint16_t fat_ld16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}
static inline uint32_t fat_ld32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline void fat_st16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}
static inline void fat_st32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
#else
static inline uint16_t fat_ld16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t fat_ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static inline void fat_st16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void fat_st32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
#endif

// ---- on-disk constants --------------------------------------------------------

#define FAT_DIRENT 32
#define FAT_AM_RDO 0x01
#define FAT_AM_HID 0x02
#define FAT_AM_SYS 0x04
#define FAT_AM_VOL 0x08
#define FAT_AM_LFN 0x0F
#define FAT_AM_DIR 0x10
#define FAT_AM_ARC 0x20
#define FAT_AM_MASK 0x3F

#define FAT_DDEM 0xE5 // deleted entry mark
#define FAT_NT_BODY 0x08
#define FAT_NT_EXT 0x10

// directory entry fields
#define FAT_DIR_NAME 0
#define FAT_DIR_ATTR 11
#define FAT_DIR_NTRES 12
#define FAT_DIR_CRTTENTH 13
#define FAT_DIR_CRTTIME 14
#define FAT_DIR_LSTACC 18
#define FAT_DIR_CLUSTHI 20
#define FAT_DIR_MODTIME 22
#define FAT_DIR_CLUSTLO 26
#define FAT_DIR_SIZE 28
// LFN entry fields
#define FAT_LDIR_ORD 0
#define FAT_LDIR_TYPE 12
#define FAT_LDIR_CHKSUM 13
#define FAT_LDIR_FSTCLUS 26
#define FAT_LLEF 0x40

#define FAT_MAX_DIR_ENTRIES 65536u // FatFs caps a directory at 2 MiB
#define FAT_MAX12 0xFF5u
#define FAT_MAX16 0xFFF5u
#define FAT_MAX32 0x0FFFFFF5u

// ---- handles --------------------------------------------------------------------

#define FAT_FILE_MAGIC 0x46415446u // "FATF"
#define FAT_DIR_MAGIC 0x46415444u  // "FATD"

// flags kept in a file handle beyond the O_* bits (fs.h: 0x0FFF at most)
#define FAT_FF_OMASK 0x0FFFu
#define FAT_FF_MODIFIED 0x8000u

#define fat_file cairn_fat_file

// A handle's file is the short entry at (dir_sect, dir_idx); a file removed
// while open has dir_sect 0 (the boot sector never holds an entry) and an id
// of its own in dir_idx, and keeps its clusters until its last handle closes.
struct fat_file {
    uint32_t magic;
    uint16_t flags;     // O_* | FAT_FF_*
    uint16_t dir_idx;   // entry index inside dir_sect
    uint32_t sclust;    // first cluster, 0 = none
    uint32_t clust;     // a cluster of the chain (cache), 0 = none
    uint32_t clust_idx; // its index in the chain
    uint32_t fsize;
    uint32_t fptr;      // may lie beyond fsize (D11); at most 4 GiB - 1
    uint32_t dir_sect;  // device sector holding the short entry
#if !CAIRN_FAT_TINY
    uint32_t run_n;     // chain indexes [0, run_n) are sclust + index (no FAT reads)
#endif
    uint32_t ent_clust; // the first cluster the entry holds (to recognise it at sync)
    struct fat_file *next; // the mount's next open handle
};

// A position in a directory: entry `idx` of the directory starting at
// `sclust` (0 = FAT12/16 root region), currently in `clust`/`sect`.
#define fat_dpos cairn_fat_dpos

// (FAT_DIR_MAGIC | FAT_DIR_END: the listing has reached the end)
#define FAT_DIR_END 1u

#define fat_dir cairn_fat_dir

struct fat_dir {
    uint32_t magic;
    struct fat_dpos pos;
    struct fat_dir *next; // the mount's next open listing
};

// What a directory scan found for one name.
struct fat_found {
    struct fat_dpos sfn;  // position of the short entry
    struct fat_dpos lfn;  // position of the first entry of the set
    uint32_t n_ent;       // entries in the set (LFN + 1)
    uint32_t lfn_match;   // its long name is the one looked up
    uint8_t ent[FAT_DIRENT]; // copy of the short entry
#if !CAIRN_FAT_TINY
    uint32_t hash;        // its long name's filter hash (n_ent > 1)
#endif
};

// A name prepared for lookup and creation (fat.h).
#define fat_name cairn_fat_name

typedef struct cairn_fat_private fat_vol;

static inline fat_vol *fat_v(struct cairn_fs *fs)
{
    return &((struct cairn_fat *)fs)->priv;
}

// ---- vol.c: window, sectors, mount --------------------------------------------

int cairn_fat_dev_read(struct cairn_fs *fs, uint32_t sect, void *buf, uint32_t n);
int cairn_fat_dev_write(struct cairn_fs *fs, uint32_t sect, const void *buf, uint32_t n);
// The window empty, the buffers in place (mkfs, mount, unmount).
void cairn_fat_win_reset(fat_vol *v);
int cairn_fat_win_move(struct cairn_fs *fs, uint32_t sect);
#if CAIRN_FAT_TINY
// The window to sector `sect` for a change (FAT or directory, not file
// data): marked dirty, after the pending "in use" mark where it must go first
// (without a second buffer the mark cannot wait until the sector is written).
int cairn_fat_win_chg(struct cairn_fs *fs, uint32_t sect);
#define FAT_WIN_CHG(fs, s) cairn_fat_win_chg(fs, s)
#define FAT_CHG_HERE(fs, s) cairn_fat_win_chg(fs, s)
#define FAT_DIRTY(v) ((void)(v))
#else
// (the default build marks the window dirty after the change: the mark is
// written, when due, just before the sector is)
#define FAT_WIN_CHG(fs, s) cairn_fat_win_move(fs, s)
#define FAT_CHG_HERE(fs, s) 0
#define FAT_DIRTY(v) ((v)->win_dirty = 1)
#endif
int cairn_fat_win_flush(struct cairn_fs *fs);
// The window zero-filled as sector sect, unread (FAT_NOSECT: as a scratch
// buffer; its sector is kept as the other buffer when there is one).
#define FAT_NOSECT 0xFFFFFFFFu
int cairn_fat_win_zero(struct cairn_fs *fs, uint32_t sect);
int cairn_fat_mark_dirty(struct cairn_fs *fs);
// The mark on the device now (before writes that bypass the window).
int cairn_fat_mark_now(struct cairn_fs *fs);
int cairn_fat_was_dirty(struct cairn_fs *fs);
int cairn_fat_sync_vol(struct cairn_fs *fs);
uint32_t cairn_fat_clust2sect(const fat_vol *v, uint32_t clst);
// Copy an 11-byte short name or label (one call: smaller than inline copies).
void cairn_fat_name11(uint8_t *dst, const void *src);
// The label of a volume without one, "NO NAME" (11 bytes, space padded).
extern const char cairn_fat_noname[12];
// Characters a new label may not hold beyond those short names exclude
// (mkfs checks only those after the first two, "/\\").
extern const char cairn_fat_badlab[];
int cairn_fat_mount(struct cairn_fs *fs, uint32_t flags);
int cairn_fat_umount(struct cairn_fs *fs);
int cairn_fat_check_rw(struct cairn_fs *fs);
uint32_t cairn_fat_now(fat_vol *v);
uint32_t cairn_fat_fattime(int64_t unix_s);
int64_t cairn_fat_time_to_unix(uint16_t date, uint16_t time);

// ---- table.c: FAT entries and chains -----------------------------------------------

// Entry clst's value (get) or 0 once it is `val` (put), or an error.
int32_t cairn_fat_ent(struct cairn_fs *fs, uint32_t clst, uint32_t val, int put);
int cairn_fat_get(struct cairn_fs *fs, uint32_t clst, uint32_t *val); // (fsck)
int cairn_fat_put(struct cairn_fs *fs, uint32_t clst, uint32_t val);
uint32_t cairn_fat_eoc(const fat_vol *v);
int cairn_fat_next(struct cairn_fs *fs, uint32_t clst, uint32_t *next);
int cairn_fat_find_free(struct cairn_fs *fs, uint32_t *out);
int cairn_fat_link(struct cairn_fs *fs, uint32_t prev, uint32_t clst);
// Count cluster clst as taken (free count, allocation hint, FSInfo).
void cairn_fat_took(fat_vol *v, uint32_t clst);
int cairn_fat_free_chain(struct cairn_fs *fs, uint32_t clst, uint32_t prev);
int cairn_fat_count_free(struct cairn_fs *fs, uint32_t *out);
int cairn_fat_pr_commit(struct cairn_fs *fs);

// ---- name.c: names ----------------------------------------------------------------------

// Parse name component s[0..n) into v->name (UTF-16) and v->nc (its short
// name; both stay until the next parse or listing).
int cairn_fat_parse_name(fat_vol *v, const char *s, size_t n);
// A volume label from UTF-8 s[0..n) into lab (space padded): upper case,
// short-name characters but '.' and those in `bad`, at most 11 bytes. 0, or
// the parse error / -EINVAL (lab then undefined); v->name holds the parsed name.
int cairn_fat_make_label(fat_vol *v, const char *s, size_t n, const char *bad, uint8_t *lab);
uint8_t cairn_fat_sum(const uint8_t *sfn);
void cairn_fat_numname(fat_vol *v, uint8_t *dst, uint32_t seq);
uint16_t cairn_fat_upcase(uint16_t c);
uint16_t cairn_fat_oem2uni(uint8_t c);
size_t cairn_fat_utf16_to_utf8(const uint16_t *s, uint32_t n, char *out, size_t cap);
// A short entry's name as shown (case flags applied) into u[0..12): its units.
uint32_t cairn_fat_sfn_to_utf16(const uint8_t *ent, uint16_t *u);

// ---- dir.c: directories ---------------------------------------------------------------

int cairn_fat_dir_start(struct cairn_fs *fs, struct fat_dpos *p, uint32_t sclust);
int cairn_fat_dir_next(struct cairn_fs *fs, struct fat_dpos *p, int stretch);
// The entry at *p in the window, or NULL with *err set; FAT_DIR_PTR with
// chg set: for a change (FAT_WIN_CHG; FAT_DIRTY after it).
#if CAIRN_FAT_TINY
uint8_t *cairn_fat_dir_ptr(struct cairn_fs *fs, const struct fat_dpos *p, int *err, int chg);
#define FAT_DIR_PTR(fs, p, err, chg) cairn_fat_dir_ptr(fs, p, err, chg)
#else
uint8_t *cairn_fat_dir_ptr(struct cairn_fs *fs, const struct fat_dpos *p, int *err);
#define FAT_DIR_PTR(fs, p, err, chg) cairn_fat_dir_ptr(fs, p, err)
#endif
uint32_t cairn_fat_ent_clust(const fat_vol *v, const uint8_t *ent);
// The directory a sub-directory's (or a "..") entry names: 0 for the root.
uint32_t cairn_fat_dir_clust(const fat_vol *v, const uint8_t *ent);
void cairn_fat_ent_set_clust(const fat_vol *v, uint8_t *ent, uint32_t clst);
// From *p on, the next object; its long name is read into v->name
// (v->lfn_len units, 0 if none): FAT_FOUND, FAT_MISSING at the end, or an error.
int cairn_fat_dir_read(struct cairn_fs *fs, struct fat_dpos *p, struct fat_found *f);

// A path walk: the directory holding the last component (parsed into
// vol->name and vol->nc), what was found, and (when `create` is set) where a
// new entry for the name would go.
struct fat_scan {
    struct fat_found f;   // the entry, when found (first: fat_walk finds the scan from it)
    uint32_t create;      // in: collect the slot and short-name collisions
    struct fat_dpos ignore; // in: an entry treated as absent (ignore.sect != 0)
    uint32_t dir;         // directory of the last component (0 = root)
    uint32_t need;        // entries the new name needs
    uint32_t trail;       // path ended with a separator
    uint32_t have_slot;   // slot is the start of a free run
    uint32_t taken;       // the candidate short name is taken
    struct fat_dpos slot;
    uint8_t cand[11];     // a lossy name's short name with the tail looked for
};

#define FAT_FOUND 0
#define FAT_MISSING 1
#define FAT_ROOT 2

int cairn_fat_lookup(struct cairn_fs *fs, const char *path, struct fat_scan *sc);
// The last component of path p (trailing separators not included, *n bytes).
const char *cairn_fat_last_comp(const char *p, size_t *n);
// Write a new entry set for sc's name; `ent` is the short entry to store
// (attributes, times, cluster, size); its name and case flags are filled in.
// On success sc->f describes the new entry.
int cairn_fat_dir_register(struct cairn_fs *fs, struct fat_scan *sc, uint8_t *ent);
// Copy a 32-byte directory entry.
void cairn_fat_ent_copy(void *dst, const void *src);
void cairn_fat_ent_init(uint8_t *ent, uint8_t attr, uint32_t tm);
// *gone is set once the short entry is deleted (also when an error follows).
int cairn_fat_dir_remove(struct cairn_fs *fs, const struct fat_found *f, int *gone);
int cairn_fat_dir_empty(struct cairn_fs *fs, uint32_t sclust);
#if CAIRN_FAT_TINY
static inline void cairn_fat_dc_forget(fat_vol *v, uint32_t dir)
{
    (void)v;
    (void)dir;
}
#else
void cairn_fat_dc_forget(fat_vol *v, uint32_t dir);
#endif
// Zeros into sectors from.. of cluster clst (the window is free, zero-filled,
// and taken to hold its last sector).
int cairn_fat_dir_clear_cluster(struct cairn_fs *fs, uint32_t clst, uint32_t from);
// The root's volume label entry: FAT_FOUND with sc->f at it, else
// FAT_MISSING with sc ready for cairn_fat_dir_register (a one-entry slot; the
// caller sets sc->cand), or an error.
int cairn_fat_find_label(struct cairn_fs *fs, struct fat_scan *sc);

// ---- file.c, mkfs.c, fsck.c -----------------------------------------------------------------

// (ops.c) cairn_fat_lookup from a zeroed scan state with sc->create set.
int cairn_fat_find(struct cairn_fs *fs, const char *path, struct fat_scan *sc, uint32_t create);
int cairn_fat_open(struct cairn_fs *fs, void *file, const char *path, uint32_t flags);
int cairn_fat_close(struct cairn_fs *fs, void *file);
int32_t cairn_fat_read(struct cairn_fs *fs, void *file, void *buf, uint32_t len);
int32_t cairn_fat_write(struct cairn_fs *fs, void *file, const void *buf, uint32_t len);
int64_t cairn_fat_seek(struct cairn_fs *fs, void *file, int64_t off, int whence);
int64_t cairn_fat_tell(struct cairn_fs *fs, void *file);
int64_t cairn_fat_size(struct cairn_fs *fs, void *file);
int cairn_fat_truncate(struct cairn_fs *fs, void *file, int64_t size);
int cairn_fat_sync(struct cairn_fs *fs, void *file);
// The handles on the file whose short entry is at `at` now name the entry at
// (sect, idx); sect 0: the file is gone (removed or replaced), and they keep
// its clusters until the last of them closes. Returns whether there were any.
int cairn_fat_files_move(fat_vol *v, const struct fat_dpos *at, uint32_t sect, uint32_t idx);
int cairn_fat_mkfs(struct cairn_fs *fs);
int cairn_fat_dev_start(struct cairn_fs *fs);
// Fill sector w (ss bytes) as an FSInfo sector with these hints.
void cairn_fat_fsinfo(uint8_t *w, uint32_t ss, uint32_t free_clst, uint32_t last_clst);
int32_t cairn_fat_fsck(struct cairn_fs *fs, uint32_t flags, cairn_fsck_report_fn report,
                       void *ctx);

#endif
