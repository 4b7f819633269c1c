#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "registry.h"

/* Strong overrides of weak definitions in registry.c. */
const char *registry_banner(void)
{
    return "registry demo (strong banner from main.c)";
}

const char *registry_motd = "strong motd from main.c";

static int count;                       /* visits made by print_plugin */

static const char *tag(void)
{
    return "main";
}

static const char *const header_fmt = "== %s ==\n";

struct visit_ctx {
    int index;
    int64_t weight;
};

static void print_plugin(const struct plugin *p, void *ctx)
{
    struct visit_ctx *vc = ctx;
    count++;
    vc->weight += p->priority * (vc->index + 1);
    printf("  #%d %-8s prio=%2d param=%-10" PRId64 " from %s\n",
           vc->index++, p->name, p->priority, p->param, p->origin);
}

static void sum_params(const struct plugin *p, void *ctx)
{
    count++;
    *(int64_t *)ctx += p->param % 1000;
}

__attribute__((constructor(101)))
static void init(void)
{
    event_log("ctor main (101)");
}

int main(void)
{
    printf(header_fmt, registry_banner());
    printf("motd: %s\n", registry_motd);
    printf("verbosity: %d (weak default)\n", registry_verbosity);
    printf("tags: %s %s %s\n", tag(), plugins_a_tag(), plugins_b_tag());

    printf(header_fmt, "constructor order");
    for (int i = 0; i < event_count(); i++)
        printf("  %d: %s\n", i, event_at(i));

    registry_sort();
    printf(header_fmt, "plugins (sorted)");
    struct visit_ctx vc = { 0, 0 };
    registry_foreach(print_plugin, &vc);
    printf("  weight = %" PRId64 "\n", vc.weight);

    int64_t params = 0;
    registry_foreach(sum_params, &params);
    printf("  param sum (mod 1000 each) = %" PRId64 "\n", params);

    printf(header_fmt, "apply chain");
    int64_t acc = 0;
    for (int64_t v = 0; v < 12; v++) {
        int64_t r = registry_apply_all(v * v + 1);
        acc = wrap_mod(acc * 131 + r, REGISTRY_MOD);
        printf("  apply(%3" PRId64 ") = %7" PRId64 "\n", v * v + 1, r);
    }
    printf("  accumulated = %" PRId64 "\n", acc);

    printf(header_fmt, "hofstadter");
    for (int64_t n = 0; n < 16; n += 3)
        printf("  F/M(%2" PRId64 ") = %" PRId64 "\n", n, plugins_b_hofstadter(n));

    printf(header_fmt, "summary");
    printf("  checksum = %" PRId64 "\n", registry_checksum());
    printf("  finalize(12345) = %" PRId64 " (weak default)\n", registry_finalize(12345));
    printf("  calls: a=%d b=%d main=%d\n", plugins_a_calls(), plugins_b_calls(), count);
    printf("  banner length = %zu\n", strlen(registry_banner()));
    return 0;
}
