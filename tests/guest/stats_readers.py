#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tools that read stats files refuse one that lacks a key they read.

    stats_readers.py KMAPLAB COMPARE BENCH GUEST.elf

A stats file without `tlb.misses` (the key a misspelling in emu/stats.c would
drop) must make `kmaplab compare --merge`, `kmaplab compare` (running a
kmaplab whose stats lack the key) and `tools/bench` stop (compare: exit status 67; bench: 65)
and one line on stderr naming the file and the key -- not print a column of
zeros.  The same files with the key present are accepted (so the refusal is
about the key, not about the wrapper or the directory).
"""
import json
import os
import re
import stat
import subprocess
import sys
import tempfile

failures = []


def check(cond, msg):
    print(('ok: ' if cond else 'FAIL: ') + msg)
    if not cond:
        failures.append(msg)


def strip_key(path, dotted):
    with open(path) as f:
        d = json.load(f)
    node = d
    parts = dotted.split('.')
    for p in parts[:-1]:
        node = node[p]
    del node[parts[-1]]
    with open(path, 'w') as f:
        json.dump(d, f, indent=2)


def fake_kmaplab(tmp, real, drop):
    """A kmaplab that runs the real one and then drops `drop` (or nothing)
    from the --stats file it wrote."""
    path = os.path.join(tmp, 'kmaplab-drop-' + (drop or 'none').replace('.', '_'))
    with open(path, 'w') as f:
        f.write('''#!/usr/bin/env python3
import json, subprocess, sys
args = sys.argv[1:]
rc = subprocess.call([%r] + args)
if %r and '--stats' in args:
    p = args[args.index('--stats') + 1]
    d = json.load(open(p))
    node = d
    parts = %r.split('.')
    for k in parts[:-1]:
        node = node[k]
    node.pop(parts[-1], None)
    json.dump(d, open(p, 'w'), indent=2)
sys.exit(rc)
''' % (os.path.abspath(real), drop, drop or ''))
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


def main():
    kmaplab, compare, bench, guest = sys.argv[1:5]
    key_line = re.compile(r'^.*: .*no key "tlb\.misses".*$')
    with tempfile.TemporaryDirectory() as tmp:
        # --merge on a directory whose one stats file lacks tlb.misses.
        for drop in (None, 'tlb.misses'):
            d = os.path.join(tmp, 'merge-' + str(drop))
            os.makedirs(os.path.join(d, 'stats'))
            sp = os.path.join(d, 'stats', 'hello__linux__cortex-a7__3g1g.json')
            rc, _, err = run([kmaplab, 'run', '--stats', sp, guest])
            check(rc == 0, 'kmaplab run wrote %s' % sp)
            if drop:
                strip_key(sp, drop)
            rc, out, err = run([sys.executable, compare, '--merge', d])
            lines = [l for l in err.splitlines() if l.strip()]
            if drop:
                check(rc == 67, 'compare --merge without %s: exit status %d, expected 67' % (drop, rc))
                check(len(lines) == 1 and key_line.match(lines[0]) is not None
                      and 'hello__linux__cortex-a7__3g1g.json' in lines[0],
                      'compare --merge: one line naming the file and the key: %r' % lines)
                check('TLB misses' not in out, 'compare --merge printed no table')
            else:
                check(rc == 0, 'compare --merge with every key: exit status %d, expected 0 (%s)' % (rc, err))

        # A compare run whose kmaplab writes stats without tlb.misses.
        for drop in (None, 'tlb.misses'):
            fake = fake_kmaplab(tmp, kmaplab, drop)
            out_dir = os.path.join(tmp, 'run-' + str(drop))
            rc, out, err = run([sys.executable, compare, '--kmaplab', fake, '--policies', 'linux',
                                '--cpus', '1', '--out', out_dir, '-j', '1', guest])
            lines = [l for l in err.splitlines() if l.startswith('kmaplab compare:') and 'no key' in l]
            if drop:
                check(rc == 67, 'compare run without %s: exit status %d, expected 67' % (drop, rc))
                check(len(lines) == 1 and key_line.match(lines[0]) is not None,
                      'compare run: one line naming the key: %r' % err.splitlines())
                check('TLB misses' not in out, 'compare run printed no table')
            else:
                check(rc == 0, 'compare run with every key: exit status %d (%s)' % (rc, err))

        # tools/bench: a build directory whose kmaplab writes a real stats
        # file of the guest (whatever bench asked to run: only the reading is
        # tested here) without tlb.misses.
        template = os.path.join(tmp, 'template.json')
        rc, _, _ = run([kmaplab, 'run', '--stats', template, guest])
        check(rc == 0, 'kmaplab run wrote the template stats')
        for drop in (None, 'tlb.misses'):
            b = os.path.join(tmp, 'build-' + str(drop))
            os.makedirs(os.path.join(b, 'guest-tests'))
            fake = os.path.join(b, 'kmaplab')
            with open(fake, 'w') as f:
                f.write('''#!/usr/bin/env python3
import json, sys
args = sys.argv[1:]
if '--stats' not in args:  # bench's `kmaplab --version`
    print('kmaplab (stats_readers fake)')
    sys.exit(0)
d = json.load(open(%r))
if %r:
    del d['tlb']['misses']
json.dump(d, open(args[args.index('--stats') + 1], 'w'))
''' % (template, drop))
            os.chmod(fake, 0o755)
            with open(os.path.join(b, 'guest-tests', 'bench_branchy.elf'), 'w') as f:
                f.write('not run\n')
            rc, out, err = run([sys.executable, bench, '--build', b, '--repeat', '1',
                                '--workload', 'bench_branchy', '--scale', '1'])
            lines = [l for l in err.splitlines() if l.strip() and 'run 1/1' not in l]
            if drop:
                check(rc == 65, 'bench without %s: exit status %d, expected 65' % (drop, rc))
                check(len(lines) == 1 and key_line.match(lines[0]) is not None,
                      'bench: one line naming the key: %r' % lines)
            else:
                check(rc == 0, 'bench with every key: exit status %d (%s)' % (rc, err))
    print('%d failure(s)' % len(failures) if failures else 'ok')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
