/* exprcalc sample: a tiny expression language (lexer, recursive-descent
 * parser, tree evaluator) driven by a fixed script.
 *
 * Hard cases exercised (for module splitting):
 *   - mutual recursion across the parser (expr -> cond -> sum -> term ->
 *     unary -> power -> primary -> expr) and in the evaluator (even/odd)
 *   - function-pointer tables in global initializers (operators, builtins)
 *   - static `report` function and static `error_count` variable defined in
 *     both parser.c and eval.c (renamed by llvm-link)
 *   - a GNU `extern inline` + always_inline redefinition of libc's atoi whose
 *     address is taken: it survives llvm-link as an available_externally
 *     definition (the real symbol comes from libc)
 *   - C99 `inline` functions (external definitions in lexer.c) and
 *     `static inline` helpers
 *   - weak hook overridden in main.c, weak limit not overridden
 *   - constructor/destructor with priorities, shared string constants
 */
#ifndef CALC_H
#define CALC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

enum tok_kind { T_NUM, T_IDENT, T_OP, T_END, T_ERR };

struct token {
    enum tok_kind kind;
    int64_t value;
    char text[16];
};

struct lexer {
    const char *src;
    size_t pos;
    struct token cur;
};

enum node_kind { N_NUM, N_VAR, N_BIN, N_NEG, N_CALL, N_COND };

struct node {
    enum node_kind kind;
    int64_t value;
    char op;
    char name[16];
    int nargs;
    struct node *kids[4];
};

/* lexer.c */
void lex_init(struct lexer *lx, const char *src);
void lex_next(struct lexer *lx);
extern int (*const calc_number_parser)(const char *);

/* parser.c */
struct node *parse_line(const char *src, char *assign_to, size_t assign_len);
void node_free(struct node *n);
int parser_errors(void);
void tree_print(const struct node *n, char *buf, size_t len);

/* eval.c */
int64_t eval_node(const struct node *n, int *ok);
void var_set(const char *name, int64_t value);
int var_get(const char *name, int64_t *value);
int eval_errors(void);
int eval_count(void);
int builtin_count(void);
const char *builtin_name(int index);

/* weak hooks */
int64_t calc_user_hook(int64_t x);  /* weak default in eval.c, overridden in main.c */
int calc_max_depth(void);           /* weak default in eval.c, not overridden */

/* shared message strings (defined in eval.c) */
extern const char msg_div_zero[];
extern const char msg_unknown[];
extern const char msg_syntax[];

/* C99 inline definitions; lexer.c emits the external definitions. */
inline int calc_is_digit(int c) { return c >= '0' && c <= '9'; }
inline int calc_is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* GNU extern inline over a libc function.  At -O0 clang only keeps the
 * body because of always_inline; lexer.c takes its address, so the body
 * stays as an available_externally definition of atoi. */
extern inline __attribute__((gnu_inline, always_inline)) int atoi(const char *s)
{
    int v = 0, neg = 0;
    while (*s == ' ')
        s++;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return neg ? -v : v;
}

/* Wrapping arithmetic without undefined behaviour. */
static inline int64_t wadd(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static inline int64_t wsub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static inline int64_t wmul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

#endif
