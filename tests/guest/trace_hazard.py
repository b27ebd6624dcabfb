#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A hazard in the trace: tlb_hazards.elf evict makes exactly one
architectural stale_tlb hazard (guest-tests/tlb_hazards.c works it out);
the trace must hold one hazard record for it, and `kmaplab trace` must
count it and convert it with the VA, both pages and the flags, and its
filters must find it by kind and by CPU.

usage: trace_hazard.py KMAPLAB TLB_HAZARDS_ELF"""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

failed = 0


def check(ok, what):
    global failed
    print(('ok   ' if ok else 'FAIL ') + what)
    if not ok:
        failed += 1


def main():
    kmaplab, guest = sys.argv[1:3]
    tool = [kmaplab, 'trace']
    with tempfile.TemporaryDirectory(prefix='kmaplab-trace-hazard-') as tmp:
        trace = os.path.join(tmp, 'run.kmt')
        stats_path = os.path.join(tmp, 'stats.json')
        p = subprocess.run([kmaplab, 'run', '--trace', trace, '--stats', stats_path, guest, 'evict'],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
        check(p.returncode == 0, 'kmaplab run exits 0 (%d)' % p.returncode)
        with open(stats_path) as f:
            stats = json.load(f)
        check(stats['hazards']['stale_tlb']['architectural'] == 1, 'one architectural hazard')
        check(stats['trace']['hazard'] == 1, 'stats trace.hazard = 1')
        c = subprocess.run(tool + [trace, '--count'], capture_output=True, text=True)
        check(c.returncode == 0, 'kmaplab trace --count exits 0')
        lines = c.stdout.splitlines()
        check('hazard=1' in lines and 'hazard.stale_tlb=1' in lines, 'counted: ' + ' '.join(lines))
        v = subprocess.run(tool + [trace, '--format', 'csv'], capture_output=True, text=True)
        rows = [r for r in csv.DictReader(io.StringIO(v.stdout)) if r['kind'] == 'hazard']
        check(len(rows) == 1, 'one hazard row')
        if rows:
            r = rows[0]
            check(r['op'] == 'stale_tlb' and r['va'] == '0xffc43000' and r['cpu'] == '0',
                  'row: stale_tlb at VA 0xffc43000 on cpu 0')
            check(r['symbol'].startswith('read_va'), 'at read_va (%s)' % r['symbol'])
            # bit 0 clear: the modelled TLB had evicted it; bit 1: different page
            check(r['arg'] == '0x2', 'flags 0x2: not observed, different page (%s)' % r['arg'])
            check(r['message'].startswith('old 0x') and ', now 0x' in r['message'], r['message'])
        j = subprocess.run(tool + [trace, '--format', 'chrome'], capture_output=True, text=True)
        ev = [e for e in json.loads(j.stdout)['traceEvents'] if e.get('cat') == 'hazard']
        check(len(ev) == 1 and ev[0]['ph'] == 'i', 'chrome: one instant hazard event')
        # Filters: by kind, by hazard kind, by the CPU the record names.
        for args, n in ((['--ops', 'hazard'], 1), (['--ops', 'stale_tlb'], 1),
                        (['--ops', 'hazard.barrier'], 0), (['--ops', 'hazard', '--cpu', '0'], 1),
                        (['--ops', 'hazard', '--cpu', '1'], 0)):
            f = subprocess.run(tool + [trace, '--format', 'csv'] + args, capture_output=True,
                               text=True)
            got = list(csv.DictReader(io.StringIO(f.stdout)))
            check(f.returncode == 0 and len(got) == n and all(r['kind'] == 'hazard' for r in got),
                  '%s: %d rows (expected %d)' % (' '.join(args), len(got), n))
    print('%d failed' % failed)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
