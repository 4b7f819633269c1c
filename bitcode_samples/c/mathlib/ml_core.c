#include "mathlib.h"

extern inline int64_t ml_abs(int64_t n);

#define SIEVE_MAX 65536

static uint16_t cache[SIEVE_MAX + 1];   /* prime counts; also a `cache` in ml_seq.c */

static int helper(int64_t n)            /* is n prime (trial division); also in ml_seq.c */
{
    if (n < 2)
        return 0;
    for (int64_t d = 2; d * d <= n; d++)
        if (n % d == 0)
            return 0;
    return 1;
}

__attribute__((constructor))
static void fill_prime_counts(void)
{
    static uint8_t composite[SIEVE_MAX + 1];
    for (int64_t i = 2; i * i <= SIEVE_MAX; i++)
        if (!composite[i])
            for (int64_t j = i * i; j <= SIEVE_MAX; j += i)
                composite[j] = 1;
    uint16_t running = 0;
    for (int64_t i = 0; i <= SIEVE_MAX; i++) {
        if (i >= 2 && !composite[i])
            running++;
        cache[i] = running;
    }
}

int64_t ml_fib(int64_t n)
{
    uint64_t a = 0, b = 1;
    if (n > (INT64_C(1) << 20))
        return -1;
    for (int64_t i = 0; i < n; i++) {
        uint64_t t = a + b;
        a = b;
        b = t;
    }
    return (int64_t)a;
}

int64_t ml_isqrt(int64_t n)
{
    if (n <= 0)
        return 0;
    uint64_t x = (uint64_t)n, r = x, prev;
    do {
        prev = r;
        r = (r + x / r) / 2;
    } while (r < prev);
    return (int64_t)prev;
}

int64_t ml_popcount(int64_t n)
{
    uint64_t x = (uint64_t)n;
    int64_t c = 0;
    while (x) {
        c += (int64_t)(x & 1);
        x >>= 1;
    }
    return c;
}

int64_t ml_digit_sum(int64_t n)
{
    uint64_t x = (uint64_t)ml_abs(n);
    int64_t s = 0;
    while (x) {
        s += (int64_t)(x % 10);
        x /= 10;
    }
    return s;
}

int64_t ml_gcd360(int64_t n)
{
    uint64_t a = (uint64_t)ml_abs(n), b = 360;
    while (a) {
        uint64_t t = b % a;
        b = a;
        a = t;
    }
    return (int64_t)b;
}

int64_t ml_prime_count(int64_t n)
{
    if (n < 0 || n > SIEVE_MAX)
        return -1;
    /* Cross-check the table against trial division for the top value. */
    if (helper(n) != (n >= 2 && cache[n] != cache[n - 1]))
        return -2;
    return cache[n];
}

__attribute__((weak)) int64_t ml_scale_factor(int64_t unused)
{
    (void)unused;
    return 3;
}

__attribute__((weak)) int64_t ml_version(int64_t unused)
{
    (void)unused;
    return 1;                           /* overridden by ml_seq.c */
}

int64_t ml_scaled(int64_t n)
{
    return (int64_t)((uint64_t)n * (uint64_t)ml_scale_factor(0));
}
