#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs one guest through `kmaplab run` and checks how it ended.

usage: run_guest.py KMAPLAB [checks...] -- [run options...] GUEST.elf [guest args...]

checks:
  --status N          the exit status must be N
  --stdout REGEX      stdout must match REGEX (re.search, multiline); repeatable
  --stderr REGEX      stderr must match REGEX; repeatable
  --stderr-lines N    stderr must have exactly N lines
  --stat KEY=VALUE    the stats JSON (dotted KEY) must hold VALUE; repeatable
  --stat-min KEY=N    the stats value must be >= N; repeatable
  --stat-from-stdout KEY=REGEX
                      the stats value must equal group 1 of REGEX's first match in
                      stdout (the guest prints what its own model expects); repeatable
  --sandbox           run with --semihosting-root set to a fresh directory that
                      holds inside.txt, sub/, and a symlink `escape` pointing
                      outside; afterwards written.txt must be inside it and
                      nothing may have been written outside it

Prints one line per check and "N passed, M failed" last; exits 1 on failure.
"""
import json
import os
import re
import subprocess
import sys
import tempfile


def lookup(stats, dotted):
    node = stats
    for part in dotted.split('.'):
        node = node[part]
    return node


def main():
    argv = sys.argv[1:]
    if '--' not in argv:
        sys.exit(__doc__)
    split = argv.index('--')
    checks, run_args = argv[1:split], argv[split + 1:]
    kmaplab = argv[0]
    want = {'status': None, 'stdout': [], 'stderr': [], 'stderr_lines': None, 'stat': [],
            'stat_min': [], 'stat_from_stdout': [], 'sandbox': False}
    i = 0
    while i < len(checks):
        opt = checks[i]
        if opt == '--sandbox':
            want['sandbox'] = True
            i += 1
            continue
        val = checks[i + 1]
        i += 2
        if opt == '--status':
            want['status'] = int(val)
        elif opt == '--stdout':
            want['stdout'].append(val)
        elif opt == '--stderr':
            want['stderr'].append(val)
        elif opt == '--stderr-lines':
            want['stderr_lines'] = int(val)
        elif opt == '--stat':
            want['stat'].append(val.split('=', 1))
        elif opt == '--stat-min':
            k, v = val.split('=', 1)
            want['stat_min'].append((k, int(v)))
        elif opt == '--stat-from-stdout':
            k, rx = val.split('=', 1)
            if re.compile(rx).groups < 1:
                sys.exit('--stat-from-stdout %s: the regex needs a group' % val)
            want['stat_from_stdout'].append((k, rx))
        else:
            sys.exit('unknown check ' + opt)

    results = []

    def check(ok, what):
        results.append(ok)
        print(('ok   ' if ok else 'FAIL ') + what)

    with tempfile.TemporaryDirectory(prefix='kmaplab-test-') as tmp:
        stats_path = os.path.join(tmp, 'stats.json')
        cmd = [kmaplab, 'run', '--stats', stats_path]
        if want['sandbox']:
            root = os.path.join(tmp, 'root')
            os.makedirs(os.path.join(root, 'sub'))
            with open(os.path.join(root, 'inside.txt'), 'w') as f:
                f.write('kmaplab sandbox\n')
            with open(os.path.join(tmp, 'outside.txt'), 'w') as f:
                f.write('secret\n')
            os.symlink(os.path.join(tmp, 'outside.txt'), os.path.join(root, 'escape'))
            cmd += ['--semihosting-root', root]
            before = sorted(os.listdir(tmp))
        cmd += run_args
        print('$ ' + ' '.join(cmd))
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=600)
        sys.stdout.write(''.join('  | ' + l + '\n' for l in p.stdout.splitlines()))
        sys.stdout.write(''.join('  ! ' + l + '\n' for l in p.stderr.splitlines()))
        check(p.returncode >= 0, 'not killed by a signal (status %d)' % p.returncode)
        if want['status'] is not None:
            check(p.returncode == want['status'],
                  'exit status %d == %d' % (p.returncode, want['status']))
        for rx in want['stdout']:
            check(re.search(rx, p.stdout, re.M) is not None, 'stdout matches /%s/' % rx)
        for rx in want['stderr']:
            check(re.search(rx, p.stderr, re.M) is not None, 'stderr matches /%s/' % rx)
        if want['stderr_lines'] is not None:
            n = len(p.stderr.splitlines())
            check(n == want['stderr_lines'], 'stderr has %d line(s), want %d' % (n, want['stderr_lines']))
        try:
            with open(stats_path) as f:
                stats = json.load(f)
            check(True, 'stats file is valid JSON')
        except (OSError, ValueError) as e:
            stats = None
            check(False, 'stats file is valid JSON (%s)' % e)
        if stats is not None:
            check(lookup(stats, 'guest.status') == p.returncode, 'stats guest.status is the exit status')
            for key, val in want['stat']:
                got = lookup(stats, key)
                check(str(got) == val, 'stats %s = %s (got %s)' % (key, val, got))
            for key, n in want['stat_min']:
                got = lookup(stats, key)
                check(got >= n, 'stats %s >= %d (got %s)' % (key, n, got))
            for key, rx in want['stat_from_stdout']:
                m = re.search(rx, p.stdout, re.M)
                got = lookup(stats, key)
                if m is None:
                    check(False, 'stats %s = /%s/ from stdout (no match; got %s)' % (key, rx, got))
                else:
                    check(str(got) == m.group(1), 'stats %s = %s from stdout /%s/ (got %s)'
                          % (key, m.group(1), rx, got))
        if want['sandbox']:
            check(os.path.exists(os.path.join(root, 'written.txt')), 'written.txt created inside the root')
            after = sorted(f for f in os.listdir(tmp) if f != 'stats.json')
            check(after == [f for f in before if f != 'stats.json'], 'nothing created outside the root')
            with open(os.path.join(tmp, 'outside.txt')) as f:
                check(f.read() == 'secret\n', 'outside.txt untouched')

    failed = results.count(False)
    print('%d passed, %d failed' % (len(results) - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
