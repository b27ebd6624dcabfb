/* SPDX-License-Identifier: MIT */
/* Every way a guest can fault, one case per run (argv[1] names it), in ARM
 * and in Thumb code.  tests/guest/fault_test.py runs each case and checks
 * that kmaplab names the exact faulting instruction: the function and
 * offset, the PC and the instruction text, with the address each case
 * prints here ("access VA 0x...") before it faults.
 *
 * The faulting functions are naked: their bodies are exactly the
 * instructions below, so the faulting instruction is the only one of its
 * kind in the function and the test finds its address in the ELF
 * (objdump), never from kmaplab.  Instructions before it make its offset
 * non-zero, so a report that names the start of the translated block (or
 * the instruction before) is caught. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmaplab/guest.h"
#include "kmaplab/semihost.h"

#define ARM __attribute__((naked, noinline, target("arm")))
#define THUMB __attribute__((naked, noinline, target("thumb")))
/* A naked function's arguments are in r0, r1 for its asm. */
#define REG __attribute__((unused))

/* ARMv7 short-descriptor small page (ARM DDI 0406C B3.5.1): bit 0 XN,
 * bit 1 set, B (2), C (3), AP[1:0] (5:4), TEX (8:6), APX (9). */
#define PTE_SMALL 0x2u
#define PTE_XN 0x1u
#define PTE_CACHED 0xcu
#define PTE_AP_PRIV_RW 0x10u           /* APX 0, AP 01 */
#define PTE_AP_PRIV_RO (0x200u | 0x10u) /* APX 1, AP 01 */
/* Section (B3.5.1): bits 1:0 = 10, domain in 8:5, AP[1:0] in 11:10. */
#define SECT 0x2u
#define SECT_AP_PRIV_RW (0x1u << 10)
#define SECT_DOMAIN(d) ((uint32_t)(d) << 5)

/* --- the example, compiled C: x = a * 3; x += 7; p[1] = x ------ */
volatile int a = 5;

__attribute__((noinline, target("arm"))) void store_after_arith_arm(int *p)
{
	int x = a * 3;
	x += 7;
	p[1] = x;
}

__attribute__((noinline, target("thumb"))) void store_after_arith_thumb(int *p)
{
	int x = a * 3;
	x += 7;
	p[1] = x;
}

/* --- loads and stores -------------------------------------------------- */
ARM uint32_t load_arm(REG const uint32_t *p)
{
	__asm__("mov r1, #0\n\tadd r1, r1, #1\n\tldr r0, [r0, #8]\n\tbx lr");
}

THUMB uint32_t load_thumb(REG const uint32_t *p)
{
	__asm__("movs r1, #0\n\tadds r1, #1\n\tldr r0, [r0, #8]\n\tbx lr");
}

ARM void store_arm(REG uint32_t *p)
{
	__asm__("mov r1, #7\n\tadd r1, r1, #1\n\tstr r1, [r0, #4]\n\tbx lr");
}

THUMB void store_thumb(REG uint32_t *p)
{
	__asm__("movs r1, #7\n\tadds r1, #1\n\tstr r1, [r0, #4]\n\tbx lr");
}

/* --- LDM/STM that cross from a mapped page into an unmapped one -------- */
ARM void ldm_arm(REG const uint32_t *p)
{
	__asm__("mov r1, #0\n\tldm r0, {r1, r2, r3, ip}\n\tbx lr");
}

THUMB void ldm_thumb(REG const uint32_t *p)
{
	__asm__("movs r1, #0\n\tldm.w r0, {r1, r2, r3, ip}\n\tbx lr");
}

ARM void stm_arm(REG uint32_t *p)
{
	__asm__("mov r1, #0\n\tstm r0, {r1, r2, r3, ip}\n\tbx lr");
}

THUMB void stm_thumb(REG uint32_t *p)
{
	__asm__("movs r1, #0\n\tstm.w r0, {r1, r2, r3, ip}\n\tbx lr");
}

/* --- a Thumb IT block: the faulting store is its second instruction ---- */
THUMB void store_it_thumb(REG uint32_t *p, REG uint32_t flag)
{
	__asm__("movs r2, #9\n\tcmp r1, #0\n\tite eq\n\tstreq r2, [r0]\n\tstrne r2, [r0, #4]\n\tbx lr");
}

/* --- alignment: LDREX of a misaligned word faults whatever SCTLR.A says -- */
ARM uint32_t ldrex_arm(REG const uint32_t *p)
{
	__asm__("mov r1, #0\n\tldrex r0, [r0]\n\tbx lr");
}

