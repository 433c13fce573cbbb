/*
 * limits.h - every bound kensa puts on one message, as named constants
 * (after SQLite's sqliteLimit.h). Each has a test in tests/cases that
 * crosses it; past a limit the analysis goes on with what was read and a
 * warning is recorded in message.warnings.
 */
#ifndef KENSA_LIMITS_H
#define KENSA_LIMITS_H

#define KM_MAX_MESSAGE_SIZE   (64u * 1024 * 1024) /* bytes of one message analyzed */
#define KM_MAX_MIME_DEPTH     32                  /* nesting of multipart/message parts */
#define KM_MAX_PARTS          1000                /* MIME leaf parts recorded */
#define KM_MAX_HEADERS        2000                /* header fields read per message */
#define KM_MAX_HEADER_LEN     (64u * 1024)        /* bytes of one header field value */
#define KM_MAX_TEXT           (4u * 1024 * 1024)  /* bytes of decoded text kept per part */
#define KM_MAX_ADDRESSES      256                 /* addresses kept per To/Reply-To */
#define KM_MAX_WARNINGS       64                  /* warnings recorded per message */
#define KM_ARENA_MAX          (1024u * 1024 * 1024) /* memory one analysis may use */

#endif
