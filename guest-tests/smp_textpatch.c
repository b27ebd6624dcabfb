/* SPDX-License-Identifier: MIT */
/* Code written by one CPU, run by another (text patching, as
 * patch_text()/stop_machine do it): CPU 1 runs a function held in a RAM
 * page, CPU 0 rewrites its immediate, CPU 1 runs it again and must get the
 * new value -- its engine has to drop the old translation.
 * The function: `mov r0, #IMM; bx lr` (ARM). */
#include <stdint.h>
#include <stdio.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

static uint32_t text[1024] __attribute__((aligned(4096)));
static atomic_t step = ATOMIC_INIT(0);
static volatile int got[2];

static int runner(void *arg)
{
	(void)arg;
	int (*fn)(void) = (int (*)(void))(uintptr_t)text;
	got[0] = fn();
	atomic_set(&step, 1);
	while (atomic_read(&step) != 2)
		cpu_relax();
	got[1] = fn();
	return 0;
}

int main(void)
{
	CHECK(num_online_cpus() >= 2, "needs --cpus 2");
	text[0] = 0xe3a00000u | 1; /* mov r0, #1 */
	text[1] = 0xe12fff1eu;     /* bx lr */
	struct task_struct *t = kthread_run_on_cpu(runner, NULL, 1, "runner");
	CHECK(t != NULL, "kthread");
	while (atomic_read(&step) != 1)
		cpu_relax();
	text[0] = 0xe3a00000u | 2; /* mov r0, #2: patched by CPU 0 */
	smp_mb();
	atomic_set(&step, 2);
	CHECK(kthread_stop(t) == 0, "runner");
	printf("CPU 1 ran 0x%x then 0x%x\n", got[0], got[1]);
	CHECK(got[0] == 1 && got[1] == 2, "CPU 1 ran the old code after CPU 0 patched it");
	return 0;
}
