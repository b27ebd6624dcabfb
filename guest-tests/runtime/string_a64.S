/* SPDX-License-Identifier: MIT */
/* memcpy, memmove and memset for AArch64 guests, linked by kmaplab-cc
 * --core cortex-a53|a57|a72 in place of picolibc's C stubs (Debian 12's
 * picolibc-aarch64-linux-gnu has memcpy-stub.c, memmove-stub.c and
 * memset-stub.c: one byte per iteration), so that a guest's copies cost
 * what arm64 Linux's cost.
 *
 * The approach is that of arm64 Linux v5.10: arch/arm64/lib/memcpy.S
 * with copy_template.S, memmove.S and memset.S (the ones before v5.14
 * replaced them with Arm's optimized-routines versions): 16 bytes per
 * LDP/STP pair of X registers, 64 bytes per main-loop iteration, the
 * source (memset: the destination) first brought to a 16-byte boundary,
 * the rest below 64 bytes done by testing the bits of the count (32, 16,
 * 8, 4, 2, 1).  The code is written for kmaplab, not taken from there;
 * where it differs:
 *  - the main loops load all 64 bytes, then store them (v5.10 interleaves
 *    the stores of one block with the loads of the next); the same number
 *    of instructions, no software pipelining (kmaplab charges a cycle per
 *    instruction, docs/cycle-model.md);
 *  - memset never uses DC ZVA for zeroes (v5.10 does when DCZID_EL0
 *    allows): zero and other values take the same path, so the count in
 *    guest-tests/a64_string.c holds for any value.
 *
 * memcpy, memmove and memset are weak: a guest that defines its own gets
 * it.  memmove's forward case branches to __memcpy, which is never
 * replaced (as v5.10's memmove.S calls __memcpy).  Alignment checking is
 * off (SCTLR_EL1.A = 0, emu/machine_a64.c), so the loads and stores to a
 * destination that is not 16-byte aligned are allowed on Normal memory;
 * Device memory takes memcpy_toio() (kmaplab/guest.h), as in the kernel.
 *
 * The instruction counts of a 4 KiB copy and set are worked out in
 * guest-tests/a64_string.c from the paths below, so a change to a path
 * must be carried there.
 *
 * Registers: x0 dst (returned unchanged), x1 src or value, x2 count;
 * x3-x14 scratch; all caller-saved (AAPCS64), no stack. */

	.arch	armv8-a

/* void *memcpy(void *dst, const void *src, size_t n): forward, so it is
 * also memmove's copy when dst is below src (every load of a byte comes
 * before the store that could overwrite it: within a 64-byte step all
 * loads come first, and the stores land below the loads).  */
	.section .text.memcpy, "ax", %progbits
	.p2align 6
	.global	__memcpy
	.type	__memcpy, %function
	.weak	memcpy
	.type	memcpy, %function
__memcpy:
memcpy:
	mov	x6, x0			/* x6: where the next store goes */
	cmp	x2, #16
	b.lo	.Lcpy_tail15
	/* x3 = bytes from src to its next 16-byte boundary (0-15), copied
	 * 1, 2, 4, 8 at a time; the loads are then aligned. */
	neg	x3, x1
	ands	x3, x3, #15
	b.eq	.Lcpy_aligned
	sub	x2, x2, x3
	tbz	x3, #0, 1f
	ldrb	w4, [x1], #1
	strb	w4, [x6], #1
1:	tbz	x3, #1, 2f
	ldrh	w4, [x1], #2
	strh	w4, [x6], #2
2:	tbz	x3, #2, 3f
	ldr	w4, [x1], #4
	str	w4, [x6], #4
3:	tbz	x3, #3, .Lcpy_aligned
	ldr	x4, [x1], #8
	str	x4, [x6], #8
.Lcpy_aligned:
	/* From here x2 holds (bytes left) - 64: the loop runs while that is
	 * not negative, and its low 6 bits are always the bytes left modulo
	 * 64, which is all the tail reads. */
	subs	x2, x2, #64
	b.lo	.Lcpy_tail63
