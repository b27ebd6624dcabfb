#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs guest-tests/policy_kmap.c under one mapping policy and checks it.

usage: policy_test.py --kmaplab K --guest G.elf --guest-2g2g G2.elf
                      --plugin-dir DIR CASE

The guest checks its own data (exit 1 on a wrong word) and prints where each
mapping lay (pkmap, fixmap, lowmem).  This script works out from each
policy's RULE, on the same sequence of calls the guest makes, how many
flushes of each kind the policy must issue and where its mappings lie, and
compares that with the stats file and the guest's output; every built-in
policy must also run with no stale-translation hazard.  The models below are
written from the rules in docs/policies.md and the kernel's algorithm
(mm/highmem.c, v5.x), not from plugins/*.c:

  linux       kmap_high/map_new_virtual: last_pkmap_nr = (last + 1) & 511;
              on 0 (the wrap) flush_all_zero_pkmaps clears every slot at
              count 1 and, if it cleared any, flushes the whole window (one
              flush_tlb_kernel_range of 512 pages); take the slot if its
              count is 0.  kunmap leaves count 1 (n + 1 while n users).
              kmap_atomic/kmap_local_page of a page that has a pkmap address
              take a reference there (kmap_high_get); otherwise a fixmap
              stack slot with one local flush at map (kmap_atomic) or at map
              and at unmap (kmap_local_page).
  eager       linux, but kunmap dropping to no users (count 1) frees the slot
              at once with one local_flush_tlb_kernel_page.
  flushall:N  linux, but a range flush of more than N pages is one
              flush_tlb_all.
  local       every kmap as kmap_local_page: fixmap, one local flush at map
              and one at unmap; pkmap is never used.
  nohighmem   no highmem: every map is page_address; nothing is flushed.
  example     (plugins/example/example_policy.c) lowest free pkmap slot, one
              local flush when a slot's last user unmaps; kmap_atomic and
              kmap_local_page are kmap.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

LAST_PKMAP = 512
N, M = 1100, 600  # the guest's defaults, passed explicitly


def guest_calls(n, m):
    """The guest's calls, in order: (call, page index)."""
    ops = []
    for _ in range(2):  # phases 1 and 2
        for i in range(n):
            ops += [('kmap', i), ('kunmap', i)]
    ops += [('kmap', 0), ('kmap', 1), ('kmap', 0), ('kunmap', 0), ('kunmap', 1), ('kunmap', 0)]
    ops += [('kmap', 0)]
    for j in range(m):
        i = 1 + j % (n - 1)
        ops += [('kmap', i), ('kunmap', i)]
    ops += [('kunmap', 0)]
    for i in range(8):
        ops += [('kmap_atomic', i), ('kunmap_atomic', i)]
    ops += [('kmap_local', 0), ('kmap_local', 1), ('kunmap_local', 1), ('kunmap_local', 0)]
    return ops


class Model:
    """Counts what a policy's rule costs.  `where[api]` counts the windows
    the maps returned, as the guest prints them."""

    def __init__(self):
        self.local = 0         # local_flush_tlb_kernel_page calls
        self.range_calls = 0   # flush_tlb_kernel_range calls
        self.range_pages = 0
        self.all = 0           # flush_tlb_all calls
        self.wraps = 0         # flush_all_zero_pkmaps calls
        self.where = {api: {'pkmap': 0, 'fixmap': 0, 'lowmem': 0}
                      for api in ('kmap', 'kmap_atomic', 'kmap_local_page')}
        self.handle = {}       # page -> what its atomic/local map returned

    def run(self, ops):
        for call, page in ops:
            getattr(self, call)(page)
        return self


class Pkmap(Model):
    """linux, eager and flushall:N."""

    def __init__(self, eager=False, flushall=None):
        super().__init__()
        self.eager, self.flushall = eager, flushall
        self.count = [0] * LAST_PKMAP
        self.slot = {}         # page -> pkmap slot (its page_address)
        self.last = 0

    def flush_window(self):
        if self.flushall is not None and LAST_PKMAP > self.flushall:
            self.all += 1
        else:
            self.range_calls += 1
            self.range_pages += LAST_PKMAP

    def flush_all_zero_pkmaps(self):
        self.wraps += 1
        zero = [s for s in range(LAST_PKMAP) if self.count[s] == 1]
        for s in zero:
            self.count[s] = 0
        self.slot = {p: s for p, s in self.slot.items() if s not in zero}
        if zero:
            self.flush_window()

    def map_new_virtual(self, page):
        left = LAST_PKMAP
        while True:
            self.last = (self.last + 1) % LAST_PKMAP
            if self.last == 0:
                self.flush_all_zero_pkmaps()
                left = LAST_PKMAP
            if self.count[self.last] == 0:
                break
            left -= 1
            assert left, 'the model would sleep: the guest holds too many kmaps'
        self.count[self.last] = 1
        self.slot[page] = self.last

    def kmap(self, page):
        if page not in self.slot:
            self.map_new_virtual(page)
        self.count[self.slot[page]] += 1
        self.where['kmap']['pkmap'] += 1

    def kunmap(self, page):
        s = self.slot[page]
        self.count[s] -= 1
        if self.eager and self.count[s] == 1:
            self.count[s] = 0
            del self.slot[page]
            self.local += 1

    def kmap_high_get_or_fixmap(self, page, api):
        if page in self.slot:
            self.count[self.slot[page]] += 1
            self.handle[page] = 'pkmap'
        else:
            self.local += 1  # set_fixmap_pte / arch_kmap_local_post_map
            self.handle[page] = 'fixmap'
        self.where[api][self.handle[page]] += 1

    def kmap_atomic(self, page):
        self.kmap_high_get_or_fixmap(page, 'kmap_atomic')

    def kunmap_atomic(self, page):
        if self.handle.pop(page) == 'pkmap':
            self.kunmap(page)
        # fixmap: the PTE stays, no flush (no DEBUG_HIGHMEM)

    def kmap_local(self, page):
        self.kmap_high_get_or_fixmap(page, 'kmap_local_page')

    def kunmap_local(self, page):
        if self.handle.pop(page) == 'pkmap':
            self.kunmap(page)
        else:
            self.local += 1  # arch_kmap_local_post_unmap


class Local(Model):
    def _map(self, api):
        self.local += 1
        self.where[api]['fixmap'] += 1

    def _unmap(self):
        self.local += 1

    def kmap(self, page):
        self._map('kmap')

    def kunmap(self, page):
        self._unmap()

    def kmap_atomic(self, page):
        self.local += 1
        self.where['kmap_atomic']['fixmap'] += 1

    def kunmap_atomic(self, page):
        pass

    def kmap_local(self, page):
        self._map('kmap_local_page')

    def kunmap_local(self, page):
        self._unmap()


class NoHighmem(Model):
    def kmap(self, page):
        self.where['kmap']['lowmem'] += 1

    def kmap_atomic(self, page):
        self.where['kmap_atomic']['lowmem'] += 1

    def kmap_local(self, page):
        self.where['kmap_local_page']['lowmem'] += 1

    def kunmap(self, page):
        pass

    kunmap_atomic = kunmap_local = kunmap


class Example(Model):
    def __init__(self):
        super().__init__()
        self.users = [0] * LAST_PKMAP
        self.slot = {}

    def _map(self, page, api):
        if page not in self.slot:
            self.slot[page] = self.users.index(0)
        self.users[self.slot[page]] += 1
        self.where[api]['pkmap'] += 1

    def kmap(self, page):
        self._map(page, 'kmap')

    def kunmap(self, page):
        s = self.slot[page]
        self.users[s] -= 1
        if not self.users[s]:
            del self.slot[page]
            self.local += 1

    def kmap_atomic(self, page):
        self._map(page, 'kmap_atomic')

    def kmap_local(self, page):
        self._map(page, 'kmap_local_page')

    kunmap_atomic = kunmap_local = kunmap


# ---------------------------------------------------------------------------

results = []


def check(ok, what):
    results.append(bool(ok))
    print(('ok   ' if ok else 'FAIL ') + what)


def run(kmaplab, run_args):
    with tempfile.TemporaryDirectory(prefix='kmaplab-policy-') as tmp:
        stats_path = os.path.join(tmp, 'stats.json')
        cmd = [kmaplab, 'run', '--stats', stats_path] + run_args
        print('$ ' + ' '.join(cmd))
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=600)
        sys.stdout.write(''.join('  | ' + l + '\n' for l in p.stdout.splitlines()[:40]))
        sys.stdout.write(''.join('  ! ' + l + '\n' for l in p.stderr.splitlines()[:10]))
        check(p.returncode >= 0, 'not killed by a signal (status %d)' % p.returncode)
        try:
            with open(stats_path) as f:
                stats = json.load(f)
        except (OSError, ValueError) as e:
            check(False, 'stats file is valid JSON (%s)' % e)
            stats = None
        return p, stats


def check_status(p, status):
    check(p.returncode == status, 'exit status %d == %d' % (p.returncode, status))


def check_against_model(kmaplab, run_args, model, expect_high):
    p, stats = run(kmaplab, run_args)
    check_status(p, 0)
    check(p.stderr == '', 'nothing on stderr')
    check(re.search(r'^pages: %d \(%d in highmem\)$' % (N, N if expect_high else 0), p.stdout, re.M),
          'the guest got %s pages' % ('highmem' if expect_high else 'only lowmem'))
    check(re.search(r'^data: 0 wrong words$', p.stdout, re.M), 'the guest read back all its data')
    for api, w in model.where.items():
        line = '%s: %d pkmap, %d fixmap, %d lowmem, 0 other' % (api, w['pkmap'], w['fixmap'], w['lowmem'])
        check(re.search('^' + re.escape(line) + '$', p.stdout, re.M), 'guest prints "%s"' % line)
    if stats is None:
        return
    f = stats['flush']
    want = [
        ('flush.local_flush_tlb_kernel_page.calls', f['local_flush_tlb_kernel_page']['calls'], model.local),
        ('flush.flush_tlb_kernel_range.calls', f['flush_tlb_kernel_range']['calls'], model.range_calls),
        ('flush.flush_tlb_kernel_range.pages', f['flush_tlb_kernel_range']['pages'], model.range_pages),
        ('flush.flush_tlb_all.calls', f['flush_tlb_all']['calls'], model.all),
        ('kmap.flush_all_zero_pkmaps', stats['kmap']['flush_all_zero_pkmaps'], model.wraps),
        ('kmap.kmap', stats['kmap']['kmap'], 2 * N + 4 + M),
        ('kmap.kmap_atomic', stats['kmap']['kmap_atomic'], 8),
        ('kmap.kmap_local', stats['kmap']['kmap_local'], 2),
        ('hazards.stale_tlb.architectural', stats['hazards']['stale_tlb']['architectural'], 0),
        ('hazards.stale_tlb.observed', stats['hazards']['stale_tlb']['observed'], 0),
        ('hazards.barrier', stats['hazards']['barrier'], 0),
        ('hazards.pte_not_cleaned', stats['hazards']['pte_not_cleaned'], 0),
        ('guest.exit_code', stats['guest']['exit_code'], 0),
    ]
    for key, got, exp in want:
        check(got == exp, 'stats %s = %s (got %s)' % (key, exp, got))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kmaplab', required=True)
    ap.add_argument('--guest', required=True)
    ap.add_argument('--guest-2g2g', required=True)
    ap.add_argument('--plugin-dir', required=True)
    ap.add_argument('case')
    a = ap.parse_args()
    so = lambda name: os.path.join(a.plugin_dir, name + '.so')
    ops = guest_calls(N, M)
    args = [a.guest, str(N), str(M)]
    case = a.case

    if case == 'linux':
        check_against_model(a.kmaplab, ['--policy', 'linux'] + args, Pkmap().run(ops), True)
    elif case == 'eager':
        m = Pkmap(eager=True).run(ops)
        check(m.range_calls == 0 and m.all == 0, 'model: eager never flushes on a wrap')
        check_against_model(a.kmaplab, ['--policy', 'eager'] + args, m, True)
    elif case == 'local':
        check_against_model(a.kmaplab, ['--policy', 'local'] + args, Local().run(ops), True)
    elif case == 'flushall-32':
        m = Pkmap(flushall=32).run(ops)
        check(m.all > 0 and m.range_calls == 0, 'model: every wrap is a flush_tlb_all')
        check_against_model(a.kmaplab, ['--policy', 'flushall:32'] + args, m, True)
    elif case == 'flushall-n':
        # The option form, at the threshold: a 512-page range is not MORE
        # than 512 pages, so it stays a range flush (linux's counts); 511
        # turns it into flush_tlb_all.
        m = Pkmap(flushall=512).run(ops)
        check(m.range_calls > 0 and m.all == 0, 'model: n=512 keeps range flushes')
        check_against_model(a.kmaplab, ['--policy', 'flushall,n=512'] + args, m, True)
        check_against_model(a.kmaplab, ['--policy', 'flushall:511,km_type_nr=16'] + args,
                            Pkmap(flushall=511).run(ops), True)
    elif case == 'nohighmem':
        # All RAM in lowmem: the 2G/2G split (guest built for it) ...
        m = NoHighmem().run(ops)
        check_against_model(a.kmaplab, ['--policy', 'nohighmem', '--split', '2G/2G',
                                        a.guest_2g2g, str(N), str(M)], m, False)
        # ... or 3G/1G with no more RAM than lowmem.
        check_against_model(a.kmaplab, ['--policy', 'nohighmem', '--ram', '768M'] + args, m, False)
    elif case == 'nohighmem-refused':
        p, stats = run(a.kmaplab, ['--policy', 'nohighmem'] + args)
        check_status(p, 64)
        check(len(p.stderr.splitlines()) == 1, 'one line on stderr')
        check(re.search(r'^kmaplab: --policy nohighmem: policy nohighmem needs all RAM in lowmem, but 256 MiB of the 1024 MiB are highmem .*--ram 768M.*--split 2G/2G', p.stderr),
              'stderr says why and what to run instead')
        check(p.stdout == '', 'the guest did not run')
    elif case == 'example':
        m = Example().run(ops)
        check(m.local == 2 * N + 2 + (M + 1) + 8 + 2, 'model: one flush per last unmap')
        check_against_model(a.kmaplab, ['--policy', so('example_policy') + ',slots=16'] + args, m, True)
    elif case == 'broken':
        # A few pages are enough: every access through a reused slot is stale.
        p, stats = run(a.kmaplab, ['--policy', so('broken_policy'), a.guest, '16', '8', 'nocheck'])
        check_status(p, 0)
        if stats:
            arch = stats['hazards']['stale_tlb']['architectural']
            check(arch > 0, 'stats hazards.stale_tlb.architectural > 0 (got %s)' % arch)
            check(stats['flush']['local_flush_tlb_kernel_page']['calls'] == 0, 'the broken policy never flushed')
        # First fit: kmap #2 reuses slot 0 (PKMAP_BASE 0xbfe00000) for P1
        # while the TLB may still map it to P0.
        check(re.search(r'^kmaplab: hazard: stale TLB entry on cpu0 at (fill|main)[.a-z0-9]*\+0x[0-9a-f]+ \(0xc00[0-9a-f]+\): '
                        r'VA 0xbfe00[0-9a-f]{3} -> physical (0x[0-9a-f]+) \(descriptor 0x[0-9a-f]{8}\) may still be in the TLB, '
                        r'(?!\2)0x[0-9a-f]+ \(descriptor 0x[0-9a-f]{8}\) in the page tables: different page; '
                        r'the old translation was made valid by the kernel.s set_pte_at in the call at [a-z_]+[.a-z0-9]*\+0x[0-9a-f]+ \(0xc00[0-9a-f]+\) '
                        r'and no invalidate covered it since \(local_flush_tlb_kernel_page\(0xbfe00000\) ',
                        p.stderr, re.M),
              'stderr reports a stale entry of pkmap slot 0 with both pages and where it became valid')
        # Without flooding: the default workload hits thousands of stale
        # accesses at many (PC, VA) sites, yet stderr holds at most
        # --max-reports lines and one summary.
        p, stats = run(a.kmaplab, ['--max-reports', '5', '--policy', so('broken_policy'), a.guest, '600', '300', 'nocheck'])
        check_status(p, 0)
        lines = p.stderr.splitlines()
        check(len(lines) == 6, '5 hazard lines and a summary (got %d lines)' % len(lines))
        check(len(p.stderr) < 8192, 'stderr stays small (%d bytes)' % len(p.stderr))
        if stats and lines:
            h = stats['hazards']
            check(h['sites'] > 5, 'more than 5 distinct sites (%d)' % h['sites'])
            check(re.search(r'^kmaplab: hazards: %d stale_tlb \(architectural; the modelled TLB served %d stale\), %d barrier, 0 pte_not_cleaned, at %d distinct \(cpu, pc, page\) sites; 5 printed; %d more not printed \(--max-reports 5\)'
                            % (h['stale_tlb']['architectural'], h['stale_tlb']['observed'], h['barrier'], h['sites'], h['sites'] - 5),
                            lines[-1]), 'the summary line adds up: ' + lines[-1])
    elif case == 'abi-mismatch':
        path = so('abi_mismatch_policy')
        p, stats = run(a.kmaplab, ['--policy', path] + args)
        check_status(p, 64)
        check(len(p.stderr.splitlines()) == 1, 'one line on stderr')
        check(re.search(r'^kmaplab: --policy %s: %s was built for plugin ABI version 2, this kmaplab has version 1: rebuild it'
                        % (re.escape(path), re.escape(path)), p.stderr),
              'stderr names both ABI versions')
        check(p.stdout == '', 'the guest did not run')
        check(stats is not None and stats['kmap']['warnings'] == 0, 'its install was never called')
    elif case == 'unknown':
        p, stats = run(a.kmaplab, ['--policy', 'nosuch'] + args)
        check_status(p, 64)
        check(len(p.stderr.splitlines()) == 1, 'one line on stderr')
        check(re.search(r"^kmaplab: --policy nosuch: unknown --policy 'nosuch' \(built in: linux eager local nohighmem flushall:N eager-local; or a path to a \.so\)$",
                        p.stderr), 'stderr lists the built-in policies')
        p, stats = run(a.kmaplab, ['--policy', 'flushall:many'] + args)
        check_status(p, 64)
        check(re.search(r"^kmaplab: --policy flushall:many: flushall: bad option 'n=many'", p.stderr),
              'flushall:N with a bad N is refused')
        p, stats = run(a.kmaplab, ['--policy', so('example_policy') + ',slots=0'] + args)
        check_status(p, 64)
        check(re.search(r"^kmaplab: --policy .*example_policy\.so,slots=0: example: bad option 'slots=0' \(slots=1\.\.512\)$",
                        p.stderr, re.M), "a plugin's refusal is its own words")
    elif case == 'local-unordered':
        # local: kunmap must undo the innermost kmap first, like kunmap_local.
        p, stats = run(a.kmaplab, ['--policy', 'local', a.guest, str(N), str(M), 'unordered'])
        check_status(p, 73)
        check(re.search(r'^kunmap out of order$', p.stdout, re.M) and 'done' not in p.stdout,
              'stopped at the out-of-order kunmap')
        check(re.search(r'^kmaplab: kernel BUG: kunmap\(page 0x[0-9a-f]+, pfn 0x[0-9a-f]+\): the innermost kmap\(\) '
                        r'\(0x[0-9a-f]+, fixmap slot 2\) maps pfn 0x[0-9a-f]+: policy local needs kunmap\(\) in reverse order '
                        r'of kmap\(\), like kunmap_local\(\) \[in kunmap\(page 0x[0-9a-f]+\) called at main\+0x[0-9a-f]+, policy local\]$',
                        p.stderr, re.M), 'the BUG says what local needs')
        # linux takes the same calls in any order.
        p, stats = run(a.kmaplab, ['--policy', 'linux', a.guest, str(N), str(M), 'unordered'])
        check_status(p, 0)
        check(re.search(r'^done$', p.stdout, re.M), 'linux: out-of-order kunmap is fine')
    else:
        sys.exit('unknown case ' + case)

    failed = results.count(False)
    print('%d passed, %d failed' % (len(results) - failed, failed))
    sys.exit(1 if failed or not results else 0)


if __name__ == '__main__':
    main()
