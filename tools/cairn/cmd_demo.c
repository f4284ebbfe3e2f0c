// cairn CLI: `demo` runs the seed walk-through on the emulated board
// (port/host/demo.c).
#include "cairn/host_demo.h"
#include "cli.h"

int cairn_cmd_demo(struct cairn_cli *c)
{
    if (c->argc > 1) {
        return cairn_cli_usage(c, "too many arguments");
    }
    // without DIR the board's images live in memory only
    int rc = cairn_host_demo(c->argc ? c->argv[0] : NULL, stdout);
    fflush(stdout);
    if (rc != 0) {
        return cairn_cli_err("demo", rc);
    }
    return CLI_EXIT_OK;
}