THUMB uint32_t ldrex_thumb(REG const uint32_t *p)
{
	__asm__("movs r1, #0\n\tldrex r0, [r0]\n\tbx lr");
}

/* --- undefined instructions (UDF, ARM DDI 0406C A8.8.247) -------------- */
ARM void udf_arm(void)
{
	__asm__("mov r1, #0\n\tudf #16\n\tbx lr");
}

THUMB void udf_thumb(void)
{
	__asm__("movs r1, #0\n\tudf #5\n\tbx lr");
}

/* --- stack overflow ---------------------------------------------------- */
/* 1 KiB frames: PUSH {r4, lr} at the frame's top, STR at its bottom.  Run
 * on a 1 KiB-aligned SP, the STRs land on multiples of 1 KiB, so the first
 * access below the 64 KiB-aligned stack base is the next frame's PUSH, of
 * r4 at base - 8 (STMDB stores the lowest register first). */
ARM void recurse_arm(REG uint32_t n)
{
	__asm__("mov r1, r0\n\tpush {r4, lr}\n\tsub sp, sp, #1016\n\tstr r0, [sp]\n\tsubs r0, r0, #1\n\t"
		"blne recurse_arm\n\tadd sp, sp, #1016\n\tpop {r4, pc}");
}

THUMB void recurse_thumb(REG uint32_t n)
{
	__asm__("mov r1, r0\n\tpush {r4, lr}\n\tsub sp, sp, #1016\n\tstr r0, [sp]\n\tsubs r0, r0, #1\n\t"
		"it ne\n\tblne recurse_thumb\n\tadd sp, sp, #1016\n\tpop {r4, pc}");
}

/* Calls fn(n) with SP rounded down to a multiple of 1 KiB. */
ARM void call_aligned(REG void (*fn)(uint32_t), REG uint32_t n)
{
	__asm__("push {r4, lr}\n\tmov r4, sp\n\tbic r2, r4, #1020\n\tbic r2, r2, #3\n\tmov sp, r2\n\t"
		"mov r2, r0\n\tmov r0, r1\n\tblx r2\n\tmov sp, r4\n\tpop {r4, pc}");
}

/* Compiled C: about 1 KiB per call, `n` calls deep (n < 0: unbounded). */
__attribute__((noinline)) int deep_recursion(int n)
{
	volatile char buf[1000];
	buf[0] = (char)n;
	if (n == 0)
		return 0;
	return deep_recursion(n - 1) + buf[0];
}

/* newlib's heap, SYS_HEAPINFO: heap base, heap limit, stack top, stack limit. */
static void heap_info(uint32_t info[4])
{
	uint32_t block[1] = { (uint32_t)(uintptr_t)info };
	if (kmaplab_semihost(SEMIHOST_SYS_HEAPINFO, block) != 0) {
		printf("SYS_HEAPINFO failed\n");
		exit(2);
	}
}

/* malloc until it fails: the heap must end at its limit, at least the
 * 64 KiB guard below the stack's limit, and leave the stack alone. */
static void exhaust_heap(void)
{
	uint32_t info[4], top = 0;
	heap_info(info);
	for (;;) {
		uint8_t *q = malloc(256 * 1024);
		if (!q)
			break;
		memset(q, 0x5a, 256 * 1024);
		if ((uint32_t)(uintptr_t)q + 256 * 1024 > top)
			top = (uint32_t)(uintptr_t)q + 256 * 1024;
	}
	printf("heap 0x%08lx..0x%08lx, used up to 0x%08lx; stack 0x%08lx..0x%08lx\n",
	       (unsigned long)info[0], (unsigned long)info[1], (unsigned long)top,
	       (unsigned long)info[3], (unsigned long)info[2]);
	if (top > info[1] || info[3] - info[1] < 0x10000u) {
		printf("the heap reaches the stack's guard\n");
		exit(3);
	}
}

static void stack_limit(void)
{
	uint32_t info[4];
	heap_info(info);
	printf("stack limit 0x%08lx\n", (unsigned long)info[3]);
	fflush(stdout);
}

/* --- translation registers ------------------------------------------- */
/* Clears SCTLR.M from code that is not identity mapped. */
ARM void mmu_off_arm(void)
{
	__asm__("mrc p15, 0, r1, c1, c0, 0\n\tbic r1, r1, #1\n\tmcr p15, 0, r1, c1, c0, 0\n\tisb\n\tbx lr");
}

THUMB void mmu_off_thumb(void)
{
	__asm__("mrc p15, 0, r1, c1, c0, 0\n\tbic r1, r1, #1\n\tmcr p15, 0, r1, c1, c0, 0\n\tisb\n\tbx lr");
}

