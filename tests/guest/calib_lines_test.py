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

7cpu-A9's level rows (docs/calibration.md, "7-cpu's A9 rows are levels"):
a page-stride chase (calib_tlb pages, --model cache) loads one line per
page at the same offset, so every line falls in 2 of the Cortex-A9's 256
L1D sets (32 KiB, 4 ways: a way is 8 KiB, two pages) and, up to 256 pages,
in 16 of its L2's 2048 sets (1 MiB, 16 ways, 32-byte lines) with at most 16
lines each.  So at 32 pages nearly every load misses L1D and hits L2 and the
32-entry micro TLB; at 64 it misses the micro TLB too and hits the 128-entry
main TLB; at 256 it misses both TLBs.  7-cpu.com/cpu/Cortex-A9.html gives
those levels as 23 (L1 + L2), 30 (+ 7, L1 TLB miss) and 37 (+ 7, L2 TLB
miss): each point within 15% of its row, in that order.
"""
import sys

from calib_common import calib_args, CACHE, KiB, first_above, run_calib

LEVELS_A9 = ((32, 23), (64, 30), (256, 37))  # pages, 7cpu-A9 cycles


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
    pts = run_calib(check, kmaplab, 'cortex-a9', guest, ['pages', '256'], ['--model', 'cache'])
    got = [pts.get(n, 0.0) for n, _ in LEVELS_A9]
    for (n, pub), lat in zip(LEVELS_A9, got):
        check(abs(lat - pub) <= 0.15 * pub, 'cortex-a9: %d pages %.2f cycles/load, 7cpu-A9 level %d (within 15%%)'
              % (n, lat, pub))
    check(got == sorted(got) and len(set(got)) == len(got), 'cortex-a9: the three levels rise (%s)' % got)
    return check.status()


if __name__ == '__main__':
    sys.exit(main())
