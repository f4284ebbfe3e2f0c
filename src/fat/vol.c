// FAT volume: the sector window, device access, boot sector (BPB) parsing,
// FSInfo, the volume dirty mark, mount and unmount.
#include "fat_int.h"


// ---- device access: every device error becomes EIO (as FatFs) -------------------

int cairn_fat_dev_read(struct cairn_fs *fs, uint32_t sect, void *buf, uint32_t n)
{
    int rc = cairn_bdev_read(fs->bdev, sect, buf, n);
    return rc ? CAIRN_EIO : 0;
}

int cairn_fat_dev_write(struct cairn_fs *fs, uint32_t sect, const void *buf, uint32_t n)
{
    fat_vol *v = fat_v(fs);
    if (v->ro) {
        return CAIRN_EROFS;
    }
#if !CAIRN_FAT_TINY
    if (v->alt_sect - sect < n) {
        v->alt_sect = FAT_NOSECT; // its copy is out of date now
    }
#endif
    if (v->pe_sect - sect < n) {
        v->pe_valid = 0; // written (the window carries it), or overwritten
    }
    int rc = cairn_bdev_write(fs->bdev, sect, buf, n);
    return rc ? CAIRN_EIO : 0;
}

// ---- the window -----------------------------------------------------------------------

#if !CAIRN_FAT_TINY
static int fat_mark_before(struct cairn_fs *fs, uint32_t s);
#endif

// Sector s from buf; a FAT sector goes to the second FAT too (kept in step).
static int fat_write_fats(struct cairn_fs *fs, uint32_t s, const uint8_t *buf)
{
    fat_vol *v = fat_v(fs);
    int rc = cairn_fat_dev_write(fs, s, buf, 1);
    if (rc == 0 && v->n_fats > 1 && s - v->fatbase < v->fsize) { // (n_fats is 1 or 2)
        rc = cairn_fat_dev_write(fs, s + v->fsize, buf, 1);
    }
    return rc;
}

static int fat_has_alt(const fat_vol *v)
{
    return CAIRN_FAT_ALT_SS > 0 && v->ss <= CAIRN_FAT_ALT_SS;
}

void cairn_fat_win_reset(fat_vol *v)
{
    v->win = v->wbuf;
#if CAIRN_FAT_ALT_SS > 0
    v->alt = v->abuf;
#elif !CAIRN_FAT_TINY
    v->alt = NULL;
#endif
    v->win_sect = FAT_NOSECT;
#if !CAIRN_FAT_TINY
    v->alt_sect = FAT_NOSECT;
    v->win_data = 0;
#endif
    v->win_dirty = 0;
    v->mk_pending = 0;
    v->pe_valid = 0;
}

int cairn_fat_win_flush(struct cairn_fs *fs)
{
    fat_vol *v = fat_v(fs);
    if (!v->win_dirty) {
        return 0;
    }
    uint32_t s = v->win_sect;
    int rc = 0;
#if !CAIRN_FAT_TINY
    if (v->mk_pending && !v->win_data) {
        rc = fat_mark_before(fs, s); // a FAT or directory change: the mark goes first
    }
    if (rc == 0) {
        rc = fat_write_fats(fs, s, v->win);
    }
    if (rc) {
        return rc;
    }
    v->win_data = 0;
#else
    // (a pending mark went before the change: cairn_fat_win_chg)
    rc = fat_write_fats(fs, s, v->win);
    if (rc) {
        return rc;
    }
#endif
    v->win_dirty = 0;
    return 0;
}

#if !CAIRN_FAT_TINY
// The buffers trade places: the window's sector stays, clean, in alt.
static void fat_win_swap(fat_vol *v)
{
    uint8_t *t = v->alt;
    uint32_t ts = v->alt_sect;
    v->alt = v->win;
    v->alt_sect = v->win_sect;
    v->win = t;
    v->win_sect = ts;
}
#endif

// The window now holds sector `sect` as read from the device: lay the pending
// entry over it, and learn the clean mark from FAT[1] on the way.
static void fat_win_loaded(fat_vol *v, uint32_t sect);

