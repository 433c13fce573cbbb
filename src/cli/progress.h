/*
 * progress.h - a progress line on stderr for long batches: count, rate and
 * ETA, redrawn at most five times a second once the batch has run for two
 * seconds. Only when stderr is a terminal; silent (NULL) otherwise. The total
 * comes from a second, low-cost walk of the same inputs on its own thread
 * (not for stdin); until it is known the line shows count and rate only.
 */
#ifndef KENSA_PROGRESS_H
#define KENSA_PROGRESS_H

#include <stddef.h>

typedef struct progress progress;

/* NULL when stderr is not a terminal (or KENSA_NO_PROGRESS is set). */
progress *progress_start(char *const *args, int nargs);
/* done: messages finished so far (called from one thread). */
void progress_tick(progress *p, size_t done);
/* Clears the line before other output on stderr (NULL is fine). */
void progress_clear(progress *p);
/* Clears the line and frees p (NULL is fine). */
void progress_end(progress *p);

#endif
