#include "registry.h"

static int count;                       /* calls made into this file's plugins */

static const char *tag(void)
{
    return "plugins_a";
}

static int64_t op_add(int64_t v, int64_t p) { count++; return v + p; }
static int64_t op_mul(int64_t v, int64_t p) { count++; return wrap_mod(v * p, REGISTRY_MOD); }

static int64_t op_mix(int64_t v, int64_t p)
{
    count++;
    return (int64_t)(mix64((uint64_t)v ^ (uint64_t)p) % REGISTRY_MOD);
}

static int64_t op_square(int64_t v, int64_t p)
{
    count++;
    return wrap_mod(v * v + p, REGISTRY_MOD);
}

struct builtin {
    const char *name;
    transform_fn fn;
    int64_t param;
    int priority;
};

/* Function pointers in a global initializer. */
static const struct builtin builtins[] = {
    { "add7",   op_add,    7,          30 },
    { "mul3",   op_mul,    3,          10 },
    { "mix",    op_mix,    0x5bd1e995, 50 },
    { "square", op_square, 11,         20 },
};

/* Non-static table that other code could reach (address escapes via the getter). */
const transform_fn plugins_a_ops[] = { op_add, op_mul, op_mix, op_square };

__attribute__((constructor(110)))
static void init(void)
{
    event_log("ctor plugins_a (110)");
    for (unsigned i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        registry_add(builtins[i].name, builtins[i].fn, builtins[i].param,
                     builtins[i].priority, tag());
}

int plugins_a_calls(void) { return count; }
const char *plugins_a_tag(void) { return tag(); }