#if !CAIRN_FAT_TINY

// Free the window for use as a scratch buffer (its sector is kept as the
// other buffer when there is one).
static int fat_win_drop(struct cairn_fs *fs)
{
    fat_vol *v = fat_v(fs);
    int rc = cairn_fat_win_flush(fs);
    if (rc) {
        return rc;
    }
    if (fat_has_alt(v) && v->win_sect != FAT_NOSECT) {
        fat_win_swap(v);
    }
    v->win_sect = FAT_NOSECT;
    return 0;
}
#else
// Free the window for use as a scratch buffer.
static int fat_win_drop(struct cairn_fs *fs)
{
    int rc = cairn_fat_win_flush(fs);
    if (rc == 0) {
        fat_v(fs)->win_sect = FAT_NOSECT;
    }
    return rc;
}
#endif

int cairn_fat_win_move(struct cairn_fs *fs, uint32_t sect)
{
    fat_vol *v = fat_v(fs);
    if (sect == v->win_sect) {
        return 0;
    }
    // (flushing may write the "in use" mark through the second buffer)
#if !CAIRN_FAT_TINY
    int rc = cairn_fat_win_flush(fs);
    if (rc == 0 && sect == v->alt_sect) { // (never so without a second buffer)
        fat_win_swap(v); // the sector before
        return 0;
    }
    if (rc == 0) {
        rc = fat_win_drop(fs); // (clean now: keeps its sector as the other buffer)
    }
#else
    int rc = fat_win_drop(fs);
#endif
    if (rc == 0) {
        rc = cairn_fat_dev_read(fs, sect, v->win, 1);
    }
    if (rc) {
        return rc; // (the window holds no sector)
    }
    v->win_sect = sect;
    fat_win_loaded(v, sect);
    return 0;
}

// The window becomes sector `sect`, zero-filled, without reading it (the
// caller fills and writes it); FAT_NOSECT: a zero-filled scratch buffer.
int cairn_fat_win_zero(struct cairn_fs *fs, uint32_t sect)
{
    fat_vol *v = fat_v(fs);
    int rc = fat_win_drop(fs);
    if (rc) {
        return rc;
    }
    if (sect != FAT_NOSECT) {
#if !CAIRN_FAT_TINY
        if (v->alt_sect == sect) {
            v->alt_sect = FAT_NOSECT;
        }
#endif
        if (v->pe_sect == sect) {
            v->pe_valid = 0; // file data over a directory sector: a corrupt volume
        }
    }
    memset(v->win, 0, v->ss);
    v->win_sect = sect;
    return 0;
}

const char cairn_fat_noname[12] = "NO NAME    ";
const char cairn_fat_badlab[] = "/\\+,;=[]";

void cairn_fat_name11(uint8_t *dst, const void *src)
{
    memcpy(dst, src, 11);
}

uint32_t cairn_fat_clust2sect(const fat_vol *v, uint32_t clst)
{
    return v->database + (clst - 2) * v->csize;
}

int cairn_fat_check_rw(struct cairn_fs *fs)
{
    if (!fs->mounted) {
        return CAIRN_ENODEV;
    }
    return fat_v(fs)->ro ? CAIRN_EROFS : 0;
}

// ---- time ---------------------------------------------------------------------------------

// Both conversions stay in FAT's years (1980..2107): days are counted from
// 1980-01-01 month by month (and year by year for a clock second, which
// cairn_fat_now converts once): small code matters more here.
#define FAT_T1980 315532800   // 1980-01-01 in Unix seconds
#define FAT_T2108 4354819200u // 2108-01-01

// Days in month m (0..11; 12: in the whole year) of year y (years since
// 1980, up to 2107, where every fourth year but 2100 is a leap year).
static uint32_t fat_days_in(uint32_t y, uint32_t m)
{
    uint32_t leap = y % 4 == 0 && y != 120;
    return m == 12 ? 365 + leap : m == 1 ? 28 + leap : 30 + ((0xAD5u >> m) & 1);
}

