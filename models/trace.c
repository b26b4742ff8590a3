/* SPDX-License-Identifier: MIT */
/*
 * trace.c - reading request traces. Each format is a line parser that
 * yields (time in ns, key text or none, operation); the loader makes times
 * relative to the first record, divides them by the replay speed, spreads
 * records that share a second when asked (the NASA log has one-second
 * resolution), and numbers keys by first appearance through a hash table.
 */
#include "models/trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/hash.h"
#include "sim/infile.h"

#define TRACE_MAX_BYTES ((uint64_t)1 << 30)
#define TRACE_MAX_LINE 4096

/* One parsed line. */
struct trace_rec {
    int64_t t_ns;                       /* absolute, in the file's clock */
    const char *key;                    /* not NUL-terminated; NULL: none */
    size_t key_len;
    uint8_t op;
};

/* Interned key texts: open addressing over copies of the texts. */
struct key_table {
    char **texts;                       /* power-of-two sized; NULL: free */
    uint64_t *ids;
    size_t n, cap;
};

struct trace_loader {
    struct sim_cfg *cfg;
    const char *path;                   /* key path, for problems */
    const char *file;                   /* as opened, for messages */
    size_t line;                        /* current line, 1-based */
    int n_bad;                          /* bad lines reported */
};

static int keys_grow(struct key_table *kt)
{
    struct key_table old = *kt;

    kt->cap = old.cap ? old.cap * 2 : 1024;
    kt->texts = calloc(kt->cap, sizeof *kt->texts);
    kt->ids = calloc(kt->cap, sizeof *kt->ids);
    if (kt->texts == NULL || kt->ids == NULL) {
        free(kt->texts);
        free(kt->ids);
        *kt = old;
        return SIM_ENOMEM;
    }
    for (size_t i = 0; i < old.cap; i++) {
        size_t j;

        if (old.texts[i] == NULL)
            continue;
        j = sim_hash_str(old.texts[i]) & (kt->cap - 1);
        while (kt->texts[j] != NULL)
            j = (j + 1) & (kt->cap - 1);
        kt->texts[j] = old.texts[i];
        kt->ids[j] = old.ids[i];
    }
    free(old.texts);
    free(old.ids);
    return 0;
}

/* The id of key text s (n bytes), numbering new keys in order. */
static int keys_intern(struct key_table *kt, const char *s, size_t n,
                       uint64_t *id)
{
    size_t j;

    if ((kt->n + 1) * 2 > kt->cap && keys_grow(kt) != 0)
        return SIM_ENOMEM;
    for (j = sim_hash_bytes(s, n) & (kt->cap - 1); kt->texts[j] != NULL;
         j = (j + 1) & (kt->cap - 1)) {
        if (strncmp(kt->texts[j], s, n) == 0 && kt->texts[j][n] == '\0') {
            *id = kt->ids[j];
            return 0;
        }
    }
    kt->texts[j] = strndup(s, n);
    if (kt->texts[j] == NULL)
        return SIM_ENOMEM;
    *id = kt->ids[j] = kt->n++;
    return 0;
}

static void keys_free(struct key_table *kt)
{
    for (size_t i = 0; i < kt->cap; i++)
        free(kt->texts[i]);
    free(kt->texts);
    free(kt->ids);
}

/* Records a bad line; after ten, only counts them. */
static void bad_line(struct trace_loader *ld, const char *why)
{
    if (ld->n_bad++ < 10)
        sim_cfg_error(ld->cfg, ld->path, "%s:%zu: %s", ld->file, ld->line,
                      why);
}

/* Splits line into at most n fields at sep; returns the count. */
static size_t split(char *line, char sep, char **fields, size_t n)
{
    size_t k = 0;

    while (k < n) {
        fields[k++] = line;
        line = strchr(line, sep);
        if (line == NULL)
            break;
        *line++ = '\0';
    }
    return k;
}

/* A whole decimal number (no sign) into *v; false if s is not one. */
static bool parse_uint(const char *s, int64_t *v)
{
    char *end;

    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    *v = (int64_t)strtoll(s, &end, 10);
    return errno == 0 && *end == '\0';
}

