/* SPDX-License-Identifier: MIT */
/* Hazard reports that scale: the architectural checker's (mm/hazard.h) and,
 * in --hazards observed mode, the modelled TLB's stale entries, each
 * de-duplicated per (kind, CPU, PC, VA page) in a bounded table, printed as one
 * `kmaplab: hazard: ...` line for at most --max-reports sites, written to
 * the trace once per site, and summed up in one final line.
 *
 * A broken policy that hits a stale entry a million times therefore prints
 * at most --max-reports lines plus the summary, and the counts in the stats
 * stay exact (they are kept by mm/, not here). */
#ifndef KMAPLAB_EMU_HAZARD_REPORT_H
#define KMAPLAB_EMU_HAZARD_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "hazard.h"

struct machine;

/* Distinct (kind, CPU, PC, VA page) sites remembered; beyond it hazards are
 * counted in hazard_reporter.unsited, not printed or traced. */
#define HAZARD_SITES_MAX 4096
#define HAZARD_MAX_REPORTS_DEFAULT 20

struct hazard_site {
	uint32_t pc, va;
	uint8_t kind, cpu;
	bool used;
};

struct hazard_reporter {
	unsigned max_reports;     /* --max-reports */
	struct hazard_site *sites; /* open addressing, HAZARD_SITES_MAX * 2 slots */
	unsigned nsites;
	uint64_t unsited;         /* hazards at new sites once the table was full */
	unsigned printed;         /* lines printed */
	uint64_t suppressed;      /* new sites not printed (over --max-reports) */
	uint64_t occurrences;     /* hazards reported, all kinds, repeats included */
};

/* 0 or -1 (out of memory). */
int hazard_reporter_init(struct hazard_reporter *hr, unsigned max_reports);
void hazard_reporter_free(struct hazard_reporter *hr);

/* mm/hazard.h's report sink; arg is the struct machine. */
extern const struct hazard_ops hazard_report_ops;

/* --hazards observed: a stale entry the modelled TLB served. */
void hazard_report_observed(struct machine *m, uint32_t va, uint32_t stale_pa, bool cur_valid,
			    uint32_t cur_pa);

/* The final line on stderr if any hazard was reported. */
void hazard_report_summary(const struct machine *m);

#endif