.Lcpy_loop64:				/* 10 instructions per 64 bytes */
	ldp	x7, x8, [x1], #64
	ldp	x9, x10, [x1, #-48]
	ldp	x11, x12, [x1, #-32]
	ldp	x13, x14, [x1, #-16]
	stp	x7, x8, [x6], #64
	stp	x9, x10, [x6, #-48]
	stp	x11, x12, [x6, #-32]
	stp	x13, x14, [x6, #-16]
	subs	x2, x2, #64
	b.hs	.Lcpy_loop64
.Lcpy_tail63:				/* bits 5 and 4 of x2: 32, 16 bytes */
	tbz	x2, #5, 1f
	ldp	x7, x8, [x1], #32
	ldp	x9, x10, [x1, #-16]
	stp	x7, x8, [x6], #32
	stp	x9, x10, [x6, #-16]
1:	tbz	x2, #4, .Lcpy_tail15
	ldp	x7, x8, [x1], #16
	stp	x7, x8, [x6], #16
.Lcpy_tail15:				/* bits 3 to 0: 8, 4, 2, 1 bytes */
	tbz	x2, #3, 1f
	ldr	x4, [x1], #8
	str	x4, [x6], #8
1:	tbz	x2, #2, 2f
	ldr	w4, [x1], #4
	str	w4, [x6], #4
2:	tbz	x2, #1, 3f
	ldrh	w4, [x1], #2
	strh	w4, [x6], #2
3:	tbz	x2, #0, 4f
	ldrb	w4, [x1]
	strb	w4, [x6]
4:	ret
	.size	__memcpy, . - __memcpy
	.size	memcpy, . - memcpy

/* void *memmove(void *dst, const void *src, size_t n).  When dst - src,
 * as an unsigned number, is at least n, no byte of the destination is a
 * source byte still to be read by a forward copy (dst is below src, or at
 * or past its end): __memcpy does it.  Otherwise dst lies inside
 * (src, src + n) (or equals src) and the copy runs from the end down,
 * the mirror image of __memcpy: the source end brought to a 16-byte
 * boundary, 64 bytes a step with all loads before the stores, then 32,
 * 16, 8, 4, 2, 1.  Each store lands above every byte still to be read. */
	.section .text.memmove, "ax", %progbits
	.p2align 6
	.global	__memmove
	.type	__memmove, %function
	.weak	memmove
	.type	memmove, %function
__memmove:
memmove:
	sub	x3, x0, x1
	cmp	x3, x2
	b.hs	__memcpy
	add	x4, x1, x2		/* x4: one past the next byte to load */
	add	x6, x0, x2		/* x6: one past the next byte to store */
	cmp	x2, #16
	b.lo	.Lmov_tail15
	/* x3 = bytes from the last 16-byte boundary below the source end. */
	ands	x3, x4, #15
	b.eq	.Lmov_aligned
	sub	x2, x2, x3
	tbz	x3, #0, 1f
	ldrb	w5, [x4, #-1]!
	strb	w5, [x6, #-1]!
1:	tbz	x3, #1, 2f
	ldrh	w5, [x4, #-2]!
	strh	w5, [x6, #-2]!
2:	tbz	x3, #2, 3f
	ldr	w5, [x4, #-4]!
	str	w5, [x6, #-4]!
3:	tbz	x3, #3, .Lmov_aligned
	ldr	x5, [x4, #-8]!
	str	x5, [x6, #-8]!
.Lmov_aligned:
	subs	x2, x2, #64		/* (bytes left) - 64, as in __memcpy */
	b.lo	.Lmov_tail63
.Lmov_loop64:				/* 10 instructions per 64 bytes */
	ldp	x7, x8, [x4, #-16]
	ldp	x9, x10, [x4, #-32]
	ldp	x11, x12, [x4, #-48]
	ldp	x13, x14, [x4, #-64]!
	stp	x7, x8, [x6, #-16]
	stp	x9, x10, [x6, #-32]
	stp	x11, x12, [x6, #-48]
	stp	x13, x14, [x6, #-64]!
	subs	x2, x2, #64
	b.hs	.Lmov_loop64
.Lmov_tail63:
	tbz	x2, #5, 1f
	ldp	x7, x8, [x4, #-16]
	ldp	x9, x10, [x4, #-32]!
	stp	x7, x8, [x6, #-16]
	stp	x9, x10, [x6, #-32]!
1:	tbz	x2, #4, .Lmov_tail15
	ldp	x7, x8, [x4, #-16]!
	stp	x7, x8, [x6, #-16]!
.Lmov_tail15:
	tbz	x2, #3, 1f
	ldr	x5, [x4, #-8]!
	str	x5, [x6, #-8]!
1:	tbz	x2, #2, 2f
	ldr	w5, [x4, #-4]!
	str	w5, [x6, #-4]!
2:	tbz	x2, #1, 3f
	ldrh	w5, [x4, #-2]!
	strh	w5, [x6, #-2]!
3:	tbz	x2, #0, 4f
	ldrb	w5, [x4, #-1]
	strb	w5, [x6, #-1]
4:	ret
	.size	__memmove, . - __memmove
	.size	memmove, . - memmove

/* void *memset(void *s, int c, size_t n): the byte (int)c & 0xff copied
 * into all 8 bytes of x1, then stored 16 at a time with STP.  At 16 bytes
 * or more, as v5.10's memset.S: one unaligned STP covers the bytes up to
 * the next 16-byte boundary of the destination (and a few past it, stored
 * again later), the loop stores aligned 64-byte blocks, and a last
 * unaligned STP ending at s + n covers the 1-15 bytes below 16 that are
 * left (storing some bytes twice, which setting allows and copying would
 * not).  Below 16 bytes: 8, 4, 2, 1 by the bits of n. */
	.section .text.memset, "ax", %progbits
	.p2align 6
	.global	__memset
	.type	__memset, %function
	.weak	memset
	.type	memset, %function
__memset:
memset:
	mov	x6, x0
	and	w1, w1, #0xff		/* also clears bits 63-32 of x1 */
	orr	w1, w1, w1, lsl #8
	orr	w1, w1, w1, lsl #16
	orr	x1, x1, x1, lsl #32
	cmp	x2, #16
	b.lo	.Lset_tail15
	add	x5, x6, x2		/* x5: the end */
	neg	x3, x6
	ands	x3, x3, #15		/* bytes to the next 16-byte boundary */
	b.eq	.Lset_aligned
	stp	x1, x1, [x6]
	add	x6, x6, x3
	sub	x2, x2, x3
.Lset_aligned:
	subs	x2, x2, #64		/* (bytes left) - 64, as in __memcpy */
	b.lo	.Lset_tail63
.Lset_loop64:				/* 6 instructions per 64 bytes */
	stp	x1, x1, [x6], #64
	stp	x1, x1, [x6, #-48]
	stp	x1, x1, [x6, #-32]
	stp	x1, x1, [x6, #-16]
	subs	x2, x2, #64
	b.hs	.Lset_loop64
.Lset_tail63:
	tbz	x2, #5, 1f
	stp	x1, x1, [x6], #32
	stp	x1, x1, [x6, #-16]
1:	tbz	x2, #4, 2f
	stp	x1, x1, [x6], #16
2:	ands	x2, x2, #15
	b.eq	3f
	stp	x1, x1, [x5, #-16]
3:	ret
.Lset_tail15:
	tbz	x2, #3, 1f
	str	x1, [x6], #8
1:	tbz	x2, #2, 2f
	str	w1, [x6], #4
2:	tbz	x2, #1, 3f
	strh	w1, [x6], #2
3:	tbz	x2, #0, 4f
	strb	w1, [x6]
4:	ret
	.size	__memset, . - __memset
	.size	memset, . - memset