int64_t cairn_fat_time_to_unix(uint16_t date, uint16_t time)
{
    uint32_t y = date >> 9, m = (date >> 5) & 15, d = date & 31;
    // the years before y, with their leap days (2100 has none)
    uint32_t days = y * 365 + (y + 3) / 4 - (y > 120) + (d ? d - 1 : 0);
    for (uint32_t i = 1; i < m && i < 12; i++) { // (month 0 as 1, 13..15 as 12)
        days += fat_days_in(y, i - 1);
    }
    // (seconds since 1980 fit 32 bits until 2116)
    return FAT_T1980 + (int64_t)(days * 86400 + (time >> 11) * 3600 + ((time >> 5) & 63) * 60 +
                                 (time & 31) * 2);
}

// The clock as a FAT timestamp; the last second's conversion is kept, since
// a burst of closes asks for the same second again and again.
uint32_t cairn_fat_now(fat_vol *v)
{
    int64_t s = cairn_clock_now_ns() / 1000000000LL;
#if CAIRN_FAT_TINY
    (void)v;
    return cairn_fat_fattime(s);
#else
    if (!v->tm_valid || v->tm_s != s) {
        v->tm_s = s;
        v->tm_fat = cairn_fat_fattime(s);
        v->tm_valid = 1;
    }
    return v->tm_fat;
#endif
}

// Seconds since 1970 (taken as local time) as a FAT timestamp: date in the
// high half, time in the low half; clamped to 1980..2107.
uint32_t cairn_fat_fattime(int64_t s)
{
    s -= FAT_T1980; // (s comes from nanoseconds: |s| < 2^34, no overflow)
    if (s < 0) {
        s = 0; // 1980-01-01 00:00
    }
    if (s >= (int64_t)(FAT_T2108 - FAT_T1980)) {
        s = FAT_T2108 - FAT_T1980 - 1; // 2107-12-31 23:59:58, the last FAT time
    }
    uint32_t u = (uint32_t)s;
    uint32_t rem = u % 86400, days = u / 86400, y = 0, m = 0;
    // (bounded: s < 2108, so at most 128 years, then 12 months)
    while (days >= fat_days_in(y, 12)) {
        days -= fat_days_in(y++, 12);
    }
    while (days >= fat_days_in(y, m)) {
        days -= fat_days_in(y, m++);
    }
    uint32_t date = (y << 9) | ((m + 1) << 5) | (days + 1);
    uint32_t mins = rem / 60, h = mins / 60;
    uint32_t tm = (h << 11) | ((mins - h * 60) << 5) | ((rem - mins * 60) >> 1);
    return (date << 16) | tm;
}

// ---- volume dirty mark and sync ------------------------------------------------------------

// FAT[1]'s clean bit (set = cleanly unmounted): FAT16 bit 15, FAT32 bit 27,
// i.e. bit 7 of byte 3 or bit 3 of byte 7 of the first FAT sector.
// In `w`, a copy of that sector: learn whether the volume was in use before
// this mount (the first time it is seen), then set or clear the clean bit
// (`clean` 1 or 0; -1: learn only). 1 when the bit changed.
FAT_NOINLINE static int fat_clean_in(fat_vol *v, uint8_t *w, int clean)
{
    int t32 = v->fs_type == 32;
    uint8_t *p = w + (t32 ? 7 : 3), m = t32 ? 0x08 : 0x80, old = *p;
    if (!v->dirty_known && v->fs_type != 12) {
        v->was_dirty = (old & m) == 0;
        v->dirty_known = 1;
    }
    if (clean >= 0) {
        *p = clean ? (uint8_t)(old | m) : (uint8_t)(old & ~m);
    }
    return *p != old;
}

static void fat_win_loaded(fat_vol *v, uint32_t sect)
{
    if (v->pe_valid && sect == v->pe_sect) {
        memcpy(v->win + v->pe_idx, v->pe_ent, FAT_DIRENT);
    }
    if (sect == v->fatbase) {
        (void)fat_clean_in(v, v->win, -1);
    }
}

