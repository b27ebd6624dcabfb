#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Exact TLB counts and cycles from guest runs, worked out from each core's
documented geometry and cost constants -- never read back from the model.

    tlb_counts.py CYCLE_MODEL_MD KMAPLAB GUEST.elf GUEST_ARMV6.elf [CORE...]

Where the numbers come from.  docs/cycle-model.md is parsed, not mm/core.c:
its "TLB geometry and replacement" table gives, per core, the D micro-TLB
size, the micro replacement, whether the micro TLBs cache large pages whole
or as 4 KiB pieces, the main TLB's entries and ways, and whether maintenance
flushes both micro TLBs; its "Cost constants" table gives micro_miss,
walk_start, desc_read, tlbi_mva and tlbi_all.  Those tables carry the TRM
numbers (DDI 0464F, 0388I, 0438, 0301H) and the stated assumptions.

How the runs are measured.  guest-tests/tlb_counts.c runs a hand-written ARM
loop ITERATIONS times; the loop's code lies in one 4 KiB page and its only
data accesses are K loads, one per page, 4 KiB apart.  Every count below is
the difference between a run with ITERATIONS = 2N and one with N, so start-up,
printf and exit cancel; and the cycles the TLB model charged are
cycles(--model on) - cycles(--model off), which removes instruction costs
(identical in both modes) and the guest's own TLBI costs (charged in both).
Per iteration:

  fetches       I = 3K + 4 (loop_plain) or 3K + 7 (the loops with a TLBI,
                DSB, ISB), one TLB look-up per instruction (docs/stats.md)
  data          K loads
  accesses      I + K

  plain (K = 4 <= D micro entries): nothing is evicted or invalidated, so
                every look-up hits the micro TLB.
                micro = I + K, main = misses = 0, TLB cycles 0.
  capacity (K = 2 * D micro entries): K pages visited cyclically in a fully
                associative micro TLB of C = K / 2 entries.  LRU evicts the
                page used longest ago, which is always the next one the cycle
                needs.  Round robin (docs: fills take the lowest invalid way;
                the pointer moves only on an eviction and survives
                invalidation) starts from an unknown pointer; but with
                K >= 2C the first iteration fills all C ways and then evicts
                each way once, in pointer order, so from then on the pointer
                order is the fill order and round robin is FIFO, which misses
                every time on a cycle longer than C.  (K = C + 2 would depend
                on the pointer left by start-up code.)  So every data look-up
                misses the micro TLB and hits the main TLB (the K pages' main
                sets are checked below): micro = I, main = K, TLB cycles
                K * micro_miss.  Random replacement (arm1176) has no exact
                answer and is skipped, printed as such.
  mva (K = 4):  TLBIMVA of an address nothing maps.  It removes no entry;
                on a core whose maintenance flushes both micro TLBs, the
                next fetch and all K loads go to the main TLB:
                micro = I - 1, main = K + 1, cycles (K + 1) * micro_miss,
                invalidated K + 1 (the micro entries flushed: code + K);
                otherwise (precise invalidation) everything hits the micro TLB.
  all (K = 4):  TLBIALL every iteration: the next fetch (a 1 MiB lowmem
                section: 1 descriptor read) and the K loads (4 KiB pkmap
                pages: 2 reads) all walk.  micro = I - 1, misses = walks =
                K + 1, walk_reads = 2K + 1, cycles (K + 1) * (micro_miss +
                walk_start) + (2K + 1) * desc_read, invalidated 2(K + 1)
                (code + K in the main TLB and in the micro TLBs).
  section/large (K = 4): the guest maps a 1 MiB section / a 64 KiB large page
                itself and TLBIMVAs an address in its middle, not one it
                loads from.  By-MVA maintenance removes the whole page (the
                ARM ARM: an entry is invalidated if the MVA lies anywhere in
                it), so the first load walks (1 read for a section, 2 for a
                large page); the other K - 1 loads hit the micro TLB if it
                caches the page whole, else (4 KiB pieces, Cortex-A15) miss
                it and hit the main TLB.  The fetch side is as in `mva`.
                invalidated: 1 main entry + (flushing micro: code + 1 micro
                entry; precise: the K micro pieces of the page).
  thrash (K = 2 * max(ways, C if maintenance leaves the micro TLBs)): K small
                pages the guest maps 1 MiB apart at the same offset, so that
                the doc's set rule puts all of them in one main-TLB set, and
                a TLBIMVA of an unmapped address per iteration.  The micro
                TLB misses each of them (flushed every iteration, or, on a
                precise core, K >= 2C as in `capacity`); the set holds `ways`
                of K, and by the same argument as `capacity` (K >= 2 * ways,
                round robin per set or LRU) every look-up misses it too:
                misses = walks = K, walk_reads = 2K, cycles K * (micro_miss +
                walk_start + 2 * desc_read) plus the fetch side as in `mva`;
                invalidated (flushing micro) code + min(K, C) micro entries.
  asid:         one not-global small page; per iteration, 14 instructions:
                CONTEXTIDR = 1, load it (ASID 1), TLBIASID 1, CONTEXTIDR = 2,
                load it (ASID 2); each CP15 write is followed by a branch, so
                a translated block (and its fetch look-ups) starts after it.
                Micro flushes per iteration: 2 if the core flushes its micro
                TLBs on a CONTEXTIDR write (the doc's "register writes" row),
                + 1 if maintenance flushes them; each makes the next fetch a
                main hit (the code is a global section: it matches any ASID).
                The ASID-1 load always walks (TLBIASID 1 removed that entry,
                micro and main); the ASID-2 load hits the main TLB if any
                micro flush happened since its last fill, else the micro TLB
                (precise TLBIASID 1 leaves ASID 2's entry alone).  invalidated:
                the main ASID-1 entry + (flushing micro: code + ASID-1 +
                ASID-2 unless a CONTEXTIDR write flushed it; precise: the
                ASID-1 micro entry).

Also checked: guest.instructions grows by N * I, flush.tlbi.<OP> by N,
flush.tlbi.cycles by N * tlbi_mva or tlbi_all, and no stale hazard.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

N = 160  # a multiple of every micro size (10, 32), so both runs end the loop alike
CORES = ['cortex-a7', 'cortex-a9', 'cortex-a15', 'arm1176']

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
    print(('ok: ' if cond else 'FAIL: ') + msg)


# ---------------------------------------------------------------------------
# docs/cycle-model.md

def md_tables(text):
    tables, cur = [], None
    for line in text.splitlines():
        if not line.startswith('|'):
            cur = None
            continue
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if cur is None:
            cur = {'head': cells, 'rows': []}
            tables.append(cur)
        elif not all(set(c) <= set('-: ') for c in cells):
            cur['rows'].append(cells)
    return tables


def core_columns(table):
    cols = {}
    for i, h in enumerate(table['head']):
        for c in CORES:
            if h.split()[0:1] == [c]:
                cols[c] = i
    return cols


def row(table, label):
    for r in table['rows']:
        if r[0].strip('`').strip() == label:
            return r
    raise KeyError('docs/cycle-model.md: no row %r' % label)


def first_int(cell):
    m = re.search(r'\d+', cell.replace('*', ''))
    if not m:
        raise ValueError('no number in %r' % cell)
    return int(m.group(0))


def parse_doc(path):
    tables = md_tables(open(path).read())
    geo = next(t for t in tables if any(r[0] == 'main TLB' for r in t['rows']))
    cost = next(t for t in tables if t['head'][0] == 'constant')
    gc, cc = core_columns(geo), core_columns(cost)
    cores = {}
    for c in CORES:
        g = lambda label: row(geo, label)[gc[c]]
        main = g('main TLB')
        m = re.match(r'\s*(\d+), (\d+)-way', main)
        repl = g('micro replacement').lower()
        cores[c] = {
            'micro_d': first_int(g('D micro TLB')),
            'micro_repl': 'random' if repl.startswith('random') else
                          'lru' if repl.startswith('lru') else
                          'rr' if repl.startswith('round robin') else repl,
            'micro_whole': g('page sizes in micro').lower().startswith('all, whole'),
            'main_entries': int(m.group(1)),
            'main_ways': int(m.group(2)),
            'flushes_micro': g('maintenance flushes both micro TLBs').lower().startswith('yes'),
        }
        cores[c]['ctx_flushes_micro'] = 'CONTEXTIDR' in g('register writes that flush the micro TLBs')
        for k in ('micro_miss', 'walk_start', 'desc_read', 'tlbi_mva', 'tlbi_all', 'tlbi_asid'):
            cores[c][k] = first_int(row(cost, k)[cc[c]])
    return cores


# ---------------------------------------------------------------------------
# Expected per-iteration counts

def expected(scenario, k, g):
    """Per-iteration deltas for scenario on a core of geometry/costs g, or
    None when they are not exactly computable."""
    walk = lambda reads: g['micro_miss'] + g['walk_start'] + reads * g['desc_read']
    e = {'micro_hits': 0, 'main_hits': 0, 'misses': 0, 'walks': 0, 'walk_reads': 0,
         'invalidated': 0, 'tlb_cycles': 0, 'tlbi': {}, 'tlbi_cycles': 0}
    insns = 3 * k + (4 if scenario in ('plain', 'capacity') else 7)
    if scenario == 'asid':
        insns, k = 14, 2
    e['insns'] = insns
    e['accesses'] = insns + k
    if scenario == 'asid':
        ctx, maint = g['ctx_flushes_micro'], g['flushes_micro']
        flushes = 2 * ctx + maint
        asid2_main = ctx or maint
        e['micro_hits'] = insns - flushes + (0 if asid2_main else 1)
        e['main_hits'] = flushes + (1 if asid2_main else 0)
        e['misses'] = e['walks'] = 1
        e['walk_reads'] = 2
        e['tlb_cycles'] = e['main_hits'] * g['micro_miss'] + walk(2)
        e['invalidated'] = 1 + ((2 + (0 if ctx else 1)) if maint else 1)
        e['tlbi'] = {'TLBIASID': 1}
        e['tlbi_cycles'] = g['tlbi_asid']
    elif scenario == 'plain':
        e['micro_hits'] = insns + k
    elif scenario == 'capacity':
        if g['micro_repl'] not in ('rr', 'lru'):
            return None
        e['micro_hits'] = insns
        e['main_hits'] = k
        e['tlb_cycles'] = k * g['micro_miss']
    elif scenario == 'all':
        e['micro_hits'] = insns - 1
        e['misses'] = e['walks'] = k + 1
        e['walk_reads'] = 2 * k + 1
        e['tlb_cycles'] = k * walk(2) + walk(1)
        e['invalidated'] = 2 * (k + 1)
        e['tlbi'] = {'TLBIALL': 1}
        e['tlbi_cycles'] = g['tlbi_all']
    else:  # a TLBIMVA per iteration: mva, section, large
        e['tlbi'] = {'TLBIMVA': 1}
        e['tlbi_cycles'] = g['tlbi_mva']
        # The fetch side: the code page stays in the main TLB.
        if g['flushes_micro']:
            e['micro_hits'] += insns - 1
            e['main_hits'] += 1
            e['tlb_cycles'] += g['micro_miss']
        else:
            e['micro_hits'] += insns
        if scenario == 'mva':
            if g['flushes_micro']:
                e['main_hits'] += k
                e['tlb_cycles'] += k * g['micro_miss']
                e['invalidated'] = 1 + k
            else:
                e['micro_hits'] += k
        elif scenario == 'thrash':
            e['misses'] = e['walks'] = k
            e['walk_reads'] = 2 * k
            e['tlb_cycles'] += k * walk(2)
            if g['flushes_micro']:
                e['invalidated'] = 1 + min(k, g['micro_d'])
        else:
            reads = 1 if scenario == 'section' else 2
            e['misses'] = e['walks'] = 1
            e['walk_reads'] = reads
            e['tlb_cycles'] += walk(reads)
            if g['micro_whole']:
                e['micro_hits'] += k - 1
                e['invalidated'] = 1 + (2 if g['flushes_micro'] else 1)
            else:
                e['main_hits'] += k - 1
                e['tlb_cycles'] += (k - 1) * g['micro_miss']
                e['invalidated'] = 1 + (2 if g['flushes_micro'] else k)
    return e


def main_sets_ok(entries, g):
    """docs/cycle-model.md's set rule: an entry of page size 2^s goes to set
    (va_base >> s) & (sets - 1).  True if no set must hold more than `ways`
    of the loop's translations (else a formula above would not hold)."""
    sets = g['main_entries'] // g['main_ways']
    load = {}
    for va, shift in entries:
        idx = (va >> shift) & (sets - 1)
        load[idx] = load.get(idx, 0) + 1
    return max(load.values()) <= g['main_ways']


# ---------------------------------------------------------------------------

def run(kmaplab, elf, core, model, args, tmp):
    path = os.path.join(tmp, 'stats.json')
    p = subprocess.run([kmaplab, 'run', '--core', core, '--model', model, '--stats', path, elf]
                       + [str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        raise RuntimeError('%s %s: exit status %d\n%s%s' % (core, args, p.returncode, p.stdout, p.stderr))
    with open(path) as f:
        return json.load(f), p.stdout


def main():
    doc, kmaplab, elf7, elf6 = sys.argv[1:5]
    cores = sys.argv[5:] or CORES
    geo = parse_doc(doc)
    scenarios = [('plain', 4), ('capacity', None), ('mva', 4), ('all', 4), ('section', 4),
                 ('large', 4), ('thrash', None), ('asid', 1)]
    with tempfile.TemporaryDirectory() as tmp:
        for core in cores:
            g = geo[core]
            print('%s: %s' % (core, json.dumps(g, sort_keys=True)))
            elf = elf6 if core == 'arm1176' else elf7
            for scenario, k in scenarios:
                if k is None and scenario == 'capacity':
                    k = 2 * g['micro_d']
                elif k is None:  # thrash
                    k = 2 * max(g['main_ways'], 0 if g['flushes_micro'] else g['micro_d'])
                e = expected(scenario, k, g)
                name = '%s %s K=%d' % (core, scenario, k)
                if e is None:
                    print('skip: %s: %s micro-TLB replacement has no exact answer '
                          '(docs/testing.md)' % (name, g['micro_repl']))
                    continue
                arg = 'plain' if scenario == 'capacity' else scenario
                res = {}
                for iters in (N, 2 * N):
                    for model in ('on', 'off'):
                        res[(iters, model)] = run(kmaplab, elf, core, model, [arg, iters, k], tmp)
                out = res[(N, 'on')][1]
                # The loop's translations, for the set precondition.
                loops = [int(x, 16) for x in re.search(r'loops at (\S+) (\S+) (\S+)', out).groups()]
                code = loops[0 if arg == 'plain' else 2 if arg == 'all' else 1]
                entries = [(code & ~0xfffff, 20)]
                m = re.search(r'pages at (0x[0-9a-f]+), (\d+) pages', out)
                if scenario == 'asid':
                    code = int(re.search(r'loop at (0x[0-9a-f]+)', out).group(1), 16)
                    entries = [(code & ~0xfffff, 20), (0x20806000, 12), (0x20806000, 12)]
                elif m:
                    base = int(m.group(1), 16)
                    entries += [(base + i * 4096, 12) for i in range(k)]
                elif scenario == 'thrash':
                    entries += [(0x20705000 + (j << 20), 12) for j in range(k)]
                elif scenario == 'section':
                    entries.append((0x20500000, 20))
                else:
                    entries.append((0x20610000, 16))
                if scenario == 'thrash':
                    check(not main_sets_ok(entries[1:], g) and
                          len({(va >> 12) & (g['main_entries'] // g['main_ways'] - 1)
                               for va, _ in entries[1:]}) == 1,
                          '%s: all %d pages fall in one main-TLB set (precondition)' % (name, k))
                check(main_sets_ok(entries, g) or scenario in ('all', 'thrash'),
                      '%s: the loop\'s %d translations fit the main TLB\'s sets (precondition)'
                      % (name, len(entries)))
                a, b = res[(N, 'on')][0], res[(2 * N, 'on')][0]
                ao, bo = res[(N, 'off')][0], res[(2 * N, 'off')][0]
                d = lambda grp, key: b[grp][key] - a[grp][key]
                for key in ('accesses', 'micro_hits', 'main_hits', 'misses', 'walks', 'walk_reads',
                            'invalidated'):
                    check(d('tlb', key) == N * e[key], '%s: tlb.%s grows by %d per iteration (got %s)'
                          % (name, key, e[key], d('tlb', key) / N))
                tlb_cyc = (b['cycles'] - bo['cycles']) - (a['cycles'] - ao['cycles'])
                check(tlb_cyc == N * e['tlb_cycles'], '%s: TLB cycles grow by %d per iteration (got %s)'
                      % (name, e['tlb_cycles'], tlb_cyc / N))
                insns = b['guest']['instructions'] - a['guest']['instructions']
                insns_off = bo['guest']['instructions'] - ao['guest']['instructions']
                check(insns == insns_off == N * e['insns'],
                      '%s: %d instructions per iteration (got %s on, %s off)'
                      % (name, e['insns'], insns / N, insns_off / N))
                tlbi = b['flush']['tlbi']
                for op, v in tlbi.items():
                    if op in ('invalidated', 'cycles'):
                        continue
                    want = e['tlbi'].get(op, 0)
                    if v - a['flush']['tlbi'][op] != N * want:
                        check(False, '%s: flush.tlbi.%s grows by %d per iteration (got %s)'
                              % (name, op, want, (v - a['flush']['tlbi'][op]) / N))
                check(tlbi['cycles'] - a['flush']['tlbi']['cycles'] == N * e['tlbi_cycles'],
                      '%s: flush.tlbi.cycles grows by %d per iteration' % (name, e['tlbi_cycles']))
                hz = b['hazards']
                st = hz['stale_tlb'] if isinstance(hz['stale_tlb'], dict) else {'observed': hz['stale_tlb']}
                check(all(v == 0 for v in st.values()) and
                      all(v == 0 for k, v in hz.items() if k != 'stale_tlb' and isinstance(v, int)),
                      '%s: no hazard (%s)' % (name, json.dumps(hz, sort_keys=True)))
    print('%d failure(s)' % len(failures) if failures else 'ok')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
