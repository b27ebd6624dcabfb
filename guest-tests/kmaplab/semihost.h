/* SPDX-License-Identifier: MIT */
/* The semihosting call, for the guest runtime.  newlib's rdimon does the
 * same for stdio; guests rarely need this directly. */
#ifndef KMAPLAB_SEMIHOST_H
#define KMAPLAB_SEMIHOST_H

#include <stdint.h>

#define SEMIHOST_SYS_GET_CMDLINE 0x15
#define SEMIHOST_SYS_HEAPINFO 0x16

static inline int kmaplab_semihost(uint32_t op, void *block)
{
	register uint32_t r0 __asm__("r0") = op;
	register uint32_t r1 __asm__("r1") = (uint32_t)(uintptr_t)block;
#ifdef __thumb__
	__asm__ volatile("svc #0xab" : "+r"(r0) : "r"(r1) : "memory");
#else
	__asm__ volatile("svc #0x123456" : "+r"(r0) : "r"(r1) : "memory");
#endif
	return (int)r0;
}

#endif
