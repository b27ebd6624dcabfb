/* One guest memory access through the modelled TLB: look-up, walk on a
 * miss, cycles, and the stale-translation check on a hit. */
#ifndef KMAPLAB_MM_ACCESS_H
#define KMAPLAB_MM_ACCESS_H

#include <stdint.h>

#include "mm.h"

/* Models `count` consecutive accesses of kind `access` to the page of `va`
 * (an instruction fetch of a block costs one look-up per instruction; all
 * after the first hit the micro TLB).  Returns MMU_OK, or the fault the
 * walk or the permission check found (the emulator raises the abort). */
enum mmu_fault mm_access(struct mm *mm, uint32_t va, enum mmu_access access, uint32_t count);

#endif
