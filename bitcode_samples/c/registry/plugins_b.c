#include <stdio.h>
#include "registry.h"

static int count;                       /* calls made into this file's plugins */

static const char *const origin = "plugins_b";

/* Hofstadter Female/Male sequences: mutual recursion. */
static int64_t hof_m(int64_t n);

static int64_t hof_f(int64_t n)
{
    return n == 0 ? 1 : n - hof_m(hof_f(n - 1));
}

static int64_t hof_m(int64_t n)
{
    return n == 0 ? 0 : n - hof_f(hof_m(n - 1));
}

int64_t plugins_b_hofstadter(int64_t n)
{
    return hof_f(n) * 1000 + hof_m(n);
}

static int64_t op_collatz(int64_t v, int64_t p)
{
    count++;
    int64_t steps = 0;
    uint64_t x = (uint64_t)v + (uint64_t)p;
    if (x == 0)
        x = 1;
    while (x != 1 && steps < 1000) {
        x = (x & 1) ? 3 * x + 1 : x / 2;
        steps++;
    }
    return v * 7 + steps;
}

static int64_t op_hof(int64_t v, int64_t p)
{
    count++;
    return v + plugins_b_hofstadter((v % p) + 1);
}

static int64_t op_digits(int64_t v, int64_t p)
{
    count++;
    int64_t s = 0;
    for (int64_t x = v < 0 ? -v : v; x > 0; x /= 10)
        s += x % 10;
    return v + s * p;
}

__attribute__((constructor(120)))
static void init(void)                  /* same name as the constructor in plugins_a.c */
{
    event_log("ctor plugins_b (120)");
    registry_add("collatz", op_collatz, 27, 40, origin);
    registry_add("hof",     op_hof,     23, 15, origin);
    registry_add("digits",  op_digits,  13, 30, origin);
}

__attribute__((constructor(105)))
static void early(void)
{
    event_log("ctor plugins_b early (105)");
}

__attribute__((destructor(120)))
static void fini(void)                  /* same name as the destructor in registry.c */
{
    printf("[dtor %s 120] plugin calls: a=%d b=%d\n", origin, plugins_a_calls(), count);
}

int plugins_b_calls(void) { return count; }
const char *plugins_b_tag(void) { return origin; }
