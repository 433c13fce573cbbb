/*
 * freemail.h - free mailbox providers (data/freemail.tsv): a sender there is
 * an individual, not a bank or a shop. Read-only after load.
 */
#ifndef KENSA_FREEMAIL_H
#define KENSA_FREEMAIL_H

typedef struct freemail_data freemail_data;

freemail_data *freemail_load(const char *data_dir, char **err);
void freemail_free(freemail_data *d);
/* 1 when the domain (or its registrable domain) is a free mailbox provider */
int freemail_is(const freemail_data *d, const char *domain);

#endif
