#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tasks and preemption (docs/sched.md): expected counts from the kernel's rules.

usage: sched_test.py --kmaplab K --guest-dir DIR CASE

  kmap-local-schedule  sched_kmap_local A B: two tasks on one CPU holding A
                and B kmap_local mappings, switching by schedule() as
                A->B (B has none yet), B->A, A->B, and B ending -> A.  v5.11+
                (mm/highmem.c __kmap_local_sched_out/_in): each switch clears
                the outgoing task's live mappings, one local flush each, and
                sets the incoming task's, one local flush each.  Worked out
                below by replaying that sequence; with --cpus 1 and 2 (the
                other CPU idle: its counters 0), on --kernel 5.10 and 6.6 with
                DEBUG_KMAP_LOCAL (guard slots hold no mapping: same counts).
  tick-local    sched_tick local: main holds 1 mapping and spins; only a tick
                can run B (preemptions >= 1); B gives the CPU back by
                cond_resched() with nothing mapped: 1 PTE cleared (main out)
                and 1 set (main in), whatever the number of ticks.
  atomic        sched_tick atomic: a tick inside kmap_atomic() is deferred
                (deferred >= 1) and B does not run there (the guest checks);
                a tick after kunmap_atomic() switches (preemptions >= 1).
  cond-resched  sched_tick cond_resched with --tick 0: cond_resched() with no
                other task or with preemption off does not switch; exactly
                two yields (main->B, B->main), two more switches (main sleeps
                in kthread_stop, B ends), no tick.
  bug           schedule() inside kmap_atomic(): status 73, one line naming
                "scheduling while atomic".
  deterministic two identical runs (ticks, 2 CPUs, trace) are byte-identical.
  pipe-trace    --cpus 2 --trace to a FIFO (a pipe: no seeking back) gives the
                same bytes as --trace to a file, a format-2 trace that
                `kmaplab trace` reads with its cpu column.
  cache-per-cpu --model cache, 4 CPUs: each CPU's own L1D (cpus[i].cache.l1d)
                counts its reads (every CPU read its pages: hits and misses
                on each), and the four add up to the totals' cache.l1d.
  options       --tick with a bad value, and --tick with --model none, are
                usage errors (64).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print('FAIL:', what)


def run(args, tmp, name='run'):
    stats = os.path.join(tmp, name + '.json')
    p = subprocess.run([ARGS.kmaplab, 'run', '--stats', stats] + args, capture_output=True, text=True,
                       timeout=600)
    data = json.load(open(stats)) if os.path.exists(stats) else None
    return p, data


def guest(name):
    return os.path.join(ARGS.guest_dir, name + '.elf')


def replay(a, b):
    """The sched_kmap_local switches as (outgoing live mappings, incoming live mappings)."""
    held = {'A': a, 'B': 0}   # B has mapped nothing before its first run
    switches = []
    def switch(frm, to):
        switches.append((held[frm], held[to]))
    switch('A', 'B')          # A: schedule()
    held['B'] = b             # B maps its pages, then schedule()
    switch('B', 'A')
    switch('A', 'B')          # A: schedule()
    held['B'] = 0             # B unmaps and returns
    switch('B', 'A')
    return switches


def case_kmap_local_schedule(tmp):
    for a, b, extra in ((3, 2, []), (4, 1, ['--cpus', '2']), (2, 5, ['--kernel', '6.6']),
                        (3, 3, ['--kernel', '6.6,debug_kmap_local=1'])):
        p, d = run(extra + [guest('sched_kmap_local'), str(a), str(b)], tmp)
        check(p.returncode == 0 and ('A %d B %d' % (a, b)) in p.stdout,
              '%s: status %d %s %s' % (extra, p.returncode, p.stdout, p.stderr))
        if not d:
            continue
        sw = replay(a, b)
        s = d['sched']
        want = {'switches': len(sw), 'yields': 3, 'preemptions': 0,
                'sched_out_pte_clears': sum(o for o, _ in sw), 'sched_out_flushes': sum(o for o, _ in sw),
                'sched_in_pte_sets': sum(i for _, i in sw), 'sched_in_flushes': sum(i for _, i in sw)}
        for k, v in want.items():
            check(s[k] == v, '%s A %d B %d: sched.%s %d, want %d' % (extra, a, b, k, s[k], v))
        # Every local flush: the guest's own maps and unmaps (2 per page it
        # fills, 2 per mapping held) and the switches'.
        flushes = 2 * (a + b) + 2 * (a + b) + want['sched_out_flushes'] + want['sched_in_flushes']
        got = d['flush']['local_flush_tlb_kernel_page']['calls']
        check(got == flushes, '%s: %d local flushes, want %d' % (extra, got, flushes))
        check(d['tasks'] == 2, 'two tasks: %s' % d['tasks'])
        if 'cpus' in d:
            check(d['cpus'][0]['sched'] == s, 'CPU 0 did every switch')
            check(all(v == 0 for v in d['cpus'][1]['sched'].values()), 'CPU 1 none')


def case_tick_local(tmp):
    p, d = run([guest('sched_tick'), 'local'], tmp)
    check(p.returncode == 0 and 'local: B ran' in p.stdout, '%d %s %s' % (p.returncode, p.stdout, p.stderr))
    s = d['sched']
    check(s['preemptions'] >= 1 and s['ticks'] >= s['preemptions'], 'a tick switched: %s' % s)
    check(s['sched_out_pte_clears'] == 1 and s['sched_out_flushes'] == 1, 'main out once holding 1: %s' % s)
    check(s['sched_in_pte_sets'] == 1 and s['sched_in_flushes'] == 1, 'main in once holding 1: %s' % s)


