/* SPDX-License-Identifier: MIT */
/* The ARMv7 Performance Monitors, as microbenchmarks use them (CP15 c9,
 * ARM DDI 0406C C12).  Under kmaplab the cycle counter counts the model's
 * cycles and the TLB-refill events the model's micro-TLB refills
 * (docs/pmu.md).  Cortex-A7/A9/A15 only: the ARM1176's PMU is CP15 c15.
 *
 *	pmu_start();                          // counters reset and on
 *	pmu_event(0, PMU_EV_L1D_TLB_REFILL);  // counter 0 counts D-TLB refills
 *	uint32_t t0 = read_ccnt(), r0 = read_pmn(0);
 *	... work ...
 *	uint32_t cycles = read_ccnt() - t0, refills = read_pmn(0) - r0; */
#ifndef KMAPLAB_PMU_H
#define KMAPLAB_PMU_H

#include <stdint.h>

#define PMCR_E (1u << 0) /* enable */
#define PMCR_P (1u << 1) /* reset the event counters */
#define PMCR_C (1u << 2) /* reset the cycle counter */
#define PMCR_D (1u << 3) /* count every 64th cycle */
#define PMCNTEN_CCNT (1u << 31)

/* Architected events (ARM DDI 0406C C12.8). */
#define PMU_EV_L1I_CACHE_REFILL 0x01 /* these six: --model cache only */
#define PMU_EV_L1I_TLB_REFILL 0x02
#define PMU_EV_L1D_CACHE_REFILL 0x03
#define PMU_EV_L1D_CACHE 0x04
#define PMU_EV_L1D_TLB_REFILL 0x05
#define PMU_EV_INST_RETIRED 0x08
#define PMU_EV_CPU_CYCLES 0x11
#define PMU_EV_L1I_CACHE 0x14
#define PMU_EV_L2D_CACHE 0x16
#define PMU_EV_L2D_CACHE_REFILL 0x17

static inline uint32_t pmcr_read(void)
{
	uint32_t v;
	__asm__ volatile("mrc p15, 0, %0, c9, c12, 0" : "=r"(v));
	return v;
}

static inline void pmcr_write(uint32_t v)
{
	__asm__ volatile("mcr p15, 0, %0, c9, c12, 0" : : "r"(v));
}

static inline void pmcntenset_write(uint32_t mask)
{
	__asm__ volatile("mcr p15, 0, %0, c9, c12, 1" : : "r"(mask));
}

static inline void pmcntenclr_write(uint32_t mask)
{
	__asm__ volatile("mcr p15, 0, %0, c9, c12, 2" : : "r"(mask));
}

static inline void pmselr_write(uint32_t n)
{
	__asm__ volatile("mcr p15, 0, %0, c9, c12, 5" : : "r"(n));
}

static inline uint32_t pmccntr_read(void)
{
	uint32_t v;
	__asm__ volatile("mrc p15, 0, %0, c9, c13, 0" : "=r"(v));
	return v;
}

static inline void pmccntr_write(uint32_t v)
{
	__asm__ volatile("mcr p15, 0, %0, c9, c13, 0" : : "r"(v));
}

static inline void pmxevtyper_write(uint32_t ev)
{
	__asm__ volatile("mcr p15, 0, %0, c9, c13, 1" : : "r"(ev));
}

static inline uint32_t pmxevcntr_read(void)
{
	uint32_t v;
	__asm__ volatile("mrc p15, 0, %0, c9, c13, 2" : "=r"(v));
	return v;
}

/* PMCCNTR, the cycle counter. */
static inline uint32_t read_ccnt(void)
{
	return pmccntr_read();
}

/* Event counter n. */
static inline uint32_t read_pmn(uint32_t n)
{
	pmselr_write(n);
	return pmxevcntr_read();
}

/* Counter n counts event `ev` and is enabled. */
static inline void pmu_event(uint32_t n, uint32_t ev)
{
	pmselr_write(n);
	pmxevtyper_write(ev);
	pmcntenset_write(1u << n);
}

/* All counters reset, the cycle counter enabled, the PMU on. */
static inline void pmu_start(void)
{
	pmcr_write(pmcr_read() | PMCR_E | PMCR_P | PMCR_C);
	pmcntenset_write(PMCNTEN_CCNT);
}

#endif
