#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Endings the README promises stats for, and the --ram limits.

usage: endings_test.py KMAPLAB CLI_MD HELLO_3G1G GUEST_2G2G GUEST_1G3G FOREVER

1. --ram: physical RAM starts at PHYS_OFFSET 0 and must end at PKMAP_BASE =
   PAGE_OFFSET - 2 MiB (arch/arm/include/asm/highmem.h: PKMAP_BASE is
   PAGE_OFFSET - PMD_SIZE; the kernel windows begin there), so the most RAM
   per split is PAGE_OFFSET - 2 MiB: worked out here from each split's
   PAGE_OFFSET.  That much runs; 1 MiB more, and 4G, are refused with one
   line naming the limit, exit 64, and a stats file that says so; and
   docs/cli.md must give the same limits.
2. SIGHUP stops a run like SIGINT: status 130, one line, complete stats.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

PAGE_OFFSET = {'3G/1G': 0xc0000000, '2G/2G': 0x80000000, '1G/3G': 0x40000000}


def main():
    kmaplab, cli_md, forever = sys.argv[1], sys.argv[2], sys.argv[6]
    guests = {'3G/1G': sys.argv[3], '2G/2G': sys.argv[4], '1G/3G': sys.argv[5]}
    results = []

    def check(ok, what):
        results.append(ok)
        print(('ok   ' if ok else 'FAIL ') + what)

    with open(cli_md) as f:
        doc = f.read()
    with tempfile.TemporaryDirectory(prefix='kmaplab-end-') as tmp:
        st = os.path.join(tmp, 's.json')

        def run(*args):
            if os.path.exists(st):
                os.unlink(st)
            p = subprocess.run([kmaplab, 'run', '--stats', st] + list(args), stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=300)
            print('$ kmaplab run %s -> %d %s' % (' '.join(args), p.returncode, p.stderr.strip()))
            stats = None
            if os.path.exists(st):
                with open(st) as f:
                    stats = json.load(f)
            return p, stats

        for split, po in PAGE_OFFSET.items():
            most = (po - (2 << 20)) >> 20
            check(re.search(r'\b%s\b[^|\n]*\bat most %dM\b|\bat most %dM\b[^|\n]*\b%s\b' % (
                re.escape(split), most, most, re.escape(split)), doc) is not None,
                'docs/cli.md gives %s at most %dM' % (split, most))
            p, stats = run('--split', split, '--ram', '%dM' % most, guests[split])
            check(p.returncode == 0, '%s --ram %dM runs (status %d)' % (split, most, p.returncode))
            for ram in ('%dM' % (most + 1), '4G'):
                p, stats = run('--split', split, '--ram', ram, guests[split])
                lines = p.stderr.splitlines()
                check(p.returncode == 64 and len(lines) == 1 and ('at most %dM' % most) in lines[0],
                      '%s --ram %s: exit 64, one line naming the limit %dM' % (split, ram, most))
                check(stats is not None and stats['guest']['status'] == 64 and stats['guest']['stop'] == 'none'
                      and ('at most %dM' % most) in stats['guest']['message'],
                      '%s --ram %s: the stats file says why' % (split, ram))

        if os.path.exists(st):
            os.unlink(st)
        p = subprocess.Popen([kmaplab, 'run', '--stats', st, forever], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        p.stdout.readline()  # the guest is in its loop
        time.sleep(0.3)
        p.send_signal(signal.SIGHUP)
        out, err = p.communicate(timeout=60)
        check(p.returncode == 130, 'SIGHUP: status 130 (got %d)' % p.returncode)
        check(err.startswith('kmaplab: interrupted by signal %d' % signal.SIGHUP) and len(err.splitlines()) == 1,
              'SIGHUP: one-line reason: ' + err.strip())
        try:
            with open(st) as f:
                stats = json.load(f)
            check(stats['guest']['stop'] == 'interrupted' and stats['guest']['status'] == 130
                  and stats['guest']['instructions'] > 0, 'SIGHUP: stats written up to the stop')
        except (OSError, ValueError, KeyError) as e:
            check(False, 'SIGHUP: stats written (%s)' % e)

    print('%d passed, %d failed' % (results.count(True), results.count(False)))
    sys.exit(0 if all(results) else 1)


if __name__ == '__main__':
    main()
