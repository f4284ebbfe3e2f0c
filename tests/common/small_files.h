/*
 * bench.md's small-files workload through any mounted filesystem, for the
 * scale tests: mkdir /d; create /d/fNNN (16 + rand % 1009 bytes, xorshift32
 * seed 1) for i < n; read every file back and check it; remove the even ones;
 * create them again with new sizes; unmount. The caller counts the device
 * traffic around it.
 */
#ifndef CAIRN_TESTS_SMALL_FILES_H
#define CAIRN_TESTS_SMALL_FILES_H

#include "cairn/fs.h"

/* 0, a filesystem error, or -1000 (a short write, a wrong read, no memory). */
int th_small_files(struct cairn_fs *fs, int n);

#endif