static int fat_set_clean(struct cairn_fs *fs, int clean)
{
    fat_vol *v = fat_v(fs);
    int rc = cairn_fat_win_move(fs, v->fatbase);
    if (rc) {
        return rc;
    }
    if (fat_clean_in(v, v->win, clean)) {
        v->win_dirty = 1;
    }
    return cairn_fat_win_flush(fs);
}

#if !CAIRN_FAT_TINY
// The pending mark reaches the device before sector `s` (dirty in the
// window) is written: inside it when `s` is the first FAT sector, else
// written first through the second buffer.
static int fat_mark_before(struct cairn_fs *fs, uint32_t s)
{
    fat_vol *v = fat_v(fs);
    v->mk_pending = 0;
    v->vol_dirty = 1;
    if (s == v->fatbase) {
        (void)fat_clean_in(v, v->win, 0);
        return 0;
    }
#if CAIRN_FAT_ALT_SS > 0
    // (pending only when there is a second buffer, see cairn_fat_mark_dirty)
    uint32_t a = v->fatbase;
    int rc = 0;
    if (v->alt_sect != a) {
        v->alt_sect = FAT_NOSECT;
        rc = cairn_fat_dev_read(fs, a, v->alt, 1);
    }
    if (rc == 0 && fat_clean_in(v, v->alt, 0)) {
        v->alt_sect = FAT_NOSECT;
        rc = fat_write_fats(fs, a, v->alt);
    }
    if (rc == 0) {
        v->alt_sect = a; // what the device holds now
    }
    return rc;
#else
    return CAIRN_EIO; // cannot happen
#endif
}
#endif

// Was the volume in use (not cleanly unmounted) when it was mounted? Read
// from FAT[1] on first need, not at mount.
int cairn_fat_was_dirty(struct cairn_fs *fs)
{
    fat_vol *v = fat_v(fs);
    if (!v->dirty_known) {
        v->was_dirty = 0;
        if (v->fs_type != 12) {
            int rc = cairn_fat_win_move(fs, v->fatbase); // (learns the mark)
            if (rc) {
                return rc;
            }
        }
        v->dirty_known = 1;
    }
    return v->was_dirty;
}

// Called before each change: the on-disk mark says "in use" from the first
// change of a session until a clean unmount, so a cut is visible to fsck.
// With a second buffer the mark is only made pending here and written with
// the first FAT or directory sector that is written (in it, when that is the
// first FAT sector, as for the first allocation on a fresh volume); else at
// once. `now` forces it at once (writes that bypass the window).
static int fat_mark(struct cairn_fs *fs, int now)
{
    fat_vol *v = fat_v(fs);
    int rc = cairn_fat_check_rw(fs);
    if (rc) {
        return rc;
    }
    if (v->vol_dirty || !CAIRN_FAT_DIRTY_MARK) {
        return 0;
    }
    if (v->fs_type == 12 || (v->dirty_known && v->was_dirty)) {
        v->vol_dirty = 1; // FAT12 has no mark; an already dirty volume stays dirty
        v->mk_pending = 0;
        return 0;
    }
    if (!now && (CAIRN_FAT_TINY || fat_has_alt(v))) {
        v->mk_pending = 1;
        return 0;
    }
    rc = cairn_fat_win_flush(fs); // (carries a pending mark if it writes)
    if (rc || v->vol_dirty) {
        return rc;
    }
    v->mk_pending = 0;
    rc = fat_set_clean(fs, 0);
    if (rc == 0) {
        v->vol_dirty = 1;
    }
    return rc;
}

int cairn_fat_mark_dirty(struct cairn_fs *fs)
{
    return fat_mark(fs, 0);
}

#if CAIRN_FAT_TINY
int cairn_fat_win_chg(struct cairn_fs *fs, uint32_t sect)
{
    fat_vol *v = fat_v(fs);
    int rc = cairn_fat_win_move(fs, sect);
    // Without a second buffer the pending mark cannot be written just before
    // a dirty sector is: it goes before the first change to one, in it (the
    // first FAT sector), else on its own (this sector is clean). mk_hold: a
    // change that becomes the pending entry, not written now.
    if (rc == 0 && v->mk_pending && !v->mk_hold) {
        if (sect != v->fatbase) {
            rc = fat_set_clean(fs, 0);
            if (rc == 0) {
                rc = cairn_fat_win_move(fs, sect);
            }
        } else {
            (void)fat_clean_in(v, v->win, 0);
        }
        if (rc == 0) {
            v->mk_pending = 0;
            v->vol_dirty = 1;
        }
    }
    if (rc == 0) {
        v->win_dirty = 1;
    }
    return rc;
}
#endif

