#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Endings that are not the guest's exit: the stats and trace must still be
complete and readable, and identical runs must give identical files.

usage: robustness.py KMAPLAB FOREVER.elf BUGS.elf WORKLOAD.elf

 1. SIGINT while kmap_forever runs with --trace: status 130, stats valid with
    guest.stop=interrupted, the trace converts with no truncation warning and
    holds as many events as the stats say.
 2. --max-insns on the same guest: status 72, same checks.
 3. A kernel BUG (kmap_bugs kunmap_twice) with --trace: status 73, same checks.
 4. Determinism: WORKLOAD twice with --stats and --trace gives byte-identical
    files (the guest path is the same; nothing host-dependent is recorded).
Prints one line per check and "N passed, M failed".
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

results = []


def check(ok, what):
    results.append(bool(ok))
    print(('ok   ' if ok else 'FAIL ') + what, flush=True)


def trace_count(kmaplab, path):
    p = subprocess.run([kmaplab, 'trace', path, '--count'], capture_output=True, text=True)
    counts = dict(l.split('=', 1) for l in p.stdout.split() if '=' in l)
    return p.returncode, counts, p.stderr


def check_files(tool, stats_path, trace_path, stop, what):
    try:
        with open(stats_path) as f:
            stats = json.load(f)
    except (OSError, ValueError) as e:
        check(False, '%s: stats valid JSON (%s)' % (what, e))
        return
    check(stats['guest']['stop'] == stop, '%s: guest.stop = %s (got %s)' % (what, stop, stats['guest']['stop']))
    rc, counts, err = trace_count(tool, trace_path)
    check(rc == 0, '%s: trace converts (status %d)' % (what, rc))
    check('truncated' not in err, '%s: trace closed properly (no truncation warning)' % what)
    events = int(counts.get('events', -1))
    check(events == stats['trace']['events'] and events > 0,
          '%s: trace events %d = stats trace.events %d' % (what, events, stats['trace']['events']))
    check(os.path.getsize(trace_path) == stats['trace']['bytes'], '%s: trace.bytes is the file size' % what)


def main():
    kmaplab, forever, bugs, workload = sys.argv[1:5]
    tool = kmaplab  # `kmaplab trace` reads the traces
    with tempfile.TemporaryDirectory(prefix='kmaplab-robust-') as tmp:
        s, t = os.path.join(tmp, 'int.json'), os.path.join(tmp, 'int.trace')
        p = subprocess.Popen([kmaplab, 'run', '--stats', s, '--trace', t, forever],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        p.stdout.readline()  # "kmap_forever: looping": the guest is in its loop
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        check(p.returncode == 130, 'SIGINT: status 130 (got %d)' % p.returncode)
        check(err.startswith('kmaplab: interrupted by signal 2'), 'SIGINT: one-line reason: ' + err.strip())
        check_files(tool, s, t, 'interrupted', 'SIGINT')

        s, t = os.path.join(tmp, 'max.json'), os.path.join(tmp, 'max.trace')
        p = subprocess.run([kmaplab, 'run', '--max-insns', '3000000', '--stats', s, '--trace', t, forever],
                           capture_output=True, text=True, timeout=120)
        check(p.returncode == 72, '--max-insns: status 72 (got %d)' % p.returncode)
        check_files(tool, s, t, 'runaway', '--max-insns')

        s, t = os.path.join(tmp, 'bug.json'), os.path.join(tmp, 'bug.trace')
        p = subprocess.run([kmaplab, 'run', '--stats', s, '--trace', t, bugs, 'kunmap_twice'],
                           capture_output=True, text=True, timeout=120)
        check(p.returncode == 73, 'BUG: status 73 (got %d)' % p.returncode)
        check_files(tool, s, t, 'kernel_bug', 'BUG')

        files = []
        for run in (1, 2):
            s, t = os.path.join(tmp, 'det%d.json' % run), os.path.join(tmp, 'det%d.trace' % run)
            p = subprocess.run([kmaplab, 'run', '--stats', s, '--trace', t, workload],
                               capture_output=True, text=True, timeout=300)
            check(p.returncode == 0, 'determinism run %d: status 0' % run)
            files.append((open(s, 'rb').read(), open(t, 'rb').read()))
        check(files[0][0] == files[1][0], 'determinism: stats byte-identical')
        check(files[0][1] == files[1][1], 'determinism: trace byte-identical')
    failed = results.count(False)
    print('%d passed, %d failed' % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
