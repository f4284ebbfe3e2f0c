// Shared -EOPNOTSUPP entries, so driver tables never hold NULL (fs.h).
#include "cairn/fs.h"

int32_t cairn_fs_unsupported_getattr(struct cairn_fs *fs, const char *path, uint8_t type,
                                     void *buf, uint32_t len)
{
    (void)fs, (void)path, (void)type, (void)buf, (void)len;
    return CAIRN_EOPNOTSUPP;
}

int cairn_fs_unsupported_setattr(struct cairn_fs *fs, const char *path, uint8_t type,
                                 const void *buf, uint32_t len)
{
    (void)fs, (void)path, (void)type, (void)buf, (void)len;
    return CAIRN_EOPNOTSUPP;
}

int cairn_fs_unsupported_removeattr(struct cairn_fs *fs, const char *path, uint8_t type)
{
    (void)fs, (void)path, (void)type;
    return CAIRN_EOPNOTSUPP;
}

int cairn_fs_unsupported_label(struct cairn_fs *fs, char *buf, uint32_t len, const char *set)
{
    (void)fs, (void)buf, (void)len, (void)set;
    return CAIRN_EOPNOTSUPP;
}

int32_t cairn_fs_unsupported_fsck(struct cairn_fs *fs, uint32_t flags, cairn_fsck_report_fn report,
                                  void *ctx)
{
    (void)fs, (void)flags, (void)report, (void)ctx;
    return CAIRN_EOPNOTSUPP;
}
