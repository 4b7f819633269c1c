#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "kernels.h"

int kernel_rounds = 5;                  /* strong override of the weak default */

static const char *const words[] = {
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa",
};

static void print_values(const char *label, const uint32_t *v, size_t n)
{
    printf("  %-9s", label);
    for (size_t i = 0; i < n; i++)
        printf(" %u", (unsigned)v[i]);
    printf("\n");
}

struct sorter {
    const char *name;
    cmp_fn cmp;
};

static const struct sorter sorters[] = {
    { "asc", cmp_ascending },
    { "desc", cmp_desc },
    { "popcount", cmp_popcount },
};

int main(void)
{
    printf("kernels: rounds=%d label=\"%s\"\n", kernel_rounds, stats_label());

    printf("sieve:\n");
    for (int limit = 10; limit <= 20000; limit *= 5) {
        int largest;
        int c = sieve_count(limit, &largest);
        printf("  pi(%5d) = %4d, largest prime %d\n", limit, c, largest);
    }

    printf("crc32:\n");
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i += 3)
        printf("  crc32(%-8s) = %08" PRIx32 "\n", words[i], crc32_buf(words[i], strlen(words[i])));
    printf("  crc32(\"123456789\") = %08" PRIx32 "\n", crc32_buf("123456789", 9));

    printf("matrix power (mod 1000003):\n");
    int64_t m[16], r[16], t[16];
    for (int i = 0; i < 16; i++) {
        m[i] = (i * 7 + 3) % 11;
        r[i] = (i % 5 == 0);            /* identity for 4x4 */
    }
    for (int round = 0; round < kernel_rounds * 4; round++) {
        matmul_mod(4, r, m, t, 1000003);
        memcpy(r, t, sizeof r);
    }
    for (int i = 0; i < 4; i++)
        printf("  [%7" PRId64 " %7" PRId64 " %7" PRId64 " %7" PRId64 "]\n",
               r[i * 4], r[i * 4 + 1], r[i * 4 + 2], r[i * 4 + 3]);

    printf("sorting:\n");
    uint64_t state = 20240601;
    uint32_t values[24];
    for (size_t i = 0; i < 24; i++)
        values[i] = (uint32_t)(lcg_next(&state) % 1000);
    print_values("input", values, 24);
    printf("  median   %" PRId64 "\n", median_of(values, 24));
    for (size_t s = 0; s < sizeof sorters / sizeof sorters[0]; s++) {
        sort_values(values, 24, sorters[s].cmp);
        print_values(sorters[s].name, values, 24);
    }
    printf("  sum  = %" PRIu64 "\n", fold_values(values, 24, step_sum));
    printf("  hash = %016" PRIx64 "\n", fold_values(values, 24, step_hash));

    printf("tak:\n");
    for (int64_t x = 6; x <= 12; x += 3)
        printf("  tak(%2" PRId64 ", %" PRId64 ", 0) = %" PRId64 "\n", x, x / 2, tak(x, x / 2, 0));

    printf("mix totals: kernels=%" PRId64 " stats=%" PRId64 "\n",
           kernels_mix_total(), stats_mix_total());
    return 0;
}
