#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The AArch64 cores' costs as data (mm/costs_a64.c, docs/aarch64.md "Cycle costs").

- `kmaplab costs --core C` prints the 10 constants of C with a source each, the
  values docs/aarch64.md's table gives;
- `--costs FILE` on an AArch64 run charges what the file says: arm64_fixmap-a64
  makes 15 one-page flush_tlb_kernel_range calls (docs/aarch64.md), each DSB +
  TLBI VAALE1IS + DSB + ISB, so with dsb = 100 they cost 15 x (100 + tlbi_va +
  100 + isb); insn = 3 adds 2 cycles per instruction;
- bad files: one line naming FILE:LINE, exit 64 (66: cannot open), stats kept.

usage: costs_a64_test.py KMAPLAB DOCS_AARCH64_MD ARM64_FIXMAP_A64_ELF"""
import json
import os
import re
import subprocess
import sys
import tempfile

failed = 0
KEYS = ['micro_miss', 'walk_start', 'desc_read', 'tlbi_va', 'tlbi_asid', 'tlbi_all', 'dsb', 'isb', 'insn',
        'hypercall']


def check(ok, what):
    global failed
    print(('ok   ' if ok else 'FAIL ') + what)
    if not ok:
        failed += 1


def doc_table(path):
    """The | constant | cortex-a53 | cortex-a57 | cortex-a72 | table."""
    rows = {}
    for line in open(path, encoding='utf-8'):
        m = re.match(r'\|\s*`(\w+)`\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|', line)
        if m and m.group(1) in KEYS:
            rows[m.group(1)] = [int(m.group(i)) for i in (2, 3, 4)]
    return rows


def table(kmaplab, core, *extra):
    p = subprocess.run([kmaplab, 'costs', '--core', core] + list(extra), capture_output=True, text=True)
    vals = {}
    for line in p.stdout.splitlines():
        if line.startswith('#'):
            continue
        name, value, src = line.split(None, 2)
        vals[name] = (int(value), src)
    return p, vals


def run(kmaplab, tmp, costs, guest):
    stats = os.path.join(tmp, 'stats.json')
    if os.path.exists(stats):
        os.unlink(stats)
    args = [kmaplab, 'run', '--stats', stats] + (['--costs', costs] if costs else []) + [guest]
    p = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return p, json.load(open(stats)) if os.path.exists(stats) else None


def main():
    kmaplab, doc, guest = sys.argv[1:4]
    docs = doc_table(doc)
    check(sorted(docs) == sorted(KEYS), 'docs/aarch64.md tables every constant: %s' % sorted(docs))
    for col, core in enumerate(('cortex-a53', 'cortex-a57', 'cortex-a72')):
        p, vals = table(kmaplab, core)
        check(p.returncode == 0 and list(vals) == KEYS, '%s: the 10 constants in order' % core)
        for k in KEYS:
            if k in vals and k in docs:
                check(vals[k][0] == docs[k][col], '%s %s = %d (docs: %d)' % (core, k, vals[k][0], docs[k][col]))
        check(all(src.startswith('ASSUMPTION') or re.search(r'CAQA6|DDI|100095', src) for _, src in vals.values()),
              '%s: every value cited or ASSUMPTION' % core)
    with tempfile.TemporaryDirectory(prefix='kmaplab-costs-a64-') as tmp:
        f = os.path.join(tmp, 'c.txt')
        with open(f, 'w') as fh:
            fh.write('# test\ndsb = 7\ncortex-a53.dsb = 100   # wins over dsb\ncortex-a7.pte_write = 30\n')
        p, vals = table(kmaplab, 'cortex-a53', '--costs', f)
        check(vals.get('dsb') == (100, f + ':3'), 'kmaplab costs --costs: dsb 100 from line 3: %s' % (vals.get('dsb'),))
        _, base = run(kmaplab, tmp, None, guest)
        p, st = run(kmaplab, tmp, f, guest)
        c = base and base['core'] == 'cortex-a53' and table(kmaplab, 'cortex-a53')[1]
        if st and c:
            want = 15 * (100 + c['tlbi_va'][0] + 100 + c['isb'][0])
            got = st['flush']['flush_tlb_kernel_range']['cycles']
            check(p.returncode == 0 and got == want, 'flush_tlb_kernel_range.cycles %d, want %d' % (got, want))
            check(st['costs'] == f and base['costs'] == '', 'stats costs: %r' % st['costs'])
        with open(f, 'w') as fh:
            fh.write('insn = 3\n')
        p, st = run(kmaplab, tmp, f, guest)
        if st and base:
            d = st['cycles'] - base['cycles']
            n = st['guest']['instructions']
            check(n == base['guest']['instructions'] and d == 2 * n, 'insn = 3: +%d cycles for %d instructions' % (d, n))
        for text, status, rx in (('dsbx = 1\n', 64, r":1: unknown constant 'dsbx'"),
                                 ('dsb = 1\ndsb = 2\n', 64, r':2: dsb is set twice \(first on line 1\)'),
                                 ('cortex-a99.dsb = 1\n', 64, r":1: unknown core 'cortex-a99'"),
                                 ('cortex-a53.pte_write = 1\n', 64, r":1: unknown constant 'pte_write'"),
                                 ('isb = -1\n', 64, r':1: isb: .* not a whole number'),
                                 (None, 66, r'No such file')):
            bad = os.path.join(tmp, 'bad.txt')
            if os.path.exists(bad):
                os.unlink(bad)
            if text is not None:
                with open(bad, 'w') as fh:
                    fh.write(text)
            p, st = run(kmaplab, tmp, bad, guest)
            lines = p.stderr.splitlines()
            check(p.returncode == status and len(lines) == 1 and re.search(rx, lines[0] if lines else ''),
                  '%r: exit %d, %s' % (text, p.returncode, p.stderr.strip()))
            check(st is not None and st['guest']['status'] == status, 'stats written with the status')
    print('all passed' if not failed else '%d failed' % failed)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
