#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end: `kmaplab run` refuses malformed guest ELF files cleanly.

usage: malformed_elf.py KMAPLAB VALID_GUEST.elf

Derives malformed files from a valid guest into a temporary directory and
runs `kmaplab run FILE` on each.  Every case must exit with status 65
(EXIT_BAD_ELF; 66, EXIT_NO_INPUT, for a file that does not exist), print
exactly one line on stderr that starts with "kmaplab: ", names the file and
matches the cause, and print nothing on stdout (no guest ran).  A crash
(negative status: a signal) or an internal error (70) is a failure.  One run
with --stats must still write valid JSON holding guest.stop.

Prints one line per case and "N passed, M failed" last; exits 1 on failure.
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

EHDR = struct.Struct('<16sHHIIIIIHHHHHH')
PHDR = struct.Struct('<IIIIIIII')
PT_LOAD = 1
PF_X, PF_W, PF_R = 1, 2, 4
# Offsets in Elf32_Ehdr.
E_TYPE, E_MACHINE, E_ENTRY, E_PHOFF, E_PHNUM = 16, 18, 24, 28, 44

EXIT_BAD_ELF = 65
EXIT_NO_INPUT = 66
EXIT_INTERNAL = 70


def parse(data):
    (ident, e_type, e_machine, e_version, e_entry, e_phoff, e_shoff, e_flags,
     e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx) = EHDR.unpack_from(data, 0)
    if ident[:4] != b'\x7fELF' or ident[4] != 1 or ident[5] != 1 or e_phentsize != PHDR.size:
        sys.exit('malformed_elf.py: the valid guest is not a little-endian ELF32 file')
    phdrs = [list(PHDR.unpack_from(data, e_phoff + i * PHDR.size)) for i in range(e_phnum)]
    return e_entry, phdrs


def first_load(phdrs):
    for i, p in enumerate(phdrs):
        if p[0] == PT_LOAD and p[5]:
            return i
    sys.exit('malformed_elf.py: the valid guest has no PT_LOAD segment')


def with_phdrs(data, phdrs, entry=None):
    """Appends a new program header table (4-byte aligned) at the end of the
    file and points the ELF header at it; the old table stays, unused."""
    out = bytearray(data)
    while len(out) % 4:
        out.append(0)
    phoff = len(out)
    for p in phdrs:
        out += PHDR.pack(*p)
    struct.pack_into('<I', out, E_PHOFF, phoff)
    struct.pack_into('<H', out, E_PHNUM, len(phdrs))
    if entry is not None:
        struct.pack_into('<I', out, E_ENTRY, entry)
    return bytes(out)


