#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The stats file against its documentation (docs/stats.md), both ways.

    stats_schema.py DOCS/stats.md KMAPLAB GUEST.elf FAULTING_GUEST.elf

docs/stats.md has two tables: the meaning table (`| key | meaning |`) and
the "Key types" table (`| key | type |`).  Keys are written with brace
alternatives (`tlb.{accesses,misses}`), a leading-dot shorthand for a
sibling of the previous key in the same cell (`machine.core`, `.split`) and
one placeholder, `flush.tlbi.<OP>`.  The test expands both tables and checks:

  - the two tables document the same keys (<OP> standing for every
    flush.tlbi key that is not `invalidated` or `cycles`);
  - real runs -- a guest that exits (with --trace, so the optional trace.*
    keys are there), a guest that faults (exit_code null), a refused ELF and
    the guest on two CPUs (the optional cpus[].*, smp.* keys; `cpus[].x` is
    every element of the array) -- hold every documented non-optional key
    with its documented type, and no key the types table does not list;
    every optional key appears in at least one of them.

Nothing here comes from emu/stats.c: the expected key set is the document's.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

TYPE_CHECKS = {
    'int': lambda v: isinstance(v, int) and not isinstance(v, bool),
    'string': lambda v: isinstance(v, str),
    'int|null': lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool)),
    'bool': lambda v: isinstance(v, bool),
}

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print('FAIL: ' + msg)


def expand_braces(key):
    """'a.{b,c}.{d,e}' -> ['a.b.d', 'a.b.e', 'a.c.d', 'a.c.e']."""
    m = re.search(r'\{([^{}]*)\}', key)
    if not m:
        return [key]
    out = []
    for alt in m.group(1).split(','):
        out += expand_braces(key[:m.start()] + alt.strip() + key[m.end():])
    return out


def cell_keys(cell):
    """The keys of one table cell: every `code span`, with the leading-dot
    shorthand resolved against the first key of the cell."""
    spans = re.findall(r'`([^`]+)`', cell)
    keys, first = [], None
    for s in spans:
        if s.startswith('.'):
            if first is None:
                raise ValueError('shorthand %r with no key before it in %r' % (s, cell))
            s = first.rsplit('.', 1)[0] + s
        elif first is None:
            first = s
        keys += expand_braces(s)
    return keys


def tables(md):
    """{header tuple: [row cells]} for each markdown table of the document."""
    out, cur = {}, None
    for line in md.splitlines():
        if not line.startswith('|'):
            cur = None
            continue
        cells = [c.strip() for c in re.split(r'(?<!\\)\|', line.strip())[1:-1]]
        if cur is None:
            cur = tuple(c.lower() for c in cells)
            out.setdefault(cur, [])
            continue
        if all(set(c) <= set('-: ') for c in cells):
            continue
        out[cur].append(cells)
    return out


def flatten(obj, prefix=''):
    out = {}
    for k, v in obj.items():
        key = prefix + k
        if isinstance(v, dict):
            out.update(flatten(v, key + '.'))
        elif isinstance(v, list):
            # An array of objects (cpus): `key[].x` stands for every element's x.
            for e in v:
                if isinstance(e, dict):
                    out.update(flatten(e, key + '[].'))
                else:
                    out[key + '[]'] = e
        else:
            out[key] = v
    return out


def main():
    doc, kmaplab, guest, faulting = sys.argv[1:5]
    md = open(doc).read()
    t = tables(md)
    meaning_rows = t.get(('key', 'meaning'))
    type_rows = t.get(('key', 'type'))
    if not meaning_rows or not type_rows:
        print('FAIL: %s has no `| key | meaning |` or no `| key | type |` table' % doc)
        return 1

    # The types table: key -> (type, optional).
    types = {}
    for cells in type_rows:
        ty = cells[1].replace('\\|', '|')
        optional = 'optional' in ty
        ty = ty.split(',')[0].strip()
        check(ty in TYPE_CHECKS, 'types table: unknown type %r for %s' % (ty, cells[0]))
        for k in cell_keys(cells[0]):
            check(k not in types, 'types table lists %s twice' % k)
            types[k] = (ty, optional)

    # The meaning table: the same keys.
    documented = set()
    for cells in meaning_rows:
        documented.update(cell_keys(cells[0]))
    # A placeholder P.<OP> stands for every P.X of the types table that the
    # meaning table does not document by name (flush.tlbi.<OP>, flush.ops.<OP>).
    for ph in sorted(k for k in documented if k.endswith('.<OP>')):
        prefix = ph[:-len('<OP>')]
        op_keys = {k for k in types if k.startswith(prefix) and '.' not in k[len(prefix):]} - documented
        check(op_keys, 'types table lists no %s key' % ph)
        documented.discard(ph)
        documented |= op_keys
    for k in sorted(documented - set(types)):
        check(False, 'meaning table documents %s, the types table does not give its type' % k)
    for k in sorted(set(types) - documented):
        check(False, 'types table lists %s, the meaning table does not say what it means' % k)

    with tempfile.TemporaryDirectory() as tmp:
        runs = [
            ('exit with --trace', [guest], True, 0),
            ('fault', [faulting], False, 71),
            ('refused ELF', [os.path.join(tmp, 'not-an.elf')], False, 65),
            # Two CPUs: the cpus[] array, smp.* and the SMP machine.* keys.
            ('two CPUs with --trace', ['--cpus', '2', guest], True, 0),
        ]
        seen = set()
        with open(runs[2][1][0], 'w') as f:
            f.write('not an ELF\n')
        for name, args, traced, want_status in runs:
            stats = os.path.join(tmp, 'stats.json')
            cmd = [kmaplab, 'run', '--stats', stats]
            if traced:
                cmd += ['--trace', os.path.join(tmp, 'trace.bin')]
            p = subprocess.run(cmd + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            check(p.returncode == want_status, '%s: exit status %d, expected %d' %
                  (name, p.returncode, want_status))
            with open(stats) as f:
                got = flatten(json.load(f))
            seen |= set(got)
            for k, (ty, optional) in sorted(types.items()):
                if k not in got:
                    check(optional, '%s: documented key %s is missing from the stats file' % (name, k))
                    continue
                check(TYPE_CHECKS.get(ty, lambda v: False)(got[k]),
                      '%s: %s is %r, documented as %s' % (name, k, got[k], ty))
            for k in sorted(set(got) - set(types)):
                check(False, '%s: the stats file holds %s, which docs/stats.md does not document'
                      % (name, k))
            os.unlink(stats)
            print('%s: %d keys checked' % (name, len(got)))
        # An optional key must still be produced by the run that asks for it.
        for k in sorted(set(types) - seen):
            check(False, 'documented key %s is in no run\'s stats file (--trace, --cpus 2 included)' % k)

    if failures:
        print('%d failure(s)' % len(failures))
        return 1
    print('ok: %d documented keys' % len(types))
    return 0


if __name__ == '__main__':
    sys.exit(main())
