#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`kmaplab compare`'s table checked by value on the four bundled workloads.

    compare_values.py KMAPLAB COMPARE GUEST_DIR GUEST_SOURCE_DIR

Runs `kmaplab compare` on pagecache_read, longheld_kmaps, copy_highpage and
bounce_ioremap under linux, eager, local, nohighmem and flushall:32, and checks each row's
kmaps, wraps, page/range/all flushes and pages invalidated against numbers
worked out here, from

  - the workload's parameters, read from its source (#define FILE_PAGES ...)
    and its call sequence, written out below (the pagecache reader's random
    seek-backs come from the same LCG, rng = rng * 1103515245 + 12345, >> 8);
  - the kernel's pkmap rules (mm/highmem.c, Linux v5.10: kmap_high,
    map_new_virtual, flush_all_zero_pkmaps, kunmap_high), modelled in
    class Pkmap below: LAST_PKMAP 512 slots, last_pkmap_nr round robin
    starting after slot 0, a wrap to slot 0 calls flush_all_zero_pkmaps,
    which frees every slot at count 1 and, if it freed any, issues one
    flush_tlb_kernel_range over all 512 pages; a page with a pkmap address
    is kmapped again at that address with no new slot;
  - ARM's kmap_atomic (arch/arm/mm/highmem.c, v5.10): a highmem page without
    a pkmap address gets a fixmap slot and one local_flush_tlb_kernel_page;
  - the policies' rules in docs/policies.md: eager unmaps and flushes one
    page at the kunmap that leaves a slot unused; local serves kmap as
    kmap_local_page (a flush at map and at unmap, never the pkmap window);
    nohighmem maps nothing; flushall:32 turns a range flush of more than 32
    pages into one flush_tlb_all (which invalidates no single pages).

