#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "calc.h"

static int error_count;                 /* also in eval.c */

static void report(const char *what, const struct lexer *lx)   /* also in eval.c */
{
    error_count++;
    printf("    parse error: %s at column %zu\n", what, lx->pos);
}

static struct node *new_node(enum node_kind kind)
{
    struct node *n = calloc(1, sizeof *n);
    if (!n) {
        printf("out of memory\n");
        exit(1);
    }
    n->kind = kind;
    return n;
}

void node_free(struct node *n)
{
    if (!n)
        return;
    for (int i = 0; i < 4; i++)
        node_free(n->kids[i]);
    free(n);
}

static int is_op(const struct lexer *lx, char op)
{
    return lx->cur.kind == T_OP && lx->cur.text[0] == op;
}

static struct node *binary(char op, struct node *a, struct node *b)
{
    struct node *n = new_node(N_BIN);
    n->op = op;
    n->kids[0] = a;
    n->kids[1] = b;
    n->nargs = 2;
    return n;
}

/* Mutually recursive descent. */
static struct node *parse_expr(struct lexer *lx);
static struct node *parse_unary(struct lexer *lx);

static struct node *parse_primary(struct lexer *lx)
{
    struct token t = lx->cur;
    if (t.kind == T_NUM) {
        lex_next(lx);
        struct node *n = new_node(N_NUM);
        n->value = t.value;
        return n;
    }
    if (t.kind == T_IDENT) {
        lex_next(lx);
        struct node *n;
        if (is_op(lx, '(')) {
            lex_next(lx);
            n = new_node(N_CALL);
            if (!is_op(lx, ')')) {
                for (;;) {
                    struct node *arg = parse_expr(lx);
                    if (!arg) {
                        node_free(n);
                        return NULL;
                    }
                    if (n->nargs < 4)
                        n->kids[n->nargs++] = arg;
                    else
                        node_free(arg);
                    if (!is_op(lx, ','))
                        break;
                    lex_next(lx);
                }
            }
            if (!is_op(lx, ')')) {
                report("expected ')' after arguments", lx);
                node_free(n);
                return NULL;
            }
            lex_next(lx);
        } else {
            n = new_node(N_VAR);
        }
        memcpy(n->name, t.text, sizeof n->name);
        return n;
    }
    if (is_op(lx, '(')) {
        lex_next(lx);
        struct node *n = parse_expr(lx);
        if (!n)
            return NULL;
        if (!is_op(lx, ')')) {
            report("expected ')'", lx);
            node_free(n);
            return NULL;
        }
        lex_next(lx);
        return n;
    }
    report(msg_syntax, lx);
    return NULL;
}

static struct node *parse_power(struct lexer *lx)
{
    struct node *base = parse_primary(lx);
    if (base && is_op(lx, '^')) {
        lex_next(lx);
        struct node *exp = parse_unary(lx);   /* right associative */
        if (!exp) {
            node_free(base);
            return NULL;
        }
        return binary('^', base, exp);
    }
    return base;
}

static struct node *parse_unary(struct lexer *lx)
{
    if (is_op(lx, '-')) {
        lex_next(lx);
        struct node *inner = parse_unary(lx);
        if (!inner)
            return NULL;
        struct node *n = new_node(N_NEG);
        n->kids[0] = inner;
        n->nargs = 1;
        return n;
    }
    return parse_power(lx);
}

static struct node *parse_chain(struct lexer *lx, const char *ops,
                                struct node *(*next)(struct lexer *))
{
    struct node *left = next(lx);
    while (left && lx->cur.kind == T_OP && strchr(ops, lx->cur.text[0])) {
        char op = lx->cur.text[0];
        lex_next(lx);
        struct node *right = next(lx);
        if (!right) {
            node_free(left);
            return NULL;
        }
        left = binary(op, left, right);
    }
    return left;
}

static struct node *parse_term(struct lexer *lx) { return parse_chain(lx, "*/%", parse_unary); }
static struct node *parse_sum(struct lexer *lx) { return parse_chain(lx, "+-", parse_term); }
static struct node *parse_cmp(struct lexer *lx) { return parse_chain(lx, "<>=", parse_sum); }

static struct node *parse_cond(struct lexer *lx)
{
    struct node *c = parse_cmp(lx);
    if (!c || !is_op(lx, '?'))
        return c;
    lex_next(lx);
    struct node *a = parse_expr(lx);
    if (!a || !is_op(lx, ':')) {
        if (a)
            report("expected ':'", lx);
        node_free(c);
        node_free(a);
        return NULL;
    }
    lex_next(lx);
    struct node *b = parse_expr(lx);
    if (!b) {
        node_free(c);
        node_free(a);
        return NULL;
    }
    struct node *n = new_node(N_COND);
    n->kids[0] = c;
    n->kids[1] = a;
    n->kids[2] = b;
    n->nargs = 3;
    return n;
}

static struct node *parse_expr(struct lexer *lx)
{
    return parse_cond(lx);
}

struct node *parse_line(const char *src, char *assign_to, size_t assign_len)
{
    struct lexer lx;
    assign_to[0] = '\0';
    /* "name := expr" assigns. */
    const char *p = strstr(src, ":=");
    if (p) {
        size_t n = 0;
        for (const char *q = src; q < p && n + 1 < assign_len; q++)
            if (*q != ' ')
                assign_to[n++] = *q;
        assign_to[n] = '\0';
        src = p + 2;
    }
    lex_init(&lx, src);
    if (lx.cur.kind == T_END) {
        report("empty expression", &lx);
        return NULL;
    }
    struct node *n = parse_expr(&lx);
    if (n && lx.cur.kind != T_END) {
        report("trailing input", &lx);
        node_free(n);
        return NULL;
    }
    return n;
}

int parser_errors(void) { return error_count; }

void tree_print(const struct node *n, char *buf, size_t len)
{
    char a[128], b[128], c[128];
    switch (n->kind) {
    case N_NUM:
        snprintf(buf, len, "%lld", (long long)n->value);
        break;
    case N_VAR:
        snprintf(buf, len, "%s", n->name);
        break;
    case N_NEG:
        tree_print(n->kids[0], a, sizeof a);
        snprintf(buf, len, "(neg %s)", a);
        break;
    case N_BIN:
        tree_print(n->kids[0], a, sizeof a);
        tree_print(n->kids[1], b, sizeof b);
        snprintf(buf, len, "(%c %s %s)", n->op, a, b);
        break;
    case N_COND:
        tree_print(n->kids[0], a, sizeof a);
        tree_print(n->kids[1], b, sizeof b);
        tree_print(n->kids[2], c, sizeof c);
        snprintf(buf, len, "(if %s %s %s)", a, b, c);
        break;
    case N_CALL: {
        size_t used = (size_t)snprintf(buf, len, "(%s", n->name);
        for (int i = 0; i < n->nargs && used < len; i++) {
            tree_print(n->kids[i], a, sizeof a);
            used += (size_t)snprintf(buf + used, len - used, " %s", a);
        }
        if (used < len)
            snprintf(buf + used, len - used, ")");
        break;
    }
    }
}
