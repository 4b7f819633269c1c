/* mathlib sample: a shared library (no main) meant to be loaded with ctypes.
 * Every exported function has the signature int64_t f(int64_t).
 *
 * Hard cases exercised: a constructor filling a lookup table at load time,
 * static `cache`/`helper` names in both files, a function-pointer dispatch
 * table, a weak definition with a strong override and one without, a C99
 * inline function (external definition in ml_core.c), mutual recursion.
 */
#ifndef MATHLIB_H
#define MATHLIB_H

#include <stdint.h>

/* ml_core.c */
int64_t ml_fib(int64_t n);          /* fib(n) mod 2^64 as signed, n < 0 -> 0, n > 2^20 -> -1 */
int64_t ml_isqrt(int64_t n);        /* floor(sqrt(n)), n <= 0 -> 0 */
int64_t ml_popcount(int64_t n);
int64_t ml_digit_sum(int64_t n);
int64_t ml_gcd360(int64_t n);       /* gcd(|n|, 360) */
int64_t ml_prime_count(int64_t n);  /* primes <= n, for n <= 65536, else -1 */
int64_t ml_scaled(int64_t n);       /* n * ml_scale_factor() */
int64_t ml_scale_factor(int64_t unused); /* weak default 3, not overridden */

/* ml_seq.c */
int64_t ml_collatz(int64_t n);      /* steps to reach 1, -1 if n <= 0 or it would overflow */
int64_t ml_sum_divisors(int64_t n); /* sum of proper divisors, n <= 1 or n > 2^40 -> 0 */
int64_t ml_hofstadter(int64_t n);   /* Hofstadter Q(n), 1 <= n <= 4096, else -1 */
int64_t ml_parity(int64_t n);       /* 0 even / 1 odd via mutual recursion */
int64_t ml_dispatch(int64_t n);     /* applies one of the functions above by n % 8 */
int64_t ml_checksum(int64_t n);     /* mixes results of all functions for 0..n-1 */
int64_t ml_version(int64_t unused); /* weak in ml_core.c, strong in ml_seq.c */

inline int64_t ml_abs(int64_t n)
{
    return n < 0 ? (int64_t)(0 - (uint64_t)n) : n;
}

#endif
