/* SPDX-License-Identifier: MIT */
/* kmaplab guest entry.  The emulator has already done what a kernel's
 * head.S does: MMU on with swapper_pg_dir, SVC mode, IRQs masked, .bss
 * zeroed, sp at the top of the boot stack.  All that is left is C. */
	.syntax unified
	.arm
	.section .text.start, "ax", %progbits
	.global _start
	.type _start, %function
_start:
	mov	fp, #0
	mov	lr, #0
	bl	__kmaplab_start		@ never returns: it calls exit()
1:	b	1b
	.size _start, . - _start

/* newlib's __libc_init_array calls _init/_fini from crti.o, which a guest
 * does not link (there is no crti/crtn pair with -nostartfiles). */
	.weak _init
	.type _init, %function
_init:
	bx	lr
	.size _init, . - _init
	.weak _fini
	.type _fini, %function
_fini:
	bx	lr
	.size _fini, . - _fini
