#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Kernel threads on the AArch64 machine's one CPU (emu/sched_a64.c,
docs/sched.md, docs/aarch64.md).  Expected values come from the guests'
own rules and the scheduler's documented ones, worked out here:
  - a64_kthreads yield R N S (--tick 0): main and N kthreads each call
    schedule() R times; round robin switches on every call, so R*(N+1)
    yields; main's kthread_stop() of the first (still inside schedule())
    sleeps (1 switch), each kthread's exit switches to the next (N); then
    S cond_resched() calls of main and S schedule() calls of the
    stop-polling kthread (2*S yields), main's kthread_stop() sleeps and the
    kthread's exit wakes it (2).  Tasks: N + 2.  Each switch costs
    SCHED_SWITCH_CYCLES, read from docs/sched.md;
  - preempt_kmap P Q on one CPU: 2 tasks, P*Q kmap() and P*Q
    kmap_local_page() each, plus P kmap_local_page() per task to fill its
    pages; arm64 has no highmem, so no flush of any kind and no sched_out/in
    work; with --tick 0 the only switches are main's kthread_stop()
    sleeping and the copier's exit; with a tick, every tick that finds the
    other task runnable preempts at once (the workload never disables
    preemption), so preemptions == ticks, and the two exit/stop switches
    (or one, if the copier ended first) come on top;
  - smp_pagecache on one CPU: no kthread; its checksum is the sum of the
    words the guest's word_at() rule writes, read back (computed here);
  - a64_kthreads spin: a spinlock section under a short tick: ticks that
    land in it wait (deferred), the totals stay exact (the guest checks);
  - misuse: an IPI to CPU 1 stops the run with one line and status 76
    (docs/cli.md), schedule() with preemption disabled (preempt_disable or
    an open kmap_atomic) is the kernel's BUG, status 73;
  - the same run twice gives byte-identical stats.
usage: sched_a64_test.py KMAPLAB GUEST_DIR SCHED_MD"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

kmaplab, guest_dir, sched_md = (os.path.abspath(a) for a in sys.argv[1:4])
failed = 0
M = 0xffffffff


def check(cond, what):
    global failed
    print('%s %s' % ('ok  ' if cond else 'FAIL', what))
    failed += not cond


def guest(name):
    return os.path.join(guest_dir, name + '-a64.elf')


def run(args, stats, cwd=None):
    p = subprocess.run([kmaplab, 'run', '--stats', stats] + args, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=600, cwd=cwd)
    d = {}
    if os.path.exists(stats):
        with open(stats) as f:
            d = json.load(f)
    return p, d


def no_flushes(d):
    f = d.get('flush', {})
    return (f.get('flush_tlb_kernel_range', {}).get('calls') == 0 and f.get('flush_tlb_all', {}).get('calls') == 0
            and f.get('local_flush_tlb_kernel_page', {}).get('calls') == 0)


def no_hazards(d):
    h = d.get('hazards', {})
    return (h.get('stale_tlb', {}).get('architectural') == 0 and h.get('barrier') == 0 and h.get('bbm') == 0)


with open(sched_md) as f:
    m = re.search(r'`SCHED_SWITCH_CYCLES` = \*\*(\d+)\*\*', f.read())
switch_cycles = int(m.group(1)) if m else None
check(switch_cycles is not None, 'docs/sched.md gives SCHED_SWITCH_CYCLES (%s)' % switch_cycles)

