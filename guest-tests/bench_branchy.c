/* SPDX-License-Identifier: MIT */
/* Benchmark workload: branchy integer code with data-dependent branches and
 * little memory traffic: a small bytecode interpreter (a switch per opcode)
 * running Collatz sequences, and a quicksort of pseudo-random keys.
 *
 *   bench_branchy [SCALE]   SCALE (default 1) multiplies the work.
 *
 * Fixed size and deterministic: prints a checksum of every result, so the
 * compiler cannot drop the work.  About 120 M guest instructions at SCALE 1
 * (tools/bench reports the exact count). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- a tiny register VM ------------------------------------------------- */

enum op { OP_LOADI, OP_MOV, OP_ADD, OP_ADDI, OP_SHR1, OP_MUL3, OP_ODD, OP_JZ, OP_JNZ, OP_JMP,
	  OP_DECJNZ, OP_CMPLT, OP_HALT };

struct insn {
	uint8_t op, a, b;
	int32_t imm;
};

/* r0: start value, r1: steps, r2: n, r3: scratch, r4: count left, r5: total. */
static const struct insn collatz_prog[] = {
	/* 0 */ { OP_LOADI, 5, 0, 0 },
	/* 1 */ { OP_MOV, 2, 0, 0 },      /* loop: n = start */
	/* 2 */ { OP_LOADI, 1, 0, 0 },    /* steps = 0 */
	/* 3 */ { OP_CMPLT, 3, 2, 2 },    /* step: r3 = n < 2 */
	/* 4 */ { OP_JNZ, 3, 0, 12 },     /* done with this start */
	/* 5 */ { OP_ODD, 3, 2, 0 },
	/* 6 */ { OP_JZ, 3, 0, 9 },
	/* 7 */ { OP_MUL3, 2, 0, 0 },     /* n = 3n + 1 */
	/* 8 */ { OP_JMP, 0, 0, 10 },
	/* 9 */ { OP_SHR1, 2, 0, 0 },     /* n /= 2 */
	/* 10 */ { OP_ADDI, 1, 0, 1 },
	/* 11 */ { OP_JMP, 0, 0, 3 },
	/* 12 */ { OP_ADD, 5, 1, 0 },     /* total += steps */
	/* 13 */ { OP_ADDI, 0, 0, 1 },    /* start++ */
	/* 14 */ { OP_DECJNZ, 4, 0, 1 },
	/* 15 */ { OP_HALT, 0, 0, 0 },
};

static uint32_t run_vm(const struct insn *prog, uint32_t start, uint32_t count)
{
	uint32_t r[8] = { start, 0, 0, 0, count, 0, 0, 0 };
	unsigned pc = 0;
	for (;;) {
		const struct insn *i = &prog[pc++];
		switch (i->op) {
		case OP_LOADI: r[i->a] = (uint32_t)i->imm; break;
		case OP_MOV: r[i->a] = r[i->b]; break;
		case OP_ADD: r[i->a] += r[i->b]; break;
		case OP_ADDI: r[i->a] += (uint32_t)i->imm; break;
		case OP_SHR1: r[i->a] >>= 1; break;
		case OP_MUL3: r[i->a] = r[i->a] * 3 + 1; break;
		case OP_ODD: r[i->a] = r[i->b] & 1; break;
		case OP_JZ: if (!r[i->a]) pc = (unsigned)i->imm; break;
		case OP_JNZ: if (r[i->a]) pc = (unsigned)i->imm; break;
		case OP_JMP: pc = (unsigned)i->imm; break;
		case OP_DECJNZ: if (--r[i->a]) pc = (unsigned)i->imm; break;
		case OP_CMPLT: r[i->a] = r[i->b] < (uint32_t)i->imm; break;
		case OP_HALT: return r[5];
		default: return 0;
		}
	}
}

/* ---- quicksort (Hoare partition, insertion sort for short runs) --------- */

static void insertion_sort(uint32_t *v, int lo, int hi)
{
	for (int i = lo + 1; i <= hi; i++) {
		uint32_t x = v[i];
		int j = i - 1;
		while (j >= lo && v[j] > x) {
			v[j + 1] = v[j];
			j--;
		}
		v[j + 1] = x;
	}
}

static void quicksort(uint32_t *v, int lo, int hi)
{
	while (hi - lo > 16) {
		uint32_t p = v[lo + (hi - lo) / 2];
		int i = lo - 1, j = hi + 1;
		for (;;) {
			do
				i++;
			while (v[i] < p);
			do
				j--;
			while (v[j] > p);
			if (i >= j)
				break;
			uint32_t t = v[i];
			v[i] = v[j];
			v[j] = t;
		}
		if (j - lo < hi - j) {
			quicksort(v, lo, j);
			lo = j + 1;
		} else {
			quicksort(v, j + 1, hi);
			hi = j;
		}
	}
	insertion_sort(v, lo, hi);
}

#define VM_STARTS 12000u
#define SORT_N 40000

int main(int argc, char **argv)
{
	unsigned scale = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 1;
	if (!scale)
		scale = 1;
	uint32_t *keys = malloc(SORT_N * sizeof(*keys));
	if (!keys) {
		printf("bench_branchy: out of memory\n");
		return 2;
	}
	uint32_t check = 0, x = 0x2545f491u;
	for (unsigned s = 0; s < scale; s++) {
		uint32_t steps = run_vm(collatz_prog, 1 + s * VM_STARTS, VM_STARTS);
		check = check * 31 + steps;
		for (int i = 0; i < SORT_N; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			keys[i] = x % 100003u;
		}
		quicksort(keys, 0, SORT_N - 1);
		for (int i = 1; i < SORT_N; i++)
			if (keys[i - 1] > keys[i]) {
				printf("bench_branchy: not sorted at %d\n", i);
				return 1;
			}
		for (int i = 0; i < SORT_N; i += 257)
			check = check * 31 + keys[i];
	}
	printf("bench_branchy: scale %u checksum 0x%08lx\n", scale, (unsigned long)check);
	free(keys);
	return 0;
}
