/*
 * commands.h - the subcommands main() dispatches to besides analyze.
 * Each takes the arguments after its name and returns the exit status
 * (0 ok, 1 usage error or cannot start, 2 some input failed).
 */
#ifndef KENSA_COMMANDS_H
#define KENSA_COMMANDS_H

/* kensa ingest [--db PATH|--pg CONNINFO] [-j N] INPUT...  (src/cli/ingest.c) */
int cmd_ingest(int argc, char **argv);
/* kensa trends [--db PATH|--pg CONNINFO] [--since D] [--until D] [--week]
 *              [--format json|md|html] [--lang ja|en]   (src/cli/trends.c) */
int cmd_trends(int argc, char **argv);

/* main()'s argv, kept for kensa_exec_full() */
extern char **kensa_main_argv;

/* The offline `kensa` binary (src/cli/full.c): run `kensa-full` with the
 * same arguments. Returns only when it cannot (with the reason in *err). */
void kensa_exec_full(const char *why, char **err);

#endif