static bool parse_nasa(char *line, struct trace_rec *r)
{
    char *f[6];
    int64_t s;

    if (split(line, '\t', f, 6) != 6 || !parse_uint(f[1], &s) ||
        s > INT64_MAX / 1000000000)
        return false;
    r->t_ns = s * 1000000000;
    r->key = f[3];
    r->key_len = strlen(f[3]);
    r->op = SIM_OP_READ;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/*
 * "YYYY-MM-DD HH:MM:SS[.fffffff]" into ns since the epoch. Years run from
 * 1970 to 2200, so that any two stamps are less than 2^63 ns apart.
 */
static bool parse_stamp(const char *s, int64_t *ns)
{
    int y, mo, d, h, mi, sec, n = 0;
    int64_t frac = 0, scale = 100000000;

    if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
               &n) != 6 || y < 1970 || y > 2200 || mo < 1 || mo > 12 ||
        d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 ||
        sec > 60)
        return false;
    s += n;
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
            frac += scale > 0 ? (*s - '0') * scale : 0;
    }
    if (*s != '\0')
        return false;
    *ns = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) *
           1000000000) + frac;
    return true;
}

static bool parse_azure(char *line, struct trace_rec *r)
{
    char *f[3];
    int64_t tokens;

    if (split(line, ',', f, 3) != 3 || !parse_stamp(f[0], &r->t_ns) ||
        !parse_uint(f[1], &tokens) || !parse_uint(f[2], &tokens))
        return false;
    r->key = NULL;
    r->op = SIM_OP_READ;
    return true;
}

static bool parse_cloudphysics(char *line, struct trace_rec *r)
{
    char *f[5];
    int64_t us, v;

    if (split(line, ',', f, 5) != 5 || !parse_uint(f[0], &v) ||
        !parse_uint(f[1], &us) || !parse_uint(f[3], &v) || f[4][0] == '\0' ||
        us > INT64_MAX / 1000)
        return false;
    r->t_ns = us * 1000;
    r->key = f[4];
    r->key_len = strlen(f[4]);
    r->op = strcmp(f[2], "2a") == 0 ? SIM_OP_WRITE : SIM_OP_READ;
    return true;
}

static bool parse_plain(char *line, struct trace_rec *r)
{
    char *t = strtok(line, " \t"), *key = strtok(NULL, " \t");
    char *op = strtok(NULL, " \t"), *end;
    double s;

    if (t == NULL || key == NULL || strtok(NULL, " \t") != NULL)
        return false;
    /* Decimal only: strtod would also read "0x10" as 16 seconds. */
    if (t[strspn(t, "0123456789.eE+-")] != '\0' || *t < '0' || *t > '9')
        return false;
    errno = 0;
    s = strtod(t, &end);
    if (errno != 0 || *end != '\0' || !(s >= 0 && s < 9e9))
        return false;
    r->t_ns = (int64_t)(s * 1e9 + 0.5);
    r->key = key;
    r->key_len = strlen(key);
    r->op = SIM_OP_READ;
    if (op != NULL && strcmp(op, "write") == 0)
        r->op = SIM_OP_WRITE;
    else if (op != NULL && strcmp(op, "read") != 0)
        return false;
    return true;
}

/* What a line of fmt looks like, for the message about a bad one. */
static const char *line_shape(enum trace_format fmt)
{
    switch (fmt) {
    case TRACE_NASA:
        return "not a nasa record (six tab-separated fields: client, "
               "whole seconds, method, url, status, bytes)";
    case TRACE_AZURE:
        return "not an azure record (YYYY-MM-DD HH:MM:SS[.fraction],"
               "context tokens,generated tokens)";
    case TRACE_CLOUDPHYSICS:
        return "not a cloudphysics record (version,microseconds,opcode,size,"
               "block)";
    default:
        return "not a plain record (SECONDS KEY [read|write], the seconds "
               "a decimal number)";
    }
}

