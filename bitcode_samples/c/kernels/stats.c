#include <stdlib.h>
#include "kernels.h"

extern inline int popcount32(uint32_t x);

static uint32_t scratch[64];            /* also in kernels.c */
static int64_t mix_total;

__attribute__((weak)) const char *stats_label(void)
{
    return "stats (weak default label)";
}

static uint32_t mix(uint32_t x)         /* also in kernels.c */
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    mix_total += popcount32(x);
    return x;
}

int cmp_asc(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* A second name for cmp_asc (a GlobalAlias in the IR). */
int cmp_ascending(const void *a, const void *b) __attribute__((alias("cmp_asc")));

int cmp_desc(const void *a, const void *b)
{
    return cmp_asc(b, a);
}

int cmp_popcount(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int px = popcount32(x), py = popcount32(y);
    if (px != py)
        return px - py;
    return cmp_asc(a, b);
}

void sort_values(uint32_t *v, size_t n, cmp_fn cmp)
{
    qsort(v, n, sizeof *v, cmp);
}

uint64_t fold_values(const uint32_t *v, size_t n, uint64_t (*step)(uint64_t, uint32_t))
{
    uint64_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc = step(acc, v[i]);
    return acc;
}

uint64_t step_sum(uint64_t acc, uint32_t x) { return acc + x; }

uint64_t step_hash(uint64_t acc, uint32_t x)
{
    return (acc ^ mix(x)) * 0x100000001b3ULL;
}

int64_t stats_mix_total(void) { return mix_total; }

/* Takeuchi function: heavy (but bounded) recursion. */
int64_t tak(int64_t x, int64_t y, int64_t z)
{
    if (y >= x)
        return z;
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

/* Quickselect with mutual recursion between partition step and selection. */
static int64_t select_kth(uint32_t *a, size_t n, size_t k);

static int64_t select_partition(uint32_t *a, size_t n, size_t k)
{
    uint32_t pivot = a[n / 2];
    size_t lo = 0, hi = n;
    for (size_t i = 0; i < hi;) {
        if (a[i] < pivot) {
            uint32_t t = a[i]; a[i] = a[lo]; a[lo] = t;
            lo++; i++;
        } else if (a[i] > pivot) {
            hi--;
            uint32_t t = a[i]; a[i] = a[hi]; a[hi] = t;
        } else {
            i++;
        }
    }
    if (k < lo)
        return select_kth(a, lo, k);
    if (k >= hi)
        return select_kth(a + hi, n - hi, k - hi);
    return pivot;
}

static int64_t select_kth(uint32_t *a, size_t n, size_t k)
{
    if (n == 1)
        return a[0];
    return select_partition(a, n, k);
}

int64_t median_of(const uint32_t *v, size_t n)
{
    if (n == 0 || n > sizeof scratch / sizeof scratch[0])
        return -1;
    for (size_t i = 0; i < n; i++)
        scratch[i] = v[i];
    return select_kth(scratch, n, n / 2);
}
