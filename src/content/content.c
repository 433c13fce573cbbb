/*
 * content.c - content_analyze(): run the content scanners over one message.
 *
 * Text = subject + body (+ the HTML part's visible text when the body came
 * from text/plain, since lures and tells often live only in the HTML), cut at
 * CONTENT_MAX_TEXT on a character boundary. Three views of it: as decoded
 * (tells), NFKC (language, deadline, phones) and folded (lure phrases).
 */
#include <string.h>

#include "../mime/html_text.h"
#include "internal.h"

#define MAX_LURE_POS 256

/* The bytes of s that fit when len bytes are already taken: at most
 * CONTENT_MAX_TEXT in all, cut on a character boundary. */
static size_t capped_len(const char *s, size_t len)
{
    if (!s)
        return 0;
    size_t room = CONTENT_MAX_TEXT > len ? CONTENT_MAX_TEXT - len : 0;
    size_t n = strnlen(s, room + 1);
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return n;
}

/* A token of 8+ ASCII letters and digits mixing upper case, lower case and
 * digits, as phishing kits append to subjects to dodge duplicate filters. */
static char *random_token(arena *a, const char *s)
{
    for (const char *p = s; p && *p;) {
        while (*p && !((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                       (*p >= '0' && *p <= '9')))
            p++;
        const char *w = p;
        int up = 0, lo = 0, dg = 0;
        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
            up += *p >= 'A' && *p <= 'Z';
            lo += *p >= 'a' && *p <= 'z';
            dg += *p >= '0' && *p <= '9';
            p++;
        }
        size_t n = (size_t)(p - w);
        /* several case changes, not a CamelCase word: at least 3 upper and 3 lower */
        if (n >= 8 && n <= 40 && up >= 3 && lo >= 3 && dg >= 1)
            return arena_strndup(a, w, n);
    }
    return NULL;
}

typedef struct {
    const content_data *d;
    const content_result *out;
    const char *nfkc;
    size_t nlen, npos;
    const unsigned char *found; /* content_lures' phrases found, or NULL */
    size_t pos[MAX_LURE_POS];
} lure_pos_ctx;

/* a date next to a lure phrase is a deadline; spam families and attachment
 * cues do not make one. Called by the deadline scan when it first needs them. */
static size_t lure_positions(void *ctx, const size_t **pos)
{
    lure_pos_ctx *c = ctx;
    const content_result *out = c->out;
    size_t npos = 0;
    for (size_t k = 0; k < out->nlures && npos < MAX_LURE_POS; k++)
        if (strcmp(out->lures[k].cls, "spam") != 0 && strcmp(out->lures[k].cls, "attachment") != 0)
            npos += content_lure_positions(c->d, c->nfkc, c->nlen, out->lures[k].id, c->found,
                                           c->pos + npos, MAX_LURE_POS - npos);
    c->npos = npos;
    *pos = c->pos;
    return npos;
}

int content_analyze(arena *a, const content_data *d, const km_message *m, content_result *out)
{
    memset(out, 0, sizeof *out);
    out->language = "other";
    out->subject_random_token = random_token(a, m->subject);
    /* subject '\n' text ['\n' visible HTML text], measured first and copied
     * once into the arena (no growing buffer) */
    size_t subj_raw = capped_len(m->subject, 0);
    size_t tl = capped_len(m->text, subj_raw + 1);
    size_t olen = subj_raw + 1 + tl;
    const char *vis = NULL;
    size_t vl = 0;
    if (m->html && m->text_source && strcmp(m->text_source, "text/plain") == 0 &&
        olen < CONTENT_MAX_TEXT) {
        vis = html_visible_text(a, m->html, strlen(m->html), CONTENT_MAX_TEXT);
        if (vis && m->text && strstr(m->text, vis))
            vis = NULL;
        vl = capped_len(vis, olen + 1);
    }
    char *orig = arena_alloc_raw(a, olen + (vis ? 1 + vl : 0) + 1);
    if (!orig)
        return -1;
    if (subj_raw)
        memcpy(orig, m->subject, subj_raw);
    orig[subj_raw] = '\n';
    if (tl)
        memcpy(orig + subj_raw + 1, m->text, tl);
    if (vis) {
        orig[olen] = '\n';
        if (vl)
            memcpy(orig + olen + 1, vis, vl);
        olen += 1 + vl;
    }
    orig[olen] = 0;

    size_t nlen = 0;
    char *nfkc = cnorm_nfkc(a, orig, olen, &nlen);
    if (!nfkc)
        return -1;
    out->language = content_language(nfkc, nlen);
    int ja = strcmp(out->language, "ja") == 0;

    size_t fsl = 0, fbl = 0;
    char *fs = cnorm_fold(a, d, orig, subj_raw, 1, &fsl);
    char *fb = cnorm_fold(a, d, orig + subj_raw, olen - subj_raw, 1, &fbl);
    if (!fs || !fb)
        return -1;
    char *folded = arena_alloc(a, fsl + fbl + 1);
    if (!folded)
        return -1;
    memcpy(folded, fs, fsl);
    memcpy(folded + fsl, fb, fbl);
    unsigned char *found = NULL;
    if (content_lures(a, d, folded, fsl + fbl, fsl, out, &found))
        return -1;

    lure_pos_ctx lp;
    lp.d = d;
    lp.out = out;
    lp.nfkc = nfkc;
    lp.nlen = nlen;
    lp.npos = 0;
    /* An ASCII phrase found in the NFKC view (ASCII letters in either case,
     * no line break: inside the subject or the body) has its key in the
     * folded view, so content_lures saw it, and a phrase it did not see
     * need not be searched. The ASCII bytes of NFKC come from the same
     * characters as those of the NFKC case fold, lowered (fullwidth forms,
     * ligatures, modifier letters alike); default-ignorables vanish from
     * both; white space is a space in NFKC and dropped from the fold as from
     * the key; look-alikes only add ASCII to the fold; and a typo, wholly
     * non-ASCII, cannot overlap an ASCII run. Not so for a typo holding an
     * ASCII byte or a one-byte key (not in content_lures' tables). */
    lp.found = found && !d->short_keys && !d->typo_ascii ? found : NULL;
    const char *receipt = m->received_at ? m->received_at : m->date;
    content_deadline dl;
    if (content_deadline_find_lazy(nfkc, nlen, receipt, ja, lure_positions, &lp, &dl)) {
        out->deadline = arena_strdup(a, dl.iso);
        out->deadline_text = arena_strdup(a, dl.text);
        out->deadline_hours = dl.hours;
        out->deadline_has_receipt = dl.has_receipt;
        out->deadline_has_hours = dl.has_hours;
        out->deadline_weekend = dl.weekend;
        out->deadline_month_end = dl.month_end;
        out->deadline_off_hours = dl.off_hours;
    }
    if (content_tells(a, d, orig, olen, nfkc, nlen, ja, out) ||
        content_phones(a, nfkc, nlen, out) || content_attachments(a, m, out))
        return -1;
    return 0;
}
