#include <stdio.h>
#include <string.h>
#include "kernels.h"

static uint32_t crc_table[256];
static uint8_t scratch[20000];          /* also in stats.c (different type and size) */
static int64_t mix_total;

__attribute__((weak)) int kernel_rounds = 3;

static uint32_t mix(uint32_t x)         /* also in stats.c, different body */
{
    x = rotl32(x ^ 0x9e3779b9u, 7) * 0x85ebca6bu;
    mix_total += x & 0xff;
    return x ^ (x >> 13);
}

__attribute__((constructor(130)))
static void build_crc_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

uint32_t crc32_buf(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < len; i++)
        c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

int sieve_count(int limit, int *largest)
{
    if (limit >= (int)sizeof scratch)
        limit = (int)sizeof scratch - 1;
    memset(scratch, 1, (size_t)limit + 1);
    scratch[0] = scratch[1] = 0;
    for (int i = 2; (long)i * i <= limit; i++)
        if (scratch[i])
            for (int j = i * i; j <= limit; j += i)
                scratch[j] = 0;
    int count = 0;
    *largest = 0;
    for (int i = 2; i <= limit; i++)
        if (scratch[i]) {
            count++;
            *largest = i;
            mix((uint32_t)i);
        }
    return count;
}

void matmul_mod(int n, const int64_t *a, const int64_t *b, int64_t *out, int64_t mod)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            int64_t s = 0;
            for (int k = 0; k < n; k++)
                s = (s + a[i * n + k] * b[k * n + j]) % mod;
            out[i * n + j] = s;
        }
}

uint64_t lcg_next(uint64_t *state)
{
    static uint64_t calls;              /* static local: kernels.c's lcg_next.calls */
    calls++;
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (*state >> 33) ^ calls;
}

int64_t kernels_mix_total(void) { return mix_total; }

__attribute__((destructor(130)))
static void report(void)
{
    printf("[dtor kernels] crc_table[255]=%08x mix_total=%lld\n",
           (unsigned)crc_table[255], (long long)mix_total);
}
