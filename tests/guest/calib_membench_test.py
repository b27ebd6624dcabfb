#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""calib_tlb membench (tinymembench's latency test, --model cache) steps
where each core's cache sizes put them: a test of positions, not timings.

usage: calib_membench_test.py KMAPLAB CALIB_TLB.elf [OPTION...]

OPTIONs go to calib_tlb membench after MAXKIB (seed=1: its pages
scattered in physical memory; the steps stay where the sizes put them,
but 1. holds only up to L1D-ways pages: a larger block's scattered pages
can put more of its lines on one L1D set than it has ways -- the A15's
2-way 32 KiB L1D is 4 page colours of 2 pages each).

The guest prints the cycles of 2^16 dependent single-byte reads at random
offsets of a 2-byte block (the reference) and of blocks of 1 KiB .. 4 x L2;
the figure tinymembench reports is a block's cycles per read minus the
reference's.  The geometry and latencies (load-to-use cycles) are
calib_common.py's, written from the sources in docs/cycle-model.md, not
read from the code.
Expected, worked out from those alone:
1. A block no larger than L1D (at most 8 pages: within every micro TLB)
   stays in L1D and in the micro TLB once warm, so its extra is 0 up to
   32 KiB; at 1 KiB exactly 0 (the same loop, every read an L1 hit: the
   reference is right).
2. At twice L1D about half of the block is resident, so the extra is about
   half the L1->L2 difference: the first block whose extra passes a quarter
   of it is 64 KiB (2 x L1D).
3. Up to the L2's size every read that misses L1D hits L2 (plus TLB misses,
   at most micro_miss + a walk: tens of cycles); at twice its size about
   half miss it: the first block whose extra passes the L1->L2 difference
   plus a quarter of the L2->memory one is 2 x L2.
"""
import sys

from calib_common import calib_args, CACHE, L1D_WAYS, KiB, first_above, run_calib


def main():
    kmaplab, guest, opts, check = calib_args(__doc__, more=True)
    for core, (_, l1, l2, t1, t2, tm) in CACHE.items():
        top = 4 * l2
        raw = run_calib(check, kmaplab, core, guest, ['membench', str(top // KiB)] + opts, ['--model', 'cache'])
        sizes = [KiB << i for i in range(top.bit_length() - KiB.bit_length() + 1)]
        check(sorted(raw) == [2] + sizes, '%s: the reference block and 1 KiB .. %d KiB' % (core, top // KiB))
        if 2 not in raw or KiB not in raw:
            continue
        extra = {n: lat - raw[2] for n, lat in raw.items() if n >= KiB}
        check(extra[KiB] == 0, '%s: 1 KiB costs what the reference costs (extra %.3f)' % (core, extra[KiB]))
        scattered = any(o.startswith('seed=') and o != 'seed=0' for o in opts)
        fits = min(l1, L1D_WAYS[core] * 4 * KiB) if scattered else l1
        flat = [n for n in extra if n <= fits and abs(extra[n]) > 0.5]
        check(not flat, '%s: extra below 0.5 up to %d KiB (not at %s)' % (core, fits // KiB, flat))
        s1 = first_above(extra, 0.25 * (t2 - t1))
        check(s1 == 2 * l1, '%s: L1 step at %s, want %d KiB' % (core, s1 and s1 // KiB, 2 * l1 // KiB))
        s2 = first_above(extra, (t2 - t1) + 0.25 * (tm - t2))
        check(s2 == 2 * l2, '%s: L2 step at %s, want %d KiB' % (core, s2 and s2 // KiB, 2 * l2 // KiB))
    return check.status()


if __name__ == '__main__':
    sys.exit(main())
