// cairn command-line tool: entry point (placeholder until the CLI lands).
#include <stdio.h>
#include <string.h>

#include "cairn/cairn.h"

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--version") == 0)) {
        printf("cairn %s\n", CAIRN_VERSION_STRING);
        return 0;
    }
    fprintf(stderr, "cairn: not implemented yet\n");
    return 2;
}
