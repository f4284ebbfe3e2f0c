// Error names and texts: cairn's own table, never the host's strerror.
#include "cairn/cairn.h"

struct err_text {
    int err;
    const char *name;
    const char *text;
};

static const struct err_text err_table[] = {
    {CAIRN_OK, "OK", "Success"},
    {CAIRN_EPERM, "EPERM", "Operation not permitted"},
    {CAIRN_ENOENT, "ENOENT", "No such file or directory"},
    {CAIRN_EIO, "EIO", "Input/output error"},
    {CAIRN_EBADF, "EBADF", "Bad file descriptor"},
    {CAIRN_ENOMEM, "ENOMEM", "Cannot allocate memory"},
    {CAIRN_EACCES, "EACCES", "Permission denied"},
    {CAIRN_EBUSY, "EBUSY", "Device or resource busy"},
    {CAIRN_EEXIST, "EEXIST", "File exists"},
    {CAIRN_EXDEV, "EXDEV", "Invalid cross-device link"},
    {CAIRN_ENODEV, "ENODEV", "No such device (no filesystem found)"},
    {CAIRN_ENOTDIR, "ENOTDIR", "Not a directory"},
    {CAIRN_EISDIR, "EISDIR", "Is a directory"},
    {CAIRN_EINVAL, "EINVAL", "Invalid argument"},
    {CAIRN_EMFILE, "EMFILE", "Too many open files"},
    {CAIRN_EFBIG, "EFBIG", "File too large"},
    {CAIRN_ENOSPC, "ENOSPC", "No space left on device"},
    {CAIRN_EROFS, "EROFS", "Read-only file system"},
    {CAIRN_ENAMETOOLONG, "ENAMETOOLONG", "File name too long"},
    {CAIRN_ENOTEMPTY, "ENOTEMPTY", "Directory not empty"},
    {CAIRN_ENODATA, "ENODATA", "No data available"},
    {CAIRN_ECORRUPT, "ECORRUPT", "Corrupted filesystem"},
    {CAIRN_EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported"},
};

static const struct err_text *err_find(int err)
{
    for (size_t i = 0; i < sizeof err_table / sizeof err_table[0]; i++) {
        if (err_table[i].err == err) {
            return &err_table[i];
        }
    }
    return NULL;
}

const char *cairn_strerror(int err)
{
    const struct err_text *e = err_find(err);
    return e ? e->text : "Unknown error";
}

const char *cairn_errname(int err)
{
    const struct err_text *e = err_find(err);
    return e ? e->name : "E?";
}
