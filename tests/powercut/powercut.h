/*
 * Power-cut schedules for tests (docs/power-loss.md, fault model 1): run a
 * workload once to count its program/erase operations, then once per cut
 * point N with the power failing at op N (torn as `mode` says), and check the
 * device after power returns.
 *
 *   struct th_pc pc = {.dev = &nor.bd, .mem = mem, .mem_size = sizeof mem,
 *                      .mode = CAIRN_CUT_RANDOM, .seed = 1,
 *                      .work = my_work, .after = my_drop, .check = my_check};
 *   // format the device first: each run starts from mem as it is now
 *   th_pc_run(&pc);
 *   CHECK_EQ(pc.failures, 0);
 *
 * work() gets the fault wrapper to build on (mount a filesystem over it, ...)
 * and runs with errors expected after the cut (it should stop on the first
 * one). after() runs with the power still off (forget the mount: anything it
 * writes fails with -EIO). check() runs with the power restored, gets the
 * wrapper and the cut point, and returns 0 when the invariants hold.
 */
#ifndef CAIRN_TEST_POWERCUT_H
#define CAIRN_TEST_POWERCUT_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/emu.h"

struct th_pc {
    /* set by the caller */
    struct cairn_bdev *dev; /* the emulated device (under the wrapper) */
    uint8_t *mem;           /* its memory, restored before every run */
    size_t mem_size;
    uint8_t mode;  /* CAIRN_CUT_* */
    uint32_t seed; /* run N uses seed + N */
    int (*work)(struct cairn_bdev *bd, void *ctx);
    void (*after)(struct cairn_bdev *bd, void *ctx); /* optional */
    int (*check)(struct cairn_bdev *bd, uint64_t cut, void *ctx);
    void *ctx;
    uint64_t sample; /* 0 = every N; else about this many Ns, evenly spread */
    int verbose;     /* print each failing N */

    /* results */
    uint64_t ops;           /* program/erase ops of the uncut run */
    uint64_t runs;          /* cut runs made */
    uint64_t failures;      /* runs whose check() returned non-zero */
    uint64_t first_failure; /* the first failing N, 0 if none */
    int clean_rc;           /* work()'s result on the uncut run */
    int clean_check;        /* check()'s result on the uncut run (cut = 0) */

    /* the wrapper used by the runs (valid inside the callbacks) */
    struct cairn_fault fault;
};

/*
 * Run the schedule. Returns 0 when every check passed, the number of failing
 * runs otherwise, or a negative errno when the setup failed (no memory, the
 * wrapper refused the device). The device memory is left as the last run
 * left it.
 */
long th_pc_run(struct th_pc *pc);

/* Restore the device memory to what it was when th_pc_run started (valid
 * only inside a run). */
void th_pc_restore(struct th_pc *pc);

#endif
