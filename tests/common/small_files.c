// bench.md's small-files workload for the scale tests (small_files.h).
#include "small_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t sf_rand(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

// The next file of the stream: its length and bytes.
static uint32_t sf_data(uint32_t *rng, uint8_t *buf)
{
    uint32_t len = 16 + sf_rand(rng) % 1009;
    for (uint32_t k = 0; k < len; k++) {
        buf[k] = (uint8_t)sf_rand(rng);
    }
    return len;
}

static int sf_create(struct cairn_fs *fs, void *f, const char *p, uint32_t *rng)
{
    uint8_t buf[1100];
    uint32_t len = sf_data(rng, buf);
    int rc = fs->ops->open(fs, f, p, CAIRN_O_WRONLY | CAIRN_O_CREAT | CAIRN_O_TRUNC);
    if (rc == 0) {
        int32_t w = fs->ops->write(fs, f, buf, len);
        rc = fs->ops->close(fs, f);
        if (w != (int32_t)len) {
            rc = w < 0 ? w : -1000;
        }
    }
    return rc;
}

int th_small_files(struct cairn_fs *fs, int n)
{
    const struct cairn_fs_ops *o = fs->ops;
    void *f = calloc(1, o->file_size(fs));
    uint32_t rng = 1, check = 1;
    uint8_t want[1100], back[1100];
    char p[32];
    int rc = f ? o->mkdir(fs, "/d") : -1000;
    for (int i = 0; i < n && rc == 0; i++) {
        snprintf(p, sizeof p, "/d/f%03d", i);
        rc = sf_create(fs, f, p, &rng);
    }
    for (int i = 0; i < n && rc == 0; i++) { // read back against a replay of the stream
        snprintf(p, sizeof p, "/d/f%03d", i);
        uint32_t len = sf_data(&check, want);
        rc = o->open(fs, f, p, CAIRN_O_RDONLY);
        if (rc == 0) {
            int32_t r = o->read(fs, f, back, sizeof back);
            rc = o->close(fs, f);
            if (r != (int32_t)len || memcmp(want, back, len) != 0) {
                rc = -1000;
            }
        }
    }
    for (int i = 0; i < n && rc == 0; i += 2) {
        snprintf(p, sizeof p, "/d/f%03d", i);
        rc = o->remove(fs, p);
    }
    for (int i = 0; i < n && rc == 0; i += 2) {
        snprintf(p, sizeof p, "/d/f%03d", i);
        rc = sf_create(fs, f, p, &rng);
    }
    free(f);
    return rc ? rc : o->umount(fs);
}
