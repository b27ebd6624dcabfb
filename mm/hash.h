/* SPDX-License-Identifier: MIT */
/* include/linux/hash.h for a 32-bit kernel: hash_ptr() is hash_long(),
 * which is hash_32() when BITS_PER_LONG is 32. */
#ifndef KMAPLAB_MM_HASH_H
#define KMAPLAB_MM_HASH_H

#include <stdint.h>

#define GOLDEN_RATIO_32 0x61C88647u

static inline uint32_t __hash_32(uint32_t val)
{
	return val * GOLDEN_RATIO_32;
}

/* The high bits are the best mixed: keep the top `bits`. */
static inline uint32_t hash_32(uint32_t val, unsigned bits)
{
	return __hash_32(val) >> (32 - bits);
}

/* `ptr` is a guest (32-bit) pointer value. */
static inline uint32_t hash_ptr(uint32_t ptr, unsigned bits)
{
	return hash_32(ptr, bits);
}

#endif
