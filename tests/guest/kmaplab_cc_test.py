#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""kmaplab-cc's own command line: --help, no arguments, a missing value.

usage: kmaplab_cc_test.py KMAPLAB_CC
"""
import os
import subprocess
import sys
import tempfile


def main():
    cc = sys.argv[1]
    results = []

    def check(ok, what):
        results.append(ok)
        print(('ok   ' if ok else 'FAIL ') + what)

    def run(*args):
        p = subprocess.run(['sh', cc] + list(args), stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=60)
        print('$ kmaplab-cc %s -> %d\n%s%s' % (' '.join(args), p.returncode, p.stdout, p.stderr))
        return p

    p = run('--help')
    lines = p.stdout.strip().splitlines()
    check(p.returncode == 0 and lines and lines[0].startswith('kmaplab-cc: compile and link'),
          '--help prints the description (status 0)')
    check(any('--split' in l for l in lines) and any('--show' in l for l in lines), '--help names the options')
    check(not any('set -eu' in l or l.startswith('#') for l in lines), '--help prints no script text')

    p = run()
    check(p.returncode == 64 and 'no source file given' in p.stderr and '--split' in p.stderr,
          'no arguments: usage and one reason, status 64 (no linker error)')
    for opt in ('--split', '--core'):
        p = run('x.c', opt)
        check(p.returncode == 64 and p.stderr.strip() == 'kmaplab-cc: %s needs a value (kmaplab-cc --help)' % opt,
              'x.c %s: names the option that lacks its value' % opt)
    p = run('--split', '5G/1G', 'x.c')
    check(p.returncode == 64 and "--split '5G/1G'" in p.stderr, 'a bad --split value is named')
    p = run('--core', 'cortex-m3', 'x.c')
    check(p.returncode == 64 and "--core 'cortex-m3'" in p.stderr, 'a bad --core value is named')

    # arm64 v5.10 cannot build set_fixmap_nocache (FIXMAP_PAGE_NOCACHE is
    # PAGE_KERNEL_NOCACHE, which arm64 does not define): neither can a guest.
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'nocache.c')
        with open(src, 'w') as f:
            f.write('#include "kmaplab/guest.h"\nint main(void) { set_fixmap_nocache(1026, 0x40000000ul); return 0; }\n')
        p = run('--core', 'cortex-a53', src, '-o', os.path.join(tmp, 'nocache.elf'))
        check(p.returncode != 0 and 'arm64 (v5.10) has no PAGE_KERNEL_NOCACHE' in p.stderr,
              'set_fixmap_nocache in an AArch64 guest: a compile error that says why')

    print('%d passed, %d failed' % (results.count(True), results.count(False)))
    sys.exit(0 if all(results) else 1)


if __name__ == '__main__':
    main()
