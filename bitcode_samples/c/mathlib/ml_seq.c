#include "mathlib.h"

#define Q_MAX 4096

static int32_t cache[Q_MAX + 1];        /* Hofstadter Q memo; also in ml_core.c */
static int cache_ready;

static int64_t helper(int64_t n)        /* one Collatz step; also in ml_core.c */
{
    return (n & 1) ? 3 * n + 1 : n / 2;
}

int64_t ml_version(int64_t unused)      /* strong override of ml_core.c's weak one */
{
    (void)unused;
    return 350;
}

int64_t ml_collatz(int64_t n)
{
    if (n <= 0)
        return -1;
    int64_t steps = 0;
    while (n != 1) {
        if (n > INT64_MAX / 4)
            return -1;
        n = helper(n);
        steps++;
    }
    return steps;
}

int64_t ml_sum_divisors(int64_t n)
{
    if (n <= 1 || n > (INT64_C(1) << 40))
        return 0;
    int64_t s = 1;
    for (int64_t d = 2; d * d <= n; d++)
        if (n % d == 0) {
            s += d;
            if (d != n / d)
                s += n / d;
        }
    return s;
}

int64_t ml_hofstadter(int64_t n)
{
    if (n < 1 || n > Q_MAX)
        return -1;
    if (!cache_ready) {
        cache[1] = cache[2] = 1;
        for (int i = 3; i <= Q_MAX; i++)
            cache[i] = cache[i - cache[i - 1]] + cache[i - cache[i - 2]];
        cache_ready = 1;
    }
    return cache[n];
}

static int64_t odd_depth(int64_t n);

static int64_t even_depth(int64_t n)
{
    return n == 0 ? 0 : odd_depth(n - 1);
}

static int64_t odd_depth(int64_t n)
{
    return n == 0 ? 1 : even_depth(n - 1);
}

int64_t ml_parity(int64_t n)
{
    return even_depth((int64_t)((uint64_t)ml_abs(n) % 512));
}

static int64_t (*const dispatch_table[8])(int64_t) = {
    ml_fib, ml_isqrt, ml_popcount, ml_digit_sum,
    ml_gcd360, ml_collatz, ml_sum_divisors, ml_parity,
};

int64_t ml_dispatch(int64_t n)
{
    uint64_t m = (uint64_t)ml_abs(n);  /* INT64_MIN stays 2^63: still non-negative */
    return dispatch_table[m % 8]((int64_t)(m % 90));
}

int64_t ml_checksum(int64_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int64_t i = 0; i < n && i < 100000; i++) {
        h ^= (uint64_t)ml_dispatch(i);
        h *= 0x100000001b3ULL;
        h ^= (uint64_t)ml_hofstadter(i % Q_MAX + 1) + (uint64_t)ml_prime_count(i % 65536);
        h *= 0x100000001b3ULL;
        h += (uint64_t)ml_scaled(i);
    }
    return (int64_t)(h >> 1);
}