static bool parse_line(enum trace_format fmt, char *line,
                       struct trace_rec *r)
{
    switch (fmt) {
    case TRACE_NASA:
        return parse_nasa(line, r);
    case TRACE_AZURE:
        return parse_azure(line, r);
    case TRACE_CLOUDPHYSICS:
        return parse_cloudphysics(line, r);
    default:
        return parse_plain(line, r);
    }
}

/* Makes room for one more record. */
static int reserve(struct trace *t, size_t *cap)
{
    size_t c;
    sim_time *times;
    uint64_t *keys;
    uint8_t *ops;

    if (t->n < *cap)
        return 0;
    c = *cap ? *cap * 2 : 4096;
    times = realloc(t->times, c * sizeof *times);
    if (times != NULL)
        t->times = times;
    keys = realloc(t->keys, c * sizeof *keys);
    if (keys != NULL)
        t->keys = keys;
    ops = realloc(t->ops, c * sizeof *ops);
    if (ops != NULL)
        t->ops = ops;
    if (times == NULL || keys == NULL || ops == NULL)
        return SIM_ENOMEM;
    *cap = c;
    return 0;
}

static bool is_header(enum trace_format fmt, size_t n_records,
                      const char *line)
{
    if (n_records > 0 || fmt == TRACE_PLAIN)
        return false;
    return (fmt == TRACE_NASA && strncmp(line, "client\t", 7) == 0) ||
           (fmt == TRACE_AZURE && strncmp(line, "TIMESTAMP,", 10) == 0) ||
           (fmt == TRACE_CLOUDPHYSICS && strncmp(line, "version,", 8) == 0);
}

/*
 * The replay time of a record ns after the first one, at speed: truncated
 * to whole nanoseconds, false when it would not fit in a sim_time.
 */
static bool replay_time(int64_t ns, double speed, sim_time *out)
{
    double t = (double)ns / speed;

    if (!(t >= 0 && t < 9.2e18))
        return false;
    *out = (sim_time)t;
    return true;
}

/* Parses every line of text (NUL-terminated, modified in place). */
static int parse_all(struct trace_loader *ld, const struct trace_options *opt,
                     char *text, struct trace *t, struct key_table *kt)
{
    size_t cap = 0;
    bool has_keys = true;
    int64_t first = 0, prev = INT64_MIN;

    for (char *line = text, *next; line != NULL; line = next) {
        struct trace_rec r = {0};

        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        ld->line++;
        line[strcspn(line, "\r")] = '\0';
        if (line[0] == '\0' || line[0] == '#' ||
            is_header(opt->format, t->n, line))
            continue;
        if (strlen(line) > TRACE_MAX_LINE) {
            bad_line(ld, "longer than 4096 bytes");
            continue;
        }
        if (!parse_line(opt->format, line, &r)) {
            bad_line(ld, line_shape(opt->format));
            continue;
        }
        if (r.t_ns < prev) {
            bad_line(ld, "time goes back");
            continue;
        }
        if (t->n == TRACE_MAX_RECORDS) {
            sim_cfg_error(ld->cfg, ld->path, "%s: more than %d records",
                          ld->file, TRACE_MAX_RECORDS);
            return SIM_EINVAL;
        }
        if (reserve(t, &cap) != 0)
            return SIM_ENOMEM;
        if (t->n == 0)
            first = r.t_ns;
        if (!replay_time(r.t_ns - first, opt->speed, &t->times[t->n])) {
            bad_line(ld, "too late once replayed at this speed (beyond 292 "
                     "years)");
            continue;
        }
        prev = r.t_ns;
        t->ops[t->n] = r.op;
        has_keys = r.key != NULL;
        if (has_keys && keys_intern(kt, r.key, r.key_len,
                                    &t->keys[t->n]) != 0)
            return SIM_ENOMEM;
        t->n++;
    }
    if (!has_keys) {
        free(t->keys);
        t->keys = NULL;
    }
    return 0;
}

/*
 * Spreads records that share a second evenly over that second (as
 * replayed: at most 10^12 ns at the slowest speed). Record k of n goes
 * floor(second * k / n) later, computed so that nothing overflows.
 */
