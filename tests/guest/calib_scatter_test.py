#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""calib_tlb's scattered physical pages (membench / pfns seed=S,
guest-tests/calib_tlb.c map_user; docs/calibration.md "Scattered physical
pages"): the deal is deterministic and scatters.

usage: calib_scatter_test.py KMAPLAB CALIB_TLB.elf

`calib_tlb pfns KIB [seed=S]` prints the PFN each page of a KIB mapping
holds, as its PTE says.  Expected, from what the option promises and the
Cortex-A7's L2 geometry (512 KiB, 8 ways: a way is 64 KiB = 16 pages, so a
page's lines fall in the L2 sets of colour PFN mod 16; calib_common.py,
docs/cycle-model.md), not from the code:
1. The same seed gives byte-identical output, PFNs and membench's cycle
   counts alike; another seed gives another order.
2. seed=0 (the control) maps consecutive PFNs: each of the 16 colours gets
   exactly 8 of a 512 KiB mapping's 128 pages.
3. seed=1: 128 distinct PFNs, at most 1 in 8 of the neighbouring pages
   consecutive PFNs, and some colour gets more than 8 pages (so some L2
   sets get more of the block's lines than they have ways).  A uniform
   deal of 128 of the pool's 16384 pages (1024 of each colour) puts all
   16 colours at exactly 8 with odds C(1024,8)^16 / C(16384,128) = 6e-13,
   so a scatter that leaves them balanced is no scatter.
4. Options that would change nothing or mean nothing are refused, with the
   option named and a non-zero exit: `pfns` takes seed= and run= only
   (it deals pages, it times nothing: offsets= and warm= are membench's),
   and a value that is not a whole number (seed=abc, run=2x, warm=) is
   refused by both rather than read as 0.
"""
import subprocess
import sys

from calib_common import calib_args

KIB_L2_A7, WAY_PAGES, WAYS = 512, 16, 8


def run(kmaplab, args):
    p = subprocess.run([kmaplab, 'run'] + args, capture_output=True, text=True)
    return p.returncode, p.stdout


def pfns(check, kmaplab, guest, *opts):
    rc, out = run(kmaplab, [guest, 'pfns', str(KIB_L2_A7)] + list(opts))
    check(rc == 0, 'calib_tlb pfns %d %s exits 0' % (KIB_L2_A7, ' '.join(opts)))
    got = [int(f[2]) for f in (l.split() for l in out.splitlines()) if f[:1] == ['pfn']]
    check(len(got) == KIB_L2_A7 // 4, '%s: %d pages printed (%d)' % (' '.join(opts) or 'default', KIB_L2_A7 // 4,
                                                                     len(got)))
    return out, got


def colours(got):
    c = [0] * WAY_PAGES
    for pfn in got:
        c[pfn % WAY_PAGES] += 1
    return c


def main():
    kmaplab, guest, _, check = calib_args(__doc__)
    out0, flat = pfns(check, kmaplab, guest)
    check(all(b == a + 1 for a, b in zip(flat, flat[1:])), 'default (seed 0): consecutive PFNs')
    check(colours(flat) == [WAYS] * WAY_PAGES, 'default: %d pages on each colour (%s)' % (WAYS, colours(flat)))
    out1, got = pfns(check, kmaplab, guest, 'seed=1')
    out1b, _ = pfns(check, kmaplab, guest, 'seed=1')
    check(out1 == out1b, 'seed=1 twice: byte-identical PFNs')
    out2, _ = pfns(check, kmaplab, guest, 'seed=2')
    check(out2 != out1, 'seed=2 deals another order than seed=1')
    check(len(set(got)) == len(got), 'seed=1: distinct PFNs')
    runs = sum(1 for a, b in zip(got, got[1:]) if b == a + 1)
    check(runs * 8 <= len(got), 'seed=1: at most 1 in 8 neighbours consecutive PFNs (%d of %d)' % (runs, len(got) - 1))
    c = colours(got)
    check(max(c) > WAYS, 'seed=1: some colour holds more than %d pages (%s)' % (WAYS, c))
    # The whole membench run is deterministic too (its cycle counts).
    args = ['--core', 'cortex-a7', '--model', 'cache', guest, 'membench', '1024', 'seed=1', 'offsets=2']
    ra, a = run(kmaplab, args)
    rb, b = run(kmaplab, args)
    check(ra == 0 and rb == 0 and a == b and 'membench 1048576' in a,
          'membench 1024 seed=1 offsets=2 twice: byte-identical output')
    for what, opt in (('pfns', 'offsets=2'), ('pfns', 'warm=100'), ('pfns', 'seed=abc'),
                      ('membench', 'run=2x'), ('membench', 'warm=')):
        rc, out = run(kmaplab, [guest, what, '64', opt])
        fails = [l for l in out.splitlines() if l.startswith('FAIL')]
        check(rc != 0 and len(fails) == 1 and opt in fails[0] and not any(l.startswith(('pfn ', 'membench '))
                                                                            for l in out.splitlines()),
              'calib_tlb %s 64 %s: refused, one FAIL line naming it, nothing measured (rc %d, %r)'
              % (what, opt, rc, fails))
    return check.status()


if __name__ == '__main__':
    sys.exit(main())
