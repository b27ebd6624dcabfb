#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""kmaplab compare with AArch64 cores as columns (docs/aarch64.md, docs/compare.md):
one row per guest and AArch64 core, policy nohighmem, split arm64, run from
the guest's NAME-a64.elf.  Expected values from the kernel's rules:
  - arm64 has no highmem: the kmap family is page_address(), so a
    workload's kmaps are all counted and nothing is flushed for them
    (pagecache_read: 1536 fills + 5186 reads = 6722 kmaps, 0 flushes);
  - early_iounmap clears each page with __set_fixmap, and arm64's clear
    flushes one page (flush_tlb_kernel_range): bounce_ioremap's 48
    transfers of 16 pages are 768 range flushes of 768 pages;
  - a guest without an AArch64 build is skipped with the build named;
  - the kernel-thread workloads (smp_pagecache, preempt_kmap) run on the
    AArch64 machine's one CPU (emu/sched_a64.c): ok rows, cpus 1, no flush
    of any kind (no highmem, so no kmap_local sched_out/in work either).
usage: compare_a64_test.py KMAPLAB COMPARE GUEST_DIR"""
import csv
import os
import shutil
import subprocess
import sys
import tempfile

kmaplab, compare, guest_dir = sys.argv[1:4]
failed = 0


def check(cond, what):
    global failed
    print('%s %s' % ('ok  ' if cond else 'FAIL', what))
    failed += not cond


tmp = tempfile.mkdtemp(prefix='kmaplab-cmp-a64-')
try:
    # A copy of hello.elf with no -a64 sibling: its AArch64 cell is skipped.
    shutil.copy(os.path.join(guest_dir, 'hello.elf'), os.path.join(tmp, 'lonely.elf'))
    out = os.path.join(tmp, 'out')
    p = subprocess.run([sys.executable, compare, '--kmaplab', kmaplab, '--guest-dir', guest_dir,
                        '--cores', 'cortex-a7,cortex-a53', '--policies', 'linux,nohighmem', '--cpus', '1',
                        '--out', out, 'pagecache_read', 'bounce_ioremap', 'smp_pagecache', 'preempt_kmap',
                        os.path.join(tmp, 'lonely.elf')],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    check(p.returncode == 0, 'compare exits 0 (got %d: %s)' % (p.returncode, p.stderr.strip()[-300:]))
    with open(os.path.join(out, 'table.csv')) as f:
        rows = list(csv.DictReader(f))
    a64 = {r['guest']: r for r in rows if r['core'] == 'cortex-a53'}
    check(set(a64) == {'pagecache_read', 'bounce_ioremap', 'smp_pagecache', 'preempt_kmap', 'lonely'},
          'one cortex-a53 row per guest: %s' % sorted(a64))
    for name in ('smp_pagecache', 'preempt_kmap'):
        r = a64.get(name, {})
        check(r.get('result') == 'ok' and r.get('cpus') == '1' and r.get('split') == 'arm64',
              '%s runs on cortex-a53, one CPU (%s, cpus %s)' % (name, r.get('result'), r.get('cpus')))
        check(all(r.get(k) == '0' for k in ('flush_page', 'flush_range', 'flush_all', 'sched_flushes', 'pkmap_wraps')),
              '%s on arm64: no flush (%s)' % (name, {k: r.get(k) for k in ('flush_page', 'flush_range', 'flush_all',
                                                                           'sched_flushes')}))
    pr = a64.get('pagecache_read', {})
    check(pr.get('policy') == 'nohighmem' and pr.get('split') == 'arm64', 'policy nohighmem, split arm64')
    check(pr.get('kmaps') == '6722', 'pagecache_read kmaps 6722 (got %s)' % pr.get('kmaps'))
    check(pr.get('flush_range') == '0' and pr.get('flush_all') == '0' and pr.get('pkmap_wraps') == '0',
          'pagecache_read: no flush on arm64')
    check(pr.get('stale_hazards') == '', 'no hazard checker on AArch64: stale left empty')
    check(pr.get('result') == 'ok', 'pagecache_read ok on cortex-a53')
    bi = a64.get('bounce_ioremap', {})
    check(bi.get('flush_range') == '768' and bi.get('pages_invalidated') == '768',
          'bounce_ioremap: 768 one-page range flushes (got %s, %s)' % (bi.get('flush_range'), bi.get('pages_invalidated')))
    lo = a64.get('lonely', {})
    check(lo.get('result', '').startswith('skipped') and 'lonely-a64.elf' in lo.get('result', ''),
          'a guest with no AArch64 build is skipped with the file named: %s' % lo.get('result'))
    arm32 = [r for r in rows if r['core'] == 'cortex-a7' and r['guest'] == 'pagecache_read']
    check(len(arm32) == 2, 'the cortex-a7 rows are still there (linux and nohighmem)')
finally:
    shutil.rmtree(tmp, ignore_errors=True)
print('%d failed' % failed)
sys.exit(1 if failed else 0)
