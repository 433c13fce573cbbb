/*
 * random_domain.c - does a domain label look machine-generated?
 *
 * rspamd #5591: Japanese spam comes from short random registrations such as
 * ujmlges.com and qzcta.com. Three cues, summed: the longest consonant run,
 * a low vowel ratio, and the share of letter pairs that neither English nor
 * romaji (Hepburn) spelling produces. Labels of four letters or fewer are
 * left alone: they are usually acronyms (smbc, jcb, nhk).
 */
#include <string.h>

#include "content.h"

#define RD_MIN_LEN 5
#define RD_MAX_LEN 63

static int vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

/* Consonant pairs common in English or romaji words (and brand names). */
static const char *const common_cc[] = {
    "bb", "bl", "br", "by", "ch", "ck", "cl", "cr", "ct", "dd", "dl", "dr", "dy", "ff", "fl",
    "fr", "ft", "gg", "gh", "gl", "gn", "gr", "gy", "hy", "kk", "kl", "kr", "ks", "ky", "ld",
    "lf", "lk", "ll", "lm", "lp", "ls", "lt", "ly", "mb", "mm", "mp", "ms", "my", "nc", "nd",
    "ng", "nk", "nn", "ns", "nt", "ny", "nb", "nm", "np", "nz", "ph", "pl", "pp", "pr", "ps",
    "pt", "py", "rb", "rc", "rd", "rf", "rg", "rk", "rl", "rm", "rn", "rp", "rr", "rs", "rt",
    "rv", "ry", "sc", "sh", "sk", "sl", "sm", "sn", "sp", "ss", "st", "sw", "sy", "th", "tl",
    "tr", "ts", "tt", "tw", "ty", "wh", "wn", "wr", "ws", "xt", "zz", "sb", "tc", "gm", "hn",
    "kd", "bs", "ds", "tb", "nl", "wl", "rh", "ly", "cy", "vy", "fy", "ny", NULL};

static int common_pair(char a, char b)
{
    for (int i = 0; common_cc[i]; i++)
        if (common_cc[i][0] == a && common_cc[i][1] == b)
            return 1;
    return 0;
}

static int rare_pair(char a, char b)
{
    if (a == 'q' && b != 'u')
        return 2;
    if (b == 'q' || a == 'x' || (b == 'x' && !vowel(a)))
        return vowel(a) && b == 'x' ? 0 : 2;
    if (vowel(a) || vowel(b))
        return 0;
    if (a == 'y' || b == 'y')
        return 0;
    if (common_pair(a, b))
        return 0;
    if (a == 'j' || a == 'v' || a == 'z' || b == 'j' || b == 'z')
        return 2;
    return 1;
}

int content_random_domain(const char *label, double *score)
{
    char l[RD_MAX_LEN + 1];
    size_t n = 0;
    if (score)
        *score = 0;
    if (!label)
        return 0;
    for (const char *p = label; *p && n < RD_MAX_LEN; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c >= 'a' && c <= 'z')
            l[n++] = c;
        else if (c == '-')
            l[n++] = '-';
        else if (c >= '0' && c <= '9')
            continue;
        else
            return 0; /* IDN / odd bytes: not this test */
    }
    l[n] = 0;
    size_t letters = 0, vowels = 0;
    int run = 0, maxrun = 0;
    double rare = 0;
    size_t pairs = 0;
    for (size_t i = 0; i < n; i++) {
        if (l[i] == '-') {
            run = 0;
            continue;
        }
        letters++;
        int v = vowel(l[i]) || (l[i] == 'y' && i > 0 && !vowel(l[i - 1]));
        vowels += v;
        run = v ? 0 : run + 1;
        if (run > maxrun)
            maxrun = run;
        if (i + 1 < n && l[i + 1] != '-') {
            pairs++;
            rare += rare_pair(l[i], l[i + 1]);
        }
    }
    if (letters < RD_MIN_LEN || !pairs)
        return 0;
    double vr = (double)vowels / (double)letters;
    double s = 0;
    if (maxrun >= 3)
        s += 0.35 * (maxrun - 2);
    if (vr < 0.3)
        s += (0.3 - vr) * 3.0;
    s += rare / (double)pairs * 2.0;
    if (score)
        *score = s;
    return s >= 1.0;
}