/* Run at its identity alias: reads the word at physical r0 with the MMU
 * off, and turns it back on. */
ARM uint32_t flat_read(REG uint32_t pa)
{
	__asm__("mrc p15, 0, r2, c1, c0, 0\n\tbic r3, r2, #1\n\tmcr p15, 0, r3, c1, c0, 0\n\tisb\n\t"
		"ldr r0, [r0]\n\tmcr p15, 0, r2, c1, c0, 0\n\tisb\n\tbx lr");
}

/* WFI with one CPU and no interrupt source waits forever. */
ARM void wfi_arm(void)
{
	__asm__("mov r1, #0\n\twfi\n\tbx lr");
}

THUMB void wfi_thumb(void)
{
	__asm__("movs r1, #0\n\twfi\n\tbx lr");
}

/* --- helpers that build the fault -------------------------------------- */
static struct page *highmem_page(void)
{
	struct page *page = alloc_page(GFP_HIGHUSER);
	if (!page || !PageHighMem(page)) {
		printf("no highmem page\n");
		exit(2);
	}
	return page;
}

static volatile uint32_t *fixmap_pte(unsigned long va)
{
	volatile uint32_t *bm_pte = (volatile uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_BM_PTE);
	return &bm_pte[(va - FIXADDR_START) >> PAGE_SHIFT];
}

static void tlbimva(unsigned long va)
{
	__asm__ volatile("dsb\n\tmcr p15, 0, %0, c8, c7, 1\n\tdsb\n\tisb" : : "r"(va) : "memory");
}

/* A fixmap slot no kmap_atomic uses (the highest index below FIX_BTMAP). */
#define SPARE_FIX 700u

/* Maps `pa` at the spare fixmap slot with the given PTE bits, directly in
 * bm_pte as kernel code would with set_fixmap_pte(). */
static uint32_t map_spare(uint32_t pa, uint32_t bits)
{
	unsigned long va = FIXADDR_TOP - ((unsigned long)SPARE_FIX << PAGE_SHIFT);
	*fixmap_pte(va) = (pa & PAGE_MASK) | PTE_SMALL | PTE_CACHED | bits;
	tlbimva(va);
	return va;
}

static uint8_t data_page[4096] __attribute__((aligned(4096)));
static uint8_t code_page[4096] __attribute__((aligned(4096)));

/* An empty pkmap slot: nothing is kmapped in this program before it. */
static uint32_t *empty_pkmap_slot(void)
{
	return (uint32_t *)(uintptr_t)(kmaplab_kernel_info(KINFO_PKMAP_BASE) + 5 * PAGE_SIZE);
}

/* The last 8 bytes of a kmapped page whose next pkmap slot is empty. */
static uint32_t *end_of_kmap(void)
{
	uint8_t *v = kmap(highmem_page());
	return (uint32_t *)(v + PAGE_SIZE - 8);
}

/* A read-only page: data_page mapped privileged read-only. */
static uint32_t *read_only_page(void)
{
	return (uint32_t *)(uintptr_t)map_spare(virt_to_phys(data_page), PTE_AP_PRIV_RO);
}

static void set_dacr(uint32_t dacr)
{
	__asm__ volatile("mcr p15, 0, %0, c3, c0, 0\n\tisb" : : "r"(dacr) : "memory");
}

/* A 1 MiB section in domain 1 at a free vmalloc-area VA.  The DACR goes
 * from domain 1 client (a read works) to manager (works) to no access,
 * with domain 3 client: the fault must name the DACR the guest wrote last,
 * which only a model that follows DACR writes knows. */
#define DOMAIN_VA 0xf8000000u
#define DACR_LAST 0x41u /* D0 client, D1 no access, D3 client */
static uint32_t *no_access_domain(void)
{
	volatile uint32_t *pgd = (volatile uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_SWAPPER_PG_DIR);
	uint32_t pa = virt_to_phys(data_page) & 0xfff00000u;
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)DOMAIN_VA;
	pgd[DOMAIN_VA >> 20] = pa | SECT_AP_PRIV_RW | SECT_DOMAIN(1) | SECT;
	tlbimva(DOMAIN_VA);
	set_dacr(0x5u); /* D0, D1 client */
	uint32_t x = p[2];
	set_dacr(0xdu); /* D0 client, D1 manager */
	x += p[2];
	set_dacr(DACR_LAST);
	printf("read 0x%08lx twice; DACR 0x%08x\n", (unsigned long)x, DACR_LAST);
	return (uint32_t *)p;
}

