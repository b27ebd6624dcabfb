# SPDX-License-Identifier: MIT
"""What the calibration tests (calib_*_test.py) share: each core's geometry
and latencies, written once from the sources in docs/cycle-model.md
("Memory hierarchy") and docs/calibration.md -- never read from the code
under test -- and the one reader of calib_tlb's output lines.

  cortex-a7   L1D 32 KiB, 64 B lines (DDI 0464F 6.6.1), L2 512 KiB (BCM2836);
              latencies 3 (assumption) / 13 / 163 (tmb-A7, docs/calibration.md);
              micro / main TLB 10 / 256 entries (DDI 0464F 5.3.1, 5.3.2)
  cortex-a9   L1D 32 KiB 32 B, L2 1 MiB 32 B; 4 / 23 / 155 (7-cpu, Exynos 4210);
              TLBs 32 / 128 (DDI 0388I 6.2.1; 7cpu-A9)
  cortex-a15  L1D 32 KiB 64 B, L2 1 MiB 64 B; 4 / 21 / 208 (7-cpu, Exynos 5250);
              TLBs 32 / 512 (DDI 0438 5.2.1, 5.2.3)
"""
import subprocess
import sys

KiB, MiB = 1024, 1024 * 1024
# core: (line bytes, L1D bytes, L2 bytes, L1, L2, memory latency in cycles)
CACHE = {
    'cortex-a7': (64, 32 * KiB, 512 * KiB, 3, 13, 163),
    'cortex-a9': (32, 32 * KiB, 1024 * KiB, 4, 23, 155),
    'cortex-a15': (64, 32 * KiB, 1024 * KiB, 4, 21, 208),
}
# core: L1D ways (DDI 0464F 6.6.1; 7cpu-A9; 7cpu-A15): a block of at most
# that many pages fits the physically indexed L1D whatever its PFNs.
L1D_WAYS = {'cortex-a7': 4, 'cortex-a9': 4, 'cortex-a15': 2}
# core: (micro TLB entries, main TLB entries)
TLB = {'cortex-a7': (10, 256), 'cortex-a9': (32, 128), 'cortex-a15': (32, 512)}


def calib_args(doc, more=False):
    """(KMAPLAB, GUEST.elf, [further arguments, if MORE], a new Checks) from
    the command line; exits 2 after printing DOC as the usage if they are
    not there."""
    if len(sys.argv) < 3 or (not more and len(sys.argv) != 3):
        print(doc, file=sys.stderr)
        sys.exit(2)
    return sys.argv[1], sys.argv[2], sys.argv[3:], Checks()


class Checks:
    """Prints each check as it is made and counts the failures."""

    def __init__(self):
        self.failures = 0

    def __call__(self, ok, what):
        print(('ok   ' if ok else 'FAIL ') + what)
        if not ok:
            self.failures += 1
        return ok

    def status(self):
        print('%d failed' % self.failures)
        return 1 if self.failures else 0


def run_calib(check, kmaplab, core, guest, args, extra=()):
    """Runs `calib_tlb ARGS` on CORE; returns {size: cycles per load} from
    its "KIND SIZE LOADS CYCLES" lines, KIND being args[0]."""
    p = subprocess.run([kmaplab, 'run', '--core', core] + list(extra) + [guest] + list(args),
                       capture_output=True, text=True)
    check(p.returncode == 0, '%s: calib_tlb %s exits 0 (%s)' % (core, ' '.join(args), p.stderr.strip()))
    pts = {}
    for line in p.stdout.splitlines():
        f = line.split()
        if len(f) == 4 and f[0] == args[0]:
            pts[int(f[1])] = int(f[3]) / int(f[2])
    return pts


def first_above(pts, level, after=0):
    """The smallest size beyond AFTER whose figure exceeds LEVEL, or None."""
    for n in sorted(pts):
        if n > after and pts[n] > level:
            return n
    return None
