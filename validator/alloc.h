/*
 * alloc.h: allocation that never returns NULL, and a bump arena.
 *
 * gv_x* abort the process with a message when memory is exhausted, as git's
 * xmalloc does: no caller has a better answer, and checking every call hides
 * the real error paths. Untrusted sizes must be bounded before they reach
 * these functions.
 *
 * A gv_arena hands out memory that lives until gv_arena_free(); documents and
 * compiled programs never change after they are built, so one arena each is
 * enough.
 */
#ifndef GV_ALLOC_H
#define GV_ALLOC_H

#include <stddef.h>

void *gv_xmalloc(size_t n);
void *gv_xcalloc(size_t count, size_t size);
void *gv_xrealloc(void *p, size_t n);
char *gv_xstrdup(const char *s);
char *gv_xstrndup(const char *s, size_t n);
/* Grows *v (of *alloc elements of elsize bytes) to hold at least need. */
void gv_grow(void **v, size_t *alloc, size_t need, size_t elsize);
#define GV_GROW(v, alloc, need) gv_grow((void **)&(v), &(alloc), (need), sizeof(*(v)))

typedef struct gv_arena gv_arena;

gv_arena *gv_arena_new(void);
void gv_arena_free(gv_arena *a);          /* NULL ok */
void *gv_arena_alloc(gv_arena *a, size_t n);  /* zeroed, 16-byte aligned */
char *gv_arena_strndup(gv_arena *a, const char *s, size_t n);
size_t gv_arena_used(const gv_arena *a);  /* bytes handed out, for limits */
/* Calls fn(ptr) when the arena is freed (last registered, first called):
 * for objects a library allocates, such as compiled regexes. */
void gv_arena_on_free(gv_arena *a, void (*fn)(void *), void *ptr);

#endif
