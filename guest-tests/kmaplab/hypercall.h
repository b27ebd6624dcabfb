/* SPDX-License-Identifier: MIT */
/* The kmaplab hypercall ABI, version 3 — shared by guests and the host.
 *
 * A hypercall is an SVC with a reserved immediate: `svc #0x4b4d4c` ("KML")
 * in ARM state, `svc #0x4b` in Thumb state.  The call number is in r12,
 * arguments in r0-r3, the result in r0.  Every other SVC immediate except
 * semihosting's (0x123456 ARM, 0xab Thumb) stops the run with an error, and
 * so does an unknown call number.  Numbers are never reused; new calls get
 * new numbers and bump KMAPLAB_HC_ABI_VERSION.  Version 3 added the AArch64
 * machine: `svc #0x4b4d`, number in x8, arguments x0-x3, result x0,
 * HC_SET_FIXMAP_IO and the arm64 KINFO_* selectors. */
#ifndef KMAPLAB_HYPERCALL_H
#define KMAPLAB_HYPERCALL_H

#define KMAPLAB_HC_ABI_VERSION 3

#define KMAPLAB_SVC_ARM 0x4b4d4c
#define KMAPLAB_SVC_THUMB 0x4b

/* Returns KMAPLAB_HC_ABI_VERSION. */
#define HC_ABI_VERSION 0x00
/* r0 = KINFO_*: returns one fact of the kernel layout. */
#define HC_KERNEL_INFO 0x01

/* Page allocator: r0 = gfp; returns a struct page * (0 if none). */
#define HC_ALLOC_PAGE 0x10
#define HC_FREE_PAGE 0x11 /* r0 = page */
#define HC_PAGE_ADDRESS 0x12 /* r0 = page; returns its kernel VA or 0 */

/* The kmap family, served by the mapping policy. */
#define HC_KMAP 0x20           /* r0 = page; returns VA */
#define HC_KUNMAP 0x21         /* r0 = page */
#define HC_KMAP_ATOMIC 0x22    /* r0 = page; returns VA */
#define HC_KUNMAP_ATOMIC 0x23  /* r0 = VA */
#define HC_KMAP_LOCAL_PAGE 0x24 /* r0 = page; returns VA */
#define HC_KUNMAP_LOCAL 0x25   /* r0 = VA */

/* fixmap */
#define HC_SET_FIXMAP 0x30     /* r0 = idx, r1 = phys */
#define HC_CLEAR_FIXMAP 0x31   /* r0 = idx */
#define HC_EARLY_IOREMAP 0x32  /* r0 = phys, r1 = size; returns VA or 0 */
#define HC_EARLY_IOUNMAP 0x33  /* r0 = VA, r1 = size */
#define HC_SET_FIXMAP_IO 0x34  /* arm64: r0 = idx, r1 = phys; FIXMAP_PAGE_IO */

/* TLB maintenance as the kernel's functions */
#define HC_LOCAL_FLUSH_TLB_KERNEL_PAGE 0x40 /* r0 = VA */
#define HC_FLUSH_TLB_KERNEL_RANGE 0x41      /* r0 = start, r1 = end */
#define HC_FLUSH_TLB_ALL 0x42

/* SMP (docs/smp.md); with one CPU they exist too and find no other CPU. */
#define HC_NUM_ONLINE_CPUS 0x50     /* returns the number of CPUs (--cpus) */
#define HC_KTHREAD_RUN_ON_CPU 0x51  /* r0 = entry, r1 = fn, r2 = arg, r3 = cpu: the parked
				     * CPU runs entry(fn, arg) on its own stack; returns its
				     * struct task_struct * or 0 (no such CPU, the caller's own,
				     * or busy) */
#define HC_KTHREAD_EXIT 0x52        /* r0 = result: the kthread ends, its CPU parks */
#define HC_KTHREAD_STOP 0x53        /* r0 = task: sets should_stop, sleeps until the thread
				     * ended; returns its result (-EINTR if none ran) */
#define HC_KTHREAD_SHOULD_STOP 0x54 /* returns 1 once kthread_stop() was called on this CPU's */
#define HC_SMP_CALL 0x55            /* r0 = cpu, r1 = func, r2 = info, r3 = return trampoline:
				     * an IPI that makes that CPU run func(info); 0 or -errno */
