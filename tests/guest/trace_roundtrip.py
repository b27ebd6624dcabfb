#!/usr/bin/env python3
"""Trace round trip through tools/kmaplab-trace.

usage: trace_roundtrip.py TEST_TRACE KMAPLAB_TRACE

TEST_TRACE is the unit test binary (tests/unit/test_trace.c): with
`--write FILE` it writes its synthetic trace (fixed seed; four fixed events
first, then every kind with random fields) and prints what the writer
counted.  This script converts that file in every format and checks that
events written = events read back = events counted, that the formats agree
row by row, that the fixed events come out exactly, that a cut file gives
the whole records before the cut with a warning and exit 0, and that a
file that is not a trace is refused with exit 65.

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
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    test_trace, tool = sys.argv[1], sys.argv[2]

    def run_tool(*args):
        return subprocess.run([sys.executable, tool] + list(args), capture_output=True,
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
            m = re.fullmatch(r'kmaplab-trace: .*: trace truncated after (\d+) events\n', r.stderr)
            if not check(r.returncode == 0 and m, 'cut at %d: exit %d, stderr %r'
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
                check(r.returncode == 0 and len(cdoc['traceEvents']) == n + 2,
                      'cut at %d: chrome has %d events' % (cut, n))
            except ValueError as e:
                check(False, 'cut at %d: chrome JSON does not parse: %s' % (cut, e))
        check(prev_n == total, 'the end record alone cut: all %d events' % total)

        # Not a trace, newer, corrupt header: one line, exit 65.
        bad = {
            'magic': b'X' + data[1:],
            'version': data[:8] + b'\x03\x00' + data[10:],
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
                check('format version 3, this reader knows up to 2' in r.stderr,
                      'newer version named: %r' % r.stderr)
        r = run_tool(os.path.join(tmp, 'missing.kmt'), '--count')
        check(r.returncode == 66 and r.stderr.count('\n') == 1, 'missing file: exit 66')

        # Determinism: the same events, the same bytes.
        path2 = os.path.join(tmp, 't2.kmt')
        subprocess.run([test_trace, '--write', path2], capture_output=True, check=True)
        with open(path2, 'rb') as f:
            check(f.read() == data, 'two writes are byte-identical')


if __name__ == '__main__':
    main()
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed else 0)