#if CAIRN_FAT_FSCK
int cairn_fat_mark_now(struct cairn_fs *fs)
{
    return fat_mark(fs, 1);
}
#endif

void cairn_fat_fsinfo(uint8_t *w, uint32_t ss, uint32_t free_clst, uint32_t last_clst)
{
    memset(w, 0, ss);
    fat_st32(w, 0x41615252u);
    fat_st32(w + 484, 0x61417272u);
    fat_st32(w + 488, free_clst);
    fat_st32(w + 492, last_clst);
    fat_st16(w + 510, 0xAA55);
}

int cairn_fat_sync_vol(struct cairn_fs *fs)
{
    fat_vol *v = fat_v(fs);
    int rc = cairn_fat_pr_commit(fs);
    if (rc == 0 && v->pe_valid) {
        // a new file's entry, not written yet (its first sync writes it):
        // written now with what it had at creation
        rc = FAT_WIN_CHG(fs, v->pe_sect);
        if (rc == 0) {
            v->win_dirty = 1; // (on an error the window may still hold an unwritten change)
        }
    }
    if (rc == 0) {
        rc = cairn_fat_win_flush(fs);
    }
    if (rc) {
        return rc;
    }
    if (v->fsi_sect && v->fsi_dirty && !v->ro) { // (FAT32 only)
        rc = FAT_WIN_CHG(fs, v->fsi_sect);
        if (rc) {
            return rc;
        }
        cairn_fat_fsinfo(v->win, v->ss, v->free_clst, v->last_clst);
        FAT_DIRTY(v);
        rc = cairn_fat_win_flush(fs);
        if (rc) {
            return rc;
        }
        v->fsi_dirty = 0;
    }
    (void)cairn_bdev_sync(fs->bdev); // the reference ignores the SYNC result
    return 0;
}

// ---- finding and parsing the boot sector ----------------------------------------------------

// 0: FAT boot sector, 2: a 0x55AA sector that is not FAT, 3: neither, <0 error.
static int fat_check_bs(struct cairn_fs *fs, uint32_t sect)
{
    fat_vol *v = fat_v(fs);
    fat_vol *vv = v;
    cairn_fat_win_reset(vv);
    int rc = cairn_fat_win_move(fs, sect);
    if (rc) {
        return rc;
    }
    const uint8_t *w = v->win;
    if (fat_ld16(w + 510) != 0xAA55) {
        return 3;
    }
    if (w[0] == 0xE9 || w[0] == 0xEB || w[0] == 0xE8) {
        // "FAT" at 54 (FAT12/16) or "FAT3" at 82 (FAT32)
        if ((fat_ld32(w + 54) & 0xFFFFFFu) == 0x544146u || fat_ld32(w + 82) == 0x33544146u) {
            return 0;
        }
    }
    return 2;
}

// Locate the FAT boot sector: sector 0 (SFD) or an MBR partition.
static int fat_find_volume(struct cairn_fs *fs, uint32_t *base)
{
    fat_vol *v = fat_v(fs);
    uint32_t part = v->cfg ? v->cfg->partition : 0;
    int fmt = fat_check_bs(fs, 0);
    if (fmt < 0) {
        return fmt;
    }
    *base = 0;
    if (fmt == 2 || (fmt == 0 && part != 0)) {
        uint32_t lba[4];
        for (int i = 0; i < 4; i++) {
            const uint8_t *pt = v->win + 446 + 16 * i;
            lba[i] = pt[4] && (part == 0 || part == (uint32_t)i + 1) ? fat_ld32(pt + 8) : 0;
        }
        // the partition asked for (the only one kept; none for a number
        // above 4), or the first FAT one
        for (uint32_t i = 0; i < 4; i++) {
            if (lba[i] && lba[i] < fs->bdev->block_count) {
                fmt = fat_check_bs(fs, lba[i]);
                if (fmt <= 0) {
                    *base = lba[i];
                    return fmt; // (0: found)
                }
            }
        }
        return CAIRN_ENODEV;
    }
    return fmt == 0 ? 0 : CAIRN_ENODEV;
}

