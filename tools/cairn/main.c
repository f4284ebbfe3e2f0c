// cairn command-line tool: option parsing, dispatch and the shared helpers.
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

// ---- commands -----------------------------------------------------------------

struct cli_cmd {
    const char *name;
    int (*fn)(struct cairn_cli *c);
};

static const struct cli_cmd cli_cmds[] = {
    {"mkfs", cairn_cmd_mkfs},   {"info", cairn_cmd_info},     {"ls", cairn_cmd_ls},
    {"tree", cairn_cmd_tree},   {"cat", cairn_cmd_cat},       {"cp", cairn_cmd_cp},
    {"mkdir", cairn_cmd_mkdir}, {"rmdir", cairn_cmd_rmdir},   {"rm", cairn_cmd_rm},
    {"mv", cairn_cmd_mv},       {"df", cairn_cmd_df},         {"fsck", cairn_cmd_fsck},
    {"pack", cairn_cmd_pack},   {"unpack", cairn_cmd_unpack}, {"label", cairn_cmd_label},
    {"mount", cairn_cmd_mount}, {"demo", cairn_cmd_demo},     {"help", NULL},
};
#define CLI_NCMDS (sizeof cli_cmds / sizeof cli_cmds[0])

// ---- options --------------------------------------------------------------------

enum cli_opt_id {
    O_IMAGE,
    O_OFFSET,
    O_AREA,
    O_BOARD,
    O_PARTITION,
    O_FS,
    O_BLOCK_SIZE,
    O_BLOCK_COUNT,
    O_READ_SIZE,
    O_PROG_SIZE,
    O_LOOKAHEAD,
    O_READ_ONLY,
    O_HELP,
    O_VERSION,
    O_SIZE,
    O_LABEL,
    O_LONG,
    O_RECURSIVE,
    O_JSON,
    O_PARENTS,
    O_PRESERVE,
    O_FORCE,
    O_REPAIR,
    O_FOREGROUND,
    O_FUSE_OPTS,
    O_VERBOSE,
};

struct cli_opt {
    const char *name; // long name
    char short_name;  // 0 = none
    char has_arg;
    enum cli_opt_id id;
    const char *cmds; // space-separated commands that take it; NULL = global
};

// The same letter may mean different things to different commands (-p, -f).
static const struct cli_opt cli_opts[] = {
    {"image", 'i', 1, O_IMAGE, NULL},
    {"offset", 0, 1, O_OFFSET, NULL},
    {"area", 0, 1, O_AREA, NULL},
    {"board", 0, 1, O_BOARD, NULL},
    {"partition", 0, 1, O_PARTITION, NULL},
    {"fs", 0, 1, O_FS, NULL},
    {"block-size", 0, 1, O_BLOCK_SIZE, NULL},
    {"block-count", 0, 1, O_BLOCK_COUNT, NULL},
    {"read-size", 0, 1, O_READ_SIZE, NULL},
    {"prog-size", 0, 1, O_PROG_SIZE, NULL},
    {"lookahead", 0, 1, O_LOOKAHEAD, NULL},
    {"read-only", 0, 0, O_READ_ONLY, NULL},
    {"help", 'h', 0, O_HELP, NULL},
    {"version", 0, 0, O_VERSION, NULL},
    {"size", 0, 1, O_SIZE, "mkfs pack"},
    {"label", 0, 1, O_LABEL, "mkfs pack"},
    {"long", 'l', 0, O_LONG, "ls"},
    {"recursive", 'R', 0, O_RECURSIVE, "ls cp rm"},
    {"recursive", 'r', 0, O_RECURSIVE, "cp rm"},
    {"json", 0, 0, O_JSON, "ls"},
    {"parents", 'p', 0, O_PARENTS, "mkdir"},
    {"preserve", 'p', 0, O_PRESERVE, "cp"},
    {"force", 'f', 0, O_FORCE, "rm"},
    {"foreground", 'f', 0, O_FOREGROUND, "mount"},
    {"options", 'o', 1, O_FUSE_OPTS, "mount"},
    {"repair", 0, 0, O_REPAIR, "fsck"},
    {"verbose", 'v', 0, O_VERBOSE, "fsck"},
};
#define CLI_NOPTS (sizeof cli_opts / sizeof cli_opts[0])

