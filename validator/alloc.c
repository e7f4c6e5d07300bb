#include "alloc.h"
#include "gv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "govgate: fatal: out of memory allocating %zu bytes\n", n);
	abort();
}

void gv_bug_at(const char *file, int line, const char *msg)
{
	fprintf(stderr, "govgate: BUG: %s:%d: %s\n", file, line, msg);
	abort();
}

void *gv_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *gv_xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		oom(count * size);
	return p;
}

void *gv_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *gv_xstrndup(const char *s, size_t n)
{
	char *p = gv_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *gv_xstrdup(const char *s)
{
	return gv_xstrndup(s, strlen(s));
}

void gv_grow(void **v, size_t *alloc, size_t need, size_t elsize)
{
	size_t n;

	if (need <= *alloc)
		return;
	n = *alloc ? *alloc : 8;
	while (n < need) {
		if (n > ((size_t)-1) / 2 / elsize)
			oom(need * elsize);
		n *= 2;
	}
	*v = gv_xrealloc(*v, n * elsize);
	*alloc = n;
}

/* Arena: a list of blocks, the first small (most arenas hold a few
 * strings), each next one twice as big up to ARENA_BLOCK; big requests get
 * a block of their own. */
#define ARENA_BLOCK 16384
#define ARENA_FIRST 256

struct block {
	struct block *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	void (*fn)(void *);
	void *ptr;
};

struct gv_arena {
	struct block *head;
	struct cleanup *cleanups;
	size_t total, next;   /* next: size of the next regular block */
};

gv_arena *gv_arena_new(void)
{
	return gv_xcalloc(1, sizeof(gv_arena));
}

void gv_arena_free(gv_arena *a)
{
	struct block *b, *next;

	struct cleanup *c;

	if (!a)
		return;
	for (c = a->cleanups; c; c = c->next)
		c->fn(c->ptr);
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void *gv_arena_alloc(gv_arena *a, size_t n)
{
	struct block *b = a->head;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (!b || b->size - b->used < n) {
		size_t size;
		if (!a->next)
			a->next = ARENA_FIRST;
		size = n > a->next / 4 && n > ARENA_FIRST ? n : a->next;
		if (size < n)
			size = n;
		if (size == a->next && a->next < ARENA_BLOCK)
			a->next *= 2;
		struct block *nb = gv_xmalloc(sizeof(*nb) + size);
		nb->used = 0;
		nb->size = size;
		if (b && size == n) {
			/* keep filling the current block; the big one goes behind it */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	p = b->data + b->used;
	b->used += n;
	a->total += n;
	memset(p, 0, n);
	return p;
}

char *gv_arena_strndup(gv_arena *a, const char *s, size_t n)
{
	char *p = gv_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

size_t gv_arena_used(const gv_arena *a)
{
	return a->total;
}

void gv_arena_on_free(gv_arena *a, void (*fn)(void *), void *ptr)
{
	struct cleanup *c = gv_arena_alloc(a, sizeof(*c));

	c->fn = fn;
	c->ptr = ptr;
	c->next = a->cleanups;
	a->cleanups = c;
}
