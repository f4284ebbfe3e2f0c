// cairn CLI: help texts. `cairn --help` lists the commands; `cairn help CMD`
// and `cairn CMD --help` print a man-page style page.
#include <string.h>

#include "cli.h"

struct help_page {
    const char *name;
    const char *summary;
    const char *synopsis;
    const char *description;
    const char *options; // command options; the global ones are appended
    const char *exit_status;
    const char *examples;
};

static const char help_exit_default[] =
    "0 on success; 1 when an operation failed (the message says which path and why);\n"
    "2 for a usage error.";

static const struct help_page help_pages[] = {
    {"mkfs", "create and format an image",
     "cairn mkfs -i IMG --fs fat|lfs2 [--size SIZE] [--block-size N] [--label L]\n"
     "           [--read-size N] [--prog-size N] [--lookahead N]",
     "Creates IMG at SIZE when it does not exist (or resizes a regular file to exactly\n"
     "SIZE), then formats it the way VfsFat.mkfs / VfsLfs2.mkfs do. FAT picks FAT12/16 by\n"
     "size and falls back to FAT32 with a partition table on large images. littlefs uses\n"
     "4096-byte blocks unless --block-size says otherwise; new littlefs images are filled\n"
     "with 0xFF like erased flash.",
     "--size SIZE       size of the image (K, M, G suffixes); required for a new file\n"
     "--label L         FAT volume label (default NO NAME)",
     help_exit_default,
     "cairn mkfs -i sd.img --fs fat --size 64M\n"
     "cairn mkfs -i flash.img --fs lfs2 --size 1M --block-size 4096"},
    {"info", "show filesystem type, geometry, label and space", "cairn info -i IMG",
     "Prints the filesystem type and version, the block size and count, the allocation\n"
     "unit, total/used/free space and, for FAT, the volume label.",
     "", help_exit_default, "cairn info -i sd.img"},
    {"ls", "list a directory", "cairn ls -i IMG [-l] [-R] [--json] [PATH...]",
     "Lists PATH (default /) in name order. A file argument lists that file.\n"
     "-l adds the type (d or -), size and mtime (UTC; - when the filesystem keeps none).\n"
     "-R lists subdirectories too, as paths relative to PATH.\n"
     "--json prints an array of {\"path\",\"type\":\"file\"|\"dir\",\"size\",\"mtime\"} with\n"
     "absolute paths; mtime is seconds since 1970 or null.",
     "-l, --long        long format\n"
     "-R, --recursive   descend into directories\n"
     "--json            JSON output",
     help_exit_default, "cairn ls -i sd.img -l /\ncairn ls -i flash.img -R --json"},
    {"tree", "show the tree, indented", "cairn tree -i IMG [PATH]",
     "Prints PATH (default /) and everything below it as an indented tree, then the\n"
     "number of directories and files.",
     "", help_exit_default, "cairn tree -i sd.img"},
    {"cat", "write files to stdout", "cairn cat -i IMG PATH...",
     "Writes the contents of each file to stdout, byte-exact.", "", help_exit_default,
     "cairn cat -i sd.img /boot.py"},
    {"cp", "copy files between the host and the image", "cairn cp -i IMG [-r] [-p] SRC... DST",
     "Copies files. Paths inside the image start with ':' (':/lib/a.py'), host paths do\n"
     "not; '-' is stdin (as SRC) or stdout (as DST). Host to image, image to host and\n"
     "image to image copies work. When DST is an existing directory the sources are\n"
     "copied into it; with several sources it must be one. -r copies directories.",
     "-r, -R, --recursive  copy directories recursively\n"
     "-p, --preserve      keep modification times",
     help_exit_default,
     "cairn cp -i sd.img main.py :/\n"
     "cairn cp -i sd.img -r :/lib ./lib-backup\n"
     "echo hello | cairn cp -i sd.img - :/hello.txt"},
    {"mkdir", "make directories", "cairn mkdir -i IMG [-p] PATH...",
     "Creates each directory. -p creates missing parents and accepts existing ones.",
     "-p, --parents     make parents as needed", help_exit_default,
     "cairn mkdir -i sd.img -p /lib/drivers"},
    {"rmdir", "remove empty directories", "cairn rmdir -i IMG PATH...",
     "Removes each directory, which must be empty.", "", help_exit_default,
     "cairn rmdir -i sd.img /old"},
    {"rm", "remove files", "cairn rm -i IMG [-r] [-f] PATH...",
     "Removes files; -r removes directories and everything in them.",
     "-r, -R, --recursive  remove directories and their contents\n"
     "-f, --force         ignore paths that do not exist",
     help_exit_default, "cairn rm -i sd.img -r /logs"},
    {"mv", "rename or move", "cairn mv -i IMG OLD NEW",
     "Renames OLD to NEW (atomically on littlefs). When NEW is an existing directory,\n"
     "OLD moves into it.",
     "", help_exit_default, "cairn mv -i sd.img /a.txt /b.txt"},
    {"df", "show size, used and free space", "cairn df -i IMG",
     "Prints the size, used and available bytes (statvfs) and the filesystem type.", "",
     help_exit_default, "cairn df -i sd.img"},
    {"fsck", "check (and repair) the filesystem", "cairn fsck -i IMG [--repair] [-v]",
     "Checks every structure and prints one line per problem, then a summary line.\n"
     "--repair fixes what can be fixed (the image is opened for writing).",
     "--repair          repair the problems found\n"
     "-v, --verbose     report more detail",
     "0 when the filesystem is clean; 1 when problems were found (repaired or not) or the\n"
     "check could not run; 2 for a usage error.",
     "cairn fsck -i sd.img\ncairn fsck -i sd.img --repair"},
    {"pack", "make an image from a host directory",
     "cairn pack -i IMG --fs fat|lfs2 --size SIZE [--block-size N] [--label L] DIR",
     "Formats IMG (exactly SIZE bytes; created if absent) and copies the tree under DIR\n"
     "into it, keeping modification times. Names are UTF-8.",
     "--size SIZE       size of the image (K, M, G suffixes)\n"
     "--label L         FAT volume label",
     help_exit_default, "cairn pack -i flash.img --fs lfs2 --size 1M ./rootfs"},
    {"unpack", "copy the whole image out to a host directory", "cairn unpack -i IMG DIR",
     "Copies every file and directory of IMG into DIR (created if needed) and restores\n"
     "the modification times.",
     "", help_exit_default, "cairn unpack -i flash.img ./out"},
    {"label", "show or set the FAT volume label", "cairn label -i IMG [NEW]",
     "Prints the volume label, or sets it to NEW (FAT only).", "", help_exit_default,
     "cairn label -i sd.img DATA"},
    {"mount", "mount the image on the host (FUSE)", "cairn mount -i IMG [-f] [-o OPTS] MOUNTPOINT",
     "Mounts IMG at MOUNTPOINT through FUSE: read, write, create, mkdir, rename, remove,\n"
     "truncate and stat work. Unmount with 'fusermount3 -u MOUNTPOINT'; a clean unmount\n"
     "syncs the image. Without -f the command returns once the mount is up.\n"
     "Only available when cairn was built with libfuse3.",
     "-f, --foreground  stay in the foreground until unmounted\n"
     "-o OPTS           extra FUSE mount options",
     "0 after a clean unmount (foreground) or once mounted; 1 on failure or when FUSE\n"
     "support is not built in; 2 for a usage error.",
     "cairn mount -i sd.img /mnt/sd\nfusermount3 -u /mnt/sd"},
    {"demo", "the seed walk-through on the emulated board", "cairn demo [DIR]",
     "Runs the walk-through on the emulated Zephyr board: an SD card with FAT and a\n"
     "flash partition with littlefs. The images (sd.img, flash.img) are kept in DIR,\n"
     "where 'cairn ls -i DIR/sd.img' and 'cairn ls -i DIR/flash.img --area storage'\n"
     "can look at them; without DIR they live in memory only.",
     "", help_exit_default, "cairn demo build/demo"},
    {"help", "show help for a command", "cairn help [COMMAND]",
     "Without COMMAND lists the commands; with one prints its manual page.", "",
     "0; 2 for an unknown command.", "cairn help cp"},
};
#define HELP_NPAGES (sizeof help_pages / sizeof help_pages[0])

