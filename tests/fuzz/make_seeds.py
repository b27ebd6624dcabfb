#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make_seeds: writes the hand-made seeds of the hypercall and semihost fuzz
targets (tests/fuzz/corpus/{hypercall,semihost}/), in the input formats
their sources describe.  The trace and ELF seeds are real files (see
docs/testing.md).  Run it from anywhere; it rewrites only those seeds.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# fuzz_hypercall.c: byte 0 = policy; per call: number selector (index into
# its table of ABI numbers), r0-r3 little endian; a word with its low two
# bits 0 stands for an earlier result (word >> 2 counts back from the
# latest, 0).
NUM = {n: i for i, n in enumerate([
    'abi', 'kinfo', 'alloc', 'free', 'page_address', 'kmap', 'kunmap', 'kmap_atomic',
    'kunmap_atomic', 'kmap_local', 'kunmap_local', 'set_fixmap', 'clear_fixmap',
    'early_ioremap', 'early_iounmap', 'flush_page', 'flush_range', 'flush_all'])}
GFP_HIGHUSER, GFP_KERNEL = 0x100cc2, 0xcc0
PREV = lambda k: k << 2  # the result k calls back (0: the latest)


def call(name, *args):
    args = list(args) + [1] * (4 - len(args))  # 1: a raw value, never "earlier result"
    return bytes([NUM[name]]) + struct.pack('<4I', *args)


def hypercall_seeds():
    s = {}
    # page = alloc; va = kmap(page); kunmap(page); __free_page(page)
    s['kmap-kunmap'] = bytes([0]) + call('alloc', GFP_HIGHUSER) + call('kmap', PREV(0)) + \
        call('kunmap', PREV(1)) + call('free', PREV(1))
    # three nested kmap_atomic of one page, the two innermost unmapped
    s['kmap-atomic-nest'] = bytes([0]) + call('alloc', GFP_HIGHUSER) + \
        call('kmap_atomic', PREV(0)) + call('kmap_atomic', PREV(1)) + \
        call('kmap_atomic', PREV(2)) + call('kunmap_atomic', PREV(0)) + \
        call('kunmap_atomic', PREV(1))
    # 520 distinct kmaps: a pkmap wrap with flush_all_zero_pkmaps.
    wrap = bytes([0])
    for _ in range(520):
        wrap += call('alloc', GFP_HIGHUSER) + call('kmap', PREV(0)) + call('kunmap', PREV(1))
    s['pkmap-wrap'] = wrap
    s['local'] = bytes([2]) + call('alloc', GFP_HIGHUSER) + call('kmap_local', PREV(0)) + \
        call('kunmap_local', PREV(0)) + call('kmap', PREV(1)) + call('kunmap', PREV(1))
    s['fixmap-ioremap'] = bytes([4]) + call('set_fixmap', 21, 0x30000000 | 1) + \
        call('clear_fixmap', 21) + call('early_ioremap', 0x30001001, 0x3000) + \
        call('early_iounmap', PREV(0), 0x3000) + call('early_ioremap', 0x30001000, 0x100001)
    s['flushes'] = bytes([3]) + call('flush_page', 0xffef0001) + \
        call('flush_range', 0xbfe00001, 0xc0000001) + call('flush_all') + call('kinfo', 2) + \
        call('abi') + call('page_address', 0xc1000001)
    s['bugs'] = bytes([5]) + call('kunmap', 0xc1000001) + call('kunmap_atomic', 0xffefe001)
    return s


# fuzz_semihost.c: byte 0 = operation (index into its table), r1 (4 bytes,
# little endian; high bit of the last clear: the block is at
# 0xc0100000 + (r1 & 0xffff)), then guest memory at 0xc0100000.
OPS = ['open', 'close', 'writec', 'write0', 'write', 'read', 'readc', 'iserror', 'istty', 'seek',
       'flen', 'tmpnam', 'remove', 'rename', 'clock', 'time', 'system', 'errno', 'get_cmdline',
       'heapinfo', 'exit', 'exit_extended', 'elapsed', 'tickfreq']
BASE = 0xc0100000


def semihost_seed(op, block_off, memory):
    return bytes([OPS.index(op)]) + struct.pack('<I', block_off) + memory


def semihost_seeds():
    name = b'inside.txt'
    s = {}
    s['open'] = semihost_seed('open', 0, struct.pack('<3I', BASE + 12, 4, len(name)) + name)
    s['open-nul'] = semihost_seed('open', 0, struct.pack('<3I', BASE + 12, 0, 6) + b'a\0b/../')
    s['remove'] = semihost_seed('remove', 0, struct.pack('<2I', BASE + 8, len(name)) + name)
    s['write'] = semihost_seed('write', 0, struct.pack('<3I', 2, BASE + 12, 5) + b'hello')
    s['exit-extended'] = semihost_seed('exit_extended', 0, struct.pack('<2I', 0x20026, 3))
    s['writec'] = semihost_seed('writec', 0, b'x')
    s['unreadable'] = semihost_seed('read', 0x80000000, b'')
    return s


def write(target, seeds):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name + '.bin'), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    write('hypercall', hypercall_seeds())
    write('semihost', semihost_seeds())
