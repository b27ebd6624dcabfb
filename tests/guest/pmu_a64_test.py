#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The AArch64 guest's PMU counts the model (emu/pmu_a64.h, docs/pmu.md).

guest-tests/a64_pmu.c loads from fixmap pages (4 KiB entries) between reads of
L1D_TLB_REFILL (0x05) on counter 0 (PMEVTYPER0/PMEVCNTR0) and counter 1
(PMSELR + PMXEVTYPER/PMXEVCNTR).  From the L1 data TLB size D (DDI 0500 5.1:
10 on the A53; DDI 0488 5.2.2 and 100095 5.2: 32 on the A57 and A72) and its
round-robin replacement, with N = D + 1:
  A  8 fresh pages once             -> 8 refills
  B  the same 8 again (8 <= D)      -> 0
  C  N other pages, twice round     -> 2N (round robin over D + 1 pages misses every time)
L1I_TLB_REFILL over B: 0 (the loop's code is one block entry already held).
PMCCNTR_EL0 over 100 DSBs: with --costs dsb = X + 100 it grows by 100 x 100
cycles exactly; with PMCR_EL0.E = 0 it stands still.

usage: pmu_a64_test.py KMAPLAB A64_PMU_ELF"""
import os
import re
import subprocess
import sys
import tempfile

failed = 0
L1D = {'cortex-a53': 10, 'cortex-a57': 32, 'cortex-a72': 32}


def check(ok, what):
    global failed
    print(('ok   ' if ok else 'FAIL ') + what)
    if not ok:
        failed += 1


def run(kmaplab, guest, core, n, costs=None):
    args = [kmaplab, 'run', '--core', core] + (['--costs', costs] if costs else []) + [guest, str(n)]
    p = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    check(p.returncode == 0, '%s: exit 0 (%d %s)' % (core, p.returncode, p.stderr.strip()))
    return p.stdout


def main():
    kmaplab, guest = sys.argv[1:3]
    with tempfile.TemporaryDirectory(prefix='kmaplab-pmu-a64-') as tmp:
        for core, d in L1D.items():
            n = d + 1
            out = run(kmaplab, guest, core, n)
            for c in (0, 1):
                m = re.search(r'counter %d L1D_TLB_REFILL: A (\d+) B (\d+) C (\d+)' % c, out)
                got = tuple(int(x) for x in m.groups()) if m else None
                check(got == (8, 0, 2 * n), '%s counter %d: A, B, C = %s, want (8, 0, %d)' % (core, c, got, 2 * n))
            check('counter 2 L1I_TLB_REFILL: B 0\n' in out, '%s: no L1I refill in pass B' % core)
            m = re.search(r'PMCCNTR over 100 DSBs: (\d+); disabled: (\d+)', out)
            check(m is not None and m.group(2) == '0', '%s: PMCR_EL0.E = 0 stops PMCCNTR' % core)
            dsb = int(re.search(r'^dsb\s+(\d+)', subprocess.run([kmaplab, 'costs', '--core', core],
                                                                capture_output=True, text=True).stdout,
                                re.M).group(1))
            costs = os.path.join(tmp, 'c.txt')
            with open(costs, 'w') as f:
                f.write('%s.dsb = %d\n' % (core, dsb + 100))
            out2 = run(kmaplab, guest, core, n, costs)
            m2 = re.search(r'PMCCNTR over 100 DSBs: (\d+)', out2)
            if m and m2:
                diff = int(m2.group(1)) - int(m.group(1))
                check(diff == 100 * 100, '%s: dsb + 100 adds %d cycles over 100 DSBs, want 10000' % (core, diff))
    print('all passed' if not failed else '%d failed' % failed)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
