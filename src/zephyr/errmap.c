// Zephyr's errno values belong to its C library (newlib, picolibc, minimal
// libc); cairn's are fixed Linux numbers. Translate by name, never by value.
#include "cairn/cairn.h"
#include "zephyr_priv.h"

#include <errno.h>

int cairn_zephyr_err(int rc)
{
    if (rc == 0) {
        return 0;
    }
    if (rc > 0) {
        return CAIRN_EIO;
    }
    int e = -rc;
    // An if-chain, not a switch: some libraries give two names one value
    // (ENOTSUP == EOPNOTSUPP on Linux).
    if (e == EPERM) {
        return CAIRN_EPERM;
    }
    if (e == ENOENT) {
        return CAIRN_ENOENT;
    }
    if (e == EBADF) {
        return CAIRN_EBADF;
    }
    if (e == ENOMEM) {
        return CAIRN_ENOMEM;
    }
    if (e == EACCES) {
        return CAIRN_EACCES;
    }
    if (e == EBUSY) {
        return CAIRN_EBUSY;
    }
    if (e == ENODEV) {
        return CAIRN_ENODEV;
    }
    if (e == EINVAL) {
        return CAIRN_EINVAL;
    }
    if (e == EFBIG) {
        return CAIRN_EFBIG;
    }
    if (e == ENOSPC) {
        return CAIRN_ENOSPC;
    }
    if (e == EROFS) {
        return CAIRN_EROFS;
    }
    if (e == ENOTSUP || e == ENOSYS) {
        return CAIRN_EOPNOTSUPP;
    }
    return CAIRN_EIO; // EIO, ETIMEDOUT, ENXIO, ...: the medium failed
}
