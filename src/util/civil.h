/*
 * civil.h - proleptic Gregorian dates and days since 1970-01-01 (Howard
 * Hinnant's public-domain algorithms, exact for every year a long long day
 * count holds), and the ISO 8601 timestamps kensa writes. One copy for the
 * route, content, store and MIME stages, which each had their own.
 */
#ifndef KENSA_CIVIL_H
#define KENSA_CIVIL_H

#include <stddef.h>
#include <stdio.h>

/* days since 1970-01-01 of y-m-d (m 1..12, d 1..31) */
static inline long long civil_days(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned mp = m > 2 ? m - 3 : m + 9;
    unsigned doy = (153 * mp + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* the date of day z since 1970-01-01 */
static inline void civil_from_days(long long z, int *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long yy = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    unsigned mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

/* v (0..99) as two digits at o; returns the end */
static inline char *civil_two(char *o, int v)
{
    o[0] = (char)('0' + v / 10);
    o[1] = (char)('0' + v % 10);
    return o + 2;
}

/* "YYYY-MM-DDTHH:MM:SS+HH:MM" of epoch seen at UTC offset tz_min minutes
 * (bufsz >= 26 for the usual form). Years 0-9999 by hand; others (and
 * offsets of 100 hours or more) as snprintf "%04d-..." writes them. */
static inline void civil_iso(long long epoch, int tz_min, char *buf, size_t bufsz)
{
    long long local = epoch + (long long)tz_min * 60;
    long long days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    long long secs = local - days * 86400;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    int off = tz_min < 0 ? -tz_min : tz_min;
    if (y >= 0 && y <= 9999 && off / 60 < 100 && bufsz >= 26) {
        char *o = buf;
        o = civil_two(civil_two(o, y / 100), y % 100);
        *o++ = '-';
        o = civil_two(o, m);
        *o++ = '-';
        o = civil_two(o, d);
        *o++ = 'T';
        o = civil_two(o, (int)(secs / 3600));
        *o++ = ':';
        o = civil_two(o, (int)(secs / 60 % 60));
        *o++ = ':';
        o = civil_two(o, (int)(secs % 60));
        *o++ = tz_min < 0 ? '-' : '+';
        o = civil_two(o, off / 60);
        *o++ = ':';
        o = civil_two(o, off % 60);
        *o = '\0';
        return;
    }
    snprintf(buf, bufsz, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60), tz_min < 0 ? '-' : '+', off / 60, off % 60);
}

#endif
