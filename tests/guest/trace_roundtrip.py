#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Trace round trip through `kmaplab trace`, and recording options.

usage: trace_roundtrip.py TEST_TRACE KMAPLAB PKMAP_WRAP.elf

TEST_TRACE is the unit test binary (tests/unit/test_trace.c): with
`--write FILE` it writes its synthetic trace (fixed seed; four fixed events
first, then every kind with random fields) and prints what the writer
counted.  This script converts that file in every format and checks that
events written = events read back = events counted, that the formats agree
row by row, that the fixed events come out exactly, that each filter keeps
the rows this script picks from the full CSV itself, that a cut file gives
the whole records before the cut with one line and exit 67, that a corrupt
record gives the records before it and exit 65, and that a file that is not
a trace is refused with exit 65.

Then PKMAP_WRAP.elf (513 kmaps: one pkmap wrap) is run with --trace: the
flush_all_zero_pkmaps event spans its range flush on the Chrome timeline;
--trace-events keeps exactly the events of those kinds; --trace-max-bytes
gives a valid trace no larger than the limit holding a prefix of the full
run's events, and stats that say so.

Prints one line per failed check and "N passed, M failed" last; exits 1 on
failure.
"""
import csv
import io
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print('FAIL: ' + what)
    return ok


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    test_trace, kmaplab, wrap_elf = sys.argv[1:4]

    def run_tool(*args):
        return subprocess.run([kmaplab, 'trace'] + list(args), capture_output=True,
                              text=True, encoding='utf-8')

    with tempfile.TemporaryDirectory(prefix='kmaplab-trace-') as tmp:
        path = os.path.join(tmp, 't.kmt')
        w = subprocess.run([test_trace, '--write', path], capture_output=True, text=True)
        if not check(w.returncode == 0, 'test_trace --write: %s' % w.stderr.strip()):
            return
        written = {k: int(v) for k, v in re.findall(r'(\w+)=(\d+)', w.stdout)}
        total = written['events']
        check(total == sum(written[k] for k in ('flush', 'tlbi', 'kmap', 'warn')),
              'writer counts add up')

        # --count
        r = run_tool(path, '--count')
        check(r.returncode == 0 and r.stderr == '', '--count exit 0, quiet: %r' % r.stderr)
        counted = dict(line.split('=') for line in r.stdout.splitlines())
        for k in ('events', 'flush', 'tlbi', 'kmap', 'warn'):
            check(int(counted[k]) == written[k],
                  '--count %s=%s, written %d' % (k, counted[k], written[k]))
        per_op = {k: int(v) for k, v in counted.items() if '.' in k}
        check(sum(per_op.values()) == total, 'per-op counts add up to events')

        # CSV
        r = run_tool(path, '--format', 'csv')
        check(r.returncode == 0 and r.stderr == '', 'csv exit 0, quiet: %r' % r.stderr)
        rows = list(csv.reader(io.StringIO(r.stdout)))
        header, body = rows[0], rows[1:]
        check(header[:18] == ['cycle', 'cpu', 'kind', 'op', 'cause', 'start', 'end', 'pages',
                              'invalidated', 'cycles', 'pc', 'symbol', 'page', 'pfn', 'va',
                              'slot', 'arg', 'failed'], 'csv columns: %s' % header)
        check(len(body) == total, 'csv rows %d = events written %d' % (len(body), total))
        kinds = {}
        ops = {}
        for row in body:
            kinds[row[2]] = kinds.get(row[2], 0) + 1
            key = '%s.%s' % (row[2], row[3])
            ops[key] = ops.get(key, 0) + 1
        for k in ('flush', 'tlbi', 'kmap', 'warn'):
            check(kinds.get(k, 0) == written[k], 'csv %s rows %d = written %d'
                  % (k, kinds.get(k, 0), written[k]))
        check(ops == per_op, 'csv per-op counts = --count')
        expect = [
            ['100', '0', 'flush', 'local_flush_tlb_kernel_page', 'kmap_atomic', '0xffef9000',
             '0xffefa000', '1', '1', '30', '0xc0008050', 'main+0x10', '', '', '', '', '', '', '', ''],
            ['90', '0', 'kmap', 'kmap_atomic', '', '', '', '', '', '55', '0xc0008050', 'main+0x10',
             '0xc1234560', '196608', '0xffef9000', '6', '', '0', 'fixmap', ''],
            ['200', '0', 'tlbi', 'TLBIMVA', 'guest_mcr', '0xbf801000', '0xbf802000', '1', '2', '12',
             '0xc0008144', 'helper+0x4', '', '', '', '', '0xbf801042', '', '', ''],
            ['300', '0', 'warn', 'WARN', '', '', '', '', '', '', '0xc0100004',
             '\u00e9t\u00e9 with spaces, "quotes"+0x4', '', '', '', '', '', '', '',
             'kmap_atomic: slot stack overflow, "x"'],
        ]
        for i, e in enumerate(expect):
            check(body[i] == e, 'csv row %d:\n  got      %s\n  expected %s' % (i, body[i], e))

        # JSONL: the same rows
        r = run_tool(path, '--format', 'jsonl')
        check(r.returncode == 0 and r.stderr == '', 'jsonl exit 0, quiet: %r' % r.stderr)
        objs = [json.loads(line) for line in r.stdout.splitlines()]
        check(len(objs) == total, 'jsonl rows %d = events written %d' % (len(objs), total))
        differ = 0
        for row, obj in zip(body, objs):
            as_csv = ['' if v is None else str(int(v) if isinstance(v, bool) else v)
                      for v in (obj[c] for c in header)]
            if as_csv != row:
                differ += 1
                if differ < 3:
                    print('jsonl %s\n  csv %s' % (as_csv, row))
        check(differ == 0, 'jsonl rows = csv rows (%d differ)' % differ)

        # Chrome: valid JSON, one event per record
        r = run_tool(path, '--format', 'chrome')
        check(r.returncode == 0 and r.stderr == '', 'chrome exit 0, quiet: %r' % r.stderr)
        doc = json.loads(r.stdout)
        evs = doc['traceEvents']
        xs = [e for e in evs if e['ph'] == 'X']
        inst = [e for e in evs if e['ph'] == 'i']
        check(len(xs) + len(inst) == total, 'chrome events %d = events written %d'
              % (len(xs) + len(inst), total))
        check(len(inst) == written['warn'], 'chrome instant events = WARNs')
        check(all(e['pid'] == 1 and e['tid'] == 0 for e in xs + inst), 'chrome pid 1 tid 0')
        # The kmap call (reported second) comes before the flush inside it.
        check(xs[0]['name'] == 'kmap_atomic' and xs[0]['ts'] == 0.09 and xs[0]['dur'] == 0.055,
              'chrome first event: %s' % xs[0])
        check(xs[1]['name'] == 'local_flush_tlb_kernel_page' and xs[1]['ts'] == 0.1 and
              xs[1]['dur'] == 0.03 and xs[1]['args']['symbol'] == 'main+0x10',
              'chrome second event: %s' % xs[1])
        check(doc['otherData']['core'] == 'cortex-a7', 'chrome otherData')

        # Output to a file with -o
        out = os.path.join(tmp, 'o.csv')
        r = run_tool(path, '--format', 'csv', '-o', out)
        with open(out, encoding='utf-8', newline='') as f:
            check(r.returncode == 0 and list(csv.reader(f)) == rows, '-o writes the same csv')

        # Cut files: the whole records before the cut, a warning, exit 0.
        with open(path, 'rb') as f:
            data = f.read()
        (hlen,) = struct.unpack_from('<I', data, 10)
        hend = 14 + hlen + 4
        cuts = [hend, hend + 1, hend + 17, hend + (len(data) - hend) // 3,
                hend + (len(data) - hend) // 2, len(data) - 3, len(data) - 1]
        prev_n = -1
        for cut in cuts:
            cpath = os.path.join(tmp, 'cut.kmt')
            with open(cpath, 'wb') as f:
                f.write(data[:cut])
            r = run_tool(cpath, '--format', 'csv')
            m = re.fullmatch(r'kmaplab trace: .*: trace truncated after (\d+) events\n', r.stderr)
            if not check(r.returncode == 67 and m, 'cut at %d: exit %d, stderr %r'
                         % (cut, r.returncode, r.stderr)):
                continue
            n = int(m.group(1))
            crows = list(csv.reader(io.StringIO(r.stdout)))[1:]
            check(len(crows) == n and crows == body[:n],
                  'cut at %d: %d rows, the first %d of the whole file' % (cut, len(crows), n))
            check(n >= prev_n and n <= total, 'cut at %d: %d events' % (cut, n))
            prev_n = n
            r = run_tool(cpath, '--format', 'chrome')
            try:
                cdoc = json.loads(r.stdout)
                check(r.returncode == 67 and len(cdoc['traceEvents']) == n + 2,
                      'cut at %d: chrome has %d events' % (cut, n))
            except ValueError as e:
                check(False, 'cut at %d: chrome JSON does not parse: %s' % (cut, e))
        check(prev_n == total, 'the end record alone cut: all %d events' % total)

        # Not a trace, newer, corrupt header: one line, exit 65.
        bad = {
            'magic': b'X' + data[1:],
            'version': data[:8] + b'\x04\x00' + data[10:],
            'header': data[:20] + bytes([data[20] ^ 0x10]) + data[21:],
            'empty': b'',
            'inside-header': data[:hend - 5],
        }
        for what, content in bad.items():
            bpath = os.path.join(tmp, 'bad.kmt')
            with open(bpath, 'wb') as f:
                f.write(content)
            r = run_tool(bpath, '--format', 'jsonl')
            check(r.returncode == 65 and r.stdout == '' and r.stderr.count('\n') == 1,
                  '%s: exit %d, stderr %r' % (what, r.returncode, r.stderr))
            if what == 'version':
                check('format version 4, this reader knows up to 3' in r.stderr,
                      'newer version named: %r' % r.stderr)
        r = run_tool(os.path.join(tmp, 'missing.kmt'), '--count')
        check(r.returncode == 66 and r.stderr.count('\n') == 1, 'missing file: exit 66')

        check_filters(run_tool, path, body, header, total)
        check_corrupt_record(run_tool, tmp, data, hend, body)
        check_output_files(run_tool, tmp, path, rows)

        # Determinism: the same events, the same bytes.
        path2 = os.path.join(tmp, 't2.kmt')
        subprocess.run([test_trace, '--write', path2], capture_output=True, check=True)
        with open(path2, 'rb') as f:
            check(f.read() == data, 'two writes are byte-identical')

        check_recording(kmaplab, wrap_elf, tmp)


def csv_rows(r):
    return list(csv.reader(io.StringIO(r.stdout)))[1:]


def check_filters(run_tool, path, body, header, total):
    """Each filter against the rows this script picks from the full CSV."""
    col = {c: i for i, c in enumerate(header)}

    def same(args, want, what):
        r = run_tool(path, '--format', 'csv', *args)
        got = csv_rows(r)
        check(r.returncode == 0 and r.stderr == '' and got == want,
              '%s: exit %d, %d rows, expected %d (%r)' % (what, r.returncode, len(got), len(want),
                                                          r.stderr))
        return got

    kinds = lambda *ks: [row for row in body if row[col['kind']] in ks]
    same(['--ops', 'flush'], kinds('flush'), '--ops flush')
    same(['--ops', 'tlbi,warn'], kinds('tlbi', 'warn'), '--ops tlbi,warn')
    same(['--ops', 'flush_tlb_kernel_range'],
         [row for row in body if row[col['op']] == 'flush_tlb_kernel_range'], '--ops OP')
    # kmap_atomic is a kmap operation (and only a flush cause): kmap rows only.
    same(['--ops', 'kmap_atomic'],
         [row for row in body if row[col['kind']] == 'kmap' and row[col['op']] == 'kmap_atomic'],
         '--ops kmap_atomic')
    same(['--ops', 'kmap.kunmap,TLBIMVA,WARN'],
         [row for row in body if (row[col['kind']], row[col['op']]) in
          (('kmap', 'kunmap'), ('tlbi', 'TLBIMVA'), ('warn', 'WARN'))], '--ops KIND.OP,OP,WARN')
    same(['--cpu', '0'], body, '--cpu 0 (no CPU field: every event is CPU 0)')
    same(['--cpu', '1'], [], '--cpu 1')
    cycles = sorted(int(row[col['cycle']]) for row in body)
    lo, hi = cycles[len(cycles) // 4], cycles[3 * len(cycles) // 4]
    same(['--from', str(lo), '--to', str(hi)],
         [row for row in body if lo <= int(row[col['cycle']]) <= hi], '--from/--to')
    same(['--from', str(hi)], [row for row in body if int(row[col['cycle']]) >= hi], '--from')
    same(['--to', str(lo)], [row for row in body if int(row[col['cycle']]) <= lo], '--to')
    # --pc SYMBOL: the rows the symbol column names so; main_alias shares
    # helper's address and so names the same function.
    in_sym = lambda name: [row for row in body if row[col['symbol']].startswith(name + '+0x')]
    same(['--pc', 'main'], in_sym('main'), '--pc main')
    check(len(in_sym('helper')) > 0, 'synthetic trace has events in helper')
    same(['--pc', 'main_alias'], in_sym('helper'), '--pc main_alias = helper')
    picked = same(['--pc', '_start,0xc0008050'],
                  [row for row in body if row[col['symbol']].startswith('_start+0x') or
                   row[col['pc']] == '0xc0008050'], '--pc SYMBOL,ADDRESS')
    check(len(in_sym('_start')) > 0 and len(picked) > len(in_sym('_start')),
          '--pc SYMBOL,ADDRESS picked rows of both')
    both = [row for row in in_sym('main') if row[col['kind']] == 'kmap' and
            int(row[col['cycle']]) >= lo]
    same(['--pc', 'main', '--ops', 'kmap', '--from', str(lo)], both, 'filters combined')
    r = run_tool(path, '--count', '--ops', 'flush')
    check(r.returncode == 0 and 'events=%d\n' % len(kinds('flush')) in r.stdout,
          '--count counts what the filters keep')
    # Words that name nothing: a usage error, nothing on stdout.
    for args in (['--ops', 'kmap_local_page'], ['--ops', 'nosuch'], ['--pc', 'nosuch'],
                 ['--cpu', 'x'], ['--from', '5', '--to', '4'], ['--format', 'xml'],
                 ['--pc', '0xfffffffff']):
        r = run_tool(path, *args)
        check(r.returncode == 64 and r.stdout == '' and r.stderr.count('\n') == 1,
              '%s: exit %d, stderr %r' % (' '.join(args), r.returncode, r.stderr))
    # --progress: lines on stderr, the same bytes on stdout.
    plain = run_tool(path, '--format', 'jsonl')
    r = run_tool(path, '--format', 'jsonl', '--progress')
    check(r.returncode == 0 and r.stdout == plain.stdout and
          re.search(r'kmaplab trace: .*100%% .* %d events in [0-9.]+ s' % total, r.stderr),
          '--progress: stdout unchanged, last line on stderr: %r' % r.stderr)


def check_corrupt_record(run_tool, tmp, data, hend, body):
    """A bad tag after some records: those records written, one line, 65."""
    # The first records' boundaries from cut files: the smallest cut that
    # yields k events ends record k - 1.
    bad = bytearray(data)
    pos = None
    for cut in range(hend + 1, hend + 400):
        p = os.path.join(tmp, 'c.kmt')
        with open(p, 'wb') as f:
            f.write(data[:cut])
        m = re.search(r'after (\d+) events', run_tool(p, '--count').stderr)
        if m and int(m.group(1)) == 3:
            pos = cut
            break
    if not check(pos is not None, 'found the end of record 3'):
        return
    bad[pos] = 0x55
    p = os.path.join(tmp, 'bad-record.kmt')
    with open(p, 'wb') as f:
        f.write(bytes(bad))
    r = run_tool(p, '--format', 'csv')
    check(r.returncode == 65 and csv_rows(r) == body[:3] and
          r.stderr == 'kmaplab trace: %s: corrupt trace after 3 events: unknown record tag 0x55 '
                      'at byte %d\n' % (p, pos),
          'corrupt record: exit %d, %d rows, %r' % (r.returncode, len(csv_rows(r)), r.stderr))


def check_output_files(run_tool, tmp, path, rows):
    # -o naming the trace itself: refused, the trace untouched.
    with open(path, 'rb') as f:
        before = f.read()
    r = run_tool(path, '-o', path)
    with open(path, 'rb') as f:
        check(r.returncode == 64 and f.read() == before, '-o FILE itself: exit 64, FILE intact')
    # An unwritable OUT: 73, one line.
    r = run_tool(path, '-o', os.path.join(tmp, 'no', 'such', 'dir.csv'))
    check(r.returncode == 73 and r.stderr.count('\n') == 1, 'unwritable -o: exit 73')
    if os.access('/dev/full', os.W_OK):
        r = run_tool(path, '-o', '/dev/full')
        check(r.returncode == 73 and 'No space' in r.stderr, '-o /dev/full: exit 73: %r' % r.stderr)
    # Standard input, and a reader that stops early (head): not an error.
    with open(path, 'rb') as f:
        r = subprocess.run([sys.argv[2], 'trace', '-', '--format', 'csv'], stdin=f,
                           capture_output=True, text=True)
    check(r.returncode == 0 and list(csv.reader(io.StringIO(r.stdout))) == rows, 'FILE - (stdin)')
    p = subprocess.run('"%s" trace "%s" --format jsonl | head -1 >/dev/null; echo ${PIPESTATUS[0]}'
                       % (sys.argv[2], path), shell=True, executable='/bin/bash',
                       capture_output=True, text=True)
    check(p.stdout.strip() == '0' and p.stderr == '', 'a closed pipe: exit 0, quiet: %r %r'
          % (p.stdout, p.stderr))


def run(kmaplab, args):
    return subprocess.run([kmaplab, 'run'] + args, capture_output=True, text=True, timeout=300)


def check_recording(kmaplab, elf, tmp):
    def trace_rows(path, *args):
        r = subprocess.run([kmaplab, 'trace', path, '--format', 'csv'] + list(args),
                           capture_output=True, text=True)
        return r, csv_rows(r)

    full, st = os.path.join(tmp, 'full.kmt'), os.path.join(tmp, 'full.json')
    p = run(kmaplab, ['--trace', full, '--stats', st, elf])
    if not check(p.returncode == 0, 'pkmap_wrap --trace: exit %d %s' % (p.returncode, p.stderr)):
        return
    with open(st) as f:
        stats = json.load(f)
    check(stats['trace']['truncated'] is False and stats['trace']['not_recorded'] == 0,
          'full trace: trace.truncated false')
    r, rows = trace_rows(full)
    check(r.returncode == 0 and len(rows) == stats['trace']['events'], 'full trace converts')

    # flush_all_zero_pkmaps spans the range flush it issued (the wrap):
    # pkmap_wrap.c does 513 distinct kmaps, so exactly one of each.
    r = subprocess.run([kmaplab, 'trace', full, '--format', 'chrome'], capture_output=True,
                       text=True)
    evs = json.loads(r.stdout)['traceEvents']
    fz = [e for e in evs if e.get('name') == 'flush_all_zero_pkmaps']
    rf = [e for e in evs if e.get('name') == 'flush_tlb_kernel_range']
    if check(len(fz) == 1 and len(rf) == 1, 'one flush_all_zero_pkmaps, one range flush'):
        z, f = fz[0], rf[0]
        us = lambda v: round(v * 1000)  # back to cycles
        zs, ze = us(z['ts']), us(z['ts']) + us(z['dur'])
        fs, fe = us(f['ts']), us(f['ts']) + us(f['dur'])
        check(f['args']['cause'] == 'pkmap_wrap' and zs <= fs and fe <= ze and us(z['dur']) > us(f['dur']),
              'flush_all_zero_pkmaps [%d, %d] encloses its range flush [%d, %d]' % (zs, ze, fs, fe))
        check(z['args']['arg'] == '0x1ff', 'flush_all_zero_pkmaps cleared 511 slots: %s' % z['args'])
        # It lies inside the kmap call that wrapped.
        calls = [e for e in evs if e.get('name') == 'kmap' and us(e['ts']) <= zs and
                 ze <= us(e['ts']) + us(e['dur'])]
        check(len(calls) == 1, 'flush_all_zero_pkmaps inside one kmap call')
        check(evs.index(calls[0]) < evs.index(z) < evs.index(f), 'call, then scan, then flush')

    # --trace-events: exactly the full trace's events of those kinds.
    part = os.path.join(tmp, 'kmap.kmt')
    p = run(kmaplab, ['--trace', part, '--trace-events', 'kmap,warn', elf])
    r, krows = trace_rows(part)
    check(p.returncode == 0 and r.returncode == 0 and
          krows == [row for row in rows if row[2] in ('kmap', 'warn')] and len(krows) > 0,
          '--trace-events kmap,warn: the kmap and warn events of the full trace')
    p = run(kmaplab, ['--trace', part, '--trace-events', 'kmap,nosuch', elf])
    check(p.returncode == 64 and 'nosuch' in p.stderr, '--trace-events nosuch: exit 64')
    p = run(kmaplab, ['--trace-events', 'kmap', elf])
    check(p.returncode == 64, '--trace-events without --trace: exit 64')

    # --trace-max-bytes: a valid trace, at most N bytes, a prefix of the
    # full one's events; the stats say so.
    limit = os.path.getsize(full) // 3
    lim, lst = os.path.join(tmp, 'lim.kmt'), os.path.join(tmp, 'lim.json')
    p = run(kmaplab, ['--trace', lim, '--stats', lst, '--trace-max-bytes', str(limit), elf])
    with open(lst) as f:
        ls = json.load(f)
    r, lrows = trace_rows(lim)
    check(p.returncode == 0, '--trace-max-bytes: the guest still exits 0')
    check(os.path.getsize(lim) <= limit and os.path.getsize(lim) == ls['trace']['bytes'],
          '--trace-max-bytes %d: file %d bytes' % (limit, os.path.getsize(lim)))
    check(ls['trace']['truncated'] is True and ls['trace']['events'] == len(lrows) and
          ls['trace']['not_recorded'] == len(rows) - len(lrows) and 0 < len(lrows) < len(rows),
          '--trace-max-bytes: stats %s' % ls['trace'])
    check(r.returncode == 0 and lrows == rows[:len(lrows)],
          '--trace-max-bytes: a prefix of the full trace (%d of %d events)' % (len(lrows), len(rows)))
    check(r.stderr == 'kmaplab trace: %s: recording stopped at --trace-max-bytes after %d events\n'
          % (lim, len(lrows)), '--trace-max-bytes: the converter says so: %r' % r.stderr)
    p = run(kmaplab, ['--trace', lim, '--trace-max-bytes', '100', elf])
    check(p.returncode == 64 and 'too small' in p.stderr, '--trace-max-bytes 100: exit 64: %r' % p.stderr)
    for bad in ('0', 'x', '-5', '1Q'):
        p = run(kmaplab, ['--trace', lim, '--trace-max-bytes', bad, elf])
        check(p.returncode == 64, '--trace-max-bytes %s: exit 64' % bad)


if __name__ == '__main__':
    main()
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed else 0)
