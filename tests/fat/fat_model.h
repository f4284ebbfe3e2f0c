// The random model of FAT open handles shared by test_fat_handles and
// test_fat_handle_faults: up to five handles on three names, checked against
// files as POSIX sees them (names point at files; a file without a name lives
// while a handle holds it).
#ifndef TH_FAT_MODEL_H
#define TH_FAT_MODEL_H

#include "../unit/test_fat_util.h"

#define TH_FM_NF 12
#define TH_FM_NH 5
#define TH_FM_NN 3
#define TH_FM_MAXSZ 5000

struct th_fm_file {
    int used;
    uint32_t size;
    uint8_t data[TH_FM_MAXSZ];
};
struct th_fm_handle {
    int open, file, rd, wr;
    uint32_t pos;
    _Alignas(16) uint8_t st[256]; // (driver storage: aligned for any type)
};
struct th_fm_model {
    struct th_fm_file f[TH_FM_NF];
    struct th_fm_handle h[TH_FM_NH];
    int name[TH_FM_NN]; // file index, -1 = none
    int nospc;          // in: a full volume is expected (short writes, ENOSPC)
    int op, hi, ni;     // out: the last step's operation, handle and name
};


// A small FAT12 volume (400 sectors) with 512-byte clusters, formatted and
// mounted: freed clusters are taken again at once. 0 or the first error.
int th_fm_up(struct fx *x);
// n bytes of a pattern that differs by seed.
void th_fm_pattern(uint8_t *p, uint32_t n, uint8_t seed);

// The names: in the root (a short one, a long one) and in /sub.
extern const char *const th_fm_path[TH_FM_NN];

uint32_t th_fm_rnd(uint32_t *s);
// A model with no files and no handles (nospc as given).
void th_fm_reset(struct th_fm_model *m, int nospc);
// File fi is gone when no name and no handle holds it.
void th_fm_gc(struct th_fm_model *m, int fi);
int th_fm_new(struct th_fm_model *m);
// One random step; 0 when the driver matched the model, else a code naming
// the mismatch. buf: TH_FM_MAXSZ bytes of scratch.
int th_fm_step(struct fx *x, struct th_fm_model *m, uint32_t *seed, uint8_t *buf);
// Close every handle, then check every name's content, the free clusters
// (free0 less the files' clusters of cb bytes) and fsck: 0 when all hold
// (failures are reported as test failures).
int th_fm_round_end(struct fx *x, struct th_fm_model *m, uint32_t cb, uint32_t free0);

#endif
