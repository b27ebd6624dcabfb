/* SPDX-License-Identifier: MIT */
/* The AArch64 pre-scan (tlbi_scan_a64.h). */
#include "tlbi_scan_a64.h"

#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>

int a64_tlbi_decode(uint32_t w, unsigned *rt)
{
	if ((w & 0xfff8f000u) != 0xd5088000u) /* SYS, op0 1, CRn 8 */
		return -1;
	unsigned op1 = (w >> 16) & 7, crm = (w >> 8) & 15, op2 = (w >> 5) & 7;
	*rt = w & 31;
	if (op1 != 0 || (crm != 3 && crm != 7))
		return -1; /* EL2/EL3 (op1 4, 6) and the range/outer forms */
	bool is = crm == 3;
	switch (op2) {
	case 0: return is ? A64_TLBI_VMALLE1IS : A64_TLBI_VMALLE1;
	case 1: return is ? A64_TLBI_VAE1IS : A64_TLBI_VAE1;
	case 2: return is ? A64_TLBI_ASIDE1IS : A64_TLBI_ASIDE1;
	case 3: return is ? A64_TLBI_VAAE1IS : A64_TLBI_VAAE1;
	case 5: return is ? A64_TLBI_VALE1IS : A64_TLBI_VALE1;
	case 7: return is ? A64_TLBI_VAALE1IS : A64_TLBI_VAALE1;
	}
	return -1;
}

/* Capstone agrees that the word is the instruction the bits say. */
static bool confirmed(csh cs, uint32_t w, uint64_t va, const char *mnemonic)
{
	uint8_t b[4];
	memcpy(b, &w, 4);
	cs_insn *insn;
	size_t n = cs_disasm(cs, b, 4, va, 1, &insn);
	bool ok = n == 1 && strcmp(insn[0].mnemonic, mnemonic) == 0;
	if (n)
		cs_free(insn, n);
	return ok;
}

long a64_scan_sites(const uint8_t *code, size_t len, uint64_t va, struct a64_site **sites, size_t *nsites)
{
	csh cs;
	if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs) != CS_ERR_OK)
		return -1;
	long added = 0;
	for (size_t off = (4 - (va & 3)) & 3; off + 4 <= len; off += 4) {
		uint32_t w;
		memcpy(&w, code + off, 4);
		struct a64_site s = { .va = va + off };
		int op = a64_tlbi_decode(w, &s.rt);
		if (op >= 0 && confirmed(cs, w, s.va, "tlbi")) {
			s.kind = A64_SITE_TLBI;
			s.op = (enum a64_tlbi)op;
		} else if ((w & 0xfffff0ffu) == 0xd503309fu && confirmed(cs, w, s.va, "dsb")) {
			s.kind = A64_SITE_DSB;
		} else if ((w & 0xfffff0ffu) == 0xd50330dfu && confirmed(cs, w, s.va, "isb")) {
			s.kind = A64_SITE_ISB;
		} else if ((w & 0xffffff80u) == 0xd5182000u && ((w >> 5) & 3) != 3 && confirmed(cs, w, s.va, "msr")) {
			s.kind = A64_SITE_MSR;
			s.reg = (enum a64_sysreg)((w >> 5) & 3);
			s.rt = w & 31;
		} else {
			continue;
		}
		struct a64_site *p = realloc(*sites, (*nsites + 1) * sizeof(**sites));
		if (!p) {
			cs_close(&cs);
			return -1;
		}
		*sites = p;
		p[(*nsites)++] = s;
		added++;
	}
	cs_close(&cs);
	return added;
}
