#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""SMP guest tests (docs/smp.md): expected counts from the kernel's rules.

usage: smp_test.py --kmaplab K --guest-dir DIR CASE

Each CASE runs guests from guest-tests/smp_*.c and checks the exit status,
the guest's output and the stats against numbers worked out here:

  spinlock      4 CPUs add to a spinlock-protected counter and an atomic_t:
                both end at exactly 4 * ITER (the guest checks), and the
                per-CPU stats add up to the totals.
  race          the same with an unprotected read-modify-write split over
                translated blocks: CPUs interleave inside it, so increments
                are lost (> 0), never gained.
  deterministic two identical runs give byte-identical stats and traces.
  shootdown-is  N CPUs (2 and 4) on an ARMv7 MP core: on_each_cpu() twice
                sends 2 * (N - 1) IPIs; flush_tlb_kernel_range() sends none
                (Inner Shareable operations) yet reaches every other CPU's
                TLB (remote_invalidated > 0 on each) and every CPU reads the
                new page; no hazard.
  shootdown-ipi --tlb-broadcast ipi: the flush is on_each_cpu(
                ipi_flush_tlb_kernel_range): N - 1 more IPIs, so 3 * (N - 1)
                sent by CPU 0 and 3 received by each other CPU; no IS op.
  erratum       Cortex-A15 with --erratum-798181: broadcast_tlb_a15_erratum()
                adds smp_call_function() (N - 1 IPIs) after each kernel
                flush that is not the local form: 2 * (N - 1) for on_each_cpu
                plus N - 1 for flush_tlb_kernel_range.
  missing-flush only local_flush_tlb_kernel_page() after the PTE change: the
                other N - 1 CPUs use their stale entry, one hazard each,
                reported on their CPU; CPU 0 has none.
  fill-stale    missing-flush under --model fill (2 and 4 CPUs), where only
                the 1 MiB regions a CPU has something possibly stale in go
                through the per-access alias: after the fixmap's noflush,
                smp_shootdown pkmap does the same on a kmap()ped pkmap page,
                a MiB in which the other CPUs had nothing when they first
                read it (so the page was filled into the engine's own TLB);
                each other CPU must still report both stale reads: hazards
                per CPU [0, 2, ...], the same under --model on.  On Unicorn
                2.0 --model fill runs the per-access model (machine.model on).
  pkmap-wake    CPU 1 holds all 512 pkmap slots; CPU 0's kmap() sleeps on
                pkmap_map_wait once and is woken once by CPU 1's kunmap();
                kmap() is called 512 + 1 times.
  pkmap-deadlock both CPUs sleep in kmap(): status 74, naming both and CPU 1
                as the holder of the 512 slots.
  kmap-lock     smp_pagecache, 4 CPUs each kmap()ing its own 384 pages 3 times:
                kmap.kmap = 4 * 384 * 3 = 4608; the CPUs' kmap_lock sections
                overlap in model time, so some acquisitions spin (spin_cycles
                and lock_contended > 0); under eager every kunmap frees its
                slot (one user at a time), so 4608 page flushes, each reaching
                all CPUs (flush_tlb_kernel_range of 1 page); no hazard.
  eager-local   the same file shared by all CPUs: a slot's translation sits
                in several TLBs; eager-local's local flush leaves it on the
                others -- hazards on other CPUs (the guest may read stale
                data); eager and linux have none.
  malloc        malloc/free from 4 and 8 CPUs at once (newlib's allocator is
                not reentrant): every block keeps its data, and the lock
                kmaplab puts around __malloc_lock made some CPU sleep.
  textpatch     CPU 0 rewrites code CPU 1 has run; CPU 1 must run the new code
                (its engine drops its translations: smp.code_flushes >= 1).
  cpus-limit    --cpus 9 and --cpus 0 are usage errors (64); --tlb-broadcast
                is on arm1176 (ARMv6, no IS operations) too, and --model none
                with --cpus 2 (the scheduler runs in the block hook).
  one-cpu       the SMP guest on one CPU: num_online_cpus() 1, no cpus[] key.
"""
import argparse
import json
import os
import re
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
    return p, data, stats


def guest(name):
    return os.path.join(ARGS.guest_dir, name + '.elf')


def hazards(d):
    """Stale-translation hazards, architectural (stats format 2)."""
    return d['hazards']['stale_tlb']['architectural']


def per_cpu(d, path):
    out = []
    for c in d['cpus']:
        node = c
        for part in path.split('.'):
            node = node[part]
        out.append(node)
    return out


def case_spinlock(tmp):
    p, d, _ = run(['--cpus', '4', guest('smp_spinlock'), '3000'], tmp)
    check(p.returncode == 0, 'status %d: %s%s' % (p.returncode, p.stdout, p.stderr))
    check(re.search(r'^cpus 4 iterations 3000 locked 12000 atomic 12000 ', p.stdout, re.M),
          'output: ' + p.stdout)
    check(len(d['cpus']) == 4, 'four cpus[] entries')
    check(sum(per_cpu(d, 'instructions')) == d['guest']['instructions'], 'instructions add up')
    check(sum(per_cpu(d, 'cycles')) == d['cycles'], 'cycles add up')
    check(all(n > 0 for n in per_cpu(d, 'instructions')), 'every CPU ran')
    check(sum(per_cpu(d, 'tlb.accesses')) == d['tlb']['accesses'], 'TLB accesses add up')


def case_race(tmp):
    p, d, _ = run(['--cpus', '4', '--quantum', '200', guest('smp_spinlock'), '5000'], tmp)
    check(p.returncode == 0, 'status %d: %s' % (p.returncode, p.stderr))
    m = re.search(r'racy (\d+) lost (\d+)', p.stdout)
    check(m and int(m.group(2)) > 0 and int(m.group(1)) <= 20000,
          'the unprotected counter lost increments: ' + p.stdout)


def case_deterministic(tmp):
    outs = []
    for i in range(2):
        trace = os.path.join(tmp, 'det%d.trace' % i)
        p, d, stats = run(['--cpus', '3', '--trace', trace, guest('smp_shootdown'), 'flush'], tmp,
                          'det%d' % i)
        check(p.returncode == 0, 'status %d' % p.returncode)
        outs.append((open(stats, 'rb').read(), open(trace, 'rb').read(), p.stdout))
    check(outs[0] == outs[1], 'identical runs give identical stats, trace and output')
    # The trace names each event's CPU (format version 2): the flushes and
    # kmaps happen on CPU 0, the IPI handlers' reads do not reach the trace,
    # so check the header's version and the converters' cpu column/tracks.
    trace = os.path.join(tmp, 'det0.trace')
    check(open(trace, 'rb').read()[8:10] == b'\x02\x00', 'trace format version 2 with 3 CPUs')
    if ARGS.trace:
        p = subprocess.run([ARGS.kmaplab, 'trace', trace, '--format', 'csv'], capture_output=True,
                           text=True)
        cpus = {line.split(',')[1] for line in p.stdout.splitlines()[1:]}
        check(p.returncode == 0 and cpus and cpus <= {'0', '1', '2'}, 'cpu column: %s' % cpus)
    p, d, _ = run(['--cpus', '2', '--trace', trace, guest('smp_pkmap_wait'), 'wake'], tmp, 'tr')
    if ARGS.trace:
        p = subprocess.run([ARGS.kmaplab, 'trace', trace, '--format', 'csv'], capture_output=True,
                           text=True)
        cpus = [line.split(',')[1] for line in p.stdout.splitlines()[1:]]
        # CPU 1 kmaps 512 pages and kunmaps them; CPU 0 kmaps one (after
        # sleeping) and kunmaps it: both appear.
        check(cpus.count('1') >= 1024 and cpus.count('0') >= 2, 'events per CPU in the trace')
        p = subprocess.run([ARGS.kmaplab, 'trace', trace, '--format', 'chrome'], capture_output=True,
                           text=True)
        check('"tid":1,"name":"thread_name","args":{"name":"cpu1"}' in p.stdout, 'one Perfetto track per CPU')


def shootdown(tmp, n, extra, mode='flush', core=None):
    args = ['--cpus', str(n)] + extra + ([] if core is None else ['--core', core])
    p, d, _ = run(args + [guest('smp_shootdown'), mode], tmp, 'sd-%d-%s' % (n, mode))
    return p, d


def case_shootdown_is(tmp):
    for n in (2, 4):
        p, d = shootdown(tmp, n, [])
        check(p.returncode == 0, 'N=%d status %d: %s' % (n, p.returncode, p.stdout + p.stderr))
        check(hazards(d) == 0, 'N=%d no hazard' % n)
        sent = per_cpu(d, 'smp.ipi_sent')
        check(sent == [2 * (n - 1)] + [0] * (n - 1), 'N=%d IPIs sent %s' % (n, sent))
        check(all(r > 0 for r in per_cpu(d, 'smp.remote_invalidated')[1:]),
              'N=%d IS reached every other TLB: %s' % (n, per_cpu(d, 'smp.remote_invalidated')))
        check(per_cpu(d, 'smp.is_ops')[0] >= 1, 'N=%d CPU 0 issued IS ops' % n)
        for cpu in range(1, n):
            check('CPU %d read 0xbbbbbbbb' % cpu in p.stdout, 'N=%d CPU %d read the new page' % (n, cpu))


def case_shootdown_ipi(tmp):
    for n in (2, 4):
        p, d = shootdown(tmp, n, ['--tlb-broadcast', 'ipi'])
        check(p.returncode == 0, 'N=%d status %d' % (n, p.returncode))
        check(hazards(d) == 0, 'N=%d no hazard' % n)
        check(per_cpu(d, 'smp.ipi_sent') == [3 * (n - 1)] + [0] * (n - 1),
              'N=%d IPIs sent %s' % (n, per_cpu(d, 'smp.ipi_sent')))
        check(per_cpu(d, 'smp.ipi_received') == [0] + [3] * (n - 1),
              'N=%d IPIs received %s' % (n, per_cpu(d, 'smp.ipi_received')))
        check(sum(per_cpu(d, 'smp.is_ops')) == 0, 'N=%d no IS operation' % n)
        check(all(c > 0 for c in per_cpu(d, 'smp.ipi_handler_cycles')[1:]), 'handlers cost cycles')


def case_erratum(tmp):
    n = 4
    p, d = shootdown(tmp, n, ['--erratum-798181'], core='cortex-a15')
    check(p.returncode == 0, 'status %d: %s' % (p.returncode, p.stderr))
    check(per_cpu(d, 'smp.ipi_sent')[0] == 3 * (n - 1), 'IPIs sent %s' % per_cpu(d, 'smp.ipi_sent'))
    p, d = shootdown(tmp, n, [], core='cortex-a15')
    check(per_cpu(d, 'smp.ipi_sent')[0] == 2 * (n - 1), 'without the erratum %s' % per_cpu(d, 'smp.ipi_sent'))


def case_missing_flush(tmp):
    for extra in ([], ['--tlb-broadcast', 'ipi']):
        n = 4
        p, d = shootdown(tmp, n, extra, mode='noflush')
        check(p.returncode == 0, 'status %d' % p.returncode)
        check(hazards(d) == n - 1, 'hazards %s' % d['hazards'])
        check(per_cpu(d, 'hazards.stale_tlb.architectural') == [0] + [1] * (n - 1),
              'hazards per CPU %s' % per_cpu(d, 'hazards.stale_tlb.architectural'))
        for cpu in range(1, n):
            check(re.search(r'^kmaplab: hazard: stale TLB entry (used )?on cpu%d at read_slot' % cpu, p.stderr, re.M),
                  'hazard reported on CPU%d: %s' % (cpu, p.stderr))


def unicorn_21():
    out = subprocess.run([ARGS.kmaplab, '--version'], capture_output=True, text=True).stdout
    m = re.search(r'Unicorn (\d+)\.(\d+)', out)
    return bool(m) and (int(m.group(1)), int(m.group(2))) >= (2, 1)


def case_fill_stale(tmp):
    want_model = 'fill' if unicorn_21() else 'on'
    for n in (2, 4):
        for mode, each in (('noflush', 1), ('pkmap', 2)):
            for model in ('fill', 'on'):
                p, d = shootdown(tmp, n, ['--model', model], mode=mode)
                what = 'N=%d %s --model %s' % (n, mode, model)
                check(p.returncode == 0, '%s: status %d %s' % (what, p.returncode, p.stdout))
                check(d['machine']['model'] == (want_model if model == 'fill' else 'on'),
                      '%s: machine.model %s' % (what, d['machine']['model']))
                got = per_cpu(d, 'hazards.stale_tlb.architectural')
                check(got == [0] + [each] * (n - 1), '%s: hazards per CPU %s' % (what, got))
                for cpu in range(1, n):
                    lines = re.findall(r'^kmaplab: hazard: stale TLB entry (?:used )?on cpu%d at read_slot' % cpu,
                                       p.stderr, re.M)
                    check(len(lines) == each, '%s: %d reports on CPU%d' % (what, len(lines), cpu))


def case_pkmap_wake(tmp):
    p, d, _ = run(['--cpus', '2', guest('smp_pkmap_wait'), 'wake'], tmp)
    check(p.returncode == 0, 'status %d: %s' % (p.returncode, p.stdout + p.stderr))
    check('smp_pkmap_wait: ok' in p.stdout, 'guest ok')
    check(d['smp']['pkmap_sleeps'] == 1 and d['smp']['pkmap_wakeups'] == 1, 'slept and woke once: %s' % d['smp'])
    check(d['kmap']['kmap'] == 513 and d['kmap']['kunmap'] == 513, 'kmap/kunmap 513: %s' % d['kmap'])
    check(hazards(d) == 0, 'no hazard')


def case_pkmap_deadlock(tmp):
    p, d, _ = run(['--cpus', '2', guest('smp_pkmap_wait'), 'deadlock'], tmp)
    check(p.returncode == 74, 'status %d' % p.returncode)
    check(re.search(r'^kmaplab: would sleep forever: every CPU sleeps: CPU0 in kmap\(\) on pkmap_map_wait \(page 0x[0-9a-f]{8}\), '
                    r'CPU1 in kmap\(\) on pkmap_map_wait \(page 0x[0-9a-f]{8}\); all 512 pkmap slots are in use, held by CPU1 \(512\)$',
                    p.stderr, re.M), 'message: ' + p.stderr)
    check(d['guest']['stop'] == 'would_sleep' and d['kmap']['kmap'] == 514, 'stats: %s' % d['kmap']['kmap'])


def case_kmap_lock(tmp):
    n, pages, passes = 4, 384, 3
    p, d, _ = run(['--cpus', str(n), guest('smp_pagecache'), str(pages), str(passes)], tmp)
    check(p.returncode == 0 and 'smp_pagecache: ok' in p.stdout, 'status %d' % p.returncode)
    check(d['kmap']['kmap'] == n * pages * passes, 'kmap %d' % d['kmap']['kmap'])
    check(sum(per_cpu(d, 'kmap.kmap')) == d['kmap']['kmap'], 'per-CPU kmap counts add up')
    check(sum(per_cpu(d, 'smp.spin_cycles')) > 0 and sum(per_cpu(d, 'smp.lock_contended')) > 0,
          'kmap_lock contention charged: %s' % per_cpu(d, 'smp.spin_cycles'))
    check(hazards(d) == 0, 'no hazard')
    p, d, _ = run(['--cpus', str(n), '--policy', 'eager', guest('smp_pagecache'), str(pages), str(passes)], tmp)
    check(p.returncode == 0, 'eager status %d' % p.returncode)
    check(d['flush']['flush_tlb_kernel_range']['calls'] == n * pages * passes
          and d['flush']['flush_tlb_kernel_range']['pages'] == n * pages * passes,
          'eager: one page flush per kunmap, %s' % d['flush']['flush_tlb_kernel_range'])
    # Only the set-up's kmap_atomic (one per page, local as on every core)
    # flushes locally: eager's own flushes are global on SMP.
    check(d['flush']['local_flush_tlb_kernel_page']['calls'] == n * pages,
          'eager on SMP flushes globally: %s' % d['flush']['local_flush_tlb_kernel_page'])
    check(hazards(d) == 0, 'eager: no hazard')
    p, d, _ = run(['--cpus', '1', guest('smp_pagecache'), str(pages), str(passes)], tmp)
    check(p.returncode == 0 and 'cpus' not in d, 'one CPU')


def case_eager_local(tmp):
    args = ['--cpus', '4', guest('smp_pagecache'), '384', '3', 'shared']
    for pol in ('linux', 'eager'):
        p, d, _ = run(['--policy', pol] + args, tmp)
        check(p.returncode == 0 and hazards(d) == 0, '%s: status %d, hazards %s' %
              (pol, p.returncode, d['hazards']))
    p, d, _ = run(['--policy', 'eager-local'] + args, tmp)
    check(hazards(d) > 0, 'eager-local: hazards %s' % d['hazards'])
    check(d['flush']['flush_tlb_kernel_range']['calls'] == 0, 'eager-local flushes only locally')
    check(re.search(r'^kmaplab: hazard: stale TLB entry (used )?on cpu[0-9] at reader', p.stderr, re.M),
          'hazard named with its CPU: ' + p.stderr[:300])


def case_malloc(tmp):
    for n in (4, 8):
        p, d, _ = run(['--cpus', str(n), guest('smp_malloc'), '400'], tmp)
        check(p.returncode == 0 and 'smp_malloc: ok on %d CPUs' % n in p.stdout,
              'N=%d status %d: %s' % (n, p.returncode, (p.stdout + p.stderr)[:300]))
        check(d['smp']['malloc_lock_sleeps'] > 0, 'N=%d the malloc lock was contended: %s' % (n, d['smp']))


def case_textpatch(tmp):
    p, d, _ = run(['--cpus', '2', guest('smp_textpatch')], tmp)
    check(p.returncode == 0 and 'CPU 1 ran 0x1 then 0x2' in p.stdout, 'status %d: %s' % (p.returncode, p.stdout))
    check(d['smp']['code_flushes'] >= 1, 'code flushed: %s' % d['smp'])


def case_cpus_limit(tmp):
    for args, msg in ((['--cpus', '9'], '--cpus'), (['--cpus', '0'], '--cpus'),
                      (['--core', 'arm1176', '--tlb-broadcast', 'is'], 'Inner Shareable'),
                      (['--model', 'none', '--cpus', '2'], '--model none')):
        p = subprocess.run([ARGS.kmaplab, 'run'] + args + [guest('smp_spinlock')], capture_output=True, text=True)
        check(p.returncode == 64 and msg in p.stderr and len(p.stderr.splitlines()) == 1,
              '%s: %d %s' % (args, p.returncode, p.stderr))


def case_one_cpu(tmp):
    p, d, _ = run([guest('smp_spinlock'), '100'], tmp)
    check(p.returncode == 0 and 'cpus 1 iterations 100 locked 100 atomic 100 racy 100' in p.stdout, p.stdout)
    check('cpus' not in d and 'cpus' not in d['machine'], 'no SMP keys with one CPU')


CASES = {
    'spinlock': case_spinlock, 'race': case_race, 'deterministic': case_deterministic,
    'shootdown-is': case_shootdown_is, 'shootdown-ipi': case_shootdown_ipi, 'erratum': case_erratum,
    'missing-flush': case_missing_flush, 'fill-stale': case_fill_stale, 'pkmap-wake': case_pkmap_wake,
    'pkmap-deadlock': case_pkmap_deadlock, 'cpus-limit': case_cpus_limit, 'one-cpu': case_one_cpu,
    'kmap-lock': case_kmap_lock, 'eager-local': case_eager_local, 'textpatch': case_textpatch,
    'malloc': case_malloc,
}

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--kmaplab', required=True)
    ap.add_argument('--guest-dir', required=True)
    ap.add_argument('--trace', action='store_true', help='check `kmaplab trace`\'s cpu column and tracks')
    ap.add_argument('case', choices=sorted(CASES))
    ARGS = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        CASES[ARGS.case](tmp)
    sys.exit(1 if failures else 0)
