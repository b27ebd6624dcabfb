#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`kmaplab run --stats PATH` and `--trace PATH` never lose a file (emu/outfile.c).

usage: outfile_test.py KMAPLAB GUEST.elf

Each check builds its own directory and looks at what is there afterwards:
 - an existing PATH.tmp (the old fixed temporary name) survives untouched;
 - a symlink at PATH stays a symlink, its target gets the stats (also through
   a relative link and a chain of two);
 - a FIFO at PATH is written through to its reader and stays a FIFO;
 - a character device at PATH (a /dev/full node made with mknod, or a
   symlink to /dev/full if mknod is not allowed) stays a device, and the
   ENOSPC it gives ends the run with status 75 and one line;
 - the same with a null device node as --stats and --trace: status 0;
 - a directory at PATH is refused with status 75, the directory untouched;
   a missing directory too, and both before the guest runs;
 - a write that fails half-way (RLIMIT_FSIZE) leaves the old file as it
   was and no temporary file behind;
 - an existing file keeps its permission bits;
 - eight concurrent runs writing the same --stats and --trace PATH: every
   run exits 0, PATH holds one whole stats file (valid JSON equal to what
   one of the runs wrote alone) and a whole trace, nothing else is left.
Prints one line per check and "N passed, M failed".
"""
import json
import os
import resource
import signal
import stat
import subprocess
import sys
import tempfile

KMAPLAB, GUEST = sys.argv[1], sys.argv[2]
results = []


def check(ok, what):
    results.append(bool(ok))
    print(('ok   ' if ok else 'FAIL ') + what, flush=True)


def run(args, preexec=None, cwd=None):
    return subprocess.run([KMAPLAB, 'run'] + args + [GUEST], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, preexec_fn=preexec, cwd=cwd, timeout=120)


def listing(d):
    return sorted(os.listdir(d))


def valid_stats(path):
    try:
        with open(path) as f:
            s = json.load(f)
        return s.get('guest', {}).get('stop') == 'exit'
    except (OSError, ValueError):
        return False


def read_text(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except OSError:
        return None


def one_line(p):
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    return len(lines) == 1 and lines[0].startswith('kmaplab: ')


with tempfile.TemporaryDirectory() as d:
    # 1. PATH.tmp is the user's file, not ours.
    path = os.path.join(d, 's.json')
    with open(path + '.tmp', 'w') as f:
        f.write('precious\n')
    p = run(['--stats', path])
    check(p.returncode == 0 and valid_stats(path), 'stats written next to an existing s.json.tmp')
    check(read_text(path + '.tmp') == 'precious\n', 's.json.tmp left as it was')
    check(listing(d) == ['s.json', 's.json.tmp'], 'no other file left (%s)' % listing(d))

with tempfile.TemporaryDirectory() as d:
    # 2. Symlinks are written through.
    os.mkdir(os.path.join(d, 'real'))
    os.symlink('real/target.json', os.path.join(d, 'link.json'))
    os.symlink('link.json', os.path.join(d, 'link2.json'))
    p = run(['--stats', os.path.join(d, 'link2.json'), '--trace', os.path.join(d, 'link.json')])
    # stats and trace both through links: the stats (written last) land in real/target.json
    check(p.returncode == 0, 'run with --stats and --trace through symlinks exits 0 (%s)' % p.stderr.strip())
    check(os.path.islink(os.path.join(d, 'link.json')) and os.path.islink(os.path.join(d, 'link2.json')),
          'both symlinks are still symlinks')
    check(valid_stats(os.path.join(d, 'real', 'target.json')), 'the link target holds the stats')
    check(listing(d) == ['link.json', 'link2.json', 'real'] and listing(os.path.join(d, 'real')) == ['target.json'],
          'no stray file (%s, real/: %s)' % (listing(d), listing(os.path.join(d, 'real'))))
    # dangling link: its target is created, the link stays
    os.symlink('new.json', os.path.join(d, 'dangling.json'))
    p = run(['--stats', os.path.join(d, 'dangling.json')])
    check(p.returncode == 0 and os.path.islink(os.path.join(d, 'dangling.json'))
          and valid_stats(os.path.join(d, 'new.json')), 'a dangling symlink: its target is created')

with tempfile.TemporaryDirectory() as d:
    # 3. A FIFO is written through to its reader.
    fifo = os.path.join(d, 'fifo')
    os.mkfifo(fifo)
    reader = subprocess.Popen(['cat', fifo], stdout=subprocess.PIPE)
    p = run(['--stats', fifo])
    try:
        got = reader.communicate(timeout=20)[0]
    except subprocess.TimeoutExpired:  # nobody wrote into the FIFO
        reader.kill()
        got = reader.communicate()[0]
    try:
        ok = json.loads(got).get('guest', {}).get('stop') == 'exit'
    except ValueError:
        ok = False
    check(p.returncode == 0 and ok, 'stats written through a FIFO to its reader')
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode) and listing(d) == ['fifo'], 'the FIFO is still a FIFO, nothing else left')

with tempfile.TemporaryDirectory() as d:
    # 4. A device node is written to, never replaced; ENOSPC is status 75.
    dev = os.path.join(d, 'full')
    try:
        os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        kind = 'a /dev/full node'
    except OSError:
        os.symlink('/dev/full', dev)
        kind = 'a symlink to /dev/full'
    for opt in ('--stats', '--trace'):
        p = run([opt, dev])
        check(p.returncode == 75 and one_line(p) and 'No space left on device' in p.stderr,
              '%s %s: status 75 and one line (%d, %r)' % (opt, kind, p.returncode, p.stderr.strip()))
        st = os.lstat(dev)
        check(stat.S_ISCHR(st.st_mode) if kind.startswith('a /dev') else stat.S_ISLNK(st.st_mode),
              '%s %s: still %s' % (opt, kind, kind))
    check(listing(d) == ['full'], 'nothing else left (%s)' % listing(d))

with tempfile.TemporaryDirectory() as d:
    # The same for a null device (never the real /dev/null: a regression
    # would replace it for the whole machine).
    dev = os.path.join(d, 'null')
    try:
        os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        kind = 'a /dev/null node'
    except OSError:
        os.symlink('/dev/null', dev)
        kind = 'a symlink to /dev/null'
    p = run(['--stats', dev, '--trace', dev])
    st = os.lstat(dev)
    check(p.returncode == 0 and (stat.S_ISCHR(st.st_mode) if kind.startswith('a /dev') else stat.S_ISLNK(st.st_mode))
          and listing(d) == ['null'], '--stats and --trace %s: status 0, still %s, nothing else left' % (kind, kind))

with tempfile.TemporaryDirectory() as d:
    # 5. A directory is refused.
    sub = os.path.join(d, 'dir')
    os.mkdir(sub)
    p = run(['--stats', sub])
    check(p.returncode == 75 and one_line(p) and 'directory' in p.stderr.lower()
          and listing(sub) == [] and listing(d) == ['dir'],
          '--stats DIR: status 75, one line, nothing written (%r)' % p.stderr.strip())

    # ... as are a missing directory and a directory for --trace, before the guest runs.
    for opt, path in (('--stats', os.path.join(d, 'no', 's.json')), ('--trace', sub)):
        p = run([opt, path])
        check(p.returncode == 75 and one_line(p) and p.stdout == '' and listing(d) == ['dir'],
              '%s %s: status 75 and one line before the guest runs (%r)' % (opt, path, p.stderr.strip()))

with tempfile.TemporaryDirectory() as d:
    # 6. A write that fails leaves the old file whole, and no temporary file.
    path = os.path.join(d, 's.json')
    trace = os.path.join(d, 't.trace')
    for f in (path, trace):
        with open(f, 'w') as fh:
            fh.write('the old file\n')

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))
    p = run(['--stats', path], preexec=small_files)
    check(p.returncode == 75 and one_line(p), '--stats write failing half-way: status 75, one line (%d, %r)'
          % (p.returncode, p.stderr.strip()))
    p = run(['--trace', trace], preexec=small_files)
    check(p.returncode == 75 and one_line(p), '--trace write failing half-way: status 75, one line (%d, %r)'
          % (p.returncode, p.stderr.strip()))
    for f in (path, trace):
        check(read_text(f) == 'the old file\n', '%s keeps its old contents' % os.path.basename(f))
    check(listing(d) == ['s.json', 't.trace'], 'no temporary file left (%s)' % listing(d))

with tempfile.TemporaryDirectory() as d:
    # 7. Replacing a file keeps its permissions.
    path = os.path.join(d, 's.json')
    with open(path, 'w') as fh:
        fh.write('{}\n')
    os.chmod(path, 0o640)
    p = run(['--stats', path])
    check(p.returncode == 0 and valid_stats(path) and stat.S_IMODE(os.stat(path).st_mode) == 0o640,
          'an existing 0640 file is replaced and stays 0640 (%o)' % stat.S_IMODE(os.stat(path).st_mode))

with tempfile.TemporaryDirectory() as d:
    # 8. Concurrent runs on one PATH: the last whole file wins.
    alone, alone_trace = os.path.join(d, 'alone.json'), os.path.join(d, 'alone.trace')
    run(['--stats', alone, '--trace', alone_trace])
    with open(alone) as f:
        expect = f.read()
    with open(alone_trace, 'rb') as f:
        expect_trace = f.read()
    path, trace = os.path.join(d, 'same.json'), os.path.join(d, 'same.trace')
    procs = [subprocess.Popen([KMAPLAB, 'run', '--stats', path, '--trace', trace, GUEST],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True) for _ in range(8)]
    errs = [(pr.wait(timeout=300), pr.stderr.read()) for pr in procs]
    check(all(rc == 0 for rc, _ in errs), '8 concurrent runs on one --stats/--trace PATH all exit 0 (%s)'
          % [e for e in errs if e[0] != 0][:2])
    check(read_text(path) == expect, 'the shared PATH holds one whole stats file')
    try:
        with open(trace, 'rb') as f:
            data = f.read()
    except OSError:
        data = b''
    check(data == expect_trace, 'the shared trace PATH holds one whole trace (%d bytes, alone %d)'
          % (len(data), len(expect_trace)))
    check(listing(d) == ['alone.json', 'alone.trace', 'same.json', 'same.trace'],
          'nothing else left (%s)' % listing(d))

failed = results.count(False)
print('%d passed, %d failed' % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
