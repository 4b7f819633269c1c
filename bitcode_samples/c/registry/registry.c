#include <stdio.h>
#include <string.h>
#include "registry.h"

/* External definition of the C99 inline function from registry.h. */
extern inline int64_t wrap_mod(int64_t v, int64_t m);

static struct plugin table[REGISTRY_MAX];
static int count;                       /* also defined in plugins_*.c and main.c */
static const char *events[64];
static int nevents;

static const char *tag(void)            /* also defined in plugins_a.c and main.c */
{
    return "registry";
}

__attribute__((weak)) int registry_verbosity = 2;
__attribute__((weak)) const char *registry_motd = "weak default motd (should be overridden)";

__attribute__((weak)) const char *registry_banner(void)
{
    return "weak default banner (should be overridden)";
}

__attribute__((weak)) int64_t registry_finalize(int64_t v)
{
    return wrap_mod(v * 31 + 7, REGISTRY_MOD);
}

void event_log(const char *what)
{
    if (nevents < (int)(sizeof events / sizeof events[0]))
        events[nevents++] = what;
}

int event_count(void) { return nevents; }

const char *event_at(int index)
{
    return (index >= 0 && index < nevents) ? events[index] : "<none>";
}

void registry_add(const char *name, transform_fn fn, int64_t param,
                  int priority, const char *origin)
{
    if (count >= REGISTRY_MAX) {
        printf("%s: table full, dropping %s\n", tag(), name);
        return;
    }
    table[count].name = name;
    table[count].fn = fn;
    table[count].param = param;
    table[count].priority = priority;
    table[count].origin = origin;
    count++;
}

int registry_count(void) { return count; }

const struct plugin *registry_get(int index)
{
    return (index >= 0 && index < count) ? &table[index] : 0;
}

static int plugin_before(const struct plugin *a, const struct plugin *b)
{
    if (a->priority != b->priority)
        return a->priority < b->priority;
    return strcmp(a->name, b->name) < 0;
}

void registry_sort(void)
{
    for (int i = 1; i < count; i++) {
        struct plugin key = table[i];
        int j = i - 1;
        while (j >= 0 && plugin_before(&key, &table[j])) {
            table[j + 1] = table[j];
            j--;
        }
        table[j + 1] = key;
    }
}

void registry_foreach(visit_fn visit, void *ctx)
{
    for (int i = 0; i < count; i++)
        visit(&table[i], ctx);
}

int64_t registry_apply_all(int64_t value)
{
    int64_t v = wrap_mod(value, REGISTRY_MOD);
    for (int i = 0; i < count; i++)
        v = wrap_mod(table[i].fn(v, table[i].param), REGISTRY_MOD);
    return registry_finalize(v);
}

int64_t registry_checksum(void)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < count; i++) {
        for (const char *p = table[i].name; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        h = mix64(h ^ (uint64_t)table[i].param ^ ((uint64_t)table[i].priority << 40));
    }
    return (int64_t)(h >> 1);
}

__attribute__((destructor(101)))
static void fini(void)                  /* same name as the destructor in plugins_b.c */
{
    printf("[dtor %s 101] %d plugins, %d events\n", tag(), count, nevents);
}
