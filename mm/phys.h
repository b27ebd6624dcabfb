/* SPDX-License-Identifier: MIT */
/* Guest physical memory as mm/ sees it: one contiguous RAM bank that the
 * emulator owns and lends to mm/ as a host pointer.  mm/ never includes
 * Unicorn headers; this struct is the whole interface for memory. */
#ifndef KMAPLAB_MM_PHYS_H
#define KMAPLAB_MM_PHYS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct phys_mem {
	uint8_t *host;  /* host address of physical byte `base` */
	uint32_t base;  /* first physical address of RAM (PHYS_OFFSET) */
	uint32_t size;  /* bytes of RAM */
};

/* True if [pa, pa + len) lies wholly inside RAM. */
static inline bool phys_contains(const struct phys_mem *m, uint32_t pa, uint32_t len)
{
	uint64_t off = (uint64_t)pa - m->base;
	return pa >= m->base && off + len <= m->size;
}

/* Callers check phys_contains() first; the guest is little-endian like the host. */
static inline uint32_t phys_read32(const struct phys_mem *m, uint32_t pa)
{
	uint32_t v;
	memcpy(&v, m->host + (pa - m->base), sizeof(v));
	return v;
}

static inline void phys_write32(const struct phys_mem *m, uint32_t pa, uint32_t v)
{
	memcpy(m->host + (pa - m->base), &v, sizeof(v));
}

static inline void *phys_ptr(const struct phys_mem *m, uint32_t pa)
{
	return m->host + (pa - m->base);
}

#endif
