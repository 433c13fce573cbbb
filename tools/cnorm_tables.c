/*
 * cnorm_tables.c - write data/cnorm_tables.tsv: the content stage's
 * look-alike letters (UTS #39 skeleton) and simplified-only Han characters
 * (not in CP932, changed by ICU's Hans-Hant), computed with this ICU.
 *
 *   build/cnorm_tables > data/cnorm_tables.tsv
 *
 * kensa reads the file at start instead of building an ICU transliterator
 * (~45 ms per process); without the file it computes the same tables.
 * tests/unit/test_content.c fails when the file differs from what ICU gives.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../src/content/content.h"

int main(void)
{
    char *err = NULL;
    if (content_tables_dump_icu(stdout, &err) || fflush(stdout)) {
        fprintf(stderr, "cnorm_tables: %s\n", err ? err : "write error");
        free(err);
        return 1;
    }
    return 0;
}
