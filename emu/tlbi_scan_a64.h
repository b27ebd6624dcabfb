/* SPDX-License-Identifier: MIT */
/* The Capstone pre-scan of an AArch64 guest's code for the instructions the
 * TLB model must see: TLBI (SYS #op1, C8, Cm, #op2, Xt; ARMv8-A ARM C6.2
 * "TLBI", encoding 0xd5080000 | op1 << 16 | 8 << 12 | CRm << 8 | op2 << 5 | Rt),
 * DSB and ISB (0xd503309f / 0xd50330df with CRm in bits 11:8).  As on ARM32
 * (tlbi_scan.h), each bit-pattern candidate is confirmed by Capstone and
 * the machine puts a single-address UC_HOOK_CODE hook on it, so code that
 * has none of these runs without any hook cost.  Fixed 4-byte instructions
 * make the scan exact up to data words in code segments, whose hooks never
 * fire. */
#ifndef KMAPLAB_EMU_TLBI_SCAN_A64_H
#define KMAPLAB_EMU_TLBI_SCAN_A64_H

#include <stddef.h>
#include <stdint.h>

#include "arm64.h"

/* A64_SITE_MSR: MSR TTBR0_EL1 / TTBR1_EL1 / TCR_EL1, Xt (op0 3, op1 0,
 * CRn 2, CRm 0, op2 0 / 1 / 2: 0xd5182000 | op2 << 5 | Rt), which select the
 * translation tables and the current ASID (emu/asid_a64.c). */
enum a64_site_kind { A64_SITE_TLBI, A64_SITE_DSB, A64_SITE_ISB, A64_SITE_MSR };
enum a64_sysreg { A64_TTBR0_EL1, A64_TTBR1_EL1, A64_TCR_EL1 };

struct a64_site {
	uint64_t va;
	enum a64_site_kind kind;
	enum a64_tlbi op; /* A64_SITE_TLBI */
	enum a64_sysreg reg; /* A64_SITE_MSR */
	unsigned rt;      /* the operand register (31: XZR) */
};

/* The EL1 TLBI a word encodes, -1 if it is not one the model knows (the
 * EL2/EL3 forms, range TLBIs). */
int a64_tlbi_decode(uint32_t word, unsigned *rt);

/* Appends the sites found in `len` bytes of code at `va` to *sites
 * (realloc'd); returns how many it added, -1 if Capstone cannot be opened
 * or memory runs out. */
long a64_scan_sites(const uint8_t *code, size_t len, uint64_t va, struct a64_site **sites, size_t *nsites);

#endif
