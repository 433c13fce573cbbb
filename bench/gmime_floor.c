/*
 * gmime_floor.c - the floor for bench/run.sh: what a bare GMime parse of the
 * same mails costs. Reads each file named on the command line (or, with no
 * argument, one path per line on stdin), parses it with GMime and decodes
 * every text part to UTF-8 (g_mime_text_part_get_text); nothing else.
 * Prints "N messages, B bytes, T text bytes" on stdout.
 *
 *   cc -O2 -o gmime_floor gmime_floor.c $(pkg-config --cflags --libs gmime-3.0)
 */
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t text_bytes;

static void part_cb(GMimeObject *parent, GMimeObject *part, gpointer data)
{
    (void)parent;
    (void)data;
    if (GMIME_IS_TEXT_PART(part)) {
        char *t = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
        if (t) {
            text_bytes += strlen(t);
            g_free(t);
        }
    }
}

static int one(const char *path, size_t *bytes)
{
    gchar *buf = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &buf, &len, NULL))
        return -1;
    *bytes += len;
    GMimeStream *s = g_mime_stream_mem_new_with_buffer(buf, len);
    GMimeParser *p = g_mime_parser_new_with_stream(s);
    GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
    if (m) {
        g_mime_message_foreach(m, part_cb, NULL);
        g_object_unref(m);
    }
    g_object_unref(p);
    g_object_unref(s);
    g_free(buf);
    return m ? 0 : -1;
}

int main(int argc, char **argv)
{
    g_mime_init();
    size_t n = 0, bytes = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            if (one(argv[i], &bytes) == 0)
                n++;
    } else {
        char line[4096];
        while (fgets(line, sizeof line, stdin)) {
            line[strcspn(line, "\r\n")] = '\0';
            if (*line && one(line, &bytes) == 0)
                n++;
        }
    }
    printf("%zu messages, %zu bytes, %zu text bytes\n", n, bytes, text_bytes);
    g_mime_shutdown();
    return 0;
}
