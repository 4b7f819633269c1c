#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "calc.h"

/* Strong override of the weak hook in eval.c. */
int64_t calc_user_hook(int64_t x)
{
    return wadd(wmul(x, x), 1);
}

static const char *const script[] = {
    "1 + 2 * 3",
    "(1 + 2) * 3",
    "2 ^ 10 - 1",
    "2 ^ 3 ^ 2",
    "-7 % 3",
    "x := 6 * 7",
    "x - ten",
    "y := x * x + big",
    "y % 1000",
    "gcd(462, 1071)",
    "max(min(3, 9), abs(-12))",
    "fib(50)",
    "fib(90) % 1000000007",
    "isqrt(1000000)",
    "isqrt(big * 3)",
    "even(10) + even(7) * 10",
    "hook(12)",
    "answer()",
    "x > 40 ? 100 : 200",
    "x < 40 ? 100 : x = 42 ? 300 : 400",
    "2 ^ 63",
    "2 ^ 64 + 5",
    "z := (x + 1) * (x - 1) / 7",
    "z * z * z * z",
    "1 / 0",
    "unknown + 1",
    "nosuch(1)",
    "gcd(1)",
    "(1 + 2",
    "3 + * 4",
    "5 $ 6",
    "",
    "s := 0",
    "s := s + fib(10) + isqrt(99) + gcd(ten, 4)",
    "s := s * 3",
    "s",
};

static int count;                       /* lines that produced a value */

int main(void)
{
    char target[16];
    char tree[512];
    printf("exprcalc: %d builtins:", builtin_count());
    for (int i = 0; i < builtin_count(); i++)
        printf(" %s", builtin_name(i));
    printf("\n");

    for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
        printf("[%2zu] %s\n", i, script[i]);
        struct node *n = parse_line(script[i], target, sizeof target);
        if (!n)
            continue;
        tree_print(n, tree, sizeof tree);
        printf("    tree: %s\n", tree);
        int ok;
        int64_t v = eval_node(n, &ok);
        node_free(n);
        if (!ok)
            continue;
        count++;
        if (target[0]) {
            var_set(target, v);
            printf("    %s = %" PRId64 "\n", target, v);
        } else {
            printf("    => %" PRId64 "\n", v);
        }
    }
    int64_t s = 0;
    var_get("s", &s);
    printf("summary: %d values, %d parse errors, %d eval errors, s=%" PRId64 "\n",
           count, parser_errors(), eval_errors(), s);
    printf("atoi via table: %d\n", calc_number_parser("  +1234x"));
    return 0;
}
