/* SPDX-License-Identifier: MIT */
/* BUG(), WARN() and "would sleep forever" of the modelled kernel.
 *
 * A kernel bug a guest provokes (kunmap of a page that is not mapped, a
 * kmap_atomic nested too deep, a bad struct page *...) never crashes the
 * host: the kernel code that detects it records one line with kmap_bug()
 * and returns; the hypercall in progress then fails and the emulator stops
 * the run with that line (STOP_KERNEL_BUG).  Only the first report counts,
 * as on a real machine where BUG() does not return.
 *
 * kmap_would_sleep() is for a kernel path that would block with nobody
 * left to wake it: the guest is one task on one CPU, so kmap() waiting on
 * pkmap_map_wait for a slot only the guest itself could free would sleep
 * forever (STOP_WOULD_SLEEP).
 *
 * kmap_warn() is WARN(): counted, handed to the trace sink's warn(), and
 * the guest goes on. */
#ifndef KMAPLAB_MM_BUG_H
#define KMAPLAB_MM_BUG_H

#include <stdbool.h>

struct kmap_state;

enum kmap_status {
	KMAP_RUNNING = 0,
	KMAP_BUG,         /* kernel BUG: the run must stop */
	KMAP_WOULD_SLEEP, /* the guest would sleep forever: the run must stop */
};

void kmap_bug(struct kmap_state *ks, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kmap_would_sleep(struct kmap_state *ks, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kmap_warn(struct kmap_state *ks, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True once a BUG or would-sleep has been reported. */
bool kmap_stopped(const struct kmap_state *ks);
enum kmap_status kmap_status(const struct kmap_state *ks);
/* After a would-sleep that did sleep (SMP: another CPU can wake the
 * sleeper, emu/smp.c): the kernel runs on. */
void kmap_resume(struct kmap_state *ks);
/* The one-line report ("" while running), e.g.
 * "kernel BUG at mm/highmem.c:kunmap_high: ..." */
const char *kmap_status_message(const struct kmap_state *ks);

#endif
