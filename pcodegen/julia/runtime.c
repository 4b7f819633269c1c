/* A miniature Julia runtime for libraries emitted by pcodegen.emit.
 *
 * It defines what emitted code reaches at run time:
 *   - the runtime functions called through PLT thunks (`jlplt_<fn>_<N>`), each
 *     `int64_t fn(int64_t)` doing a little deterministic arithmetic;
 *   - `jl_load_and_lookup`, which a PLT thunk calls the first time it runs to find
 *     the real function (the thunk then stores it into its `_got` slot);
 *   - `jl_object_table`, the runtime objects that `jl_global#N` style slots point at.
 *
 * The list below is the single source of the runtime function names: Python reads
 * it (pcodegen.julia.codegen.runtime_functions) so workloads only call what exists here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JL_RUNTIME_FUNCTIONS(X)      \
    X(jl_alloc_array_1d, 1)          \
    X(jl_alloc_array_2d, 2)          \
    X(jl_apply_generic, 3)           \
    X(jl_array_del_end, 4)           \
    X(jl_array_grow_end, 5)          \
    X(jl_array_ptr_copy, 6)          \
    X(jl_bounds_error_ints, 7)       \
    X(jl_box_float64, 8)             \
    X(jl_box_int64, 9)               \
    X(jl_checked_assignment, 10)     \
    X(jl_cstr_to_string, 11)         \
    X(jl_egal, 12)                   \
    X(jl_enter_handler, 13)          \
    X(jl_eqtable_get, 14)            \
    X(jl_eqtable_put, 15)            \
    X(jl_excstack_state, 16)         \
    X(jl_f_apply_type, 17)           \
    X(jl_f_getfield, 18)             \
    X(jl_f_isa, 19)                  \
    X(jl_f_tuple, 20)                \
    X(jl_gc_add_finalizer, 21)       \
    X(jl_gc_pool_alloc, 22)          \
    X(jl_gc_queue_root, 23)          \
    X(jl_genericmemory_copy, 24)     \
    X(jl_get_binding_or_error, 25)   \
    X(jl_get_world_counter, 26)      \
    X(jl_idtable_rehash, 27)         \
    X(jl_invoke, 28)                 \
    X(jl_isa, 29)                    \
    X(jl_new_structv, 30)            \
    X(jl_object_id, 31)              \
    X(jl_pop_handler, 32)            \
    X(jl_restore_excstack, 33)       \
    X(jl_string_ptr, 34)             \
    X(jl_string_to_array, 35)        \
    X(jl_subtype, 36)                \
    X(jl_symbol_n, 37)               \
    X(jl_throw, 38)                  \
    X(jl_type_error, 39)             \
    X(jl_typeof_str, 40)             \
    X(jl_undefined_var_error, 41)    \
    X(jl_uv_puts, 42)

#define JL_NOBJECTS 65536

/* The runtime objects: slot `jl_global#N` for object k points at jl_object_table[k]. */
int64_t jl_object_table[JL_NOBJECTS];

/* How many PLT thunks have bound their GOT slot (tests read this). */
int64_t jl_plt_bindings = 0;

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

__attribute__((constructor)) static void jl_init_object_table(void)
{
    for (uint64_t k = 0; k < JL_NOBJECTS; k++)
        jl_object_table[k] = (int64_t)splitmix64(k);
}

/* Unsigned arithmetic throughout: wrapping, never undefined behaviour. */
#define JL_DEFINE_RUNTIME_FUNCTION(name, k)                                  \
    int64_t name(int64_t x)                                                  \
    {                                                                        \
        uint64_t u = (uint64_t)x;                                            \
        u ^= u >> ((k) % 13 + 3);                                            \
        u *= 0x9E3779B97F4A7C15ULL + 2 * (uint64_t)(k);                      \
        return (int64_t)(u + (uint64_t)(k) * 0x1000193ULL);                  \
    }
JL_RUNTIME_FUNCTIONS(JL_DEFINE_RUNTIME_FUNCTION)

struct jl_runtime_entry {
    const char *name;
    void *fptr;
};

#define JL_RUNTIME_ENTRY(name, k) {#name, (void *)&name},
static const struct jl_runtime_entry jl_runtime_table[] = {JL_RUNTIME_FUNCTIONS(JL_RUNTIME_ENTRY)};

/* Resolve a runtime function by name, as Julia's jl_load_and_lookup does for ccall.
 * `f_lib` is ignored (everything lives in this runtime); `hnd` may receive a handle. */
void *jl_load_and_lookup(const char *f_lib, const char *f_name, void **hnd)
{
    (void)f_lib;
    size_t n = sizeof(jl_runtime_table) / sizeof(jl_runtime_table[0]);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(jl_runtime_table[i].name, f_name) == 0) {
            if (hnd)
                *hnd = jl_runtime_table[i].fptr;
            __atomic_add_fetch(&jl_plt_bindings, 1, __ATOMIC_RELAXED);
            return jl_runtime_table[i].fptr;
        }
    }
    fprintf(stderr, "jl_load_and_lookup: could not find runtime function %s\n", f_name);
    abort();
}
