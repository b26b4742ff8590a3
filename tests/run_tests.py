#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs every test program of one build variant and sums their results.

Each program under build/<variant>/tests/ prints one line per test and ends
with "N passed, N failed". This runner prints each program's output, then
the tests that were skipped and why, then a total line in the same form,
and exits non-zero if any test failed or any program did not end with that
line (a crash counts as a failure). A skipped test counts as neither.
"""
import argparse
import os
import re
import subprocess
import sys

LAST = re.compile(r'^(\d+) passed, (\d+) failed$')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--variant', default='release')
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tdir = os.path.join(root, 'build', args.variant, 'tests')
    env = dict(os.environ)
    env['DISTSIM'] = os.path.join(root, 'build', args.variant, 'distsim')
    env['DISTSIM_VARIANT'] = args.variant
    env.setdefault('DISTSIM_SHARED', os.path.join(root, '..', 'shared'))
    if args.variant == 'asan':
        env.setdefault('ASAN_OPTIONS', 'detect_leaks=1')
        env.setdefault('UBSAN_OPTIONS', 'print_stacktrace=1')
    passed = failed = 0
    skipped = []
    progs = sorted(p for p in os.listdir(tdir)
                   if p.startswith('test_') and os.access(
                       os.path.join(tdir, p), os.X_OK))
    print('== %s suite: %d programs' % (args.variant, len(progs)), flush=True)
    for p in progs:
        print('-- %s' % p, flush=True)
        r = subprocess.run([os.path.join(tdir, p)], cwd=root, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors='replace')
        out = r.stdout.rstrip('\n')
        print(out, flush=True)
        skipped += ['%s: %s' % (p, line[5:]) for line in out.split('\n')
                    if line.startswith('skip ')]
        m = LAST.match(out.split('\n')[-1]) if out else None
        if not m:
            print('FAIL %s: exited %d without a result line' % (p, r.returncode))
            failed += 1
            continue
        passed += int(m.group(1))
        failed += int(m.group(2))
        if r.returncode != 0 and int(m.group(2)) == 0:
            print('FAIL %s: exited %d' % (p, r.returncode))
            failed += 1
    if skipped:
        print('== %d skipped:' % len(skipped))
        for line in skipped:
            print('   ' + line)
    print('%d passed, %d failed' % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