// Shared start of mkfs and mount: not mounted (-EBUSY), the device
// initialised (-EBUSY) and present (-EIO), with a usable sector size (-EIO);
// then 1 when the device cannot be written, else 0.
int cairn_fat_dev_start(struct cairn_fs *fs)
{
    if (fs->mounted) {
        return CAIRN_EBUSY;
    }
    int32_t r = cairn_bdev_ioctl(fs->bdev, CAIRN_BDEV_INIT, 0);
    if (r != CAIRN_BDEV_IOCTL_NONE && r != 0) {
        return CAIRN_EBUSY;
    }
    if (cairn_bdev_probe(fs->bdev, 0, 0)) {
        return CAIRN_EIO;
    }
    uint32_t ss = fs->bdev->block_size;
    if (ss < 512 || ss > CAIRN_FAT_MAX_SS || (ss & (ss - 1))) {
        return CAIRN_EIO;
    }
    return cairn_bdev_is_readonly(fs->bdev);
}

int cairn_fat_mount(struct cairn_fs *fs, uint32_t flags)
{
    fat_vol *v = fat_v(fs);
    int32_t r = cairn_fat_dev_start(fs);
    if (r < 0) {
        return r;
    }
    uint32_t ss = fs->bdev->block_size;
    v->ss = ss;
#if !CAIRN_FAT_TINY
    v->free_exact = 0;
#endif
    v->ro = (uint8_t)(r | (flags & CAIRN_MOUNT_RDONLY)); // (nothing is written here)
    v->fs_type = 0;
    uint32_t bsect;
    int rc = fat_find_volume(fs, &bsect);
    if (rc) {
        return rc;
    }
    const uint8_t *w = v->win;
    if (fat_ld16(w + 11) != ss) {
        return CAIRN_ENODEV;
    }
    uint32_t fasize = fat_ld16(w + 22);
    if (fasize == 0) {
        fasize = fat_ld32(w + 36);
    }
    uint32_t nfats = w[16];
    uint32_t csize = w[13];
    uint32_t nroot = fat_ld16(w + 17);
    uint32_t tsect = fat_ld16(w + 19);
    if (tsect == 0) {
        tsect = fat_ld32(w + 32);
    }
    uint32_t nrsv = fat_ld16(w + 14);
    if ((nfats != 1 && nfats != 2) || csize == 0 || (csize & (csize - 1)) ||
        nroot % (ss / FAT_DIRENT) || nrsv == 0 || fasize == 0) {
        return CAIRN_ENODEV;
    }
    uint32_t sysect = nrsv + nroot / (ss / FAT_DIRENT); // (< 2^17)
    if (tsect < sysect || (tsect - sysect) / nfats < fasize) {
        return CAIRN_ENODEV; // (32 bits: the FATs must fit first)
    }
    sysect += fasize * nfats;
    uint32_t nclst = (tsect - sysect) / csize; // (sysect <= tsect)
    if (nclst == 0 || nclst > FAT_MAX32) {
        return CAIRN_ENODEV;
    }
    uint8_t type = nclst <= FAT_MAX12 ? 12 : nclst <= FAT_MAX16 ? 16 : 32;
    uint32_t szbfat; // (n_fatent < 2^28: no overflow)
    v->n_fatent = nclst + 2;
    v->volbase = bsect;
    v->volsize = tsect;
    v->fatbase = bsect + nrsv;
    v->database = bsect + sysect;
    v->fsize = fasize;
    v->n_fats = (uint8_t)nfats;
    v->csize = csize;
    v->n_rootdir = (uint16_t)nroot;
    if (type == 32) {
        if (fat_ld16(w + 42) != 0 || nroot != 0) {
            return CAIRN_ENODEV;
        }
        v->dirbase = fat_ld32(w + 44);
        szbfat = v->n_fatent * 4;
    } else {
        if (nroot == 0) {
            return CAIRN_ENODEV;
        }
        v->dirbase = v->fatbase + fasize * nfats;
        szbfat = type == 16 ? v->n_fatent * 2 : v->n_fatent * 3 / 2 + (v->n_fatent & 1);
    }
    if (fasize < (szbfat + ss - 1) / ss) {
        return CAIRN_ENODEV;
    }
    if (tsect > fs->bdev->block_count || bsect > fs->bdev->block_count - tsect) {
        return CAIRN_ENODEV; // the volume claims more sectors than the device has
    }
    v->free_clst = 0xFFFFFFFFu;
    v->last_clst = 0xFFFFFFFFu;
    v->fsi_sect = 0;
    v->fsi_dirty = 0;
    v->fs_type = type;
    uint16_t fsinfo = type == 32 ? fat_ld16(w + 48) : 0;
    if (type == 32 && fsinfo != 0 && fsinfo < nrsv) {
        v->fsi_sect = bsect + fsinfo;
        rc = cairn_fat_win_move(fs, v->fsi_sect);
        if (rc) {
            v->fs_type = 0;
            return rc;
        }
        w = v->win; // (the buffers may have traded places)
        if (fat_ld16(w + 510) == 0xAA55 && fat_ld32(w) == 0x41615252u &&
            fat_ld32(w + 484) == 0x61417272u) {
            uint32_t fc = fat_ld32(w + 488), nx = fat_ld32(w + 492);
            if (fc <= nclst) {
                v->free_clst = fc;
            }
            if (nx - 2 < nclst) { // (2 .. n_fatent - 1)
                v->last_clst = nx;
            }
        } else {
            v->fsi_dirty = 1; // rewrite a damaged FSInfo at the next sync
        }
    }
    v->was_dirty = 0;
    v->dirty_known = 0;
#if !CAIRN_FAT_TINY
    v->cc_valid = 0;
#endif
    v->vol_dirty = 0;
    v->pe_sect = FAT_NOSECT; // (the rest of the window state: fat_check_bs)
    v->pr_n = 0;
    v->pr_file = NULL;
    v->files = NULL; // (handles of an earlier mount are dead)
    v->dirs = NULL;
    cairn_fat_dc_forget(v, UINT32_MAX);
    fs->mount_flags = flags;
    fs->mounted = 1;
    return 0;
}