/* A process's own L1 table: the kernel's entries, plus a section at
 * USER_VA, not global (tagged with the ASID).  The guest switches to it as
 * a kernel's switch_mm does (cpu_v7_switch_mm: ASID in CONTEXTIDR, then
 * TTBR0) and reads through it.  Then it points USER_VA at another MiB for
 * a second process and switches to ASID 6 with no invalidate, which is
 * right because the ASID changed: only a model that tags its TLB entries
 * with the ASID the guest set sees no stale entry there.  (The rewrite
 * comes before the switch: while ASID 6 is current with the old section
 * still in the table, a walk may cache it tagged 6, ARM DDI 0406C
 * B3.10.4; the architectural checker would rightly report that.) */
#define USER_VA 0x00100000u
#define SECT_NG (1u << 17)
static uint32_t user_pgd[4096] __attribute__((aligned(16384)));

static void set_asid_ttbr0(uint32_t asid, uint32_t ttbr0)
{
	__asm__ volatile("dsb\n\tmcr p15, 0, %0, c13, c0, 1\n\tisb\n\tmcr p15, 0, %1, c2, c0, 0\n\tisb"
			 : : "r"(asid), "r"(ttbr0) : "memory");
}

static void map_user(uint32_t section_pa)
{
	user_pgd[USER_VA >> 20] = section_pa | SECT_NG | SECT_AP_PRIV_RW | SECT_DOMAIN(0) | SECT;
	__asm__ volatile("dsb" : : : "memory");
}

static uint32_t read_user(uint32_t off)
{
	return *(volatile uint32_t *)(uintptr_t)(USER_VA + off);
}

static uint32_t *switch_to_own_table(void)
{
	const uint32_t *pgd = (const uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_SWAPPER_PG_DIR);
	memcpy(user_pgd, pgd, sizeof(user_pgd));
	/* Two sections' worth of heap: one whole MiB lies inside. */
	uint8_t *heap = malloc(2u << 20);
	uint32_t a = virt_to_phys(heap + (1u << 20)) & 0xfff00000u, b = virt_to_phys(data_page);
	uint32_t off_a = 0x40, off_b = (b & 0xfffffu) + 12;
	*(volatile uint32_t *)(heap + (1u << 20) + off_a - (virt_to_phys(heap + (1u << 20)) & 0xfffffu)) = 0xaaaa5555u;
	((volatile uint32_t *)data_page)[3] = 0x600dcafeu;
	b &= 0xfff00000u;

	set_asid_ttbr0(5, virt_to_phys(user_pgd));
	map_user(b);
	uint32_t x = read_user(off_b);
	map_user(a);
	set_asid_ttbr0(6, virt_to_phys(user_pgd));
	uint32_t y = read_user(off_a);
	printf("own table at 0x%08lx: ASID 5 read 0x%08lx, ASID 6 read 0x%08lx\n",
	       (unsigned long)virt_to_phys(user_pgd), (unsigned long)x, (unsigned long)y);
	if (x != 0x600dcafeu || y != 0xaaaa5555u)
		exit(3);
	/* An entry the kernel's table has as invalid too, but the report must
	 * name this table's descriptor. */
	return (uint32_t *)(uintptr_t)0x00200000u;
}

/* Maps the first MiB of RAM at VA = PA (the image's code is there), calls
 * flat_read through that alias, and checks the word it read with the MMU
 * off. */
static void mmu_off_identity(void)
{
	volatile uint32_t *pgd = (volatile uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_SWAPPER_PG_DIR);
	uint32_t phys = kmaplab_kernel_info(KINFO_PHYS_OFFSET);
	pgd[phys >> 20] = (phys & 0xfff00000u) | SECT_AP_PRIV_RW | SECT_DOMAIN(0) | SECT;
	tlbimva(phys);
	((volatile uint32_t *)data_page)[5] = 0xf1a7f1a7u;
	uint32_t (*alias)(uint32_t) = (uint32_t (*)(uint32_t))(uintptr_t)virt_to_phys((void *)flat_read);
	uint32_t x = alias(virt_to_phys(data_page) + 20);
	printf("flat read 0x%08lx with the MMU off\n", (unsigned long)x);
	if (x != 0xf1a7f1a7u)
		exit(3);
}

/* A VA no table maps: the vmalloc area just below the pkmap window. */
static uint32_t *unmapped_va(void)
{
	return (uint32_t *)(uintptr_t)(kmaplab_kernel_info(KINFO_PKMAP_BASE) - 0x100000u + 0x10);
}

/* Code at an executable-never mapping: `mov r0, #1; bx lr` (ARM) and
 * `movs r0, #1; bx lr` (Thumb) in code_page, mapped XN. */
