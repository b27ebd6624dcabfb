/* SPDX-License-Identifier: MIT */
/* Text patching on arm64 (aarch64_insn_patch_text_nosync, v5.10): a
 * function in the kernel text returns 1; it is run (so that QEMU has
 * translated it), patched to return 2 through FIX_TEXT_POKE0 and run again.
 * With argument "noflush" the patch skips __flush_icache_range(): the CPU
 * may go on running the old instruction, and does here (QEMU keeps the old
 * translation), which kmaplab counts as text_poke.stale_fetches. */
#include <stdint.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

/* MOVZ W0, #imm (ARMv8-A ARM C6.2 MOVZ, 32-bit): 0x52800000 | imm << 5. */
#define MOV_W0(imm) (0x52800000u | (uint32_t)(imm) << 5)

__asm__(".text\n"
	".balign 16\n"
	".global poke_target\n"
	".type poke_target, %function\n"
	"poke_target:\n"
	"	mov w0, #1\n"
	"	ret\n"
	".size poke_target, . - poke_target\n");
extern int poke_target(void);

int main(int argc, char **argv)
{
	int (*volatile fn)(void) = poke_target;
	bool noflush = argc > 1 && strcmp(argv[1], "noflush") == 0;
	CHECK(fn() == 1, "before the patch");
	CHECK(*(volatile uint32_t *)(uintptr_t)poke_target == MOV_W0(1), "the text holds mov w0, #1");
	CHECK(aarch64_insn_patch_text_nosync((char *)(uintptr_t)poke_target + 2, MOV_W0(9)) == -22,
	      "a misaligned address is -EINVAL");
	if (noflush) {
		CHECK(kmaplab_patch_text_noflush((void *)(uintptr_t)poke_target, MOV_W0(3)) == 0, "patch");
		CHECK(*(volatile uint32_t *)(uintptr_t)poke_target == MOV_W0(3), "the text holds mov w0, #3");
		int r = fn();
		printf("after a patch without the I-cache flush the CPU ran mov w0, #%d\n", r);
		return 0;
	}
	CHECK(aarch64_insn_patch_text_nosync((void *)(uintptr_t)poke_target, MOV_W0(2)) == 0, "patch");
	CHECK(*(volatile uint32_t *)(uintptr_t)poke_target == MOV_W0(2), "the text holds mov w0, #2");
	int r = fn();
	CHECK(r == 2, "after the patch the new instruction runs (got %d)", r);
	printf("text poke ok: %d\n", r);
	return 0;
}