The table's columns are docs/compare.md's: kmaps = kmap + kmap_atomic +
kmap_local calls; pages inv. = page flushes + range-flush pages.
"""
import csv
import os
import re
import subprocess
import sys
import tempfile

LAST_PKMAP = 512
failures = []


def check(cond, msg):
    print(('ok: ' if cond else 'FAIL: ') + msg)
    if not cond:
        failures.append(msg)


class Pkmap:
    """The pkmap window of mm/highmem.c (v5.10), counting what it flushes.
    eager=True: kunmap_high that drops a count to 1 clears the slot and
    flushes that page (docs/policies.md)."""

    def __init__(self, eager=False):
        self.count = [0] * LAST_PKMAP
        self.slot_page = [None] * LAST_PKMAP
        self.addr = {}  # page -> slot (page_address)
        self.last = 0
        self.eager = eager
        self.kmaps = self.wraps = self.range_flushes = self.page_flushes = 0

    def flush_all_zero_pkmaps(self):
        self.wraps += 1
        need_flush = False
        for i in range(LAST_PKMAP):
            if self.count[i] != 1:
                continue
            self.count[i] = 0
            del self.addr[self.slot_page[i]]
            self.slot_page[i] = None
            need_flush = True
        if need_flush:
            self.range_flushes += 1

    def map_new_virtual(self, page):
        tries = LAST_PKMAP
        while True:
            self.last = (self.last + 1) & (LAST_PKMAP - 1)
            if self.last == 0:
                self.flush_all_zero_pkmaps()
                tries = LAST_PKMAP
            if self.count[self.last] == 0:
                break
            tries -= 1
            if tries == 0:
                raise RuntimeError('kmap would sleep: all slots in use')
        self.count[self.last] = 1
        self.slot_page[self.last] = page
        self.addr[page] = self.last
        return self.last

    def kmap(self, page):
        self.kmaps += 1
        slot = self.addr.get(page)
        if slot is None:
            slot = self.map_new_virtual(page)
        self.count[slot] += 1

    def kunmap(self, page):
        slot = self.addr[page]
        self.count[slot] -= 1
        assert self.count[slot] >= 1
        if self.eager and self.count[slot] == 1:
            self.count[slot] = 0
            del self.addr[page]
            self.slot_page[slot] = None
            self.page_flushes += 1


def defines(src, names):
    text = open(src).read()
    out = {}
    for n in names:
        m = re.search(r'^#define %s (\d+)' % n, text, re.M)
        if not m:
            raise SystemExit('%s: no #define %s' % (src, n))
        out[n] = int(m.group(1))
    return out


# The workloads' kmap/kunmap sequences (from their main()), as
# ('kmap'|'kunmap', page) events; pages are numbered in allocation order.

def pagecache_read(src):
    d = defines(src, ['FILE_PAGES', 'PASSES'])
    ev = []
    for i in range(d['FILE_PAGES']):  # fill the file
        ev += [('kmap', i), ('kunmap', i)]
    rng = [12345]

    def next_rand():
        rng[0] = (rng[0] * 1103515245 + 12345) & 0xffffffff
        return rng[0] >> 8
    for _ in range(d['PASSES']):
        for i in range(d['FILE_PAGES']):
            ev += [('kmap', i), ('kunmap', i)]
            if next_rand() % 8 == 0:
                j = next_rand() % d['FILE_PAGES']
                ev += [('kmap', j), ('kunmap', j)]
    return ev


def longheld_kmaps(src):
    d = defines(src, ['HELD', 'OTHERS', 'ROUNDS'])
    held = list(range(d['HELD']))
    others = [d['HELD'] + i for i in range(d['OTHERS'])]
    ev = [('kmap', p) for p in held]
    for _ in range(d['ROUNDS']):
        for p in others:
            ev += [('kmap', p), ('kunmap', p)]
    ev += [('kunmap', p) for p in held]
    return ev


def expected_rows(events, atomic=0):
    """{policy: {column: value}} for a workload with these kmap/kunmap events
    (all on distinct highmem pages) and `atomic` kmap_atomic calls of
    highmem pages that never have a pkmap address."""
    kmaps = sum(1 for e in events if e[0] == 'kmap')
    rows = {}
    for policy in ('linux', 'eager', 'flushall:32'):
        pk = Pkmap(eager=policy == 'eager')
        for op, page in events:
            getattr(pk, op)(page)
        page_fl = pk.page_flushes + atomic
        rng = pk.range_flushes
        r = {'kmaps': kmaps + atomic, 'pkmap_wraps': pk.wraps, 'flush_page': page_fl,
             'flush_range': rng, 'flush_all': 0, 'pages_invalidated': page_fl + LAST_PKMAP * rng}
        if policy == 'flushall:32':  # 512 > 32: every wrap's range flush is a flush_tlb_all
            r.update(flush_range=0, flush_all=rng, pages_invalidated=page_fl)
        rows[policy] = r
    # local: kmap is kmap_local_page: one flush at map and one at unmap.
    rows['local'] = {'kmaps': kmaps + atomic, 'pkmap_wraps': 0, 'flush_page': 2 * kmaps + atomic,
                     'flush_range': 0, 'flush_all': 0, 'pages_invalidated': 2 * kmaps + atomic}
    rows['nohighmem'] = {'kmaps': kmaps + atomic, 'pkmap_wraps': 0, 'flush_page': 0,
                         'flush_range': 0, 'flush_all': 0, 'pages_invalidated': 0}
    return rows


def main():
    kmaplab, compare, guest_dir, src_dir = sys.argv[1:5]
    src = lambda n: os.path.join(src_dir, n + '.c')
    ch = defines(src('copy_highpage'), ['PAIRS', 'ROUNDS'])
    want = {
        'pagecache_read': expected_rows(pagecache_read(src('pagecache_read'))),
        'longheld_kmaps': expected_rows(longheld_kmaps(src('longheld_kmaps'))),
        # fill PAIRS sources, ROUNDS x PAIRS copies of two kmap_atomic each,
        # check PAIRS destinations; no page is ever kmapped.
        'copy_highpage': expected_rows([], atomic=ch['PAIRS'] * (1 + 2 * ch['ROUNDS'] + 1)),
    }
    # bounce_ioremap: TRANSFERS early_ioremap/early_iounmap pairs of REGION
    # bytes.  ARM's __set_fixmap (arch/arm/mm/mmu.c, v5.10) sets or clears
    # one PTE and calls local_flush_tlb_kernel_range over that one page, for
    # every page mapped and every page unmapped; no policy changes the
    # fixmap calls, and a one-page range stays a range under flushall:32.
    text = open(src('bounce_ioremap')).read()
    m = re.search(r'^#define REGION \((\d+)u << (\d+)\)', text, re.M)
    pages = (int(m.group(1)) << int(m.group(2))) // 4096
    ranges = 2 * defines(src('bounce_ioremap'), ['TRANSFERS'])['TRANSFERS'] * pages
    want['bounce_ioremap'] = {pol: {'kmaps': 0, 'pkmap_wraps': 0, 'flush_page': 0, 'flush_range': ranges,
                                    'flush_all': 0, 'pages_invalidated': ranges}
                              for pol in ('linux', 'eager', 'local', 'nohighmem', 'flushall:32')}
    # local cannot hold longheld_kmaps' HELD kmaps at once: it stops with a
    # kernel BUG (exit 73) once the kmap_local stack is full.  Every kmap
    # before the failing one flushed once at map and none was unmapped.
    want['longheld_kmaps']['local'] = None

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'out')
        p = subprocess.run([sys.executable, compare, '--kmaplab', kmaplab, '--guest-dir', guest_dir,
                            '--out', out, '--policies', 'linux,eager,local,nohighmem,flushall:32',
                            # One CPU: the model below is the single-CPU kernel's
                            # (with --cpus 4, eager's flush is a range flush).
                            '--cpus', '1', '-j', '2'] + sorted(want), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        check(p.returncode == 0, 'compare exit status %d (0: every failure is a policy limit)%s'
              % (p.returncode, '' if p.returncode == 0 else '\n' + p.stderr))
        with open(os.path.join(out, 'table.csv'), newline='') as f:
            rows = list(csv.DictReader(f))
    seen = set()
    for r in rows:
        g, pol = r['guest'], r['policy']
        seen.add((g, pol))
        w = want.get(g, {}).get(pol, 'missing')
        if w == 'missing':
            check(False, 'unexpected row %s %s' % (g, pol))
            continue
        if w is None:
            # compare's result: 'stopped by the policy: exit 73: kernel BUG: ...'
            check(r['result'].startswith('stopped by the policy: exit 73: kernel BUG'),
                  '%s %s: stopped by a kernel BUG (%s)'
                  % (g, pol, r['result']))
            check(int(r['kmaps']) == int(r['flush_page']) + 1 and r['pkmap_wraps'] == '0'
                  and r['flush_range'] == '0', '%s %s: one page flush per kmap before the failing one'
                  % (g, pol))
            continue
        check(r['result'] == 'ok', '%s %s: result ok (%s)' % (g, pol, r['result']))
        for col, v in w.items():
            check(r[col] == str(v), '%s %s: %s = %s (table: %s)' % (g, pol, col, v, r[col]))
    for g in want:
        for pol in want[g]:
            check((g, pol) in seen, 'a row for %s %s' % (g, pol))
    print('%d failure(s)' % len(failures) if failures else 'ok')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
