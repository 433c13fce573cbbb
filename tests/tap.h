/*
 * tap.h - the few lines of TAP our C tests print ("ok N - what" /
 * "not ok N - what"); tests/run.sh counts them.
 */
#ifndef KENSA_TAP_H
#define KENSA_TAP_H
#include <stdio.h>

static int tap_n, tap_failed;

#define TAP_OK(cond, ...)                                                                     \
    do {                                                                                      \
        int tap_c_ = (cond) ? 1 : 0;                                                          \
        printf("%sok %d - ", tap_c_ ? "" : "not ", ++tap_n);                                  \
        printf(__VA_ARGS__);                                                                  \
        printf("\n");                                                                         \
        if (!tap_c_) {                                                                        \
            tap_failed++;                                                                     \
            printf("#   at %s:%d: %s\n", __FILE__, __LINE__, #cond);                          \
        }                                                                                     \
    } while (0)

#define TAP_DONE() (printf("1..%d\n", tap_n), tap_failed ? 1 : 0)
#endif
