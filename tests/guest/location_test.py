#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Results must not depend on where the guest ELF lives.

usage: location_test.py KMAPLAB GUEST.elf

Copies the guest (hello.elf, which prints its whole argv) into two
directories whose paths differ in length, runs both copies with --stats and
--trace, and checks that the stats and trace files are byte-identical (the
guest's argv[0] is the file name, not the path, so not even the bytes the
guest copies differ).  Then `--argv0 NAME` must be what the guest sees as
argv[0], and an argv0 with a
space is refused with one line.
"""
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    kmaplab, guest = sys.argv[1:3]
    results = []

    def check(ok, what):
        results.append(ok)
        print(('ok   ' if ok else 'FAIL ') + what)

    def run(*args):
        p = subprocess.run([kmaplab, 'run'] + list(args), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=120)
        print('$ kmaplab run %s -> %d\n%s%s' % (' '.join(args), p.returncode, p.stdout, p.stderr))
        return p

    with tempfile.TemporaryDirectory(prefix='kmaplab-loc-') as tmp:
        outs = []
        for d in ('a', 'a-directory-with-a-much-longer-name/and/deeper/still'):
            os.makedirs(os.path.join(tmp, d))
            elf = os.path.join(tmp, d, 'prog.elf')
            shutil.copy(guest, elf)
            st, tr = os.path.join(tmp, d, 's.json'), os.path.join(tmp, d, 't.trace')
            p = run('--stats', st, '--trace', tr, elf, 'one')
            check(p.returncode == 0, 'the copy in %s/ ran (status %d)' % (d, p.returncode))
            check('argv[0] = prog.elf\n' in p.stdout, "the guest's argv[0] is the file name")
            with open(st, 'rb') as f, open(tr, 'rb') as g:
                outs.append((f.read(), g.read(), p.stdout))
        check(outs[0][0] == outs[1][0], 'the stats files are byte-identical')
        check(outs[0][1] == outs[1][1], 'the trace files are byte-identical')
        check(outs[0][2] == outs[1][2], 'the guest printed the same')

        p = run('--argv0', 'myname', guest)
        check(p.returncode == 0 and 'argv[0] = myname\n' in p.stdout, '--argv0 sets argv[0]')
        p = run('--argv0', 'two words', guest)
        check(p.returncode == 64 and len(p.stderr.splitlines()) == 1 and '--argv0' in p.stderr,
              '--argv0 with a space is refused with one line (64)')

    print('%d passed, %d failed' % (results.count(True), results.count(False)))
    sys.exit(0 if all(results) else 1)


if __name__ == '__main__':
    main()
