#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""trace_bench: how fast `kmaplab trace` converts a large trace.

usage: trace_bench.py KMAPLAB TRACE_GEN SOURCE_DIR [--mb N] [--no-python]

Writes a synthetic trace of N MB (default 138, the size of the trace in
issue 8 that took 61 s) with TRACE_GEN (tests/bench/trace_gen.c), converts
it to CSV with `kmaplab trace` (best of two), and, in the same run, with the
Python converter that `kmaplab trace` replaced: tools/kmaplab-trace as it was
in the last commit that had it (found with git in SOURCE_DIR).  Prints the
trace size, each tool's seconds and MB/s, the ratio, and whether the two
CSV files are identical.  A benchmark reports, it does not assert: exit 0
whatever the speed, 1 if a conversion fails.
"""
import os
import resource
import subprocess
import sys
import tempfile
import time


def old_python_tool(src, tmp):
    """The Python converter from git history, or None."""
    try:
        rev = subprocess.run(['git', '-C', src, 'log', '-1', '--format=%H', '--diff-filter=D',
                              '--', 'tools/kmaplab-trace'], capture_output=True, text=True,
                             check=True).stdout.strip()
        if not rev:
            return None
        text = subprocess.run(['git', '-C', src, 'show', rev + '^:tools/kmaplab-trace'],
                              capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = os.path.join(tmp, 'kmaplab-trace.py')
    with open(path, 'wb') as f:
        f.write(text)
    return path, rev[:12]


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd):
    """(wall seconds, CPU seconds, process): the machine is shared, so the
    CPU time is the steadier figure."""
    c0 = children_cpu()
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - t0, children_cpu() - c0, p


def main():
    args = sys.argv[1:]
    if len(args) < 3:
        sys.exit(__doc__)
    kmaplab, gen, src = args[:3]
    mb = 138
    if '--mb' in args:
        mb = int(args[args.index('--mb') + 1])
    with tempfile.TemporaryDirectory(prefix='kmaplab-trace-bench-') as tmp:
        trace = os.path.join(tmp, 'big.kmt')
        g = subprocess.run([gen, trace, str(mb)], capture_output=True, text=True)
        if g.returncode:
            print('trace_gen failed: ' + g.stderr)
            return 1
        size = os.path.getsize(trace)
        print('synthetic trace: %.1f MB, %s' % (size / 1e6, g.stdout.strip()))
        c_csv = os.path.join(tmp, 'c.csv')
        best = None
        for _ in range(2):
            t, cpu, p = timed([kmaplab, 'trace', trace, '--format', 'csv', '--no-progress',
                               '-o', c_csv])
            if p.returncode:
                print('kmaplab trace failed (%d): %s' % (p.returncode, p.stderr))
                return 1
            if best is None or cpu < best[1]:
                best = (t, cpu)
        mb_size = size / 1e6
        print('kmaplab trace (C):  wall %7.2f s %7.1f MB/s   CPU %7.2f s %7.1f MB/s'
              % (best[0], mb_size / best[0], best[1], mb_size / best[1]))
        old = None if '--no-python' in args else old_python_tool(src, tmp)
        if not old:
            print('Python converter: not found in git history (or --no-python): no ratio')
            return 0
        py_csv = os.path.join(tmp, 'py.csv')
        t, cpu, p = timed([sys.executable, old[0], trace, '--format', 'csv', '-o', py_csv])
        if p.returncode:
            print('Python converter failed (%d): %s' % (p.returncode, p.stderr))
            return 1
        print('kmaplab-trace (Python, from %s^): wall %7.2f s %7.1f MB/s   CPU %7.2f s %7.1f MB/s'
              % (old[1], t, mb_size / t, cpu, mb_size / cpu))
        print('ratio: C is %.1fx faster by CPU time, %.1fx by wall time'
              % (cpu / best[1], t / best[0]))
        with open(c_csv, 'rb') as a, open(py_csv, 'rb') as b:
            same = a.read() == b.read()
        print('CSV outputs identical: %s' % ('yes' if same else 'NO'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
