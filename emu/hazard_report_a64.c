/* SPDX-License-Identifier: MIT */
/* The AArch64 hazard lines (hazard_report_a64.h). */
#include "hazard_report_a64.h"

static const char *what(const struct a64_hz_report *r)
{
	if (r->table)
		return "table";
	return r->level == 3 ? "page" : "block";
}

/* "level-2 block descriptor 0x..." and, for a non-global one, its ASID. */
static void describe(FILE *f, const struct a64_hz_report *r, uint64_t desc)
{
	fprintf(f, "level-%u %s descriptor 0x%016llx", r->level, what(r), (unsigned long long)desc);
	if (!r->global)
		fprintf(f, " (non-global, ASID %u)", (unsigned)r->asid);
}

void a64_hz_print(FILE *f, enum a64_hz_kind kind, const char *where, const struct a64_hz_report *r)
{
	unsigned long long va = (unsigned long long)r->va, now = (unsigned long long)r->now;
	switch (kind) {
	case A64_HZ_STALE:
		fprintf(f, "kmaplab: hazard: stale TLB entry at %s: VA 0x%016llx may still translate with ", where, va);
		describe(f, r, r->old);
		if (r->table && r->last_level_only)
			fprintf(f, ", the page tables now give 0x%016llx, and only a last-level TLBI (VALE1/VAALE1) covered it, which leaves cached table entries (needs TLBI VAE1IS or VAAE1IS; DSB; ISB)\n",
				now);
		else
			fprintf(f, ", the page tables now give 0x%016llx, and no TLBI covered it since (needs TLBI %s; DSB; ISB)\n",
				now, r->table ? "VAAE1IS" : r->global ? "VAALE1IS" : "VAE1IS with its ASID");
		break;
	case A64_HZ_BARRIER_ACCESS:
		fprintf(f, "kmaplab: hazard: barrier at %s: access to VA 0x%016llx after its TLBI but before the DSB and ISB that complete it; ",
			where, va);
		describe(f, r, r->old);
		fprintf(f, " may still be used (needs TLBI; DSB; ISB before the access)\n");
		break;
	case A64_HZ_BARRIER_STORE:
		fprintf(f, "kmaplab: hazard: barrier at %s: TLBI of VA 0x%016llx before a DSB made the descriptor store at physical 0x%016llx visible to the table walker, which can refill the old entry (needs STR; DSB; TLBI)\n",
			where, va, (unsigned long long)r->pte_pa);
		break;
	case A64_HZ_BBM:
		fprintf(f, "kmaplab: hazard: bbm at %s: VA 0x%016llx: ", where, va);
		describe(f, r, r->old);
		fprintf(f, " at physical 0x%016llx replaced by 0x%016llx without break-before-make (needs STR 0; DSB; TLBI; DSB before the new value)\n",
			(unsigned long long)r->pte_pa, now);
		break;
	case A64_HZ_OBSERVED:
		fprintf(f, "kmaplab: hazard: stale TLB entry used at %s: VA 0x%016llx -> descriptor 0x%016llx in the TLB, 0x%016llx in the page tables\n",
			where, va, (unsigned long long)r->old, now);
		break;
	case A64_HZ_NONE:
		break;
	}
}
