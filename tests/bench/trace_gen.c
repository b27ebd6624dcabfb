/* SPDX-License-Identifier: MIT */
/* trace_gen: writes a large synthetic --trace file for the `kmaplab trace`
 * benchmark (tests/bench/trace_bench.py), through the emulator's own
 * writer (emu/trace.c), with the mix of events a highmem workload gives:
 * kmap_atomic + local_flush_tlb_kernel_page + kunmap_atomic triples, kmap/
 * kunmap pairs, a pkmap wrap (flush_all_zero_pkmaps + a 512-page range
 * flush) every 512 kmaps, and now and then a guest TLBI.
 *
 *   trace_gen FILE MEGABYTES      prints "bytes=N events=N" */
#include <stdio.h>
#include <stdlib.h>

#include "../../emu/trace.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: trace_gen FILE MEGABYTES\n");
		return 2;
	}
	uint64_t want = strtoull(argv[2], NULL, 0) << 20;
	struct symtab st = { 0 };
	char name[32];
	for (unsigned i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "fn_%u", i);
		symtab_add(&st, 0xc0008000u + i * 0x80, 0x80, name);
	}
	symtab_sort(&st);
	char err[256];
	struct trace_writer *tw = trace_open(argv[1], &st, "bench.elf", "cortex-a7", "3G/1G", "linux",
					     err, sizeof(err));
	if (!tw) {
		fprintf(stderr, "trace_gen: %s\n", err);
		return 1;
	}
	uint64_t cycle = 1000, x = 88172645463325252ull;
	struct trace_counts c;
	for (uint64_t i = 0;; i++) {
		if ((i & 1023) == 0) {
			trace_counts(tw, &c);
			if (c.bytes >= want)
				break;
		}
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint32_t pc = 0xc0008000u + (uint32_t)(x % (300 * 0x80)) / 4 * 4;
		uint32_t pfn = 0x30000u + (uint32_t)(x >> 40) % 0x10000;
		uint32_t page = 0xc1000000u + pfn * 32;
		trace_set_pc(tw, pc);
		if (i % 3 == 0) {
			uint32_t va = 0xffefe000u - (uint32_t)(i % 4) * 0x1000;
			struct flush_event fe = { cycle + 12, FLUSH_OP_LOCAL_FLUSH_TLB_KERNEL_PAGE,
						  FLUSH_CAUSE_KMAP_ATOMIC, va, 1, (unsigned)(x & 1), 30 };
			trace_flush_event(tw, pc, &fe);
			struct kmap_event ke = { cycle, KMAP_OP_KMAP_ATOMIC, pc, page, pfn, va,
						 KMAP_EVENT_NONE, 1 + (uint32_t)(i % 4), KMAP_EVENT_NONE, 55, 0 };
			trace_kmap_event(tw, &ke);
			cycle += 300 + (x & 255);
			ke = (struct kmap_event){ cycle, KMAP_OP_KUNMAP_ATOMIC, pc + 8, KMAP_EVENT_NONE,
						  KMAP_EVENT_NONE, va, KMAP_EVENT_NONE, 1 + (uint32_t)(i % 4),
						  KMAP_EVENT_NONE, 9, 0 };
			trace_kmap_event(tw, &ke);
		} else if (i % 3 == 1) {
			uint32_t nr = (uint32_t)(i / 3) % 512;
			if (nr == 0) {
				struct flush_event fe = { cycle + 25000, FLUSH_OP_FLUSH_TLB_KERNEL_RANGE,
							  FLUSH_CAUSE_PKMAP_WRAP, 0xbfe00000u, 512, 40, 4125 };
				trace_flush_event(tw, pc, &fe);
				struct kmap_event fz = { cycle + 60, KMAP_OP_FLUSH_ALL_ZERO_PKMAPS, pc,
							 KMAP_EVENT_NONE, KMAP_EVENT_NONE, KMAP_EVENT_NONE,
							 KMAP_EVENT_NONE, KMAP_EVENT_NONE, 511, 29678, 0 };
				trace_kmap_event(tw, &fz);
			}
			struct kmap_event ke = { cycle, KMAP_OP_KMAP, pc, page, pfn, 0xbfe00000u + nr * 4096,
						 nr, KMAP_EVENT_NONE, KMAP_EVENT_NONE, nr ? 80 : 29794, 0 };
			trace_kmap_event(tw, &ke);
			cycle += 200 + (x & 127) + (nr ? 0 : 29794);
			ke.cycle = cycle;
			ke.op = KMAP_OP_KUNMAP;
			ke.cycles = 48;
			trace_kmap_event(tw, &ke);
		} else if ((x & 15) == 0) {
			trace_guest_tlbi(tw, cycle, pc, TLBI_TLBIMVA, 0xbf801000u + (uint32_t)(x & 0xff000), 1, 12);
		}
		cycle += 100;
	}
	if (trace_close_counts(tw, &c)) {
		perror("trace_gen");
		return 1;
	}
	printf("bytes=%llu events=%llu\n", (unsigned long long)c.bytes, (unsigned long long)c.events);
	symtab_free(&st);
	return 0;
}
