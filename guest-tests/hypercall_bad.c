/* SPDX-License-Identifier: MIT */
/* An unknown hypercall number must stop the run with a clear error. */
#include "kmaplab/guest.h"

int main(void)
{
	if (kmaplab_hypercall(HC_ABI_VERSION, 0, 0, 0, 0) != KMAPLAB_HC_ABI_VERSION)
		return 1;
	kmaplab_hypercall(0xdead, 1, 2, 3, 4);
	return 0;
}
