#!/usr/bin/env python3
"""A hazard in the trace: tlb_hazards.elf evict makes exactly one
architectural stale_tlb hazard (guest-tests/tlb_hazards.c works it out);
the trace must hold one hazard record for it, and tools/kmaplab-trace must
count it and convert it with the VA, both pages and the flags.

usage: trace_hazard.py KMAPLAB KMAPLAB_TRACE TLB_HAZARDS_ELF"""
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
    kmaplab, tool, guest = sys.argv[1:4]
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
        c = subprocess.run([sys.executable, tool, trace, '--count'], capture_output=True, text=True)
        check(c.returncode == 0, 'kmaplab-trace --count exits 0')
        lines = c.stdout.splitlines()
        check('hazard=1' in lines and 'hazard.stale_tlb=1' in lines, 'counted: ' + ' '.join(lines))
        v = subprocess.run([sys.executable, tool, trace, '--format', 'csv'], capture_output=True, text=True)
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
        j = subprocess.run([sys.executable, tool, trace, '--format', 'chrome'], capture_output=True, text=True)
        ev = [e for e in json.loads(j.stdout)['traceEvents'] if e.get('cat') == 'hazard']
        check(len(ev) == 1 and ev[0]['ph'] == 'i', 'chrome: one instant hazard event')
    print('%d failed' % failed)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
