#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--costs FILE and `kmaplab costs`: the cost table, its sources, overrides.

usage: costs_test.py KMAPLAB DOC_CYCLE_MODEL PKMAP_WRAP.elf

1. `kmaplab costs --core X` prints every constant of docs/cycle-model.md's
   "Cost constants" table with the same value (the doc is what tests derive
   expected cycles from, so it must be exact), and every source is a
   citation (a TRM document number, a measurement site, or tmb-A7, the
   published tinymembench run the A7's constants are solved from) or
   ASSUMPTION.
2. A --costs file changes what a run charges: pkmap_wrap makes 513
   local_flush_tlb_kernel_page and one 512-page flush_tlb_kernel_range
   (worked out in pkmap_wrap.c); on a Cortex-A7 with an SMP v5.10 kernel
   those are dsb+TLBIMVA+dsb+isb and dsb+512 TLBIMVAIS+dsb+isb
   (arch/arm/include/asm/tlbflush.h, arch/arm/mm/tlb-v7.S), so with
   dsb=100, tlbi_mva=1, isb=0 they cost 513 * 201 and 200 + 512.
   A line for the core beats a line for every core, whatever the order.
3. A bad file is refused with one line naming FILE:LINE and status 64, an
   unreadable one with 66; stats are still written.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

CORES = ['cortex-a7', 'arm1176', 'cortex-a9', 'cortex-a15']
failures = 0


def check(ok, what):
    global failures
    print(('ok   ' if ok else 'FAIL ') + what)
    if not ok:
        failures += 1


def doc_table(path):
    text = open(path).read()
    sec = text[text.index('## Cost constants'):text.index('Values in bold')]
    table = {}
    for line in sec.splitlines():
        if not line.startswith('| `'):
            continue
        cells = [c.strip() for c in line.strip('|').split('|')]
        name = cells[0].strip('`')
        for core, cell in zip(CORES, cells[1:]):
            table.setdefault(core, {})[name] = int(re.match(r'\**(\d+)', cell).group(1))
    return table


def costs(kmaplab, *args):
    p = subprocess.run([kmaplab, 'costs'] + list(args), capture_output=True, text=True)
    rows = {}
    for line in p.stdout.splitlines():
        if line.startswith('#'):
            continue
        m = re.match(r'(\w+)\s+(\d+)\s+(.*)$', line)
        if m:
            rows[m.group(1)] = (int(m.group(2)), m.group(3))
    return p, rows


def main():
    kmaplab, doc, guest = sys.argv[1:4]
    table = doc_table(doc)
    for core in CORES:
        p, rows = costs(kmaplab, '--core', core)
        check(p.returncode == 0, f'kmaplab costs --core {core} exits 0')
        check(set(rows) == set(table[core]), f'{core}: the same constants as docs/cycle-model.md')
        for name, want in table[core].items():
            got = rows.get(name, (None, ''))
            check(got[0] == want, f'{core} {name} = {want} as documented (got {got[0]})')
            check(re.search(r'ASSUMPTION|DDI \d|7cpu-|tmb-A7', got[1]) is not None,
                  f'{core} {name}: a source or ASSUMPTION ({got[1]!r})')

    with tempfile.TemporaryDirectory() as tmp:
        cf = os.path.join(tmp, 'costs.txt')
        with open(cf, 'w') as f:
            f.write('# flush costs for a test\n'
                    'cortex-a7.dsb = 100   # this core\n'
                    'dsb = 7               # every core: loses to the line above\n'
                    'tlbi_mva = 1\n'
                    'isb=0\n'
                    'arm1176.tlbi_mva = 99 # another core: ignored\n')
        p, rows = costs(kmaplab, '--costs', cf)
        check(rows.get('dsb') == (100, cf + ':2'), f'dsb from {cf}:2 (got {rows.get("dsb")})')
        check(rows.get('tlbi_mva') == (1, cf + ':4'), 'tlbi_mva from line 4')
        check(rows.get('isb') == (0, cf + ':5'), 'isb from line 5')
        check(rows.get('desc_read', (0, ''))[1].startswith('ASSUMPTION'), 'untouched constants keep their source')
        _, rows = costs(kmaplab, '--core', 'arm1176', '--costs', cf)
        check(rows.get('dsb') == (7, cf + ':3') and rows.get('tlbi_mva') == (99, cf + ':6'),
              'arm1176 takes the general dsb and its own tlbi_mva')

        stats = os.path.join(tmp, 's.json')
        p = subprocess.run([kmaplab, 'run', '--costs', cf, '--stats', stats, guest],
                           capture_output=True, text=True)
        check(p.returncode == 0, f'pkmap_wrap with --costs exits 0 ({p.stderr.strip()})')
        s = json.load(open(stats))
        page, rng = s['flush']['local_flush_tlb_kernel_page'], s['flush']['flush_tlb_kernel_range']
        check(page['calls'] == 513 and page['cycles'] == 513 * (100 + 1 + 100 + 0),
              f'513 page flushes at 2 dsb + tlbi_mva + isb = 201 (got {page})')
        check(rng['pages'] == 512 and rng['cycles'] == 2 * 100 + 512 * 1 + 0,
              f'the wrap at 2 dsb + 512 tlbi_mva + isb = 712 (got {rng})')
        check(s['machine']['costs'] == cf, 'machine.costs names the file')

        bad = [('dsbx = 1\n', 1, "unknown constant 'dsbx'"),
               ('\n# ok\ndsb = -1\n', 3, "dsb: '-1' is not a whole number"),
               ('dsb = 10\ndsb = 11\n', 2, 'dsb is set twice (first on line 1)'),
               ('cortex-a8.dsb = 1\n', 1, "unknown core 'cortex-a8'"),
               ('dsb 10\n', 1, 'expected KEY = VALUE'),
               ('isb = 2000000\n', 1, 'from 0 to 1000000'),
               ('isb = 3x\n', 1, "'3x' is not a whole number")]
        for i, (text, line, why) in enumerate(bad):
            bf = os.path.join(tmp, f'bad{i}.txt')
            with open(bf, 'w') as f:
                f.write(text)
            for cmd in (['costs', '--costs', bf], ['run', '--costs', bf, '--stats', stats, guest]):
                if os.path.exists(stats):
                    os.remove(stats)
                p = subprocess.run([kmaplab] + cmd, capture_output=True, text=True)
                err = p.stderr.strip().splitlines()
                check(p.returncode == 64 and len(err) == 1 and f'{bf}:{line}: ' in err[0] and why in err[0],
                      f'{cmd[0]}: {text.strip()!r} refused at line {line}: {err}')
                if cmd[0] == 'run':
                    check(os.path.exists(stats) and json.load(open(stats))['guest']['status'] == 64,
                          'stats written for the refused run')
        # The memory hierarchy's figures (--model cache) take the same file.
        hf = os.path.join(tmp, 'hier.txt')
        with open(hf, 'w') as f:
            f.write('cortex-a15.walk_entries = 32\nl2_size = 2097152\n')
        _, rows = costs(kmaplab, '--core', 'cortex-a15', '--costs', hf)
        check(rows.get('walk_entries') == (32, hf + ':1') and rows.get('l2_size') == (2097152, hf + ':2'),
              f'cache figures from {hf} (got {rows.get("walk_entries")}, {rows.get("l2_size")})')
        bf = os.path.join(tmp, 'badgeom.txt')
        with open(bf, 'w') as f:
            f.write('l1d_ways = 3\n')
        for cmd in (['costs', '--costs', bf], ['run', '--model', 'cache', '--costs', bf, guest]):
            p = subprocess.run([kmaplab] + cmd, capture_output=True, text=True)
            err = p.stderr.strip().splitlines()
            check(p.returncode == 64 and len(err) == 1 and 'l1d: 32768 bytes, 3 ways' in err[0],
                  f'{cmd[0]}: an impossible L1D geometry is refused: {err}')
        lf = os.path.join(tmp, 'badlat.txt')
        with open(lf, 'w') as f:
            f.write('l1d_latency = 50\n')
        p = subprocess.run([kmaplab, 'costs', '--core', 'cortex-a15', '--costs', lf], capture_output=True, text=True)
        check(p.returncode == 64 and 'latencies must not fall outward: l1d_latency 50, l2_latency 21' in p.stderr,
              f'an L1D slower than the L2 is refused ({p.stderr.strip()})')
        nf = os.path.join(tmp, 'noi.txt')
        with open(nf, 'w') as f:
            f.write('l1i_size = 0\n')
        l1i = []
        for extra in ([], ['--costs', nf]):
            p = subprocess.run([kmaplab, 'run', '--model', 'cache', '--stats', stats] + extra + [guest],
                               capture_output=True, text=True)
            l1i.append(json.load(open(stats))['cache']['l1i'])
        check(l1i[0]['hits'] > 0 and l1i[0]['misses'] > 0 and l1i[1] == {'hits': 0, 'misses': 0},
              f'l1i_size = 0 removes the L1 I cache from a run (got {l1i})')

        p = subprocess.run([kmaplab, 'costs', '--core', 'cortex-a8'], capture_output=True, text=True)
        check(p.returncode == 64 and "unknown --core 'cortex-a8'" in p.stderr, 'costs: an unknown core is 64')
        p = subprocess.run([kmaplab, 'costs', '--frob'], capture_output=True, text=True)
        check(p.returncode == 64 and len(p.stderr.strip().splitlines()) == 1, 'costs: an unknown option is 64')
        p = subprocess.run([kmaplab, 'run', '--costs', os.path.join(tmp, 'none'), guest],
                           capture_output=True, text=True)
        check(p.returncode == 66 and 'No such file' in p.stderr, f'a missing --costs file: 66 ({p.stderr.strip()})')
    print(f'{failures} failed' if failures else 'all passed')
    return 1 if failures else 0


sys.exit(main())
