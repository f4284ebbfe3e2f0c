/*
 * cairn CLI: what the command files share. Private to tools/cairn/.
 *
 * main.c parses the command line into struct cairn_cli, image.c opens the
 * image (device, geometry, filesystem detection) and mounts it at "/" of the
 * VFS; the cmd_*.c files implement the commands on top of cairn_vfs_*.
 */
#ifndef CAIRN_TOOLS_CLI_H
#define CAIRN_TOOLS_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "cairn/fat.h"
#include "cairn/lfs2.h"
#include "cairn/vfs.h"

/* Exit statuses. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

/* Command-line options, global and per command. */
struct cairn_cli {
    const char *cmd; /* command name */
    int argc;        /* positional arguments after the command */
    char **argv;

    /* global */
    const char *image;
    uint64_t offset;
    int has_offset;
    const char *area;
    const char *board; /* --board FILE: board description for --area */
    int partition;     /* -1 = not given */
    const char *fs;    /* "fat", "lfs2" or NULL (detect) */
    uint32_t block_size, block_count;
    uint32_t read_size, prog_size, lookahead;
    int read_only;

    /* per command */
    uint64_t size;
    int has_size;
    const char *label;
    int long_fmt, recursive, json, parents, force, repair, preserve, foreground, verbose;
    const char *fuse_opts; /* mount -o */
};

/* An open image: device stack plus mounted filesystem. */
struct cairn_img;

/* Open flags for cairn_cli_open. */
#define CLI_OPEN_WRITE 0x1 /* the command modifies the image */
#define CLI_OPEN_BULK 0x2  /* a new image being filled (pack): fsync once, at close */

/*
 * Open c->image, find the filesystem and mount it at "/". On failure prints
 * the message and returns NULL (the exit status is then 1).
 */
struct cairn_img *cairn_cli_open(const struct cairn_cli *c, int flags);

/* Sync, unmount and close. Returns 0, or 1 after printing an error. */
int cairn_cli_close(struct cairn_img *img);

/* Make every filesystem sync reach the disk at once, not only at close: for
 * long-running commands (mount). The image-file device now does this for
 * every command (fdatasync at each sync point), so this is a no-op kept for
 * its callers. */
void cairn_cli_sync_always(struct cairn_img *img);

/* The mounted filesystem object (for driver extras). */
struct cairn_fs *cairn_cli_fs(struct cairn_img *img);
/* "fat" or "lfs2". */
const char *cairn_cli_fstype(const struct cairn_img *img);

/*
 * Format: create/resize c->image to c->size when asked, format it with c->fs
 * and leave it closed. Returns the exit status (prints errors).
 */
int cairn_cli_format(const struct cairn_cli *c);

/* Parse a size with K/M/G suffixes (also 0x hex). 0 on success. */
int cairn_cli_parse_size(const char *s, uint64_t *out);

/* Print "cairn: WHAT: strerror(err)" to stderr; returns 1. */
int cairn_cli_err(const char *what, int err);
/* Print "cairn: WHAT: host strerror(errno)" to stderr; returns 1. */
int cairn_cli_errno(const char *what);
/* Print "cairn: message" plus the usage hint for the command; returns 2. */
int cairn_cli_usage(const struct cairn_cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Image path from a command argument: drops a leading ':' and trailing
 * '/'s and makes it absolute. Returns buf, or NULL when too long. */
const char *cairn_cli_ipath(const char *arg, char *buf, size_t len);

/* Progress on stderr, only when stdout is a terminal. */
void cairn_cli_progress(const char *what, uint64_t done, uint64_t total);
void cairn_cli_progress_end(void);
/* Progress of a long walk the filesystem does on its own (fsck): the image's
 * bytes read so far, shown as `what`; NULL stops it. */
void cairn_cli_watch_reads(struct cairn_img *img, const char *what);

/* Install the host clock (or SOURCE_DATE_EPOCH when set) for timestamps. */
void cairn_cli_clock_init(void);

/* One directory entry with its stat, for listings. */
struct cairn_cli_ent {
    char *name;
    struct cairn_stat st;
};

/*
 * Read a whole image directory into a sorted (bytewise by name) array.
 * The iterator is closed before returning, so callers may recurse.
 * Returns the count (>= 0) or a negative errno. Free with cairn_cli_ents_free.
 */
int cairn_cli_readdir(const char *path, struct cairn_cli_ent **out);
void cairn_cli_ents_free(struct cairn_cli_ent *ents, int n);

/* "dir" + "/" + "name" into buf (no doubled '/'); NULL when too long. */
const char *cairn_cli_join(const char *dir, const char *name, char *buf, size_t len);

/* Help texts (help.c). */
void cairn_cli_help_main(FILE *out);
/* Man-page style help for one command; 0, or -1 for an unknown command. */
int cairn_cli_help_cmd(const char *cmd, FILE *out);
/* One-line synopsis of a command, or NULL. */
const char *cairn_cli_synopsis(const char *cmd);

/* Commands: each returns the exit status. */
int cairn_cmd_mkfs(struct cairn_cli *c);
int cairn_cmd_info(struct cairn_cli *c);
int cairn_cmd_ls(struct cairn_cli *c);
int cairn_cmd_tree(struct cairn_cli *c);
int cairn_cmd_cat(struct cairn_cli *c);
int cairn_cmd_cp(struct cairn_cli *c);
int cairn_cmd_mkdir(struct cairn_cli *c);
int cairn_cmd_rmdir(struct cairn_cli *c);
int cairn_cmd_rm(struct cairn_cli *c);
int cairn_cmd_mv(struct cairn_cli *c);
int cairn_cmd_df(struct cairn_cli *c);
int cairn_cmd_fsck(struct cairn_cli *c);
int cairn_cmd_pack(struct cairn_cli *c);
int cairn_cmd_unpack(struct cairn_cli *c);
int cairn_cmd_label(struct cairn_cli *c);
int cairn_cmd_mount(struct cairn_cli *c);
int cairn_cmd_demo(struct cairn_cli *c);

#endif /* CAIRN_TOOLS_CLI_H */