tmp = tempfile.mkdtemp(prefix='kmaplab-sched-a64-')
try:
    st = os.path.join(tmp, 's.json')

    for r, n, s in ((5, 3, 4), (7, 1, 2)):
        p, d = run(['--tick', '0', guest('a64_kthreads'), 'yield', str(r), str(n), str(s)], st)
        check(p.returncode == 0 and 'a64_kthreads: ok' in p.stdout,
              'yield %d %d %d: the guest checked round-robin order and results (status %d %s)'
              % (r, n, s, p.returncode, p.stderr.strip()))
        yields = r * (n + 1) + 2 * s
        switches = yields + n + 1 + 2
        sc = d.get('sched', {})
        check(d.get('tasks') == n + 2, 'yield %d %d %d: %d tasks (got %s)' % (r, n, s, n + 2, d.get('tasks')))
        check(sc.get('yields') == yields and sc.get('switches') == switches and sc.get('preemptions') == 0,
              'yield %d %d %d: %d yields, %d switches, 0 preemptions (got %s, %s, %s)'
              % (r, n, s, yields, switches, sc.get('yields'), sc.get('switches'), sc.get('preemptions')))
        check(switch_cycles is not None and sc.get('cycles') == switches * switch_cycles,
              'yield: sched.cycles = switches x SCHED_SWITCH_CYCLES (got %s)' % sc.get('cycles'))
        check(d.get('machine', {}).get('tick') == 0, 'machine.tick 0 with --tick 0')

    P, Q = 8, 4
    p, d = run(['--tick', '0', guest('preempt_kmap'), str(P), str(Q)], st)
    check(p.returncode == 0 and 'preempt_kmap: ok (2 tasks on 1 CPUs)' in p.stdout,
          'preempt_kmap --tick 0: 2 tasks on 1 CPU, copies checked (status %d)' % p.returncode)
    sc, km = d.get('sched', {}), d.get('kmap', {})
    check(d.get('tasks') == 2 and sc.get('switches') == 2 and sc.get('yields') == 0 and sc.get('ticks') == 0,
          'preempt_kmap --tick 0: 2 tasks, 2 switches (stop sleeps, copier exits) (got %s, %s)'
          % (d.get('tasks'), sc.get('switches')))
    check(km.get('kmap') == 2 * P * Q and km.get('kunmap') == 2 * P * Q and km.get('kmap_local') == 2 * P * Q + 2 * P,
          'preempt_kmap: kmap %d, kmap_local %d (got %s, %s)' % (2 * P * Q, 2 * P * Q + 2 * P, km.get('kmap'),
                                                                   km.get('kmap_local')))
    check(no_flushes(d) and no_hazards(d), 'preempt_kmap on arm64: no flush, no hazard')
    check(all(sc.get(k) == 0 for k in ('sched_out_pte_clears', 'sched_out_flushes', 'sched_in_pte_sets',
                                       'sched_in_flushes')), 'no kmap_local sched_out/in work without highmem')

    P, Q, tick = 24, 6, 20000
    args = ['--tick', str(tick), guest('preempt_kmap'), str(P), str(Q)]
    p, d = run(args, st)
    sc = d.get('sched', {})
    check(p.returncode == 0 and 'preempt_kmap: ok' in p.stdout, 'preempt_kmap --tick %d: copies checked' % tick)
    check(sc.get('preemptions', 0) > 0 and sc.get('preemptions') == sc.get('ticks') and sc.get('deferred') == 0,
          'every tick preempts at once (%s preemptions, %s ticks, %s deferred)'
          % (sc.get('preemptions'), sc.get('ticks'), sc.get('deferred')))
    check(sc.get('ticks', 0) <= d.get('cycles', 0) // tick + 1, 'at most one tick per %d cycles' % tick)
    check(sc.get('switches', 0) - sc.get('preemptions', 0) in (1, 2) and sc.get('yields') == 0,
          'switches = preemptions + the exit (+ the stop sleeping) (got %s)' % sc.get('switches'))
    check(no_flushes(d) and no_hazards(d), 'preempted preempt_kmap on arm64: no flush, no hazard')
    with open(st, 'rb') as f:
        first = f.read()
    # byte-identical stats from another directory
    other = os.path.join(tmp, 'again')
    os.mkdir(other)
    p2, _ = run(args, os.path.join(other, 's.json'), cwd=other)
    with open(os.path.join(other, 's.json'), 'rb') as f:
        check(p2.returncode == 0 and f.read() == first and p2.stdout == p.stdout,
              'the same run twice: byte-identical stats and output')

    P, Q = 16, 2
    p, d = run([guest('smp_pagecache'), str(P), str(Q)], st)
    chunk = 128 // 4
    want = 0
    for q in range(Q):
        for i in range(P):
            off = ((i + q) % (1024 // chunk)) * chunk
            for w in range(chunk):
                want = (want + ((1 * 0x01000193) ^ (i * 0x9e3779b1 & M) ^ (off + w))) & M
    line = 'CPU 0: %d pages x %d passes, checksum 0x%08x' % (P, Q, want)
    check(p.returncode == 0 and line in p.stdout and 'smp_pagecache: ok' in p.stdout,
          'smp_pagecache on one CPU: %s (got %r)' % (line, p.stdout[:200]))
    check('tasks' not in d and 'sched' not in d, 'one task: no sched.* keys (as ARM32)')
    check(d.get('kmap', {}).get('kmap') == P * Q and no_flushes(d) and no_hazards(d),
          'smp_pagecache: %d kmaps, no flush, no hazard' % (P * Q))

    p, d = run(['--tick', '3000', guest('a64_kthreads'), 'spin', '600'], st)
    sc = d.get('sched', {})
    check(p.returncode == 0 and 'a64_kthreads: ok (spin: 600 + 600' in p.stdout,
          'spin under a 3000-cycle tick: exact totals (status %d %s)' % (p.returncode, p.stderr.strip()))
    check(sc.get('preemptions', 0) > 0 and 0 < sc.get('deferred', 0) <= sc.get('ticks', 0)
          and sc.get('preemptions', 0) <= sc.get('ticks', 0),
          'ticks inside the locked section wait: %s ticks, %s deferred, %s preemptions'
          % (sc.get('ticks'), sc.get('deferred'), sc.get('preemptions')))

    p, d = run([guest('a64_kthreads'), 'ipi'], st)
    lines = p.stderr.strip().splitlines()
    check(p.returncode == 76 and len(lines) == 1 and lines[0].startswith(
        'kmaplab: IPI to CPU 1: the AArch64 machine models one CPU') and 'called from main+' in lines[0],
          'IPI to CPU 1: status 76, one line (%d %r)' % (p.returncode, lines))
    check('calling CPU 1' in p.stdout and 'returned' not in p.stdout and d.get('guest', {}).get('stop') == 'bad_call',
          'the run stopped at the IPI, stats written (stop %s)' % d.get('guest', {}).get('stop'))
    for mode, extra in (('atomic', ''), ('kmap_atomic', ' (a kmap_atomic section is open)')):
        p, d = run([guest('a64_kthreads'), mode], st)
        lines = p.stderr.strip().splitlines()
        check(p.returncode == 73 and len(lines) == 1 and lines[0].startswith(
            'kmaplab: BUG: scheduling while atomic: schedule() on CPU 0 in task 0 with preempt_count 1' + extra),
              '%s: schedule() is the kernel BUG, status 73 (%d %r)' % (mode, p.returncode, lines))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
print('%d failed' % failed)
sys.exit(1 if failed else 0)
