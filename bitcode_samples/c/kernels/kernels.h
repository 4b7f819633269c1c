/* kernels sample: integer number crunching (loops for O2 to chew on).
 *
 * Hard cases exercised (for module splitting):
 *   - static variable `scratch` and static function `mix` defined in both
 *     kernels.c and stats.c (renamed by llvm-link), static locals
 *   - callbacks passed to libc (qsort comparators) and to local code
 *   - a CRC table filled by a constructor, a destructor printing totals
 *   - weak variable overridden in main.c, weak function not overridden
 *   - mutual recursion (quickselect: select_kth <-> select_partition) and
 *     deep plain recursion (Takeuchi)
 *   - C99 inline with external definition in stats.c, static inline helpers
 *   - a function alias (cmp_ascending -> cmp_asc) used from a table in main.c
 */
#ifndef KERNELS_H
#define KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* kernels.c */
int sieve_count(int limit, int *largest);
uint32_t crc32_buf(const void *data, size_t len);
void matmul_mod(int n, const int64_t *a, const int64_t *b, int64_t *out, int64_t mod);
uint64_t lcg_next(uint64_t *state);
int64_t kernels_mix_total(void);
extern int kernel_rounds;                 /* weak default 3, overridden in main.c */

/* stats.c */
typedef int (*cmp_fn)(const void *, const void *);
int cmp_asc(const void *a, const void *b);
int cmp_ascending(const void *a, const void *b);   /* alias of cmp_asc */
int cmp_desc(const void *a, const void *b);
int cmp_popcount(const void *a, const void *b);
void sort_values(uint32_t *v, size_t n, cmp_fn cmp);
uint64_t fold_values(const uint32_t *v, size_t n, uint64_t (*step)(uint64_t, uint32_t));
uint64_t step_sum(uint64_t acc, uint32_t x);
uint64_t step_hash(uint64_t acc, uint32_t x);
int64_t stats_mix_total(void);
int64_t tak(int64_t x, int64_t y, int64_t z);
const char *stats_label(void);            /* weak, not overridden */
int64_t median_of(const uint32_t *v, size_t n);

/* C99 inline; stats.c has the external definition. */
inline int popcount32(uint32_t x)
{
    int c = 0;
    while (x) {
        x &= x - 1;
        c++;
    }
    return c;
}

static inline uint32_t rotl32(uint32_t x, int r)
{
    return (x << (r & 31)) | (x >> ((32 - r) & 31));
}

#endif
