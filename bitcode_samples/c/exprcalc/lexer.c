#include <string.h>
#include "calc.h"

/* External definitions of the C99 inline functions. */
extern inline int calc_is_digit(int c);
extern inline int calc_is_alpha(int c);

/* Takes atoi's address: keeps the available_externally body alive. */
int (*const calc_number_parser)(const char *) = atoi;

static const char operators[] = "+-*/%^(),?:<>=";

void lex_init(struct lexer *lx, const char *src)
{
    lx->src = src;
    lx->pos = 0;
    lex_next(lx);
}

void lex_next(struct lexer *lx)
{
    const char *s = lx->src;
    while (s[lx->pos] == ' ' || s[lx->pos] == '\t')
        lx->pos++;
    struct token *t = &lx->cur;
    memset(t, 0, sizeof *t);
    char c = s[lx->pos];
    if (c == '\0') {
        t->kind = T_END;
        return;
    }
    if (calc_is_digit(c)) {
        size_t n = 0;
        while (calc_is_digit(s[lx->pos]) && n < sizeof t->text - 1)
            t->text[n++] = s[lx->pos++];
        t->kind = T_NUM;
        t->value = calc_number_parser(t->text);
        return;
    }
    if (calc_is_alpha(c)) {
        size_t n = 0;
        while ((calc_is_alpha(s[lx->pos]) || calc_is_digit(s[lx->pos])) && n < sizeof t->text - 1)
            t->text[n++] = s[lx->pos++];
        t->kind = T_IDENT;
        return;
    }
    if (strchr(operators, c)) {
        t->kind = T_OP;
        t->text[0] = c;
        lx->pos++;
        return;
    }
    t->kind = T_ERR;
    t->text[0] = c;
    lx->pos++;
}
