/*
 * fuzz_html.c - libFuzzer entry for HTML alone: link extraction from one
 * text/html part (links_extract -> links_scan_html, gumbo), the visible-text
 * rendering (html_visible_text) and the <meta charset> sniffer. The bytes are
 * taken whole (NULs included, text_len set) for the sniffer and the visible
 * text; link extraction gets them up to the first NUL, as the MIME stage
 * hands it NUL-free UTF-8. Needs data/redirectors.tsv ($KENSA_DATA_DIR,
 * default ./data). Differential: when the prescan (src/mime/html_prescan.c)
 * cuts anything, gumbo's tree of its output must equal the tree of the input
 * but for what no stage reads (tests/unit/html_tree.h), its text pieces
 * put back, else abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/links/links.h"
#include "../src/mime/charset.h"
#include "../src/mime/html_prescan.h"
#include "../src/mime/html_text.h"
#include "../tests/unit/html_tree.h"

static links_data *ld;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("KENSA_DATA_DIR");
    char *err = NULL;
    ld = links_data_load(dir ? dir : "data", &err);
    free(err);
    if (!ld)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    arena *a = arena_new(256u << 20);
    html_sniff_meta_charset(a, (const char *)data, size);
    /* the MIME stage only hands valid UTF-8 on: make it so */
    size_t ul = 0;
    char *u = charset_to_utf8(a, "utf-8", (const char *)data, size, &ul, NULL);
    if (u) {
        size_t ulen = strlen(u);
        char *cut = malloc(ulen + 1);
        html_pieces pc = {0};
        size_t cl = cut ? html_prescan(u, ulen, cut, &pc) : 0;
        if (cl) {
            char *x = html_tree_dump(u, ulen), *y = html_tree_dump_pieces(cut, cl, &pc);
            if (x && y && strcmp(x, y) != 0)
                abort(); /* the prescan changed the tree */
            free(x);
            free(y);
        }
        html_pieces_free(&pc);
        free(cut);
        char *t = html_visible_text(a, u, strlen(u), 1u << 20);
        if (t && !charset_utf8_valid(t, strlen(t)))
            abort();
        km_message *m = arena_alloc(a, sizeof *m);
        memset(m, 0, sizeof *m);
        m->a = a;
        m->parts = arena_alloc(a, sizeof *m->parts);
        memset(m->parts, 0, sizeof *m->parts);
        m->nparts = 1;
        m->parts[0].content_type = "text/html";
        m->parts[0].text = u;
        m->parts[0].text_len = strlen(u);
        links_result r;
        if (links_extract(a, ld, m, &r) == 0)
            for (size_t i = 0; i < r.n; i++)
                links_defang_url(a, r.v[i].url);
    }
    arena_free(a);
    return 0;
}