def patched(data, offset, fmt, value):
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def make_cases(valid):
    entry, phdrs = parse(valid)
    li = first_load(phdrs)
    load = phdrs[li]
    _, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align = load
    cases = []  # (name, bytes or None for "does not exist", status, cause regex)

    cases.append(('empty', b'', EXIT_BAD_ELF, r'not an ELF|empty'))
    cases.append(('truncated-10', valid[:10], EXIT_BAD_ELF, r'truncated'))
    cases.append(('truncated-half', valid[:len(valid) // 2], EXIT_BAD_ELF, r'truncated|past the end'))
    cases.append(('bad-magic', b'\x7fELG' + valid[4:], EXIT_BAD_ELF, r'magic|not an ELF'))
    cases.append(('elfclass64', patched(valid, 4, '<B', 2), EXIT_BAD_ELF, r'ELF32|class'))
    cases.append(('big-endian', patched(valid, 5, '<B', 2), EXIT_BAD_ELF, r'little-endian|endian'))
    cases.append(('machine-x86', patched(valid, E_MACHINE, '<H', 3), EXIT_BAD_ELF, r'EM_ARM|machine'))
    cases.append(('et-dyn', patched(valid, E_TYPE, '<H', 3), EXIT_BAD_ELF, r'executable|e_type|ET_DYN'))

    # p_paddr is the 4th word of the program header.
    ph_at = struct.unpack_from('<I', valid, E_PHOFF)[0] + li * PHDR.size
    cases.append(('paddr-outside-ram', patched(valid, ph_at + 12, '<I', 0xF0000000), EXIT_BAD_ELF,
                  r'outside RAM'))

    # A second PT_LOAD whose physical range starts inside the first one.
    extra = [PT_LOAD, p_offset, p_vaddr + 0x100, p_paddr + 0x100, 0, 0x100, PF_R | PF_W, 4]
    cases.append(('overlapping-loads', with_phdrs(valid, phdrs + [extra]), EXIT_BAD_ELF, r'overlap'))

    # A non-executable PT_LOAD one page past the first one's end, and the
    # entry point inside it.
    end = (p_paddr + p_memsz + 0xfff) & ~0xfff
    gap = end + 0x1000 - p_paddr
    data_seg = [PT_LOAD, p_offset, p_vaddr + gap, p_paddr + gap, 0, 0x1000, PF_R | PF_W, 0x1000]
    cases.append(('entry-not-executable', with_phdrs(valid, phdrs + [data_seg], entry=p_vaddr + gap + 0x10),
                  EXIT_BAD_ELF, r'entry point.*executable'))

    cases.append(('nonexistent', None, EXIT_NO_INPUT, r'cannot open|No such file'))
    return cases


def run(kmaplab, args):
    try:
        r = subprocess.run([kmaplab, 'run'] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=120)
    except subprocess.TimeoutExpired:
        return None, b'', b'timed out'
    return r.returncode, r.stdout, r.stderr


def check_refusal(name, path, status, cause, rc, out, err):
    """Returns a list of problems (empty: the case passed)."""
    problems = []
    if rc is None:
        return ['timed out']
    if rc < 0:
        problems.append('killed by signal %d' % -rc)
    elif rc == EXIT_INTERNAL:
        problems.append('internal error (70)')
    if rc != status:
        problems.append('status %s, expected %d' % (rc, status))
    text = err.decode('utf-8', 'replace')
    lines = text.splitlines()
    if len(lines) != 1:
        problems.append('%d lines on stderr, expected 1: %r' % (len(lines), text[:400]))
    elif not lines[0].startswith('kmaplab: '):
        problems.append('stderr does not start with "kmaplab: ": %r' % lines[0])
    elif path not in lines[0]:
        problems.append('stderr does not name %s: %r' % (path, lines[0]))
    elif not re.search(cause, lines[0]):
        problems.append('stderr does not give the cause /%s/: %r' % (cause, lines[0]))
    if out:
        problems.append('stdout not empty: %r' % out[:200])
    return problems


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    kmaplab, valid_path = sys.argv[1], sys.argv[2]
    with open(valid_path, 'rb') as f:
        valid = f.read()
    passed = failed = 0

    def report(name, problems):
        nonlocal passed, failed
        if problems:
            failed += 1
            print('FAIL %s: %s' % (name, '; '.join(problems)))
        else:
            passed += 1
            print('ok   %s' % name)

    with tempfile.TemporaryDirectory(prefix='kmaplab-malformed-') as tmp:
        # The valid file itself must run, or every refusal below means nothing.
        rc, out, err = run(kmaplab, [valid_path])
        report('valid-guest-runs', [] if rc == 0 else ['status %s: %r' % (rc, err[:300])])

        paths = {}
        for name, data, status, cause in make_cases(valid):
            path = os.path.join(tmp, name + '.elf')
            if data is not None:
                with open(path, 'wb') as f:
                    f.write(data)
            paths[name] = path
            rc, out, err = run(kmaplab, [path])
            report(name, check_refusal(name, path, status, cause, rc, out, err))

        # --stats on a refused file still writes the stats, as valid JSON.
        stats = os.path.join(tmp, 'out.json')
        path = paths['machine-x86']
        rc, out, err = run(kmaplab, ['--stats', stats, path])
        problems = check_refusal('stats', path, EXIT_BAD_ELF, r'EM_ARM|machine', rc, out, err)
        try:
            with open(stats) as f:
                doc = json.load(f)
            stop = doc['guest']['stop']
            if not isinstance(stop, str) or not stop:
                problems.append('guest.stop is %r' % (stop,))
            if stop == 'exit':
                problems.append('guest.stop is "exit" but no guest ran')
            if doc['guest'].get('status', EXIT_BAD_ELF) != EXIT_BAD_ELF:
                problems.append('guest.status is %r' % doc['guest']['status'])
        except (OSError, ValueError, KeyError, TypeError) as e:
            problems.append('--stats file: %s: %s' % (type(e).__name__, e))
        report('stats-on-malformed', problems)

    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
