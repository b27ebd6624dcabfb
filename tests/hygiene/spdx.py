#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""spdx: every source file of kmaplab says its licence, and the licence is there.

usage: spdx.py SOURCE_DIR [--fix]

Checks that LICENSE holds the MIT licence that meson.build declares, and
that every source file -- C, headers, assembly, linker scripts, Python,
shell and other scripts with a #! line, *.in templates, meson.build --
carries `SPDX-License-Identifier: MIT` in its first three lines.  Build
directories, .git, fuzz corpora and third_party/ (vendored code, kept
unchanged under its own licence file) are skipped.  --fix adds the line where
it is missing (after a #! line; `/* ... */` or `# ...` as the file's
language comments) and says which files it changed.

Prints one line per problem and "N passed, M failed"; exits 1 on failure.
"""
import os
import re
import sys

TAG = 'SPDX-License-Identifier: MIT'
C_STYLE = ('.c', '.h', '.S', '.ld')
HASH_STYLE = ('.py', '.in', '.sh')
SKIP_DIRS = {'.git', 'corpus', '__pycache__', 'third_party'}


def wants_header(path):
    """None if the file is not source, else the comment style."""
    name = os.path.basename(path)
    if name.endswith(C_STYLE):
        return 'c'
    if name.endswith(HASH_STYLE) or name in ('meson.build', 'meson_options.txt'):
        return '#'
    try:
        with open(path, 'rb') as f:
            if f.read(2) == b'#!':
                return '#'
    except OSError:
        pass
    return None


def source_files(root):
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith('build'))
        for f in sorted(files):
            p = os.path.join(d, f)
            style = wants_header(p)
            if style:
                yield p, style


def add_header(path, style):
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    line = '/* %s */' % TAG if style == 'c' else '# %s' % TAG
    at = 1 if lines and lines[0].startswith('#!') else 0
    lines.insert(at, line)
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    root, fix = sys.argv[1], '--fix' in sys.argv[2:]
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print('FAIL: ' + what)

    try:
        with open(os.path.join(root, 'LICENSE'), encoding='utf-8') as f:
            lic = f.read()
    except OSError as e:
        lic = ''
        check(False, 'LICENSE: %s' % e)
    check(lic.startswith('MIT License') and 'Permission is hereby granted, free of charge' in lic,
          'LICENSE is the MIT licence')
    with open(os.path.join(root, 'meson.build'), encoding='utf-8') as f:
        check(re.search(r"license\s*:\s*'MIT'", f.read()), "meson.build declares license : 'MIT'")

    n = 0
    for path, style in source_files(root):
        n += 1
        with open(path, encoding='utf-8', errors='replace') as f:
            head = [f.readline() for _ in range(3)]
        ok = any(TAG in line for line in head)
        rel = os.path.relpath(path, root)
        if not ok and fix:
            add_header(path, style)
            print('added: ' + rel)
            ok = True
        check(ok, '%s: no "%s" in its first three lines (spdx.py --fix adds it)' % (rel, TAG))
    check(n > 50, 'found the source files (%d)' % n)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
