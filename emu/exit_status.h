/* SPDX-License-Identifier: MIT */
/* kmaplab's own exit statuses.  A run that ends with the guest's exit()
 * exits with the guest's status; every other ending has one of these and a
 * one-line "kmaplab: ..." message on stderr.  Documented in docs/cli.md. */
#ifndef KMAPLAB_EMU_EXIT_STATUS_H
#define KMAPLAB_EMU_EXIT_STATUS_H

enum kmaplab_exit {
	EXIT_USAGE = 64,       /* bad command line */
	EXIT_BAD_ELF = 65,     /* the guest ELF was refused */
	EXIT_NO_INPUT = 66,    /* a file could not be opened */
	EXIT_INTERNAL = 70,    /* an emulator error (Unicorn refused something) */
	EXIT_GUEST_FAULT = 71, /* abort, undefined instruction, unknown exception */
	EXIT_RUNAWAY = 72,     /* --max-insns reached */
	EXIT_KERNEL_BUG = 73,  /* a BUG: in the modelled kernel code */
	EXIT_WOULD_SLEEP = 74, /* the guest would sleep forever (pkmap exhausted) */
	EXIT_IO = 75,          /* writing --stats or --trace failed */
	EXIT_BAD_CALL = 76,    /* unknown SVC or hypercall, bad semihosting call */
};

#endif
