#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--trace on the AArch64 machine (docs/trace.md, version 3; docs/aarch64.md).

Record counts are worked out from the guests' calls:
  bounce_ioremap-a64  48 early_ioremap()s of 64 KiB (16 pages, FIXMAP_PAGE_IO:
                      16 __set_fixmap sets, no flush on set) and 48
                      early_iounmap()s (16 clears, each a one-page
                      flush_tlb_kernel_range, arm64 __set_fixmap v5.10)
  a64_tlbi-a64        guest TLBI VAALE1IS, VAE1IS, ASIDE1, VALE1 each followed
                      by DSB and ISB; the entries each removes are worked out
                      in guest-tests/a64_tlbi.c (1, 2, 0, 1 on the A53)
  a64_textpoke-a64    two aarch64_insn_patch_text_nosync calls, the first
                      misaligned (-EINVAL, nothing mapped); the second maps the
                      page at FIX_TEXT_POKE0 (no flush), clears it (one page)
  a64_pgtable-a64     two __create_pgd_mapping calls, 10 FIX_PGD/PMD/PTE
                      set/clear pairs (guest-tests/a64_pgtable.c works them out)
  pagecache_read-a64  kmap = page_address: 6722 kmap/kunmap pairs, 1536
                      alloc_page (tests/meson.build, a64-pagecache-read); each
                      kmap's VA is the linear-map address of its pfn and its
                      page the vmemmap entry of that pfn (arm64 v5.10 memory.h)
Also: two runs give byte-identical traces, a FIFO gets the same bytes as a
file, --trace-max-bytes keeps the file under the limit with its end record.

