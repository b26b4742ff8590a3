/* SPDX-License-Identifier: MIT */
/*
 * jsontext.c - shortening the real numbers of jansson's text. Outside
 * strings, a token that starts with '-' or a digit is a number, and one
 * holding '.', 'e' or 'E' a real: it is read
 * back and written again with 15, 16 or 17 significant digits, the first
 * that gives the same double, keeping a '.' or an exponent so that it
 * stays a real.
 */
#include "sim/jsontext.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/strbuf.h"

static bool is_number_char(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
           c == 'e' || c == 'E';
}

/* Appends the shortest form of the real written as tok (n bytes). */
static void put_real(struct sim_strbuf *sb, const char *tok, size_t n)
{
    char in[64], out[40];
    double v;

    if (n >= sizeof in) {
        sim_strbuf_add(sb, tok, n);
        return;
    }
    memcpy(in, tok, n);
    in[n] = '\0';
    v = strtod(in, NULL);
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(out, sizeof out, "%.*g", digits, v);
        if (strtod(out, NULL) == v)
            break;
    }
    sim_strbuf_add(sb, out, strlen(out));
    if (strpbrk(out, ".eEn") == NULL)
        sim_strbuf_add(sb, ".0", 2);
}

/* Copies text to sb, shortening every real outside strings. */
static void shorten(struct sim_strbuf *sb, const char *text)
{
    const char *p = text;
    bool in_string = false;

    while (*p != '\0') {
        size_t n = 0;

        if (in_string || !(*p == '-' || (*p >= '0' && *p <= '9'))) {
            if (*p == '\\' && in_string && p[1] != '\0')
                n = 2;
            else
                n = 1;
            if (*p == '"')
                in_string = !in_string;
            sim_strbuf_add(sb, p, n);
            p += n;
            continue;
        }
        while (is_number_char(p[n]))
            n++;
        if (memchr(p, '.', n) || memchr(p, 'e', n) || memchr(p, 'E', n))
            put_real(sb, p, n);
        else
            sim_strbuf_add(sb, p, n);
        p += n;
    }
}

char *sim_json_text(const json_t *value)
{
    char *raw = json_dumps(value, SIM_JSON_FLAGS);
    struct sim_strbuf sb;

    if (raw == NULL)
        return NULL;
    sim_strbuf_init(&sb);
    shorten(&sb, raw);
    free(raw);
    return sim_strbuf_take(&sb);
}

int sim_json_save(const json_t *root, const char *path,
                  struct sim_error *err)
{
    struct sim_strbuf sb;
    char *text = sim_json_text(root);

    if (text == NULL)
        return sim_error_set(err, SIM_ENOMEM, "out of memory");
    sim_strbuf_init(&sb);
    sim_strbuf_add(&sb, text, strlen(text));
    sim_strbuf_add(&sb, "\n", 1);
    free(text);
    return sim_strbuf_save(&sb, path, err);
}
