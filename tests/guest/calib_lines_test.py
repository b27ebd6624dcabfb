#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The cache-line-stride chase (calib_tlb lines, --model cache) steps where
each core's cache sizes put them: a test of positions, not of timings.

usage: calib_lines_test.py KMAPLAB CALIB_TLB.elf

The geometry and latencies (load-to-use cycles) are calib_common.py's,
written from the sources in docs/cycle-model.md, not read from the code.
A chase at line stride over a working set W hits L1 on every load while W
fits L1 and misses it on most loads at 2 W (a cycle of twice the capacity:
every load under LRU, most under random replacement); likewise L2.  So, per
load: flat up to the L1 size (within 20% of the L1->L2 step), a step of more
than half the L1->L2 latency difference first at twice the L1 size, no step
of more than half the L2->memory difference up to the L2 size, and one first
at twice the L2 size.
"""
import sys

from calib_common import calib_args, CACHE, KiB, first_above, run_calib


def main():
    kmaplab, guest, _, check = calib_args(__doc__)
    for core, (stride, l1, l2, t1, t2, tm) in CACHE.items():
        pts = run_calib(check, kmaplab, core, guest, ['lines', str(4 * l2 // KiB), str(stride)],
                        ['--model', 'cache'])
        check(sorted(pts) == [KiB << i for i in range(len(pts))] and max(pts) == 4 * l2,
              '%s: points 1 KiB .. %d KiB' % (core, 4 * l2 // KiB))
        if not pts:
            continue
        base = pts[KiB]
        flat = max(pts[s] for s in pts if s <= l1) - base
        check(flat < 0.2 * (t2 - t1), '%s: flat up to L1 (%.2f cycles/load above 1 KiB)' % (core, flat))
        step1 = first_above(pts, base + 0.5 * (t2 - t1))
        check(step1 == 2 * l1, '%s: L1 step at %s, want %d KiB' % (core, step1 and step1 // KiB, 2 * l1 // KiB))
        step2 = first_above(pts, base + (t2 - t1) + 0.5 * (tm - t2))
        check(step2 == 2 * l2, '%s: L2 step at %s, want %d KiB' % (core, step2 and step2 // KiB, 2 * l2 // KiB))
    return check.status()


if __name__ == '__main__':
    sys.exit(main())
