/* registry sample: a plugin registry filled by global constructors.
 *
 * Hard cases exercised (for module splitting):
 *   - static functions `tag` / `init` and static variable `count` defined in
 *     several files (llvm-link renames them to tag.1, count.2, ...)
 *   - tables of function pointers in global initializers, callbacks
 *   - constructors/destructors with explicit priorities (ordering is observable)
 *   - weak definitions with and without a strong override, weak variables
 *   - a C99 `inline` function (external definition in registry.c) and a
 *     `static inline` helper copied into every file
 */
#ifndef REGISTRY_H
#define REGISTRY_H

#include <stdint.h>

#define REGISTRY_MAX 32
#define REGISTRY_MOD 1000003

typedef int64_t (*transform_fn)(int64_t value, int64_t param);

struct plugin {
    const char *name;
    transform_fn fn;
    int64_t param;
    int priority;
    const char *origin;
};

typedef void (*visit_fn)(const struct plugin *p, void *ctx);

void registry_add(const char *name, transform_fn fn, int64_t param,
                  int priority, const char *origin);
int registry_count(void);
const struct plugin *registry_get(int index);
void registry_sort(void);
void registry_foreach(visit_fn visit, void *ctx);
int64_t registry_apply_all(int64_t value);
int64_t registry_checksum(void);

/* Weak hooks (defaults in registry.c). */
const char *registry_banner(void);    /* overridden in main.c */
int64_t registry_finalize(int64_t v); /* not overridden */
extern int registry_verbosity;        /* weak variable, not overridden */
extern const char *registry_motd;     /* weak variable, overridden in main.c */

/* Event log written by constructors and destructors. */
void event_log(const char *what);
int event_count(void);
const char *event_at(int index);

/* Per-file statistics. */
int plugins_a_calls(void);
const char *plugins_a_tag(void);
int plugins_b_calls(void);
const char *plugins_b_tag(void);
int64_t plugins_b_hofstadter(int64_t n);

/* C99 inline definition; registry.c provides the external definition. */
inline int64_t wrap_mod(int64_t v, int64_t m)
{
    int64_t r = v % m;
    return r < 0 ? r + m : r;
}

/* Private copy in every translation unit. */
static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

#endif