def case_atomic(tmp):
    p, d = run([guest('sched_tick'), 'atomic'], tmp)
    check(p.returncode == 0 and 'B ran 0 times inside kmap_atomic' in p.stdout,
          '%d %s %s' % (p.returncode, p.stdout, p.stderr))
    s = d['sched']
    check(s['deferred'] >= 1, 'a tick inside kmap_atomic waited: %s' % s)
    check(s['preemptions'] >= 1, 'a tick after it switched: %s' % s)


def case_cond_resched(tmp):
    p, d = run(['--tick', '0', guest('sched_tick'), 'cond_resched'], tmp)
    check(p.returncode == 0 and 'cond_resched: ok' in p.stdout, '%d %s %s' % (p.returncode, p.stdout, p.stderr))
    s = d['sched']
    check(s['yields'] == 2 and s['switches'] == 4 and s['ticks'] == 0 and s['preemptions'] == 0, '%s' % s)
    check(d['machine']['tick'] == 0, 'machine.tick 0')


def case_bug(tmp):
    p, d = run([guest('sched_tick'), 'bug'], tmp)
    check(p.returncode == 73 and 'scheduling while atomic' in p.stderr and len(p.stderr.splitlines()) == 1,
          '%d %s' % (p.returncode, p.stderr))
    check(d and d['guest']['stop'] == 'kernel_bug', 'stats say kernel_bug')


def case_deterministic(tmp):
    outs = []
    for i in range(2):
        trace = os.path.join(tmp, 't%d.bin' % i)
        p, _ = run(['--cpus', '2', '--tick', '20000', '--trace', trace, guest('preempt_kmap'), '24', '2'],
                   tmp, 's%d' % i)
        check(p.returncode == 0, 'run %d: %d %s' % (i, p.returncode, p.stderr))
        outs.append((open(os.path.join(tmp, 's%d.json' % i), 'rb').read(), open(trace, 'rb').read()))
    check(outs[0][0] == outs[1][0], 'stats differ between identical runs')
    check(outs[0][1] == outs[1][1], 'traces differ between identical runs')
    d = json.loads(outs[0][0])
    check(d['sched']['preemptions'] > 0 and d['sched']['sched_out_pte_clears'] > 0, 'preempted: %s' % d['sched'])


def case_pipe_trace(tmp):
    import threading
    fifo, plain = os.path.join(tmp, 'fifo'), os.path.join(tmp, 'plain.bin')
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, 'rb').read()))
    reader.start()
    args = ['--cpus', '2', '--tick', '20000', guest('preempt_kmap'), '8', '2']
    p, _ = run(['--trace', fifo] + args, tmp, 'fifo')
    reader.join(60)
    check(p.returncode == 0 and not p.stderr, 'to a FIFO: %d %s' % (p.returncode, p.stderr))
    p, _ = run(['--trace', plain] + args, tmp, 'plain')
    check(p.returncode == 0, 'to a file: %d %s' % (p.returncode, p.stderr))
    want = open(plain, 'rb').read()
    check(bool(got) and got[0] == want, 'the FIFO got %d bytes, the file has %d, or they differ'
          % (len(got[0]) if got else -1, len(want)))
    check(want[8:10] == b'\x02\x00', 'format version 2 in the header: %r' % want[8:10])
    t = subprocess.run([ARGS.kmaplab, 'trace', plain], capture_output=True, text=True)
    check(t.returncode == 0 and t.stdout.startswith('cycle,cpu,'), 'kmaplab trace reads it: %s' % t.stderr)
    check(any(line.split(',')[1] == '1' for line in t.stdout.splitlines()[1:]), 'events of CPU 1')


def case_cache_per_cpu(tmp):
    p, d = run(['--model', 'cache', '--cpus', '4', guest('smp_pagecache'), '32', '1'], tmp)
    check(p.returncode == 0, '%d %s' % (p.returncode, p.stderr))
    for k in ('hits', 'misses'):
        per = [c['cache']['l1d'][k] for c in d['cpus']]
        check(all(v > 0 for v in per), 'every CPU its own L1D %s: %s' % (k, per))
        check(sum(per) == d['cache']['l1d'][k], 'cpus[].cache.l1d.%s %s add up to %d' % (k, per, d['cache']['l1d'][k]))


def case_options(tmp):
    for args, msg in ((['--tick', 'x'], '--tick'), (['--tick', '-1'], '--tick'),
                      (['--model', 'none', '--tick', '5'], '--model none')):
        p = subprocess.run([ARGS.kmaplab, 'run'] + args + [guest('sched_tick')], capture_output=True, text=True)
        check(p.returncode == 64 and msg in p.stderr and len(p.stderr.splitlines()) == 1,
              '%s: %d %s' % (args, p.returncode, p.stderr))


CASES = {
    'kmap-local-schedule': case_kmap_local_schedule, 'tick-local': case_tick_local, 'atomic': case_atomic,
    'cond-resched': case_cond_resched, 'bug': case_bug, 'deterministic': case_deterministic,
    'options': case_options, 'pipe-trace': case_pipe_trace, 'cache-per-cpu': case_cache_per_cpu,
}

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--kmaplab', required=True)
    ap.add_argument('--guest-dir', required=True)
    ap.add_argument('case', choices=sorted(CASES))
    ARGS = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        CASES[ARGS.case](tmp)
    sys.exit(1 if failures else 0)