static int cli_cmd_takes(const struct cli_opt *o, const char *cmd)
{
    if (o->cmds == NULL) {
        return 1;
    }
    if (cmd == NULL) {
        return 0;
    }
    size_t n = strlen(cmd);
    for (const char *p = o->cmds; *p;) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && memcmp(p, cmd, n) == 0) {
            return 1;
        }
        p += len;
        while (*p == ' ') {
            p++;
        }
    }
    return 0;
}

// Find an option by long name (len bytes) or short letter, preferring the
// command's own meaning; with cmd == NULL any meaning (for the first pass).
static const struct cli_opt *cli_find(const char *lname, size_t len, char sname, const char *cmd,
                                      int any)
{
    const struct cli_opt *fallback = NULL;
    for (size_t i = 0; i < CLI_NOPTS; i++) {
        const struct cli_opt *o = &cli_opts[i];
        int match = lname ? (strlen(o->name) == len && memcmp(o->name, lname, len) == 0)
                          : (o->short_name != 0 && o->short_name == sname);
        if (!match) {
            continue;
        }
        if (cli_cmd_takes(o, cmd)) {
            return o;
        }
        if (fallback == NULL) {
            fallback = o;
        }
    }
    return any ? fallback : NULL;
}

static int cli_u32(struct cairn_cli *c, const char *name, const char *v, uint32_t *out)
{
    uint64_t x;
    if (cairn_cli_parse_size(v, &x) != 0 || x > UINT32_MAX) {
        return cairn_cli_usage(c, "invalid value for --%s: '%s'", name, v);
    }
    *out = (uint32_t)x;
    return 0;
}

static int cli_set(struct cairn_cli *c, const struct cli_opt *o, const char *v)
{
    uint64_t x;
    switch (o->id) {
    case O_IMAGE:
        c->image = v;
        break;
    case O_OFFSET:
        if (cairn_cli_parse_size(v, &c->offset) != 0) {
            return cairn_cli_usage(c, "invalid value for --offset: '%s'", v);
        }
        c->has_offset = 1;
        break;
    case O_AREA:
        c->area = v;
        break;
    case O_BOARD:
        c->board = v;
        break;
    case O_PARTITION:
        if (cairn_cli_parse_size(v, &x) != 0 || x > 4) {
            return cairn_cli_usage(c, "invalid partition '%s' (0..4)", v);
        }
        c->partition = (int)x;
        break;
    case O_FS:
        if (strcmp(v, "fat") == 0 || strcmp(v, "lfs2") == 0) {
            c->fs = v;
        } else if (strcmp(v, "littlefs") == 0) {
            c->fs = "lfs2";
        } else {
            return cairn_cli_usage(c, "unknown filesystem '%s' (fat or lfs2)", v);
        }
        break;
    case O_BLOCK_SIZE:
        return cli_u32(c, o->name, v, &c->block_size);
    case O_BLOCK_COUNT:
        return cli_u32(c, o->name, v, &c->block_count);
    case O_READ_SIZE:
        return cli_u32(c, o->name, v, &c->read_size);
    case O_PROG_SIZE:
        return cli_u32(c, o->name, v, &c->prog_size);
    case O_LOOKAHEAD:
        return cli_u32(c, o->name, v, &c->lookahead);
    case O_READ_ONLY:
        c->read_only = 1;
        break;
    case O_SIZE:
        if (cairn_cli_parse_size(v, &c->size) != 0 || c->size == 0) {
            return cairn_cli_usage(c, "invalid size '%s'", v);
        }
        c->has_size = 1;
        break;
    case O_LABEL:
        c->label = v;
        break;
    case O_LONG:
        c->long_fmt = 1;
        break;
    case O_RECURSIVE:
        c->recursive = 1;
        break;
    case O_JSON:
        c->json = 1;
        break;
    case O_PARENTS:
        c->parents = 1;
        break;
    case O_PRESERVE:
        c->preserve = 1;
        break;
    case O_FORCE:
        c->force = 1;
        break;
    case O_REPAIR:
        c->repair = 1;
        break;
    case O_FOREGROUND:
        c->foreground = 1;
        break;
    case O_FUSE_OPTS:
        c->fuse_opts = v;
        break;
    case O_VERBOSE:
        c->verbose = 1;
        break;
    case O_HELP:
    case O_VERSION:
        break; // handled by the caller
    }
    return 0;
}

