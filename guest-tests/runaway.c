/* SPDX-License-Identifier: MIT */
/* Never ends: kmaplab run --max-insns must stop it. */
int main(void)
{
	volatile unsigned n = 0;
	for (;;)
		n++;
}
