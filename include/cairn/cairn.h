/*
 * cairn — a storage stack for small devices: one VFS over FAT and littlefs v2.
 *
 * This header holds what every layer shares: the version, the error numbers,
 * the stat/statvfs/dirent types and the clock hook.
 *
 * Errors are negative Linux errno values, defined here so that no layer depends
 * on the host's <errno.h>. Every function that can fail returns 0 (or a
 * non-negative count) on success and one of these on failure.
 */
#ifndef CAIRN_CAIRN_H
#define CAIRN_CAIRN_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/config.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CAIRN_VERSION_MAJOR 0
#define CAIRN_VERSION_MINOR 1
#define CAIRN_VERSION_PATCH 0
#define CAIRN_VERSION_STRING "0.1.0"

/* Negative errno values, Linux numbering (as MicroPython reports them). */
enum cairn_err {
    CAIRN_OK = 0,
    CAIRN_EPERM = -1,
    CAIRN_ENOENT = -2,
    CAIRN_EIO = -5,
    CAIRN_EBADF = -9,
    CAIRN_ENOMEM = -12,
    CAIRN_EACCES = -13,
    CAIRN_EBUSY = -16,
    CAIRN_EEXIST = -17,
    CAIRN_EXDEV = -18,
    CAIRN_ENODEV = -19,
    CAIRN_ENOTDIR = -20,
    CAIRN_EISDIR = -21,
    CAIRN_EINVAL = -22,
    CAIRN_EMFILE = -24,
    CAIRN_EFBIG = -27,
    CAIRN_ENOSPC = -28,
    CAIRN_EROFS = -30,
    CAIRN_ENAMETOOLONG = -36,
    CAIRN_ENOTEMPTY = -39,
    CAIRN_ENODATA = -61,
    CAIRN_ECORRUPT = -84, /* EILSEQ: littlefs "corrupt" */
    CAIRN_EOPNOTSUPP = -95,
};

/* Short text for an error ("No such file or directory"); never NULL. */
const char *cairn_strerror(int err);

/* Symbolic name for an error ("ENOENT"); never NULL. */
const char *cairn_errname(int err);

/* ---- file types, stat and statvfs ---------------------------------------- */

#define CAIRN_S_IFDIR 0x4000 /* MicroPython's stat()[0] for a directory */
#define CAIRN_S_IFREG 0x8000 /* ... and for a regular file */

/* FAT attribute bits, reported in cairn_stat.attr where the fs has them. */
#define CAIRN_ATTR_RDONLY 0x01
#define CAIRN_ATTR_HIDDEN 0x02
#define CAIRN_ATTR_SYSTEM 0x04
#define CAIRN_ATTR_DIR 0x10
#define CAIRN_ATTR_ARCHIVE 0x20

struct cairn_stat {
    uint32_t mode;       /* CAIRN_S_IFDIR or CAIRN_S_IFREG */
    uint32_t attr;       /* CAIRN_ATTR_* where the filesystem keeps them, else 0 */
    int64_t size;        /* bytes; 0 for directories (D10) */
    int64_t mtime;       /* seconds since 1970-01-01 UTC; 0 when the fs has none */
    uint32_t mtime_nsec; /* sub-second part, 0..999999999 */
    uint8_t has_mtime;   /* 1 when the entry carries a timestamp */
};

struct cairn_statvfs {
    uint32_t f_bsize;
    uint32_t f_frsize;
    uint64_t f_blocks;
    uint64_t f_bfree;
    uint64_t f_bavail;
    uint64_t f_files;
    uint64_t f_ffree;
    uint64_t f_favail;
    uint32_t f_flag;
    uint32_t f_namemax;
};

/* One directory entry, as ilistdir gives it: (name, type, inode=0, size). */
struct cairn_dirent {
    char name[CAIRN_NAME_MAX + 1]; /* UTF-8, NUL-terminated */
    uint32_t type;                 /* CAIRN_S_IFDIR or CAIRN_S_IFREG */
    int64_t size;                  /* 0 for directories */
};

/* ---- clock ----------------------------------------------------------------- */

/*
 * The clock hook returns the current time in nanoseconds since 1970-01-01 UTC.
 * FAT stamps entries from it (2-second resolution, taken as local time);
 * littlefs stores it in the MicroPython mtime attribute (type 1, u64 LE ns).
 * With no hook installed FAT uses the fixed 2018-01-01 00:00:00 (D15) and
 * littlefs writes that same instant.
 */
typedef int64_t (*cairn_clock_fn)(void *ctx);

/* Install (or, with fn == NULL, remove) the process-wide clock hook. */
void cairn_clock_set(cairn_clock_fn fn, void *ctx);

/* Current time in ns since 1970; the fixed 2018-01-01 instant with no hook. */
int64_t cairn_clock_now_ns(void);

/* Non-zero when a clock hook is installed. */
int cairn_clock_is_set(void);

/* 2018-01-01 00:00:00 UTC, the reference's no-RTC timestamp, in seconds. */
#define CAIRN_TIME_NO_RTC 1514764800LL

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_CAIRN_H */
