#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end test of `kmaplab compare` (tools/kmaplab-compare).

usage: compare_test.py KMAPLAB COMPARE_TOOL GUEST1.elf GUEST2.elf

Runs the two guests under two policies (linux,eager; or, while `kmaplab run`
has no --policy option, the linux policy on two cores) and checks: every output
file is there, the CSV has one row per run, the SVGs are well-formed XML, no
output names the temporary directory, a second run gives byte-identical
outputs and stats, the --jobs-file commands run from elsewhere and --merge of
their stats give the identical table, a refused guest is marked failed while
the rest still run, and usage errors are clear.

Prints one line per check and "N passed, M failed" last; exits 1 on failure.
"""
import csv
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

CHARTS = ['cost.svg', 'cycles-per-kmap.svg', 'pages-invalidated.svg', 'flush-cycles.svg']
OUTPUTS = ['table.csv', 'table.md', 'table.txt'] + CHARTS + ['report.html']

passed = failed = 0


def check(ok, what, detail=''):
    global passed, failed
    if ok:
        passed += 1
        print('ok   ' + what)
    else:
        failed += 1
        print('FAIL ' + what + (': ' + detail if detail else ''))
    return ok


def run(cmd, **kw):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, **kw)


def read(path, mode='r'):
    with open(path, mode) as f:
        return f.read()


def csv_rows(path):
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    kmaplab, tool = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    guests = [os.path.abspath(g) for g in sys.argv[3:5]]
    names = [os.path.basename(g)[:-4] for g in guests]
    base = [sys.executable, tool, '--kmaplab', kmaplab,
            '--guest-dir', os.path.dirname(guests[0])]

    p = run([sys.executable, tool, '--help'])
    check(p.returncode == 0 and '--jobs-file' in p.stdout and '--merge' in p.stdout,
          '--help exits 0 and documents --jobs-file and --merge', p.stderr)

    has_policy = '--policy' in (lambda q: q.stdout + q.stderr)(run([kmaplab, 'run', '--help']))
    second = None
    if has_policy:
        # The first policy besides linux that this kmaplab has (64: usage error, unknown policy).
        with tempfile.TemporaryDirectory() as t:
            for cand in ('eager', 'nohighmem', 'local', 'flushall:32'):
                q = run([kmaplab, 'run', '--policy', cand, '--stats', os.path.join(t, 's.json'), guests[0]])
                if q.returncode != 64:
                    second = cand
                    break
    if second:
        matrix = ['--policies', 'linux,' + second]
    else:
        matrix = ['--policies', 'linux', '--cores', 'cortex-a7,cortex-a15']
    if '--cpus' in run([sys.executable, tool, '--help']).stdout:
        matrix += ['--cpus', '1']  # one CPU count: the runs below are counted for it
    n = 4
    print('matrix: %s x %s (kmaplab run %s --policy)' % (' '.join(names), ' '.join(matrix),
                                                        'has' if has_policy else 'has no'))

    with tempfile.TemporaryDirectory(prefix='kmaplab-compare-') as tmp:
        a, b, c = (os.path.join(tmp, d) for d in ('a', 'b', 'c'))

        # 1. A direct run produces every file.
        p = run(base + ['-j', '2', '--out', a] + matrix + guests)
        check(p.returncode == 0, 'compare exits 0', 'status %d: %s' % (p.returncode, p.stderr[-2000:]))
        for name in OUTPUTS + ['matrix.json']:
            check(os.path.isfile(os.path.join(a, name)), 'writes %s' % name)
        stats = sorted(glob.glob(os.path.join(a, 'stats', '*.json')))
        check(len(stats) == n, 'one stats file per run (%d)' % n, str(stats))
        rows = csv_rows(os.path.join(a, 'table.csv')) if os.path.exists(os.path.join(a, 'table.csv')) else []
        check(len(rows) == n, 'table.csv has %d rows' % n, str(len(rows)))
        check(all(r['result'] == 'ok' for r in rows), 'every row is ok', str([r['result'] for r in rows]))
        check(sorted({r['guest'] for r in rows}) == sorted(names), 'rows name both guests')
        check(all(os.path.isfile(os.path.join(a, r['stats'])) for r in rows),
              'the stats column holds paths relative to the output directory')
        for svg in CHARTS:
            try:
                root = ET.parse(os.path.join(a, svg)).getroot()
                check(root.tag == '{http://www.w3.org/2000/svg}svg', '%s is SVG' % svg, root.tag)
            except (ET.ParseError, OSError) as e:
                check(False, '%s parses as XML' % svg, str(e))
        if os.path.exists(os.path.join(a, 'report.html')):
            report = read(os.path.join(a, 'report.html'))
            check(report.count('<svg') == len(CHARTS) and '<table>' in report and 'flushall' in report,
                  'report.html inlines the %d charts, the table and the reading guide' % len(CHARTS))
        for name in OUTPUTS:
            path = os.path.join(a, name)
            if os.path.exists(path):
                check(tmp not in read(path), '%s names no temporary path' % name)
        lines = p.stdout.splitlines()
        check(len(lines) == n + 1 and lines[0].split()[:4] == ['guest', 'policy', 'core', 'split'],
              'the table is printed on stdout', p.stdout)
        progress = [l for l in p.stderr.splitlines() if re.match(r'^\[\d+/%d\] \S+ \S+ \S+ \S+ ok [0-9.]+s$' % n, l)]
        check(len(progress) == n, 'one progress line per run on stderr', p.stderr)

        # 2. The same inputs give byte-identical outputs and stats.
        p = run(base + ['-j', '1', '--out', b] + matrix + guests)
        check(p.returncode == 0, 'second compare exits 0', p.stderr[-2000:])
        for name in OUTPUTS + [os.path.join('stats', os.path.basename(s)) for s in stats]:
            pa, pb = os.path.join(a, name), os.path.join(b, name)
            same = os.path.exists(pa) and os.path.exists(pb) and read(pa, 'rb') == read(pb, 'rb')
            check(same, '%s byte-identical across runs' % name)

        # 3. --jobs-file lines run anywhere; --merge of their stats gives the same table.
        jobs = os.path.join(tmp, 'jobs.txt')
        p = run(base + ['--out', c, '--jobs-file', jobs] + matrix + guests)
        check(p.returncode == 0, '--jobs-file exits 0', p.stderr)
        cmds = read(jobs).splitlines() if os.path.exists(jobs) else []
        check(len(cmds) == n and all(' --stats ' in l for l in cmds), '--jobs-file writes %d run commands' % n,
              '\n'.join(cmds))
        check(not glob.glob(os.path.join(c, '*.csv')), '--jobs-file runs nothing')
        elsewhere = os.path.join(tmp, 'elsewhere')
        os.mkdir(elsewhere)
        for line in cmds:
            q = subprocess.run(line, shell=True, cwd=elsewhere, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True)
            check(q.returncode == 0, 'job runs from another directory: ' + line, q.stderr)
        p = run([sys.executable, tool, '--merge', c])
        check(p.returncode == 0, '--merge exits 0', p.stderr)
        for name in ['table.csv', 'table.md', 'report.html'] + CHARTS:
            pa, pc = os.path.join(a, name), os.path.join(c, name)
            check(os.path.exists(pc) and read(pa, 'rb') == read(pc, 'rb'),
                  '--merge %s identical to the direct run' % name)

        # 4. A job that never ran is reported by --merge, not silently dropped.
        d = os.path.join(tmp, 'd')
        shutil.copytree(c, d)
        os.remove(sorted(glob.glob(os.path.join(d, 'stats', '*.json')))[0])
        p = run([sys.executable, tool, '--merge', d])
        drows = csv_rows(os.path.join(d, 'table.csv')) if os.path.exists(os.path.join(d, 'table.csv')) else []
        check(p.returncode == 1 and len(drows) == n and
              sum(r['result'].startswith('failed: no stats file') for r in drows) == 1,
              '--merge marks a missing stats file failed and exits 1', p.stderr)

        # 5. A guest kmaplab refuses is marked failed; the others still run; exit 1.
        # (An ARM ELF whose entry point is in no segment: refused by `kmaplab run`, status 65.)
        bad = os.path.join(tmp, 'bad.elf')
        elf = bytearray(read(guests[0], 'rb'))
        elf[24:28] = (0x10).to_bytes(4, 'little')
        with open(bad, 'wb') as f:
            f.write(elf)
        e = os.path.join(tmp, 'e')
        p = run(base + ['--policies', 'linux', '--out', e, guests[0], bad])
        erows = {r['guest']: r for r in csv_rows(os.path.join(e, 'table.csv'))} \
            if os.path.exists(os.path.join(e, 'table.csv')) else {}
        check(p.returncode == 1, 'a failed run makes compare exit 1', 'status %d' % p.returncode)
        check(erows.get('bad', {}).get('result', '').startswith('failed: exit 65: bad.elf:'),
              'the failed row gives the status and the reason', str(erows.get('bad')))
        check(erows.get(names[0], {}).get('result') == 'ok', 'the other guest still ran')

        # A file that is no ARM ELF is named at once, before anything runs.
        notelf = os.path.join(tmp, 'notelf.elf')
        shutil.copy(os.path.join(a, 'table.csv'), notelf)
        p = run(base + ['--out', os.path.join(tmp, 'n'), guests[0], notelf])
        check(p.returncode == 65 and p.stderr.count('\n') == 1 and 'not an ELF file' in p.stderr
              and not os.path.exists(os.path.join(tmp, 'n')),
              'a guest that is no ELF: one line, status 65, nothing run or written', p.stderr)

        # 6. Usage errors.
        if not has_policy:
            p = run(base + ['--policies', 'linux,eager', '--out', os.path.join(tmp, 'f')] + guests)
            check(p.returncode == 64 and '--policy' in p.stderr,
                  'asking for policies this kmaplab lacks is a usage error that says why', p.stderr)
        lone = os.path.join(tmp, 'lone')
        os.mkdir(lone)
        shutil.copy(guests[0], lone)
        p = run(base + ['--splits', '2G/2G', '--out', os.path.join(tmp, 'g'),
                        os.path.join(lone, os.path.basename(guests[0]))])
        check(p.returncode == 66 and '%s-2g2g.elf' % names[0] in p.stderr,
              'a guest not built for a split is refused naming the file looked for', p.stderr)
        p = run(base + ['--cores', 'cortex-z9', '--out', os.path.join(tmp, 'h'), guests[0]])
        check(p.returncode == 64 and 'cortex-z9' in p.stderr, 'an unknown core is a usage error', p.stderr)

    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