// First pass: the command is the first argument that is neither an option
// nor an option's value.
static int cli_find_cmd(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            return i + 1 < argc ? i + 1 : -1;
        }
        if (a[0] != '-' || a[1] == '\0') {
            return i;
        }
        const struct cli_opt *o;
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            o = cli_find(a + 2, len, 0, NULL, 1);
            if (o && o->has_arg && !eq) {
                i++;
            }
        } else {
            // a cluster of short options; the first taking a value ends it
            for (const char *p = a + 1; *p; p++) {
                o = cli_find(NULL, 0, *p, NULL, 1);
                if (o && o->has_arg) {
                    if (p[1] == '\0') {
                        i++;
                    }
                    break;
                }
            }
        }
    }
    return -1;
}

static int cli_want_help, cli_want_version;

// Second pass: every option, with the command's meanings; positionals kept.
static int cli_parse(struct cairn_cli *c, int argc, char **argv, int cmd_index)
{
    c->argv = calloc((size_t)argc + 1, sizeof *c->argv);
    if (c->argv == NULL) {
        return cairn_cli_err("memory", CAIRN_ENOMEM);
    }
    int only_pos = 0;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (i == cmd_index) {
            continue;
        }
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            c->argv[c->argc++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            const struct cli_opt *o = cli_find(a + 2, len, 0, c->cmd, 0);
            if (o == NULL) {
                if (eq) {
                    return cairn_cli_usage(c, "unknown option '%.*s'", (int)(eq - a), a);
                }
                return cairn_cli_usage(c, "unknown option '%s'", a);
            }
            const char *v = NULL;
            if (o->has_arg) {
                if (eq) {
                    v = eq + 1;
                } else if (i + 1 < argc) {
                    v = argv[++i];
                } else {
                    return cairn_cli_usage(c, "option '--%s' needs a value", o->name);
                }
            } else if (eq) {
                return cairn_cli_usage(c, "option '--%s' takes no value", o->name);
            }
            if (o->id == O_HELP) {
                cli_want_help = 1;
            } else if (o->id == O_VERSION) {
                cli_want_version = 1;
            }
            int rc = cli_set(c, o, v);
            if (rc) {
                return rc;
            }
            continue;
        }
        for (const char *p = a + 1; *p; p++) {
            const struct cli_opt *o = cli_find(NULL, 0, *p, c->cmd, 0);
            if (o == NULL) {
                return cairn_cli_usage(c, "unknown option '-%c'", *p);
            }
            if (o->id == O_HELP) {
                cli_want_help = 1;
            }
            const char *v = NULL;
            if (o->has_arg) {
                if (p[1] != '\0') {
                    v = p + 1;
                } else if (i + 1 < argc) {
                    v = argv[++i];
                } else {
                    return cairn_cli_usage(c, "option '-%c' needs a value", *p);
                }
            }
            int rc = cli_set(c, o, v);
            if (rc) {
                return rc;
            }
            if (v) {
                break;
            }
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct cairn_cli c;
    memset(&c, 0, sizeof c);
    c.partition = -1;

    int ci = cli_find_cmd(argc, argv);
    if (ci > 0) {
        c.cmd = argv[ci];
        const struct cli_cmd *found = NULL;
        for (size_t i = 0; i < CLI_NCMDS; i++) {
            if (strcmp(cli_cmds[i].name, c.cmd) == 0) {
                found = &cli_cmds[i];
            }
        }
        if (found == NULL) {
            const char *bad = c.cmd;
            c.cmd = NULL;
            return cairn_cli_usage(&c, "unknown command '%s'", bad);
        }
    }
    int rc = cli_parse(&c, argc, argv, ci);
    if (rc) {
        free(c.argv);
        return rc;
    }
    if (cli_want_version) {
        printf("cairn %s\n", CAIRN_VERSION_STRING);
        free(c.argv);
        return 0;
    }
    if (c.cmd == NULL) {
        if (cli_want_help) {
            cairn_cli_help_main(stdout);
            free(c.argv);
            return 0;
        }
        free(c.argv);
        return cairn_cli_usage(&c, "no command given");
    }
    if (strcmp(c.cmd, "help") == 0 || cli_want_help) {
        const char *topic = strcmp(c.cmd, "help") == 0 ? (c.argc > 0 ? c.argv[0] : NULL) : c.cmd;
        if (topic == NULL) {
            cairn_cli_help_main(stdout);
            rc = 0;
        } else if (cairn_cli_help_cmd(topic, stdout) != 0) {
            c.cmd = NULL;
            rc = cairn_cli_usage(&c, "no help for unknown command '%s'", topic);
        } else {
            rc = 0;
        }
        free(c.argv);
        return rc;
    }
    if (c.image == NULL && strcmp(c.cmd, "demo") != 0) {
        rc = cairn_cli_usage(&c, "no image given (-i IMG)");
        free(c.argv);
        return rc;
    }
    cairn_cli_clock_init();
    for (size_t i = 0; i < CLI_NCMDS; i++) {
        if (strcmp(cli_cmds[i].name, c.cmd) == 0) {
            rc = cli_cmds[i].fn(&c);
            break;
        }
    }
    if (fflush(stdout) != 0 && rc == 0) {
        rc = cairn_cli_errno("stdout");
    }
    free(c.argv);
    return rc;
}

// ---- shared helpers ---------------------------------------------------------------

int cairn_cli_parse_size(const char *s, uint64_t *out)
{
    if (s == NULL || *s == '\0' || *s == '-' || *s == '+') {
        return -1;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno != 0 || end == s) {
        return -1;
    }
    unsigned shift = 0;
    switch (*end) {
    case '\0':
        break;
    case 'k':
    case 'K':
        shift = 10;
        end++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        end++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        end++;
        break;
    default:
        return -1;
    }
    if (shift && (*end == 'i' || *end == 'I')) {
        end++; // "KiB"
    }
    if (shift && (*end == 'b' || *end == 'B')) {
        end++;
    }
    if (*end != '\0') {
        return -1;
    }
    if (shift && v > (UINT64_MAX >> shift)) {
        return -1;
    }
    *out = (uint64_t)v << shift;
    return 0;
}

int cairn_cli_err(const char *what, int err)
{
    fflush(stdout);
    if (what && *what) {
        fprintf(stderr, "cairn: %s: %s\n", what, cairn_strerror(err));
    } else {
        fprintf(stderr, "cairn: %s\n", cairn_strerror(err));
    }
    return CLI_EXIT_FAIL;
}

int cairn_cli_errno(const char *what)
{
    int e = errno;
    fflush(stdout);
    fprintf(stderr, "cairn: %s: %s\n", what, strerror(e));
    return CLI_EXIT_FAIL;
}

int cairn_cli_usage(const struct cairn_cli *c, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("cairn: ", stderr);
    if (c && c->cmd && strcmp(c->cmd, "help") != 0) {
        fprintf(stderr, "%s: ", c->cmd);
    }
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (c && c->cmd && cairn_cli_synopsis(c->cmd)) {
        fprintf(stderr, "Try 'cairn %s --help' for more information.\n", c->cmd);
    } else {
        fputs("Try 'cairn --help' for the list of commands.\n", stderr);
    }
    return CLI_EXIT_USAGE;
}

const char *cairn_cli_ipath(const char *arg, char *buf, size_t len)
{
    if (arg[0] == ':') {
        arg++;
    }
    int n = snprintf(buf, len, "%s%s", arg[0] == '/' ? "" : "/", arg);
    if (n < 0 || (size_t)n >= len) {
        return NULL;
    }
    // "dir/" means "dir" (FAT rejects the trailing slash, littlefs not)
    while (n > 1 && buf[n - 1] == '/') {
        buf[--n] = '\0';
    }
    return buf;
}

static int cli_progress_shown;

void cairn_cli_progress(const char *what, uint64_t done, uint64_t total)
{
    static int tty = -1;
    static time_t last;
    if (tty < 0) {
        tty = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
    }
    if (!tty) {
        return;
    }
    time_t now = time(NULL);
    if (now == last && done != total) {
        return; // at most once a second, and the final figure
    }
    last = now;
    if (total) {
        fprintf(stderr, "\r%s: %llu/%llu", what, (unsigned long long)done,
                (unsigned long long)total);
    } else {
        fprintf(stderr, "\r%s: %llu", what, (unsigned long long)done);
    }
    cli_progress_shown = 1;
}

void cairn_cli_progress_end(void)
{
    if (cli_progress_shown) {
        fputc('\n', stderr);
        cli_progress_shown = 0;
    }
}

static int64_t cli_clock(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t cli_fixed_ns;

static int64_t cli_fixed_clock(void *ctx)
{
    (void)ctx;
    return cli_fixed_ns;
}

void cairn_cli_clock_init(void)
{
    // SOURCE_DATE_EPOCH makes images reproducible (and tests deterministic).
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        long long v = strtoll(sde, &end, 10);
        if (*end == '\0') {
            cli_fixed_ns = v * 1000000000LL;
            cairn_clock_set(cli_fixed_clock, NULL);
            return;
        }
    }
    cairn_clock_set(cli_clock, NULL);
}
