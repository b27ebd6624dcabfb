#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""calib_tlb membench (tinymembench's latency test, --model cache) steps
where each core's cache sizes put them: a test of positions, not timings.

usage: calib_membench_test.py KMAPLAB CALIB_TLB.elf

The guest prints the cycles of 2^16 dependent single-byte reads at random
offsets of a 2-byte block (the reference) and of blocks of 1 KiB .. 4 x L2;
the figure tinymembench reports is a block's cycles per read minus the
reference's.  The geometry and latencies (load-to-use cycles), written here
from the sources in docs/cycle-model.md ("Memory hierarchy"), not read from
the code:
  cortex-a7   L1D 32 KiB (DDI 0464F 6.6.1), L2 512 KiB (BCM2836);
              latencies 3 (assumption) / 13 / 163 (tmb-A7, docs/calibration.md); micro TLB 10 entries
  cortex-a9   L1D 32 KiB, L2 1 MiB; 4 / 23 / 155 (7-cpu, Exynos 4210);
              micro TLB 32
  cortex-a15  L1D 32 KiB, L2 1 MiB; 4 / 21 / 208 (7-cpu, Exynos 5250);
              micro TLB 32
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
import subprocess
import sys

KiB = 1024
# core: (L1 bytes, L2 bytes, L1, L2, memory latency)
GEOMETRY = {
    'cortex-a7': (32 * KiB, 512 * KiB, 3, 13, 163),
    'cortex-a9': (32 * KiB, 1024 * KiB, 4, 23, 155),
    'cortex-a15': (32 * KiB, 1024 * KiB, 4, 21, 208),
}
failures = 0


def check(ok, what):
    global failures
    print(('ok   ' if ok else 'FAIL ') + what)
    if not ok:
        failures += 1


def first_above(pts, level):
    for n in sorted(pts):
        if pts[n] > level:
            return n
    return None


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    kmaplab, guest = sys.argv[1:]
    for core, (l1, l2, t1, t2, tm) in GEOMETRY.items():
        top = 4 * l2
        p = subprocess.run([kmaplab, 'run', '--core', core, '--model', 'cache', guest, 'membench',
                            str(top // KiB)], capture_output=True, text=True)
        check(p.returncode == 0, '%s: calib_tlb membench exits 0 (%s)' % (core, p.stderr.strip()))
        raw = {}
        for line in p.stdout.splitlines():
            f = line.split()
            if len(f) == 4 and f[0] == 'membench':
                raw[int(f[1])] = int(f[3]) / int(f[2])
        sizes = [KiB << i for i in range(top.bit_length() - KiB.bit_length() + 1)]
        check(sorted(raw) == [2] + sizes, '%s: the reference block and 1 KiB .. %d KiB' % (core, top // KiB))
        if 2 not in raw or KiB not in raw:
            continue
        extra = {n: lat - raw[2] for n, lat in raw.items() if n >= KiB}
        check(extra[KiB] == 0, '%s: 1 KiB costs what the reference costs (extra %.3f)' % (core, extra[KiB]))
        flat = [n for n in extra if n <= l1 and abs(extra[n]) > 0.5]
        check(not flat, '%s: extra below 0.5 up to %d KiB (not at %s)' % (core, l1 // KiB, flat))
        s1 = first_above(extra, 0.25 * (t2 - t1))
        check(s1 == 2 * l1, '%s: L1 step at %s, want %d KiB' % (core, s1 and s1 // KiB, 2 * l1 // KiB))
        s2 = first_above(extra, (t2 - t1) + 0.25 * (tm - t2))
        check(s2 == 2 * l2, '%s: L2 step at %s, want %d KiB' % (core, s2 and s2 // KiB, 2 * l2 // KiB))
    print('%d failed' % failures)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