usage: trace_a64.py KMAPLAB BOUNCE_IOREMAP_A64_ELF A64_TLBI_ELF A64_TEXTPOKE_ELF A64_PGTABLE_ELF
                    PAGECACHE_READ_A64_ELF"""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import threading

failed = 0

# arm64 v5.10, VA_BITS 39 (docs/aarch64.md): FIXADDR_TOP and enum fixed_addresses.
FIXADDR_TOP = 0xfffffffefea00000
FIX_TEXT_POKE0 = 1026
FIX_BTMAP_BEGIN = 1480
FIX_PTE, FIX_PGD = 1481, 1484
PAGE_OFFSET = 0xffffff8000000000
VMEMMAP_START = 0xfffffffeffe00000
PHYS_OFFSET = 0x40000000


def fix_to_virt(idx):
    return FIXADDR_TOP - (idx << 12)


def check(ok, what):
    global failed
    print(('ok   ' if ok else 'FAIL ') + what)
    if not ok:
        failed += 1


def run(kmaplab, tmp, args, name='run.kmt'):
    trace = os.path.join(tmp, name)
    stats = os.path.join(tmp, name + '.json')
    p = subprocess.run([kmaplab, 'run', '--trace', trace, '--stats', stats] + args,
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    st = json.load(open(stats)) if os.path.exists(stats) else {}
    return p, trace, st


def rows(kmaplab, trace):
    c = subprocess.run([kmaplab, 'trace', trace], capture_output=True, text=True)
    check(c.returncode == 0, 'kmaplab trace exits 0 (%d %s)' % (c.returncode, c.stderr.strip()))
    return list(csv.DictReader(io.StringIO(c.stdout)))


def bounce(kmaplab, guest, tmp):
    transfers, pages = 48, (64 << 10) >> 12
    p, trace, st = run(kmaplab, tmp, [guest])
    check(p.returncode == 0, 'bounce_ioremap-a64 exits 0 (%d %s)' % (p.returncode, p.stderr.strip()))
    data = open(trace, 'rb').read()
    check(data[:8] == b'\x89KMTRACE' and data[8:10] == b'\x03\x00', 'format version 3: %r' % data[8:10])
    r = rows(kmaplab, trace)
    count = {}
    for row in r:
        count[(row['kind'], row['op'])] = count.get((row['kind'], row['op']), 0) + 1
    want = {('kmap', 'early_ioremap'): transfers, ('kmap', 'early_iounmap'): transfers,
            ('kmap', 'set_fixmap_io'): transfers * pages, ('kmap', 'clear_fixmap'): transfers * pages,
            ('flush', 'flush_tlb_kernel_range'): transfers * pages}
    check(count == want, 'records per kind and op %s, want %s' % (count, want))
    flushes = [x for x in r if x['kind'] == 'flush']
    check(all(x['pages'] == '1' and x['cause'] == 'early_iounmap' for x in flushes),
          'every flush is one page, in early_iounmap')
    # early_ioremap's first slot: FIX_BTMAP_BEGIN down, one index per page.
    first = [x for x in r if x['op'] == 'set_fixmap_io'][:pages]
    check([int(x['slot']) for x in first] == [FIX_BTMAP_BEGIN - i for i in range(pages)],
          'set_fixmap_io slots FIX_BTMAP_BEGIN..-15')
    check([int(x['va'], 16) for x in first] == [fix_to_virt(FIX_BTMAP_BEGIN - i) for i in range(pages)],
          'set_fixmap_io VAs are fix_to_virt of the slots')
    check(all(x['symbol'].startswith('main+') for x in r), 'every record at main+...')
    t = st.get('trace', {})
    check(t.get('events') == len(r) and t.get('flush') == transfers * pages and t.get('tlbi') == 0,
          'stats trace.*: %s' % t)
    check(st['flush']['flush_tlb_kernel_range']['calls'] == len(flushes), 'stats agree on the flushes')
    # Chrome: every record is an event.
    c = subprocess.run([kmaplab, 'trace', trace, '--format', 'chrome'], capture_output=True, text=True)
    ev = [e for e in json.loads(c.stdout)['traceEvents'] if e.get('ph') == 'X']
    check(len(ev) == len(r), 'chrome: %d complete events' % len(ev))
    # Byte-identical rerun, from another directory and name.
    sub = os.path.join(tmp, 'again')
    os.mkdir(sub)
    p2, trace2, _ = run(kmaplab, sub, [guest], 'other.kmt')
    check(p2.returncode == 0 and open(trace2, 'rb').read() == data, 'a rerun gives the same bytes')
    # A FIFO gets the same bytes as the file.
    fifo = os.path.join(tmp, 'fifo')
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, 'rb').read()))
    reader.start()
    f = subprocess.run([kmaplab, 'run', '--trace', fifo, guest], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    reader.join(60)
    check(f.returncode == 0 and bool(got) and got[0] == data, 'the FIFO got the same bytes')
    # --trace-max-bytes: under the limit, complete, says it stopped.
    limit = 4096
    p3, trace3, st3 = run(kmaplab, tmp, ['--trace-max-bytes', str(limit), guest], 'small.kmt')
    size = os.path.getsize(trace3)
    check(p3.returncode == 0 and size <= limit, '--trace-max-bytes %d: %d bytes' % (limit, size))
    check(st3.get('trace', {}).get('truncated') is True and st3['trace']['not_recorded'] > 0,
          'stats: truncated, events not recorded: %s' % st3.get('trace'))
    r3 = rows(kmaplab, trace3)
    check(0 < len(r3) < len(r) and [x['op'] for x in r3] == [x['op'] for x in r[:len(r3)]],
          'a prefix of the whole trace (%d events)' % len(r3))


def tlbi(kmaplab, guest, tmp):
    p, trace, st = run(kmaplab, tmp, [guest], 'tlbi.kmt')
    check(p.returncode == 0, 'a64_tlbi-a64 exits 0 (%d %s)' % (p.returncode, p.stderr.strip()))
    r = [x for x in rows(kmaplab, trace) if x['kind'] == 'tlbi']
    want = []
    for op, inv, by_va in (('VAALE1IS', 1, True), ('VAE1IS', 2, True), ('ASIDE1', 0, False), ('VALE1', 1, True)):
        want += [(op, inv, by_va), ('DSB', 0, False), ('ISB', 0, False)]
    got = [(x['op'], int(x['invalidated']), x['start'] != '') for x in r]
    check(got == want, 'tlbi records %s' % got)
    poke = fix_to_virt(FIX_TEXT_POKE0)
    va_rows = [x for x in r if x['start']]
    check(all(int(x['start'], 16) == poke and int(x['end'], 16) == poke + 4096 for x in va_rows),
          'by-VA TLBIs name FIX_TEXT_POKE0 (0x%x)' % poke)
    asid = [x for x in r if x['op'] == 'ASIDE1']
    check(bool(asid) and int(asid[0]['arg'], 16) == 5 << 48, 'ASIDE1 operand: ASID 5 in Xt[63:48]')
    check(all(x['cause'] == 'guest_insn' for x in r), 'cause guest_insn')
    # cycles: the profile's TLBI and barrier costs sum to the stats'.
    check(sum(int(x['cycles']) for x in r if x['op'] not in ('DSB', 'ISB')) == st['flush']['tlbi']['cycles'],
          'tlbi cycles add up to flush.tlbi.cycles')
    check(sum(int(x['cycles']) for x in r if x['op'] in ('DSB', 'ISB')) == st['barriers']['cycles'],
          'barrier cycles add up to barriers.cycles')
    c = subprocess.run([kmaplab, 'trace', trace, '--ops', 'VAE1IS', '--count'], capture_output=True, text=True)
    check('tlbi.VAE1IS=1' in c.stdout.split(), '--ops VAE1IS: %s' % c.stdout.split())


def textpoke(kmaplab, guest, tmp):
    p, trace, _ = run(kmaplab, tmp, [guest], 'poke.kmt')
    check(p.returncode == 0, 'a64_textpoke-a64 exits 0 (%d %s)' % (p.returncode, p.stderr.strip()))
    r = [(x['kind'], x['op'], x['cause'], x['slot']) for x in rows(kmaplab, trace)]
    want = [('kmap', 'aarch64_insn_patch_text_nosync', '', ''),
            ('kmap', 'set_fixmap', '', str(FIX_TEXT_POKE0)),
            ('flush', 'flush_tlb_kernel_range', 'text_poke', ''),
            ('kmap', 'clear_fixmap', '', str(FIX_TEXT_POKE0)),
            ('kmap', 'aarch64_insn_patch_text_nosync', '', '')]
    check([x for x in r if x[0] != 'tlbi'] == want, 'text poke records %s' % r)


def pgtable(kmaplab, guest, tmp):
    p, trace, _ = run(kmaplab, tmp, [guest], 'pgd.kmt')
    check(p.returncode == 0, 'a64_pgtable-a64 exits 0 (%d %s)' % (p.returncode, p.stderr.strip()))
    r = rows(kmaplab, trace)
    sets = [x for x in r if x['op'] == 'set_fixmap' and FIX_PTE <= int(x['slot']) <= FIX_PGD]
    clears = [x for x in r if x['op'] == 'clear_fixmap' and FIX_PTE <= int(x['slot']) <= FIX_PGD]
    flushes = [x for x in r if x['kind'] == 'flush']
    calls = [x for x in r if x['op'] == '__create_pgd_mapping']
    check(len(sets) == 10 and len(clears) == 10, '10 FIX_PGD/PMD/PTE sets and clears (%d, %d)' % (len(sets), len(clears)))
    check(len(flushes) == 10 and all(x['cause'] == 'create_pgd_mapping' and x['pages'] == '1' for x in flushes),
          '10 one-page flushes in __create_pgd_mapping')
    check(len(calls) == 2, 'two __create_pgd_mapping records (%d)' % len(calls))


def kmaps(kmaplab, guest, tmp):
    p, trace, _ = run(kmaplab, tmp, [guest], 'pc.kmt')
    check(p.returncode == 0, 'pagecache_read-a64 exits 0 (%d %s)' % (p.returncode, p.stderr.strip()))
    r = rows(kmaplab, trace)
    count = {}
    for x in r:
        count[x['op']] = count.get(x['op'], 0) + 1
    check(count == {'kmap': 6722, 'kunmap': 6722, 'alloc_page': 1536}, 'records per op %s' % count)
    km = [x for x in r if x['op'] == 'kmap']
    bad = [x for x in km if int(x['va'], 16) != PAGE_OFFSET + (int(x['pfn']) << 12) - PHYS_OFFSET
           or int(x['page'], 16) != VMEMMAP_START + (int(x['pfn']) - (PHYS_OFFSET >> 12)) * 64]
    check(not bad, 'every kmap is page_address of its pfn, its page in vmemmap (%d bad)' % len(bad))
    check(all(x['kind'] != 'flush' for x in r), 'no flush')


def main():
    kmaplab, bounce_elf, tlbi_elf, poke_elf, pgtable_elf, pc_elf = sys.argv[1:7]
    with tempfile.TemporaryDirectory(prefix='kmaplab-trace-a64-') as tmp:
        bounce(kmaplab, bounce_elf, tmp)
        tlbi(kmaplab, tlbi_elf, tmp)
        textpoke(kmaplab, poke_elf, tmp)
        pgtable(kmaplab, pgtable_elf, tmp)
        kmaps(kmaplab, pc_elf, tmp)
    print('%s' % ('all passed' if not failed else '%d failed' % failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