#define HC_SMP_CALL_RETURN 0x56     /* the trampoline: back to the interrupted context */
#define HC_SMP_CALL_WAIT 0x57       /* sleeps until every call this CPU sent has returned */

/* Tasks (ABI 3, docs/sched.md) */
#define HC_KTHREAD_CREATE 0x58      /* r0 = struct __kmaplab_kthread_create *: a new task on
				     * that CPU, runnable, on the given stack; returns its
				     * struct task_struct * (the stack's base) or 0 */
#define HC_SCHEDULE 0x59            /* schedule(): the next runnable task of this CPU runs
				     * (a kernel BUG with preemption disabled) */
#define HC_COND_RESCHED 0x5a        /* cond_resched(): the same if preemptible and another
				     * task of this CPU can run; returns 1 if it switched */

/* arm64 text patching (docs/aarch64.md) */
#define HC_AARCH64_INSN_PATCH_TEXT_NOSYNC 0x60 /* x0 = addr, x1 = insn, x2 = 1: skip the I-cache
						* flush (a bug, for hazard tests); 0 or -EINVAL */
#define HC_CREATE_PGD_MAPPING 0x61 /* x0 = phys, x1 = virt, x2 = size, x3 = NO_BLOCK_MAPPINGS |
				    * NO_CONT_MAPPINGS: paging_init()'s __create_pgd_mapping()
				    * of PAGE_KERNEL through FIX_PGD/PUD/PMD/PTE */

/* HC_KERNEL_INFO selectors */
#define KINFO_PAGE_OFFSET 0
#define KINFO_PHYS_OFFSET 1
#define KINFO_MEM_MAP 2        /* VA of mem_map[0] */
#define KINFO_ARCH_PFN_OFFSET 3
#define KINFO_MAX_LOW_PFN 4
#define KINFO_MAX_PFN 5
#define KINFO_PKMAP_BASE 6
#define KINFO_LAST_PKMAP 7
#define KINFO_KM_TYPE_NR 8
#define KINFO_SWAPPER_PG_DIR 9 /* VA of the L1 table */
#define KINFO_PKMAP_COUNT 10   /* VA of pkmap_count[] */
#define KINFO_PKMAP_PAGE_TABLE 11 /* VA of the pkmap PTEs */
#define KINFO_BM_PTE 12        /* VA of the fixmap PTEs */
#define KINFO_NR_CPUS 13
#define KINFO_PAGE_ADDRESS_HTABLE 14 /* VA of page_address_htable[] */
#define KINFO_PAGE_ADDRESS_MAPS 15 /* VA of page_address_maps[] */
#define KINFO_LAST_PKMAP_NR 16     /* VA of last_pkmap_nr */
#define KINFO_KMAP_ATOMIC_IDX 17   /* VA of the per-CPU kmap_atomic_idx */
#define KINFO_KERNEL_VERSION 18    /* --kernel: KERNEL_VERSION_CODE(5, 10) or (6, 6) */
#define KINFO_KERNEL_CONFIG 19     /* --kernel's switches: KCONFIG_* bits */

/* (major << 16) | (minor << 8), as the kernel's KERNEL_VERSION(a, b, 0). */
#define KERNEL_VERSION_CODE(major, minor) (((major) << 16) | ((minor) << 8))
#define KCONFIG_SMP (1u << 0)
#define KCONFIG_DEBUG_HIGHMEM (1u << 1)
#define KCONFIG_DEBUG_KMAP_LOCAL (1u << 2)
#define KCONFIG_ARM_ERRATA_720789 (1u << 3)
#define KCONFIG_ARM_ERRATA_798181 (1u << 4)
/* arm64 only (the AArch64 machine, docs/aarch64.md) */
#define KINFO_FIXADDR_TOP 32
#define KINFO_KIMAGE_VADDR 33
#define KINFO_VA_BITS 34
#define KINFO_FIX_TEXT_POKE0 35      /* enum fixed_addresses values of the */
#define KINFO_FIX_BTMAP_BEGIN 36     /* configured kernel */
#define KINFO_FIX_BTMAP_END 37
#define KINFO_END_OF_FIXED 38        /* __end_of_fixed_addresses */

#endif
