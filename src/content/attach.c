/*
 * attach.c - attachments that are lures by their type, as facts.
 *
 * Judged from the file name (and the declared type when there is no name):
 * HTML and SVG pages, disk images, archives (flagged by type only: kensa
 * does not open them), executables and scripts, double extensions
 * (請求書.pdf.exe) and bidi overrides that disguise the real extension.
 */
#include <string.h>

#include "internal.h"

static const char *const k_html[] = {"html", "htm", "shtml", "xhtml", "mht", "mhtml", NULL};
static const char *const k_svg[] = {"svg", "svgz", NULL};
static const char *const k_disk[] = {"iso", "img", "vhd", "vhdx", "udf", "dmg", NULL};
static const char *const k_arch[] = {"zip",  "rar", "7z",  "gz",  "tgz", "tar", "bz2",
                                     "xz",   "lzh", "lha", "cab", "arj", "ace", "z",
                                     "zipx", "r00", "uue", "zst", NULL};
static const char *const k_exe[] = {
    "exe",  "scr",  "js",  "jse", "vbs", "vbe", "bat", "cmd",         "lnk", "hta",
    "jar",  "msi",  "ps1", "wsf", "wsh", "com", "pif", "cpl",         "reg", "msc",
    "appx", "msix", "dll", "iqy", "one", "chm", "url", "application", NULL};
static const char *const k_doc[] = {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx",
                                    "txt", "rtf", "csv",  "jpg", "jpeg", "png", "gif",
                                    "bmp", "tif", "tiff", "mp3", "mp4",  "wav", NULL};

/* documents a lure mail asks the reader to open ("instructions in the attached PDF") */
static const char *const k_office[] = {"pdf", "doc", "docx", "docm", "xls", "xlsx", "xlsm",
                                       "ppt", "pptx", "rtf", "odt", NULL};

static int in(const char *const *l, const char *e)
{
    for (int i = 0; l[i]; i++)
        if (strcmp(l[i], e) == 0)
            return 1;
    return 0;
}

static int is_bidi(uint32_t c)
{
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E ||
           c == 0x200F || c == 0x061C;
}

/* lowercase extension ending at `end` (exclusive); "" when none */
static void ext_before(const char *n, size_t end, char *out, size_t cap, size_t *dot)
{
    out[0] = 0;
    *dot = (size_t)-1;
    size_t k = end;
    while (k > 0 && n[k - 1] != '.' && end - k < cap - 1)
        k--;
    if (k == 0 || n[k - 1] != '.')
        return;
    size_t j = 0;
    for (size_t i = k; i < end && j < cap - 1; i++) {
        char c = n[i];
        out[j++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    out[j] = 0;
    *dot = k - 1;
}

static void add(arena *a, content_result *o, const char *name, const char *kind, const char *why)
{
    if (o->nattach >= CONTENT_MAX_ATTACH)
        return;
    o->attach[o->nattach].name = (char *)name;
    o->attach[o->nattach].kind = kind;
    o->attach[o->nattach].why = arena_strdup(a, why);
    o->nattach++;
}

int content_attachments(arena *a, const km_message *m, content_result *out)
{
    out->attach = arena_alloc(a, CONTENT_MAX_ATTACH * sizeof *out->attach);
    if (!out->attach)
        return -1;
    for (size_t p = 0; p < m->nparts; p++) {
        const km_part *pt = &m->parts[p];
        const char *fn = pt->filename;
        const char *ct = pt->content_type ? pt->content_type : "";
        int is_att = pt->disposition && strcmp(pt->disposition, "attachment") == 0;
        if (!fn && !is_att)
            continue;
        /* visible name (bidi controls spelled out) and the real one without them */
        kbuf shown, real;
        kbuf_init(&shown, 4096);
        kbuf_init(&real, 4096);
        int bidi = 0;
        size_t fl = fn ? strlen(fn) : 0;
        for (size_t i = 0; i < fl;) {
            size_t st = i;
            uint32_t c = u8_next(fn, fl, &i);
            if (is_bidi(c)) {
                bidi = 1;
                kbuf_printf(&shown, "<U+%04X>", (unsigned)c);
            } else {
                kbuf_add(&shown, fn + st, i - st);
                kbuf_add(&real, fn + st, i - st);
            }
        }
        const char *name = fn ? kbuf_take_arena(&shown, a) : "(no name)";
        char *rn = arena_strdup(a, kbuf_str(&real));
        kbuf_free(&shown);
        kbuf_free(&real);
        if (!name || !rn)
            return -1;
        size_t rl = strlen(rn);
        while (rl && (rn[rl - 1] == ' ' || rn[rl - 1] == '.'))
            rl--; /* Windows drops trailing dots and spaces */
        char e1[16], e2[16];
        size_t d1, d2;
        ext_before(rn, rl, e1, sizeof e1, &d1);
        e2[0] = 0;
        if (d1 != (size_t)-1) {
            size_t end2 = d1;
            while (end2 > 0 && rn[end2 - 1] == ' ')
                end2--;
            ext_before(rn, end2, e2, sizeof e2, &d2);
        }
        if (bidi)
            add(a, out, name, "rtlo",
                "the file name holds a bidi control (such as U+202E): the extension shown is "
                "not the real one");
        const char *kind = NULL, *why = NULL;
        if (in(k_html, e1) || (!e1[0] && strcmp(ct, "text/html") == 0))
            kind = "html",
            why = "HTML attachment: opens a local page (a login form) in the browser";
        else if (in(k_svg, e1) || strcmp(ct, "image/svg+xml") == 0)
            kind = "svg", why = "SVG image: may carry script and links that run when opened";
        else if (in(k_disk, e1))
            kind = "disk_image", why = "disk image: mounts on open and bypasses Mark-of-the-Web";
        else if (in(k_arch, e1) || strcmp(ct, "application/zip") == 0 ||
                 strcmp(ct, "application/x-rar-compressed") == 0 ||
                 strcmp(ct, "application/x-7z-compressed") == 0)
            kind = "archive", why = "archive: contents not inspected";
        else if (in(k_exe, e1) || strcmp(ct, "application/x-msdownload") == 0 ||
                 strcmp(ct, "application/x-msdos-program") == 0)
            kind = "executable", why = "executable or script: runs code when opened";
        if (kind)
            add(a, out, name, kind, why);
        else if (!out->document && !pt->in_rfc822 && in(k_office, e1))
            out->document = name;
        if (e2[0] && in(k_doc, e2) && kind)
            add(a, out, name, "double_extension",
                arena_printf(a, "looks like .%s but is .%s", e2, e1));
    }
    return 0;
}
