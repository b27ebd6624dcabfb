#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""run_fuzz: one libFuzzer target, from its seed corpus, for a while.

usage: run_fuzz.py FUZZER SEED_DIR [--seconds N] [--runs N] [--keep DIR]

Runs FUZZER on the seeds in SEED_DIR (read only: new inputs go to a
temporary directory, or to DIR with --keep) for N seconds (default 4) or N
runs, whichever ends first, with a 10 s per-input timeout and a 2 GiB
memory limit.  A crash, a sanitizer report, a leak or a timeout fails the
test; the input that caused it is kept in the build directory
(fuzz-artifacts/) and named on stdout.  Exit status: the fuzzer's.
"""
import argparse
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('fuzzer')
    ap.add_argument('seeds')
    ap.add_argument('--seconds', type=int, default=4)
    ap.add_argument('--runs', type=int, default=-1)
    ap.add_argument('--keep')
    a = ap.parse_args()
    artifacts = os.path.join(os.path.dirname(os.path.abspath(a.fuzzer)), 'fuzz-artifacts')
    os.makedirs(artifacts, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='kmaplab-fuzz-') as tmp:
        work = a.keep or tmp
        os.makedirs(work, exist_ok=True)
        cmd = [a.fuzzer, '-max_total_time=%d' % a.seconds, '-runs=%d' % a.runs, '-timeout=10',
               '-rss_limit_mb=2048', '-print_final_stats=1',
               '-artifact_prefix=' + artifacts + '/' + os.path.basename(a.fuzzer) + '-',
               work, a.seeds]
        print(' '.join(cmd), flush=True)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors='replace')
        lines = p.stdout.splitlines()
        # The interesting part: the final stats, or the report of a failure.
        keep = [l for l in lines if l.startswith(('stat::', 'Done', '==', 'SUMMARY', 'artifact',
                                                  'Test unit written', 'INFO: seed corpus'))]
        print('\n'.join(keep if p.returncode == 0 else lines[-80:]))
        print('exit status %d' % p.returncode)
        return p.returncode


if __name__ == '__main__':
    sys.exit(main())