int cairn_fat_umount(struct cairn_fs *fs)
{
    fat_vol *v = fat_v(fs);
    if (!fs->mounted) {
        return 0;
    }
    int rc = 0;
    while (v->files) {
        // handles still open are closed: their data written, and the
        // clusters of a removed file freed (else lost on a clean volume)
        struct fat_file *o = v->files;
        int r2 = 0;
        if (o->magic == FAT_FILE_MAGIC) {
            r2 = cairn_fat_close(fs, o);
        }
        if (v->files == o) {
            v->files = o->next; // (not closed: unlisted all the same)
        }
        rc = rc ? rc : r2;
    }
    if (!v->ro) {
        int r2 = cairn_fat_sync_vol(fs);
        rc = rc ? rc : r2;
        if (rc == 0 && v->vol_dirty && v->fs_type != 12 && !v->was_dirty) {
            // (was_dirty is known here: marking the volume read it)
            rc = fat_set_clean(fs, 1);
            if (rc == 0) {
                (void)cairn_bdev_sync(fs->bdev);
            }
        }
    }
    cairn_fat_win_reset(v); // (a pending run left by a failed sync: mount drops it)
    for (struct fat_dir *d = v->dirs; d; d = d->next) {
        d->magic = 0; // listings still open die with the mount (-EBADF)
    }
    v->dirs = NULL;
    v->fs_type = 0;
    fs->mounted = 0;
    fs->mount_flags = 0;
    return rc;
}