static void spread_seconds(struct trace *t, double speed)
{
    sim_time second = (sim_time)(1e9 / speed);

    for (size_t i = 0, j; i < t->n; i = j) {
        for (j = i + 1; j < t->n && t->times[j] == t->times[i]; j++)
            ;
        for (size_t k = i; k < j; k++) {
            sim_time n = (sim_time)(j - i), m = (sim_time)(k - i);

            t->times[k] += second / n * m + second % n * m / n;
        }
    }
}

/*
 * Refuses text holding a NUL byte, which would otherwise end the trace
 * there without a word; names the line it is on.
 */
static bool has_nul(struct trace_loader *ld, const char *text, size_t size)
{
    const char *nul = memchr(text, '\0', size);
    size_t line = 1;

    if (nul == NULL)
        return false;
    for (const char *p = text; p < nul; p++)
        line += *p == '\n';
    sim_cfg_error(ld->cfg, ld->path, "%s:%zu: holds a NUL byte; a trace is "
                  "text", ld->file, line);
    return true;
}

/* The file's text, NUL-terminated, or NULL with the problem recorded. */
static char *read_text(struct trace_loader *ld, const char *name)
{
    char why[160] = "";
    uint64_t size = 0;
    FILE *f = sim_infile_open(name, TRACE_MAX_BYTES, &size, why, sizeof why);
    char *text = NULL;

    if (f != NULL && (text = malloc((size_t)size + 1)) == NULL)
        snprintf(why, sizeof why, "out of memory");
    else if (f != NULL && fread(text, 1, (size_t)size, f) != (size_t)size)
        snprintf(why, sizeof why, "%s", ferror(f) ? strerror(errno)
                                                  : "it shrank while read");
    if (f != NULL)
        fclose(f);
    if (why[0] != '\0') {
        sim_cfg_error(ld->cfg, ld->path, "cannot read \"%s\": %s", name,
                      why);
        free(text);
        return NULL;
    }
    if (has_nul(ld, text, (size_t)size)) {
        free(text);
        return NULL;
    }
    text[size] = '\0';
    return text;
}

/* file, taken relative to the scenario's directory unless absolute. */
static char *resolve(const char *scenario, const char *file)
{
    const char *slash = strrchr(scenario, '/');
    size_t dir = slash ? (size_t)(slash - scenario) + 1 : 0;
    char *p;

    if (file[0] == '/' || dir == 0)
        return strdup(file);
    p = malloc(dir + strlen(file) + 1);
    if (p != NULL) {
        memcpy(p, scenario, dir);
        strcpy(p + dir, file);
    }
    return p;
}

int trace_load(struct sim_cfg *cfg, const char *path, const char *file,
               const struct trace_options *opt, struct trace *t)
{
    struct trace_loader ld = {cfg, path, NULL, 0, 0};
    struct key_table kt = {0};
    char *name = resolve(sim_cfg_file(cfg), file), *text;
    int rc;

    memset(t, 0, sizeof *t);
    if (name == NULL)
        return SIM_ENOMEM;
    ld.file = name;
    text = read_text(&ld, name);
    rc = text != NULL ? parse_all(&ld, opt, text, t, &kt) : SIM_EINVAL;
    if (ld.n_bad > 10)
        sim_cfg_error(cfg, path, "%s: %d more bad lines not shown", name,
                      ld.n_bad - 10);
    if (rc == 0 && ld.n_bad > 0)
        rc = SIM_EINVAL;
    if (rc == 0 && t->n == 0) {
        sim_cfg_error(cfg, path, "%s: no records", name);
        rc = SIM_EINVAL;
    }
    t->n_keys = kt.n;
    if (rc == 0 && opt->is_spread && opt->format == TRACE_NASA)
        spread_seconds(t, opt->speed);
    keys_free(&kt);
    free(text);
    free(name);
    return rc;
}

void trace_release(struct trace *t)
{
    free(t->times);
    free(t->keys);
    free(t->ops);
    memset(t, 0, sizeof *t);
}
