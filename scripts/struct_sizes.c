// Probe compiled for the target by scripts/size.sh: each array's size is a
// state struct's size there, read back with nm -S. Never linked or run.
#include "../src/fat/fat_int.h"
#include "../src/lfs2/lx.h"
#include "cairn/fat.h"
#include "cairn/lfs2.h"
#include "cairn/vfs.h"

char cairn_sizeof_lfs2_mount[sizeof(struct cairn_lfs2)];
char cairn_sizeof_lfs2_file[sizeof(struct lx_file)];
char cairn_sizeof_lfs2_dir[sizeof(struct lx_dir)];
char cairn_sizeof_fat_mount[sizeof(struct cairn_fat)];
char cairn_sizeof_fat_file[sizeof(struct fat_file)];
char cairn_sizeof_fat_dir[sizeof(struct fat_dir)];
char cairn_sizeof_dirent[sizeof(struct cairn_dirent)];
