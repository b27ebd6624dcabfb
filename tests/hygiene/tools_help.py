#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tools/setup and tools/run-tests answer --help without doing their work;
the Python tools' --help describes every option they take.

    tools_help.py SOURCE_ROOT

Each prints its header comment (the text of its usage lines) and exits 0;
run-tests refuses an argument it does not take (one line, exit 2) instead
of starting the whole suite, and setup refuses an unknown option or build
name the same way.  The scripts run in a scratch copy of tools/ so that a
--help which fell through to building or testing would find nothing to
build, fail and be caught, not run for minutes.

The Python tools (bench, bench-smp, kmaplab-calibrate, kmaplab-compare)
list their options under "options:"; each option there must be followed by
words saying what it does, not just its name and metavariable.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = 0


def check(cond, what, detail=''):
    global failures
    print(('ok   ' if cond else 'FAIL ') + what)
    if not cond:
        failures += 1
        if detail:
            print('     ' + detail.replace('\n', '\n     ')[:800])


def run(tool, *args):
    return subprocess.run([tool] + list(args), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=60)


PY_TOOLS = ('bench', 'bench-smp', 'kmaplab-calibrate', 'kmaplab-compare')


def undescribed_options(help_text):
    """The options in --help's "options:" section with no description: an
    option line (two spaces, a dash) whose text after the option and its
    metavariables is empty, and whose next line is not an indented
    continuation either."""
    lines = help_text.split('options:', 1)[1].splitlines() if 'options:' in help_text else []
    bare = []
    for i, line in enumerate(lines):
        m = re.match(r'  (-\S+(?:,? -?-?[\w-]+)*(?: [A-Z][A-Z_.,-]*)*)(\s{2,}\S.*)?$', line)
        if not m or not line.startswith('  -'):
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ''
        if not m.group(2) and not re.match(r' {6,}\S', nxt):
            bare.append(m.group(1).strip())
    return bare


def check_py_tools(root):
    for name in PY_TOOLS:
        p = run(os.path.join(root, 'tools', name), '--help')
        check(p.returncode == 0 and 'options:' in p.stdout, '%s --help exits 0 and lists its options' % name,
              p.stderr)
        bare = undescribed_options(p.stdout)
        check(not bare, '%s --help describes every option' % name, 'no description: %s' % ', '.join(bare))


def main():
    root = sys.argv[1]
    check_py_tools(root)
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, 'tools'))
        for name in ('setup', 'run-tests'):
            shutil.copy2(os.path.join(root, 'tools', name), os.path.join(tmp, 'tools', name))
        setup = os.path.join(tmp, 'tools', 'setup')
        run_tests = os.path.join(tmp, 'tools', 'run-tests')

        for tool, needle in ((setup, 'tools/setup BUILD...'), (run_tests, 'Takes no arguments')):
            for flag in ('--help', '-h'):
                p = run(tool, flag)
                name = os.path.basename(tool)
                check(p.returncode == 0, '%s %s exits 0' % (name, flag), p.stderr)
                check(needle in p.stdout and not p.stdout.startswith('#'),
                      '%s %s prints its usage text without comment marks' % (name, flag), p.stdout)
                check(p.stderr == '', '%s %s writes nothing to stderr (nothing ran)' % (name, flag), p.stderr)
        check(os.listdir(tmp) == ['tools'], '--help created nothing', str(os.listdir(tmp)))

        p = run(run_tests, 'build')
        check(p.returncode == 2 and p.stderr.count('\n') == 1 and 'takes no arguments' in p.stderr,
              'run-tests with an argument: one line, exit 2', '%d %r' % (p.returncode, p.stderr))
        p = run(setup, '--asna')
        check(p.returncode == 2 and p.stderr.count('\n') == 1 and '--asna' in p.stderr,
              'setup with an unknown option: one line naming it, exit 2', '%d %r' % (p.returncode, p.stderr))
        check(os.listdir(tmp) == ['tools'], 'the refused calls created nothing', str(os.listdir(tmp)))
    print('%d failed' % failures)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
