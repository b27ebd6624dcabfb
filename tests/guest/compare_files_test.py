#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`kmaplab compare` never loses a file, says what went wrong in one line,
and names every ending with one vocabulary (tools/kmaplab-compare,
tools/kmaplab_outfile.py, docs/compare.md).

usage: compare_files_test.py KMAPLAB COMPARE_TOOL DOCS_COMPARE_MD HELLO.elf LONGHELD.elf

HELLO has no 2G/2G build (its default nohighmem run is skipped); LONGHELD
has one, and the local policy stops with a kernel BUG on it.
Prints one line per check and "N passed, M failed".
"""
import csv
import html.parser
import io
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import urllib.parse

KMAPLAB, TOOL, DOCS, HELLO, LONGHELD = (os.path.abspath(a) for a in sys.argv[1:6])
BASE = [sys.executable, TOOL, '--kmaplab', KMAPLAB, '--guest-dir', os.path.dirname(HELLO)]
results = []


def check(ok, what, detail=''):
    results.append(bool(ok))
    print(('ok   ' if ok else 'FAIL ') + what + ('' if ok or not detail else ': ' + str(detail)), flush=True)


def run(args, **kw):
    if '--merge' not in args:
        args = ['--cpus', '1'] + args  # one CPU count: the runs below are counted for it
    return subprocess.run(BASE + args, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=300, **kw)


def read(path, mode='r'):
    try:
        with open(path, mode) as f:
            return f.read()
    except OSError:
        return None


def one_line(p, status):
    lines = p.stderr.splitlines()
    return (p.returncode == status and len(lines) == 1 and lines[0].startswith('kmaplab compare: ')
            and 'Traceback' not in p.stderr)


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ('href', 'src') and v is not None:
                self.links.append(v)


def dead_links(out):
    """hrefs of out/report.html that do not name an existing file, decoded as a browser does."""
    p = Links()
    p.feed(read(os.path.join(out, 'report.html')) or '')
    dead = []
    for link in p.links:
        if link.startswith('#'):
            continue
        path = urllib.parse.unquote(urllib.parse.urlsplit(link).path)
        if not os.path.isfile(os.path.join(out, path)):
            dead.append(link)
    return p.links, dead


def snapshot(d):
    out = {}
    for root, dirs, files in os.walk(d):
        for n in dirs + files:
            p = os.path.join(root, n)
            st = os.lstat(p)
            out[os.path.relpath(p, d)] = (stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns,
                                          read(p, 'rb') if stat.S_ISREG(st.st_mode) else None)
    return out


with tempfile.TemporaryDirectory(prefix='kmaplab-cf-') as tmp:
    # 1. A run with one of each ending: ok, stopped by the policy, skipped.
    out = os.path.join(tmp, 'out')
    p = run(['--out', out, '--policies', 'linux,local,nohighmem,flushall:32', HELLO, LONGHELD])
    check(p.returncode == 0, 'ok, stopped by the policy and skipped runs: exit 0', p.stderr[-1500:])
    rows = {(r['guest'], r['policy']): ',' + r['result']
            for r in csv.DictReader(io.StringIO(read(os.path.join(out, 'table.csv')) or ''))}
    check(re.search(r',skipped: no 2G/2G build of hello \(hello-2g2g\.elf', rows.get(('hello', 'nohighmem'), '')),
          'hello has no 2G/2G build: its nohighmem row says skipped and why', rows.get(('hello', 'nohighmem')))
    check(re.search(r'^kmaplab compare: skipping hello nohighmem cortex-a7 2G/2G: no 2G/2G build', p.stderr, re.M),
          'the skipped run is noted on stderr before the runs', p.stderr[:600])
    check(',stopped by the policy: exit 73: kernel BUG' in rows.get(('longheld_kmaps', 'local'), ''),
          'local on longheld_kmaps: "stopped by the policy" in the table', rows.get(('longheld_kmaps', 'local')))
    check(re.search(r'^\[\d/7\] longheld_kmaps local cortex-a7 3G/1G stopped by the policy \(exit 73: kernel BUG',
                    p.stderr, re.M), 'the progress line says "stopped by the policy"', p.stderr)
    check(re.search(r'^kmaplab compare: 8 runs: 6 ok, 1 stopped by the policy, 0 failed, 1 skipped; wrote ',
                    p.stderr, re.M), 'the summary line counts each ending in the same words', p.stderr[-600:])
    report = read(os.path.join(out, 'report.html')) or ''
    check('8 runs: 2 guests \u00d7 4 policies \u00d7 1 core on 3G/1G (nohighmem on 2G/2G). '
          '6 ok, 1 stopped by the policy, 0 failed, 1 skipped.' in report,
          'the report header counts the matrix and the endings right', re.findall(r'<p>\d+ runs?:[^<]*', report)[:1])
    check(all(w in report for w in ('o-stopped">stopped by the policy', 'o-skipped">skipped', 'o-ok">ok'))
          and 'FAILED' not in report and 'FAILED' not in p.stderr,
          'the report marks each ending with the same words (and never FAILED)')
    stats = sorted(os.listdir(os.path.join(out, 'stats'))) if os.path.isdir(os.path.join(out, 'stats')) else []
    check(all(re.fullmatch(r'[A-Za-z0-9._-]+\.json', n) for n in stats) and
          'longheld_kmaps__flushall-32__cortex-a7__3g1g.json' in stats,
          'stats file names need no escaping (flushall:32 -> flushall-32)', str(stats))
    links, dead = dead_links(out)
    check(len(links) >= 7 and not dead, 'every link in report.html names an existing file (%d links)' % len(links),
          str(dead))

    # 2. The vocabulary and the exit statuses: --help and docs/compare.md say the same.
    h = subprocess.run([sys.executable, TOOL, '--help'], capture_output=True, text=True).stdout
    help_table = h[h.index('exit status:'):].split('\n', 1)[1]
    help_rows = re.findall(r'^  (\d+) +(.*(?:\n {7}.*)*)', help_table, re.M)
    docs = read(DOCS) or ''
    doc_rows = re.findall(r'^\| (\d+) \| (.*) \|$', docs, re.M)
    norm = lambda t: ' '.join(t.replace('`', '').split())  # noqa: E731
    check(help_rows and [(a, norm(b)) for a, b in help_rows] == [(a, norm(b)) for a, b in doc_rows],
          '--help and docs/compare.md give the same exit-status table',
          '%s vs %s' % (help_rows, doc_rows))
    check(all(w in h and w in docs for w in ('stopped by the policy', 'skipped', 'failed')),
          '--help and docs/compare.md use the same words for the endings')

    # 3. --jobs-file deletes nothing, anywhere.
    before = snapshot(out)
    p = run(['--out', out, '--jobs-file', '-', '--policies', 'linux,local,nohighmem,flushall:32', HELLO, LONGHELD])
    after = snapshot(out)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    check(p.returncode == 0 and p.stdout.count(' run ') == 7, '--jobs-file - prints the 7 commands', p.stderr)
    check(changed in ([], ['matrix.json']) and 'already holds 7 stats files' in p.stderr,
          '--jobs-file - deletes nothing (only matrix.json rewritten) and says old stats are there',
          '%s; %s' % (changed, p.stderr))
    links, dead = dead_links(out)
    check(not dead, 'the report still has no dead link after --jobs-file', str(dead))

    # 4. Bad output paths: one line, status 75, nothing run, nothing replaced.
    afile = os.path.join(tmp, 'afile')
    with open(afile, 'w') as f:
        f.write('precious\n')
    for args, what in ((['--out', afile], '--out FILE'),
                       (['--out', '/proc/kmaplab-no-such/x'], '--out /proc/...'),
                       (['--out', os.path.join(tmp, 'o2'), '--jobs-file', tmp], '--jobs-file DIR'),
                       (['--out', os.path.join(tmp, 'o3'), '--jobs-file', os.path.join(tmp, 'no', 'jobs.txt')],
                        '--jobs-file in a missing directory')):
        p = run(args + ['--policies', 'linux', HELLO])
        check(one_line(p, 75), '%s: one "kmaplab compare:" line, status 75' % what,
              '%d %r' % (p.returncode, p.stderr))
    check(read(afile) == 'precious\n', '--out FILE left the file alone')
    check(not os.path.exists(os.path.join(tmp, 'o2')) and not os.path.exists(os.path.join(tmp, 'o3')),
          'a bad --jobs-file is refused before --out is made')
    # A device as --jobs-file is written into, never replaced (a node made
    # here, never the real /dev/null: a regression would replace it).
    for name, minor, status in (('null', 3, 0), ('full', 7, 75)):
        dev = os.path.join(tmp, name)
        try:
            os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, minor))
        except OSError:
            os.symlink('/dev/' + name, dev)
        p = run(['--out', os.path.join(tmp, 'o4'), '--jobs-file', dev, '--policies', 'linux', HELLO])
        st = os.lstat(dev)
        check(p.returncode == status and (status == 0 or one_line(p, 75)) and 'Traceback' not in p.stderr
              and (stat.S_ISCHR(st.st_mode) or stat.S_ISLNK(st.st_mode)),
              '--jobs-file %s device: status %d, the device still there' % (name, status),
              '%d %r' % (p.returncode, p.stderr))
    p = run(['--merge', out, '--out', afile])
    check(one_line(p, 75) and read(afile) == 'precious\n', '--merge --out FILE: one line, status 75',
          '%d %r' % (p.returncode, p.stderr))

    # 5. Output files: a symlink is written through, a stray .tmp name of the
    # user's is untouched, concurrent merges into one directory leave whole files.
    m = os.path.join(tmp, 'm')
    shutil.copytree(out, m)
    elsewhere = os.path.join(tmp, 'elsewhere.html')
    os.remove(os.path.join(m, 'report.html'))
    os.symlink(elsewhere, os.path.join(m, 'report.html'))
    for n in ('.report.html.tmp', 'report.html.tmp', '.table.csv.tmp'):
        with open(os.path.join(m, n), 'w') as f:
            f.write('mine\n')
    procs = [subprocess.Popen(BASE + ['--merge', m], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    errs = [(q.wait(timeout=300), q.stderr.read()) for q in procs]
    check(all(rc == 0 for rc, _ in errs), '4 concurrent --merge into one directory all exit 0',
          str([e for e in errs if e[0]][:1]))
    check(os.path.islink(os.path.join(m, 'report.html')) and read(elsewhere) == read(os.path.join(out, 'report.html')),
          'report.html, a symlink, stays one; its target gets the whole report')
    check(all(read(os.path.join(m, n)) == 'mine\n' for n in ('.report.html.tmp', 'report.html.tmp', '.table.csv.tmp')),
          'files named like temporary files are left alone')
    check(read(os.path.join(m, 'table.csv')) == read(os.path.join(out, 'table.csv')),
          'table.csv after concurrent merges is whole and the same')
    stray = [n for n in os.listdir(m) if n.endswith('.tmp') and n not in ('.report.html.tmp', 'report.html.tmp',
                                                                          '.table.csv.tmp')]
    check(not stray, 'no temporary file left behind', str(stray))

failed = results.count(False)
print('%d passed, %d failed' % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
