/*
 * text.c - the short human summary (--format text): subject, sender,
 * dates and parts, in Japanese or English. Control characters in mail text
 * are replaced so a hostile subject cannot drive the terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/kbuf.h"
#include "report.h"

static void put_clean(kbuf *b, const char *s)
{
    if (!s) {
        kbuf_adds(b, "-");
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            kbuf_addc(b, ' ');
        else
            kbuf_addc(b, (char)*p);
    }
}

static void field(kbuf *b, const char *label, const char *v)
{
    kbuf_adds(b, label);
    put_clean(b, v);
    kbuf_addc(b, '\n');
}

char *report_text(const struct kensa_report *r, const char *lang)
{
    int ja = !lang || strcmp(lang, "en") != 0;
    const km_message *m = r->msg;
    kbuf b;
    kbuf_init(&b, 16u * 1024 * 1024);
    field(&b, ja ? "ファイル:     " : "File:         ", r->path ? r->path : "(stdin)");
    field(&b, ja ? "件名:         " : "Subject:      ", m->subject);
    if (m->subject_tag)
        field(&b, ja ? "件名タグ:     " : "Subject tag:  ", m->subject_tag);
    field(&b, ja ? "差出人名:     " : "From name:    ", m->has_from ? m->from.display_name : NULL);
    field(&b, ja ? "差出人:       " : "From address: ", m->has_from ? m->from.address : NULL);
    field(&b, "Return-Path:  ", m->return_path);
    for (size_t i = 0; i < m->nreply_to; i++)
        field(&b, "Reply-To:     ", m->reply_to[i].address);
    field(&b, ja ? "送信日時:     " : "Date:         ", m->date);
    field(&b, ja ? "受信日時:     " : "Received at:  ", m->received_at);
    field(&b, "Message-ID:   ", m->message_id);
    kbuf_printf(&b, "%s%zu\n", ja ? "パート数:     " : "Parts:        ", m->nparts);
    for (size_t i = 0; i < m->nparts; i++) {
        const km_part *p = &m->parts[i];
        kbuf_printf(&b, "  %*s- ", p->depth * 2, "");
        put_clean(&b, p->content_type);
        if (p->charset_used) {
            kbuf_adds(&b, " (");
            put_clean(&b, p->charset_used);
            kbuf_adds(&b, ")");
        }
        if (p->filename) {
            kbuf_adds(&b, " \"");
            put_clean(&b, p->filename);
            kbuf_adds(&b, "\"");
        }
        kbuf_printf(&b, " %zu %s\n", p->size, ja ? "バイト" : "bytes");
    }
    for (size_t i = 0; i < m->nwarnings; i++)
        field(&b, ja ? "警告:         " : "Warning:      ", m->warnings[i]);
    if (m->text) {
        kbuf_adds(&b, ja ? "本文:\n  " : "Body:\n  ");
        /* first lines of the body, control characters cleaned but newlines kept */
        size_t shown = 0;
        for (const unsigned char *p = (const unsigned char *)m->text;
             *p && (shown < 2000 || (*p & 0xC0) == 0x80); p++, shown++) {
            if (*p == '\n')
                kbuf_adds(&b, "\n  ");
            else if (*p < 0x20 || *p == 0x7F)
                kbuf_addc(&b, ' ');
            else
                kbuf_addc(&b, (char)*p);
        }
        if (strlen(m->text) > 2000)
            kbuf_adds(&b, " …");
        kbuf_addc(&b, '\n');
    }
    char *s = strdup(kbuf_str(&b));
    kbuf_free(&b);
    return s;
}
