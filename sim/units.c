/* SPDX-License-Identifier: MIT */
/*
 * units.c - strict parsers for numbers with units. Every parser reads a
 * decimal number with its own scanner (never strtod on the raw text, which
 * accepts "nan", hex and trailing junk), then requires a known unit and
 * the end of the string.
 */
#include "sim/units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"

struct units_scale {
    const char *name;                   /* unit as typed */
    double factor;                      /* multiplier to the base unit */
};

static const struct units_scale duration_units[] = {
    {"ns", 1.0}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6}, {"s", 1e9},
    {"m", 60e9}, {"min", 60e9}, {"h", 3600e9}, {NULL, 0},
};

static const struct units_scale period_units[] = {
    {"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}, {"sec", 1.0},
    {"m", 60.0}, {"min", 60.0}, {"h", 3600.0}, {NULL, 0},
};

static const struct units_scale size_units[] = {
    {"B", 1.0}, {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9},
    {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {NULL, 0},
};

static int fail(char *why, size_t n_why, const char *msg)
{
    if (why != NULL && n_why > 0)
        snprintf(why, n_why, "%s", msg);
    return SIM_EINVAL;
}

static const struct units_scale *find_unit(const struct units_scale *table,
                                           const char *name)
{
    for (; table->name != NULL; table++)
        if (strcmp(table->name, name) == 0)
            return table;
    return NULL;
}

static const char *scan_digits(const char *p)
{
    while (*p >= '0' && *p <= '9')
        p++;
    return p;
}

/*
 * Scans a decimal number at the start of text. Returns a pointer just past
 * it, or NULL when text does not start with a well-formed number. The
 * number itself is converted by strtod on a copy of the validated prefix
 * only, however long: 400 digits are a number too large, not a non-number.
 * A negative zero reads as zero.
 */
static const char *scan_number(const char *text, double *out)
{
    const char *p = text, *digits;
    char small[64], *buf = small;
    size_t len;

    if (*p == '-' || *p == '+')
        p++;
    digits = p;
    p = scan_digits(p);
    if (p == digits)
        return NULL;
    if (p - digits > 1 && digits[0] == '0')
        return NULL;
    if (*p == '.') {
        const char *frac = p + 1;

        p = scan_digits(frac);
        if (p == frac)
            return NULL;
    }
    if ((*p == 'e' || *p == 'E') &&
        (p[1] == '+' || p[1] == '-' || (p[1] >= '0' && p[1] <= '9'))) {
        const char *exp = p + 1 + (p[1] == '+' || p[1] == '-');
        const char *end = scan_digits(exp);

        if (end == exp)
            return NULL;
        p = end;
    }
    len = (size_t)(p - text);
    if (len >= sizeof small && (buf = malloc(len + 1)) == NULL)
        return NULL;
    memcpy(buf, text, len);
    buf[len] = '\0';
    *out = strtod(buf, NULL);
    if (*out == 0)
        *out = 0;
    if (buf != small)
        free(buf);
    return p;
}

/*
 * Why a number followed by rest is not what was meant, when rest shows
 * the number itself is malformed ("1,000", "1_000", "1.5.2", "1k5"), or
 * NULL when rest is simply not a unit.
 */
static const char *malformed(const char *rest)
{
    if (*rest == ',' || *rest == '_' || *rest == '.' ||
        (*rest >= '0' && *rest <= '9'))
        return "malformed number (write digits with at most one '.', no "
               "separators, as in \"1000\" or \"1.5\")";
    return NULL;
}

/*
 * Why text fails to start with a number: a unit alone ("ms") lacks its
 * number; anything else is not a number.
 */
static int not_a_number(const char *text, const struct units_scale *table,
                        char *why, size_t n_why)
{
    char msg[160];

    if (table != NULL && find_unit(table, text) != NULL) {
        snprintf(msg, sizeof msg, "a unit without a number (write it as in "
                 "\"1%s\")", text);
        return fail(why, n_why, msg);
    }
    return fail(why, n_why, "not a number");
}

/* Reads "<number><unit>" with the unit from table; value in base units. */
static int parse_scaled(const char *text, const struct units_scale *table,
                        const char *example, double *out, char *why,
                        size_t n_why)
{
    const struct units_scale *unit;
    const char *rest;
    double v;
    char msg[160];

    rest = scan_number(text, &v);
    if (rest == NULL)
        return not_a_number(text, table, why, n_why);
    if (v < 0)
        return fail(why, n_why, "must not be negative");
    if (malformed(rest) != NULL)
        return fail(why, n_why, malformed(rest));
    if (*rest == '\0') {
        snprintf(msg, sizeof msg, "missing unit (write it as in \"%s\")",
                 example);
        return fail(why, n_why, msg);
    }
    unit = find_unit(table, rest);
    if (unit == NULL) {
        snprintf(msg, sizeof msg, "unknown unit \"%.40s\" (write it as in "
                 "\"%s\")", rest, example);
        return fail(why, n_why, msg);
    }
    *out = v * unit->factor;
    if (!isfinite(*out))
        return fail(why, n_why, "too large");
    return 0;
}

int sim_units_number(const char *text, double *out, char *why, size_t n_why)
{
    const char *rest;
    double v;

    rest = scan_number(text, &v);
    if (rest != NULL && malformed(rest) != NULL)
        return fail(why, n_why, malformed(rest));
    if (rest == NULL || *rest != '\0')
        return fail(why, n_why, "not a number");
    if (!isfinite(v))
        return fail(why, n_why, "too large");
    *out = v;
    return 0;
}

int sim_units_duration(const char *text, sim_time *out, char *why,
                       size_t n_why)
{
    double ns;
    int rc;

    rc = parse_scaled(text, duration_units, "250ms", &ns, why, n_why);
    if (rc != 0)
        return rc;
    if (ns > 0 && ns < 0.5)
        return fail(why, n_why, "below the 1ns resolution of time");
    if (!(ns < 9.2e18))
        return fail(why, n_why, "too large (at most 292 years)");
    *out = (sim_time)(ns + 0.5);
    return 0;
}

int sim_units_rate(const char *text, double *per_s, char *why, size_t n_why)
{
    const struct units_scale *period;
    const char *rest;
    double v;

    rest = scan_number(text, &v);
    if (rest == NULL)
        return not_a_number(text, NULL, why, n_why);
    if (v < 0)
        return fail(why, n_why, "must not be negative");
    if (*rest == 'k' || *rest == 'M' || *rest == 'G') {
        v *= *rest == 'k' ? 1e3 : *rest == 'M' ? 1e6 : 1e9;
        rest++;
    }
    if (malformed(rest) != NULL)
        return fail(why, n_why, malformed(rest));
    if (*rest != '/' && strchr(rest, '/') != NULL)
        return fail(why, n_why, "unknown multiplier before the period (k, "
                    "M or G, as in \"2k/s\", right after the number)");
    if (*rest != '/')
        return fail(why, n_why, "missing period (write a rate as in "
                    "\"500/s\" or \"2k/s\")");
    period = find_unit(period_units, rest + 1);
    if (period == NULL)
        return fail(why, n_why, "unknown period (use /s, /ms, /min or /h)");
    *per_s = v / period->factor;
    if (!isfinite(*per_s))
        return fail(why, n_why, "too large");
    return 0;
}

int sim_units_size(const char *text, uint64_t *bytes, char *why,
                   size_t n_why)
{
    double b;
    int rc;

    rc = parse_scaled(text, size_units, "64KiB", &b, why, n_why);
    if (rc != 0)
        return rc;
    if (b != floor(b))
        return fail(why, n_why, "not a whole number of bytes");
    if (!(b < 1.8e19))
        return fail(why, n_why, "too large");
    *bytes = (uint64_t)b;
    return 0;
}

int sim_units_percent(const char *text, double *fraction, char *why,
                      size_t n_why)
{
    const char *rest;
    double v;

    rest = scan_number(text, &v);
    if (rest == NULL)
        return fail(why, n_why, "not a number");
    if (malformed(rest) != NULL)
        return fail(why, n_why, malformed(rest));
    if (strcmp(rest, "%") != 0)
        return fail(why, n_why, "missing % sign (write e.g. \"99.5%\")");
    *fraction = v / 100.0;
    return 0;
}

char *sim_units_format_duration(sim_time t, char *buf, size_t n_buf)
{
    double a = fabs((double)t);

    if (a < 1e3)
        snprintf(buf, n_buf, "%lldns", (long long)t);
    else if (a < 1e6)
        snprintf(buf, n_buf, "%.4gus", (double)t / 1e3);
    else if (a < 1e9)
        snprintf(buf, n_buf, "%.4gms", (double)t / 1e6);
    else if (a < 1e12)
        snprintf(buf, n_buf, "%.4gs", (double)t / 1e9);
    else if (a < 6e12)
        snprintf(buf, n_buf, "%.4gmin", (double)t / 60e9);
    else
        snprintf(buf, n_buf, "%.4gh", (double)t / 3600e9);
    return buf;
}

char *sim_units_format_seconds(sim_time t, char *buf, size_t n_buf)
{
    long long ns = t < 0 ? -(long long)t : (long long)t;
    size_t len;

    snprintf(buf, n_buf, "%s%lld.%09lld", t < 0 ? "-" : "", ns / SIM_S,
             ns % SIM_S);
    len = strlen(buf);
    while (len > 0 && buf[len - 1] == '0' && buf[len - 2] != '.')
        buf[--len] = '\0';
    return buf;
}

char *sim_units_format_size(uint64_t bytes, char *buf, size_t n_buf)
{
    /* Largest first, so the number written is the shortest exact one. */
    static const struct units_scale order[] = {
        {"GiB", 1073741824.0}, {"GB", 1e9}, {"MiB", 1048576.0},
        {"MB", 1e6}, {"KiB", 1024.0}, {"kB", 1e3}, {NULL, 0},
    };

    for (size_t i = 0; bytes > 0 && order[i].name != NULL; i++) {
        uint64_t unit = (uint64_t)order[i].factor;

        if (bytes % unit == 0) {
            snprintf(buf, n_buf, "%llu%s",
                     (unsigned long long)(bytes / unit), order[i].name);
            return buf;
        }
    }
    snprintf(buf, n_buf, "%lluB", (unsigned long long)bytes);
    return buf;
}