static uint32_t xn_code(void)
{
	static const uint32_t arm[2] = { 0xe3a00001u, 0xe12fff1eu };
	static const uint16_t thumb[2] = { 0x2001u, 0x4770u };
	memcpy(code_page, arm, sizeof(arm));
	memcpy(code_page + 16, thumb, sizeof(thumb));
	return map_spare(virt_to_phys(code_page), PTE_AP_PRIV_RW | PTE_XN);
}

static void access_va(const char *how, const void *va)
{
	printf("%s VA 0x%08lx\n", how, (unsigned long)(uintptr_t)va);
	fflush(stdout);
}

typedef uint32_t (*fn_t)(void);

static void jump(uint32_t target)
{
	access_va("fetch", (const void *)(uintptr_t)(target & ~1u));
	((fn_t)(uintptr_t)target)();
}

/* "KIND_arm" or "KIND_thumb": the instruction set of the faulting code. */
static bool is_case(const char *c, const char *kind, bool *thumb)
{
	size_t n = strlen(kind);
	if (strncmp(c, kind, n) || c[n] != '_')
		return false;
	if (!strcmp(c + n + 1, "arm") || !strcmp(c + n + 1, "thumb")) {
		*thumb = c[n + 1] == 't';
		return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	uint32_t *p;
	bool t;
	if (is_case(c, "unmapped", &t)) {
		p = unmapped_va();
		access_va("write", p + 1);
		(t ? store_after_arith_thumb : store_after_arith_arm)((int *)p);
	} else if (is_case(c, "translation", &t)) {
		p = empty_pkmap_slot();
		access_va("read", p + 2);
		(t ? load_thumb : load_arm)(p);
	} else if (is_case(c, "permission", &t)) {
		p = read_only_page();
		printf("reads 0x%08lx\n", (unsigned long)p[1]);
		access_va("write", p + 1);
		(t ? store_thumb : store_arm)(p);
	} else if (is_case(c, "domain", &t)) {
		p = no_access_domain();
		access_va("read", p + 2);
		(t ? load_thumb : load_arm)(p);
	} else if (is_case(c, "ldm", &t)) {
		p = end_of_kmap();
		access_va("read", p + 2);
		(t ? ldm_thumb : ldm_arm)(p);
	} else if (is_case(c, "stm", &t)) {
		p = end_of_kmap();
		access_va("write", p + 2);
		(t ? stm_thumb : stm_arm)(p);
	} else if (!strcmp(c, "it_thumb")) {
		p = unmapped_va();
		access_va("write", p + 1);
		store_it_thumb(p, 1);
	} else if (is_case(c, "alignment", &t)) {
		p = (uint32_t *)(data_page + 2);
		access_va("read", p);
		(t ? ldrex_thumb : ldrex_arm)(p);
	} else if (is_case(c, "xn", &t)) {
		jump(t ? (xn_code() + 16) | 1 : xn_code());
	} else if (is_case(c, "prefetch_unmapped", &t)) {
		jump((uint32_t)(uintptr_t)empty_pkmap_slot() | (t ? 1 : 0));
	} else if (is_case(c, "udf", &t)) {
		(t ? udf_thumb : udf_arm)();
	} else if (is_case(c, "stack", &t)) {
		stack_limit();
		call_aligned(t ? recurse_thumb : recurse_arm, UINT32_MAX);
	} else if (!strcmp(c, "stack_deep")) { /* 3 MiB on the 1 MiB stack */
		exhaust_heap();
		stack_limit();
		printf("%d\n", deep_recursion(3 * 1024));
	} else if (!strcmp(c, "stack_unbounded")) {
		stack_limit();
		printf("%d\n", deep_recursion(-1));
	} else if (!strcmp(c, "stack_ok")) { /* 512 KiB deep after the heap is used up */
		exhaust_heap();
		printf("stack_ok: %d\n", deep_recursion(512));
		return 0;
	} else if (!strcmp(c, "ttbr0")) {
		p = switch_to_own_table();
		access_va("read", p);
		load_arm(p - 2);
	} else if (is_case(c, "mmu_off", &t)) {
		(t ? mmu_off_thumb : mmu_off_arm)();
	} else if (!strcmp(c, "mmu_off_identity")) {
		mmu_off_identity();
		printf("mmu_off_identity: ok\n");
		return 0;
	} else if (is_case(c, "wfi", &t)) {
		(t ? wfi_thumb : wfi_arm)();
	} else {
		printf("usage: faults CASE (see tests/guest/fault_test.py)\n");
		return 2;
	}
	printf("case %s: no fault\n", c);
	return 1;
}
