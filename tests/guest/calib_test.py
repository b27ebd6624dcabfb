#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The calibration guest's curves have their steps where the geometry puts
them (a test of positions, not of timings), and kmaplab-calibrate draws them.

usage: calib_test.py KMAPLAB CALIBRATE CALIB_TLB.elf

The geometry, from the Technical Reference Manuals (docs/cycle-model.md):
  cortex-a7   10-entry data micro TLB (DDI 0464F 5.3.1), 256-entry main (5.3.2)
  cortex-a9   32-entry micro TLB (DDI 0388I 6.2.1), 2 x 64 main (6.2.2, as
              7-cpu measured)
  cortex-a15  32-entry L1 data TLB (DDI 0438 5.2.2); its 512-entry main TLB
              is beyond the 511 pages of the pkmap window: no second step
A page-stride chase over N pages, each load's translation in its own 4 KiB
page, hits the micro TLB while N fits it and misses it on every load once N
is one more (round robin or LRU over a cycle longer than the TLB); likewise
the main TLB.  So the cycles per load must be flat up to MICRO, higher from
MICRO + 1, flat up to MAIN, higher from MAIN + 1 -- and higher still at 511
(every set overflowed) than just past MAIN.
"""
import os
import subprocess
import sys
import tempfile
import xml.dom.minidom

from calib_common import Checks, run_calib

GEOMETRY = {'cortex-a7': (10, 256), 'cortex-a9': (32, 128), 'cortex-a15': (32, None)}
check = Checks()


def chase(kmaplab, core, guest):
    return run_calib(check, kmaplab, core, guest, ['chase'])


def main():
    kmaplab, calibrate, guest = sys.argv[1:4]
    for core, (micro, main_) in GEOMETRY.items():
        lat = chase(kmaplab, core, guest)
        base = lat[1]
        flat = [n for n in lat if n <= micro]
        check(all(lat[n] == base for n in flat), '%s: flat up to %d pages (%s)' % (core, micro, [lat[n] for n in flat]))
        check(lat[micro + 1] > base, '%s: a step at %d pages (%.2f -> %.2f)' % (core, micro + 1, base, lat[micro + 1]))
        second = lat[micro + 1]
        upto = main_ if main_ else 511
        mid = [n for n in lat if micro < n <= upto]
        check(all(lat[n] == second for n in mid), '%s: flat from %d to %d pages' % (core, micro + 1, upto))
        if main_:
            check(lat[main_ + 1] > second, '%s: a step at %d pages (%.2f -> %.2f)' % (core, main_ + 1, second, lat[main_ + 1]))
            check(lat[511] > lat[main_ + 1], '%s: every set overflowed at 511 pages' % core)
        # Identical runs, identical curves (the PMU counts the model).
        check(chase(kmaplab, core, guest) == lat, '%s: a second run gives the same curve' % core)
    with tempfile.TemporaryDirectory() as out:
        p = subprocess.run([sys.executable, calibrate, '--kmaplab', kmaplab, '--guest', guest,
                            '--cores', 'cortex-a7,cortex-a9', '--out', out, '--max-kib', '2048'], capture_output=True, text=True)
        check(p.returncode == 0, 'kmaplab-calibrate exits 0 (%s)' % p.stderr.strip())
        for name in ('chase.svg', 'flush.svg', 'lines.svg', 'random.svg', 'membench.svg'):
            path = os.path.join(out, name)
            try:
                xml.dom.minidom.parse(path)
                ok = True
            except Exception:
                ok = False
            check(ok, '%s is well-formed SVG' % name)
        table = open(os.path.join(out, 'calibration.md')).read() if os.path.exists(os.path.join(out, 'calibration.md')) else ''
        check('step after 10 pages' in table and 'step after 256 pages' in table and 'step after 128 pages' in table,
              'the table names the steps')
        check('(tmb-A9) |' in table and '(tmb-A7) |' in table, 'the table has the tinymembench rows')
        check(all('| cortex-a9 | %s | %d pages |' % (row, n) in table
                  for row, n in (('64 K row: 4 + 19 (L2)', 32), ('256 K row: + 7 (L1 TLB miss)', 64),
                                 ('1 M row: + 7 (L2 TLB miss)', 256))),
              "the table puts 7cpu-A9's level rows next to the page-stride chase")
        p = subprocess.run([sys.executable, calibrate, '--cores', 'arm1176', '--out', out], capture_output=True, text=True)
        check(p.returncode == 64 and 'no calibration for core arm1176' in p.stderr, 'arm1176 refused with 64')
    return check.status()


sys.exit(main())
