#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--model fill against the per-access model (--model on), guest by guest.

    fill_diff.py KMAPLAB GUEST_DIR

Runs every bundled guest (GUEST_DIR/*.elf, no arguments, at most 5M
instructions) both ways (on Unicorn 2.0, where --model fill runs the per-access
model, every tenth guest: the fallback is one code path), plus some guests on other cores, on two CPUs
and with other hazard modes, and compares the stats files key by key
(docs/speed.md, "The TLB-fill model", says what is promised):

  - every key is identical but machine.model, tlb.accesses and
    tlb.micro_hits;
  - tlb.accesses - tlb.micro_hits (the micro-TLB misses) is identical, and
    the two runs' accesses differ by at most 1% (the counting rule's known
    differences: data accesses whose condition failed are counted by the
    fill model, the extra look-ups Unicorn makes for an access split over
    two pages only by the per-access model);
  - where the fill model can be exact (Unicorn 2.1, a D micro TLB without
    LRU, no --model cache, no --hazards observed) the fill run says
    machine.model "fill", elsewhere "on" and then every key is identical.
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

failures = []


def flatten(d, prefix=''):
    out = {}
    if isinstance(d, dict):
        for k, v in d.items():
            out.update(flatten(v, prefix + k + '.'))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            out.update(flatten(v, prefix + str(i) + '.'))
    else:
        out[prefix[:-1]] = d
    return out


def run(kmaplab, tmp, args, model):
    path = os.path.join(tmp, 'stats-%s.json' % model)
    cmd = [kmaplab, 'run', '--model', model, '--stats', path] + args
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    with open(path) as f:
        return p, flatten(json.load(f))


def compare(kmaplab, tmp, args, fill_expected):
    name = ' '.join(os.path.basename(a) for a in args if a not in ('--max-insns', '5000000'))
    name = name.replace('--split ', '')
    pon, on = run(kmaplab, tmp, args, 'on')
    pfill, fill = run(kmaplab, tmp, args, 'fill')
    bad = []
    if pon.returncode != pfill.returncode:
        bad.append('exit status %d vs %d' % (pon.returncode, pfill.returncode))
    if pon.stdout != pfill.stdout:
        bad.append('guest output differs')
    want = 'fill' if fill_expected else 'on'
    if fill.get('machine.model') != want:
        bad.append('machine.model %r, expected %r' % (fill.get('machine.model'), want))
    loose = {'machine.model'}
    if fill_expected:
        loose |= {'tlb.accesses', 'tlb.micro_hits'}
    for k in sorted(set(on) | set(fill)):
        per_cpu = re.sub(r'^cpus\.\d+\.', '', k)  # cpus[i].tlb.* as tlb.*
        if k not in loose and per_cpu not in loose and on.get(k) != fill.get(k):
            bad.append('%s: %r (on) vs %r (fill)' % (k, on.get(k), fill.get(k)))
    a_on, a_fill = on.get('tlb.accesses', 0), fill.get('tlb.accesses', 0)
    if a_on - on.get('tlb.micro_hits', 0) != a_fill - fill.get('tlb.micro_hits', 0):
        bad.append('micro-TLB misses differ')
    if abs(a_on - a_fill) > max(a_on, a_fill) // 100:
        bad.append('tlb.accesses %d (on) vs %d (fill): more than 1%% apart' % (a_on, a_fill))
    print('%-50s %-4s accesses %d (on) %d (fill) %+d' % (name[:50], want, a_on, a_fill, a_fill - a_on))
    if bad:
        failures.append(name + ': ' + '; '.join(bad[:6]))


def main():
    kmaplab, gdir = sys.argv[1], sys.argv[2]
    version = subprocess.run([kmaplab, '--version'], stdout=subprocess.PIPE,
                             universal_newlines=True).stdout
    m = re.search(r'Unicorn (\d+)\.(\d+)', version)
    if not m:
        print('cannot read the Unicorn version from: ' + version)
        return 1
    is21 = (int(m.group(1)), int(m.group(2))) >= (2, 1)
    # AArch64 builds (NAME-a64*.elf) run on the AArch64 machine, which has no
    # fill model and refuses --model fill.
    guests = sorted(g for g in glob.glob(os.path.join(gdir, '*.elf'))
                    if '-a64' not in os.path.basename(g))
    if not guests:
        print('no guests in ' + gdir)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        for g in guests if is21 else guests[::10]:
            base = os.path.basename(g)
            # Some guests loop for ever (kmap_forever): every run is bounded.
            args = ['--max-insns', '5000000', g]
            for tag, split in (('-1g3g', '1G/3G'), ('-2g2g', '2G/2G')):
                if tag in base:
                    args = ['--split', split] + args
            core_a15 = '-a15' in base
            compare(kmaplab, tmp, args, is21 and not core_a15)
        pick = lambda n: os.path.join(gdir, n + '.elf')
        extra = [
            (['--core', 'arm1176', pick('copy_highpage-arm1176')], True),   # random replacement
            (['--core', 'cortex-a9', pick('pagecache_read')], True),
            (['--core', 'cortex-a15', pick('pagecache_read')], False),      # LRU: per-access
            (['--hazards', 'off', pick('pagecache_read')], True),
            (['--hazards', 'observed', pick('pagecache_read')], False),
            (['--cpus', '2', pick('smp_pagecache')], True),
            (['--cpus', '2', pick('smp_textpatch')], True),    # code written by another CPU
            (['--cpus', '4', pick('smp_shootdown')], True),
            (['--cpus', '2', pick('pagecache_read')], True),
        ]
        for args, exact in extra:
            if os.path.exists(args[-1]):
                compare(kmaplab, tmp, args, is21 and exact)
            else:
                failures.append('missing guest ' + args[-1])
    for f in failures:
        print('FAIL ' + f)
    print('%d failure(s)' % len(failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
