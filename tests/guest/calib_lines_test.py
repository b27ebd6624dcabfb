#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The cache-line-stride chase (calib_tlb lines, --model cache) steps where
each core's cache sizes put them: a test of positions, not of timings.

usage: calib_lines_test.py KMAPLAB CALIB_TLB.elf

The geometry and latencies (load-to-use cycles), written here from the
sources in docs/cycle-model.md ("Memory hierarchy"), not read from the code:
  cortex-a7   L1D 32 KiB 64 B lines (DDI 0464F 6.6.1), L2 512 KiB (BCM2836);
              latencies 3 (assumption) / 13 / 163 (tmb-A7, docs/calibration.md)
  cortex-a9   L1D 32 KiB 32 B, L2 1 MiB 32 B; 4 / 23 / 155 (7-cpu, Exynos 4210)
  cortex-a15  L1D 32 KiB 64 B, L2 1 MiB 64 B; 4 / 21 / 208 (7-cpu, Exynos 5250)
A chase at line stride over a working set W hits L1 on every load while W
fits L1 and misses it on most loads at 2 W (a cycle of twice the capacity:
every load under LRU, most under random replacement); likewise L2.  So, per
load: flat up to the L1 size (within 20% of the L1->L2 step), a step of more
than half the L1->L2 latency difference first at twice the L1 size, no step
of more than half the L2->memory difference up to the L2 size, and one first
at twice the L2 size.
"""
import subprocess
import sys

KiB = 1024
# core: (stride, L1 bytes, L2 bytes, L1, L2, memory latency)
GEOMETRY = {
    'cortex-a7': (64, 32 * KiB, 512 * KiB, 3, 13, 163),
    'cortex-a9': (32, 32 * KiB, 1024 * KiB, 4, 23, 155),
    'cortex-a15': (64, 32 * KiB, 1024 * KiB, 4, 21, 208),
}
failures = 0


def check(ok, what):
    global failures
    print(('ok   ' if ok else 'FAIL ') + what)
    if not ok:
        failures += 1


def sweep(kmaplab, core, guest, stride, max_kib):
    p = subprocess.run([kmaplab, 'run', '--core', core, '--model', 'cache', guest, 'lines',
                        str(max_kib), str(stride)], capture_output=True, text=True)
    check(p.returncode == 0, '%s: calib_tlb lines exits 0 (%s)' % (core, p.stderr.strip()))
    pts = {}
    for line in p.stdout.splitlines():
        f = line.split()
        if len(f) == 4 and f[0] == 'lines':
            pts[int(f[1])] = int(f[3]) / int(f[2])
    return pts


def first_above(pts, level):
    for size in sorted(pts):
        if pts[size] > level:
            return size
    return None


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    kmaplab, guest = sys.argv[1:]
    for core, (stride, l1, l2, t1, t2, tm) in GEOMETRY.items():
        pts = sweep(kmaplab, core, guest, stride, 4 * l2 // KiB)
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
    print('%d failed' % failures)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
