// Power-cut schedule runner (powercut.h).
#include "powercut.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *pc_snapshot;

void th_pc_restore(struct th_pc *pc)
{
    if (pc_snapshot != NULL) {
        memcpy(pc->mem, pc_snapshot, pc->mem_size);
    }
}

// One run from the snapshot; cut = 0 runs without a cut. Returns check()'s result.
static int pc_once(struct th_pc *pc, uint8_t *scratch, uint32_t scratch_size, uint64_t cut)
{
    th_pc_restore(pc);
    int rc = cairn_fault_init(&pc->fault, pc->dev, scratch, scratch_size, pc->seed + (uint32_t)cut);
    if (rc) {
        return rc;
    }
    if (cut) {
        cairn_fault_cut_after(&pc->fault, cut, pc->mode);
    }
    int wrc = pc->work(&pc->fault.bd, pc->ctx);
    if (!cut) {
        pc->clean_rc = wrc;
        pc->ops = cairn_fault_ops_count(&pc->fault);
    }
    if (pc->after) {
        pc->after(&pc->fault.bd, pc->ctx);
    }
    cairn_fault_power_restore(&pc->fault);
    return pc->check(&pc->fault.bd, cut, pc->ctx);
}

long th_pc_run(struct th_pc *pc)
{
    pc->ops = pc->runs = pc->failures = pc->first_failure = 0;
    if (pc->dev == NULL || pc->mem == NULL || pc->work == NULL || pc->check == NULL) {
        return CAIRN_EINVAL;
    }
    if (pc->dev->block_size == 0 && cairn_bdev_probe(pc->dev, 0, 0) != 0) {
        return CAIRN_EINVAL;
    }
    uint32_t ss = pc->dev->block_size;
    uint8_t *scratch = malloc(ss);
    pc_snapshot = malloc(pc->mem_size);
    if (scratch == NULL || pc_snapshot == NULL) {
        free(scratch);
        free(pc_snapshot);
        pc_snapshot = NULL;
        return CAIRN_ENOMEM;
    }
    memcpy(pc_snapshot, pc->mem, pc->mem_size);
    pc->clean_check = pc_once(pc, scratch, ss, 0);
    uint64_t step = 1;
    if (pc->sample != 0 && pc->ops > pc->sample) {
        step = (pc->ops + pc->sample - 1) / pc->sample;
    }
    for (uint64_t n = 1; n <= pc->ops; n += step) {
        pc->runs++;
        if (pc_once(pc, scratch, ss, n) != 0) {
            pc->failures++;
            if (pc->first_failure == 0) {
                pc->first_failure = n;
            }
            if (pc->verbose) {
                printf("  power cut at op %llu of %llu: check failed\n", (unsigned long long)n,
                       (unsigned long long)pc->ops);
            }
        }
    }
    free(scratch);
    free(pc_snapshot);
    pc_snapshot = NULL;
    return (long)pc->failures;
}
