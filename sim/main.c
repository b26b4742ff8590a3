/* SPDX-License-Identifier: MIT */
/*
 * main.c - the distsim command line. The only file that prints, exits, or
 * knows every model kind.
 */
#include <stdio.h>
#include <string.h>

#define DISTSIM_VERSION "0.1.0"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("distsim %s\n", DISTSIM_VERSION);
        return 0;
    }
    fprintf(stderr, "usage: distsim --version\n");
    return 2;
}
