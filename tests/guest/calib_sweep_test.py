#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The 4 KiB-mapping sweeps of calib_tlb (random, pages) step where each
core's geometry puts them: a test of positions, not of timings.

usage: calib_sweep_test.py KMAPLAB CALIB_TLB.elf

The geometry, written here from the sources in docs/cycle-model.md, not read
from the code:
  micro TLB / main TLB entries: cortex-a7 10 / 256 (DDI 0464F 5.3.1, 5.3.2),
  cortex-a9 32 / 128 (DDI 0388I 6.2.1; 7cpu-A9), cortex-a15 32 / 512
  (DDI 0438 5.2.1, 5.2.3).  The A15's walk cache: 16 entries, one a MiB
  (7cpu-A15, "PDE cache").
  L1D / L2 bytes and latencies: calib_common.py.

1. pages (--model tlb: no caches, only the TLBs): a page-stride chase over
   1 .. 1024 pages.  The cost per load rises first after the micro TLB's
   entries (N + 1 pages) and again after the main TLB's; between the two it
   stays flat.  The A15's main-TLB step (512) is beyond the pkmap window's
   511 pages: this sweep reaches it.
2. random (--model cache, 16-byte slots, up to 4 x L2): the first point
   more than a quarter of the way from the L1 to the L2 latency is twice the
   L1 size, the first more than a quarter of the way from L2 to memory is
   twice the L2 size (random reuse: half the loads still hit at twice a
   cache's size).
3. random with one slot per page up to 64 MiB (highmem pages): all
   points 1 KiB .. 64 MiB are there; on the A15 the cost steps (more than 1
   cycle over the 16 MiB point) first at 32 MiB, where the set spans more
   MiBs than the walk cache has entries; with walk_entries = 0 not there.
"""
import os
import sys
import tempfile

from calib_common import calib_args, CACHE, TLB, KiB, MiB, first_above, run_calib


def main():
    kmaplab, guest, _, check = calib_args(__doc__)

    def run(kmaplab, core, guest, args, extra=()):
        return run_calib(check, kmaplab, core, guest, args, extra)

    for core, (micro, main_) in TLB.items():
        pts = run(kmaplab, core, guest, ['pages', '1024'])
        if not pts:
            continue
        check(max(pts) == 1024, '%s: pages up to 1024' % core)
        base = pts[1]
        s1 = first_above(pts, base + 0.5)
        check(s1 == micro + 1, '%s: micro-TLB step at %s pages, want %d' % (core, s1, micro + 1))
        plateau = pts.get(micro + 1, 0)
        flat = all(abs(pts[n] - plateau) < 0.01 for n in pts if micro + 1 <= n <= main_)
        check(flat, '%s: flat from %d to %d pages' % (core, micro + 1, main_))
        s2 = first_above(pts, plateau + 0.01, after=micro + 1)
        check(s2 == main_ + 1, '%s: main-TLB step at %s pages, want %d' % (core, s2, main_ + 1))

    for core, (_, l1, l2, t1, t2, tm) in CACHE.items():
        top = 4 * l2
        pts = run(kmaplab, core, guest, ['random', str(top // KiB), '16'], ['--model', 'cache'])
        check(sorted(pts) == [KiB << i for i in range(len(pts))] and max(pts, default=0) == top,
              '%s: random points 1 KiB .. %d KiB' % (core, top // KiB))
        if not pts:
            continue
        s1 = first_above(pts, pts[KiB] + 0.25 * (t2 - t1))
        check(s1 == 2 * l1, '%s: L1 step at %s, want %d KiB' % (core, s1 and s1 // KiB, 2 * l1 // KiB))
        s2 = first_above(pts, t2 + 0.25 * (tm - t2))
        check(s2 == 2 * l2, '%s: L2 step at %s, want %d KiB' % (core, s2 and s2 // KiB, 2 * l2 // KiB))

    for walk in (None, 0):
        extra = ['--model', 'cache']
        with tempfile.TemporaryDirectory() as tmp:
            if walk is not None:
                cf = os.path.join(tmp, 'costs.txt')
                with open(cf, 'w') as f:
                    f.write('walk_entries = %d\n' % walk)
                extra += ['--costs', cf]
            pts = run(kmaplab, 'cortex-a15', guest, ['random', '65536', '4096'], extra)
        check(max(pts, default=0) == 64 * MiB and len(pts) == 17, 'cortex-a15: random reaches 64 MiB')
        if 16 * MiB not in pts:
            continue
        step = first_above(pts, pts[16 * MiB] + 1, after=16 * MiB)
        if walk is None:
            check(step == 32 * MiB, 'cortex-a15: walk-cache step at %s MiB, want 32' % (step and step // MiB))
        else:  # later, the page tables' own lines outgrow L1D: not at 32 MiB
            check(step != 32 * MiB, 'cortex-a15, walk_entries 0: no step at 32 MiB (first at %s MiB)'
                  % (step and step // MiB))
    return check.status()


if __name__ == '__main__':
    sys.exit(main())