static const char help_global[] =
    "-i, --image IMG      the image file or block device to work on\n"
    "--offset BYTES       the filesystem starts this far into IMG (a flash dump)\n"
    "--area NAME|ID       one partition of IMG (a dump of the board's flash) through\n"
    "                     the board's flash map, e.g. --area storage\n"
    "--board FILE         board description for --area (default: the built-in board)\n"
    "--partition N        MBR partition N (1..4) of a disk image (default: the first FAT\n"
    "                     partition, or the whole image without a partition table)\n"
    "--fs fat|lfs2        force the filesystem type (default: detect it)\n"
    "--block-size N       block size (littlefs: default from the superblock)\n"
    "--block-count N      littlefs block count (default from the superblock)\n"
    "--read-size N, --prog-size N, --lookahead N\n"
    "                     littlefs cache geometry (defaults 32, 32, sized to the image)\n"
    "--read-only          open the image read-only; changes fail with EROFS\n"
    "-h, --help           this help";

static void help_indent(FILE *out, const char *text)
{
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        fprintf(out, "    %.*s\n", (int)n, p);
        p += n;
        if (*p == '\n') {
            p++;
        }
    }
}

void cairn_cli_help_main(FILE *out)
{
    fprintf(out, "cairn %s - make, inspect, check, pack and unpack FAT and littlefs images\n\n",
            CAIRN_VERSION_STRING);
    fprintf(out, "Usage: cairn [GLOBAL OPTIONS] COMMAND [ARGS]\n\nCommands:\n");
    for (size_t i = 0; i < HELP_NPAGES; i++) {
        fprintf(out, "  %-8s %s\n", help_pages[i].name, help_pages[i].summary);
    }
    fprintf(out, "\nGlobal options (before or after the command):\n");
    help_indent(out, help_global);
    fprintf(out, "\nSizes accept K, M and G suffixes (powers of 1024).\n"
                 "Image paths are absolute or relative to /; a leading ':' is accepted.\n"
                 "'cairn help COMMAND' or 'cairn COMMAND --help' shows a command's manual.\n"
                 "'cairn --version' prints the version.\n");
}

static const struct help_page *help_find(const char *cmd)
{
    for (size_t i = 0; i < HELP_NPAGES; i++) {
        if (strcmp(help_pages[i].name, cmd) == 0) {
            return &help_pages[i];
        }
    }
    return NULL;
}

const char *cairn_cli_synopsis(const char *cmd)
{
    const struct help_page *h = help_find(cmd);
    return h ? h->synopsis : NULL;
}

int cairn_cli_help_cmd(const char *cmd, FILE *out)
{
    const struct help_page *h = help_find(cmd);
    if (h == NULL) {
        return -1;
    }
    fprintf(out, "NAME\n    cairn %s - %s\n\nSYNOPSIS\n", h->name, h->summary);
    help_indent(out, h->synopsis);
    fprintf(out, "\nDESCRIPTION\n");
    help_indent(out, h->description);
    fprintf(out, "\nOPTIONS\n");
    if (h->options[0]) {
        help_indent(out, h->options);
        fputc('\n', out);
    }
    fprintf(out, "    Global options:\n");
    help_indent(out, help_global);
    fprintf(out, "\nEXIT STATUS\n");
    help_indent(out, h->exit_status);
    fprintf(out, "\nEXAMPLES\n");
    help_indent(out, h->examples);
    return 0;
}
