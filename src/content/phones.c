/*
 * phones.c - telephone numbers in the text, normalized to E.164.
 *
 * Japanese numbers (0120-xxx-xxx, 03-xxxx-xxxx, 050/070/080/090-xxxx-xxxx,
 * +81 ...) must have the right digit count for their prefix; international
 * ones start with '+'. Bare digit strings count only after a phone word (TEL,
 * 電話, phone), so order numbers, dates and postal codes (〒100-0001) do not.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../util/lanes.h"
#include "internal.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define PHONE_SPAN 24

static const char *const cues[] = {"tel", "phone", "call", "電話", "☎", "📞", "fax",
                                   "お問い合わせ", "お問合せ", "連絡先", "ダイヤル", NULL};

static int has_cue(const char *t, size_t at)
{
    size_t from = at > 40 ? at - 40 : 0;
    for (size_t k = from; k < at; k++)
        for (int i = 0; cues[i]; i++) {
            size_t n = strlen(cues[i]);
            if (k + n <= at && strncasecmp(t + k, cues[i], n) == 0)
                return 1;
        }
    return 0;
}

static int jp_valid(const char *d, size_t n)
{
    if (n < 10 || n > 11 || d[0] != '0' || d[1] == '0')
        return 0;
    int x0 = d[2] == '0'; /* 0X0: mobile, IP, pager: 11 digits */
    if (n == 11)
        return x0 || strncmp(d, "0800", 4) == 0;
    return !x0 || strncmp(d, "0120", 4) == 0 || strncmp(d, "0570", 4) == 0;
}

static int sepc(char c) { return c == '-' || c == ' ' || c == '(' || c == ')' || c == '.'; }

int content_phones(arena *a, const char *t, size_t len, content_result *out)
{
    out->phones = arena_alloc(a, CONTENT_MAX_PHONES * sizeof *out->phones);
    if (!out->phones)
        return -1;
#ifdef __SSE2__
    const __m128i plus = _mm_set1_epi8('+'), zero = _mm_set1_epi8('0'), paren = _mm_set1_epi8('(');
#endif
    for (size_t i = 0; i < len && out->nphones < CONTENT_MAX_PHONES; i++) {
        /* to the next '+', '0' or '(' sixteen bytes at a time, then eight */
#ifdef __SSE2__
        while (i + 16 <= len) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(t + i));
            unsigned hit = (unsigned)_mm_movemask_epi8(
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, plus), _mm_cmpeq_epi8(x, zero)),
                             _mm_cmpeq_epi8(x, paren)));
            if (hit) {
                i += (size_t)__builtin_ctz(hit);
                break;
            }
            i += 16;
        }
#endif
        while (i + 8 <= len) {
            uint64_t w = lanes_load(t + i);
            uint64_t hit = ~(lanes_ne(w, '+') & lanes_ne(w, '0') & lanes_ne(w, '(')) & LANES_ALL;
            if (hit) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                i += (size_t)__builtin_ctzll(hit) / 8; /* the first such byte */
#endif
                break;
            }
            i += 8;
        }
        if (i >= len)
            break;
        char c = t[i];
        if (c != '+' && c != '0' && c != '(')
            continue;
        if (i > 0) {
            char p = t[i - 1];
            if ((p >= '0' && p <= '9') || (p >= 'a' && p <= 'z') || (p >= 'A' && p <= 'Z') ||
                p == '-' || p == '.' || p == '/' || p == '_' || p == '=' || p == '+' || p == '#')
                continue;
        }
        char dg[24];
        size_t nd = 0, nsep = 0, e = i + (c == '+');
        while (e < len && e - i < PHONE_SPAN) {
            char x = t[e];
            if (x >= '0' && x <= '9') {
                if (nd >= sizeof dg - 1)
                    break;
                dg[nd++] = x;
            } else if (sepc(x)) {
                nsep++;
            } else {
                break;
            }
            e++;
        }
        while (e > i && sepc(t[e - 1]) && t[e - 1] != ')') {
            e--;
            nsep--;
        }
        dg[nd] = 0;
        if (e < len && ((t[e] >= '0' && t[e] <= '9') || (t[e] >= 'a' && t[e] <= 'z') ||
                        (t[e] >= 'A' && t[e] <= 'Z') || t[e] == '/' || t[e] == '@'))
            continue;
        char num[32];
        num[0] = 0;
        if (c == '+' && nd > 2 && dg[0] == '8' && dg[1] == '1') {
            char nat[24];
            size_t off = (dg[2] == '0') ? 3 : 2; /* +81 (0)3 ... */
            nat[0] = '0';
            memcpy(nat + 1, dg + off, nd - off + 1);
            if (jp_valid(nat, strlen(nat)))
                snprintf(num, sizeof num, "+81%s", nat + 1);
        } else if (c == '+') {
            if (nd >= 8 && nd <= 15 && dg[0] != '0' && (nsep || has_cue(t, i)))
                snprintf(num, sizeof num, "+%s", dg);
        } else if (jp_valid(dg, nd) && (nsep || has_cue(t, i))) {
            snprintf(num, sizeof num, "+81%s", dg + 1);
        }
        if (num[0]) {
            int dup = 0;
            for (size_t k = 0; k < out->nphones; k++)
                dup |= strcmp(out->phones[k], num) == 0;
            if (!dup)
                out->phones[out->nphones++] = arena_strdup(a, num);
        }
        i = e > i ? e - 1 : i;
    }
    return 0;
}
