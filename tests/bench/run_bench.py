#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs distsim's benchmarks and prints each figure beside its reference.

Everything is measured in this run, on this machine: the engine's hold
model against a minimal binary heap (bench_engine), the checker's speed
(bench_lincheck), the whole pipeline on an M/M/1 scenario (simulated
customers per second, and peak memory at 1x and 10x the run length), the
flagship scenario (simulated requests per second and events per request),
and the speed-up of a sweep with 2 worker processes over 1. Wall-clock
figures vary between runs and drop on a busy machine; the load average is
printed beside the speed-up for that reason.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

MM1 = 'tests/bench/mm1.yaml'
SWEEP = 'scenarios/mmc-sweep.yaml'
TARGET_SWEEP_SPEEDUP = 1.8
TARGET_CUSTOMERS_PER_S = 3e6
TARGET_MEMORY_RATIO = 1.2
FLAGSHIP = 'scenarios/shop.yaml'
TARGET_REQUESTS_PER_S = 5e5


def run_timed(argv):
    """Runs argv; returns (wall seconds, peak RSS in KiB, exit code).

    Standard error is kept aside and shown only when the run failed (exit
    code above 1: an expectation missed is a result here).
    """
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        if code > 1:
            err.seek(0)
            sys.stderr.write(err.read().decode(errors='replace'))
    return wall, usage.ru_maxrss, code


def completed(out_dir):
    with open(os.path.join(out_dir, 'summary.json')) as f:
        summary = json.load(f)
    for m in summary['metrics']:
        if m['scope'] == 'client c' and m['name'] == 'completed':
            return m['mean']
    raise SystemExit('summary.json has no completed count')


def pipeline(prog):
    """Customers per second and memory at 1x and 10x duration."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for factor in (1, 10):
            out = os.path.join(tmp, 'x%d' % factor)
            argv = [prog, 'run', MM1, '-q', '--jobs', '1', '-o', out,
                    '--set', 'duration=%ds' % (200 * factor)]
            best = None
            for _ in range(3 if factor == 1 else 2):
                wall, rss, code = run_timed(argv)
                if code != 0:
                    raise SystemExit('distsim exited %d' % code)
                if best is None or wall < best[0]:
                    best = (wall, rss)
            results.append((factor, best[0], best[1], completed(out)))
    return results


def sweep_speedup(prog):
    """Wall and CPU time of one sweep with 1 and with 2 workers.

    Only the simulation is timed: charts are off (--charts none), so
    gnuplot, which runs in one process after the points, adds nothing.
    Runs alternate 1, 2, 1, 2, 1, 2 and the best of three is kept, so a
    burst of other load hurts one run, not the figure.
    """
    best = {}
    with tempfile.TemporaryDirectory() as tmp:
        for jobs in (1, 2) * 3:
            out = os.path.join(tmp, 'j%d' % jobs)
            argv = [prog, 'sweep', SWEEP, '-q', '--jobs', str(jobs), '-o',
                    out, '--set', 'duration=600s', '--charts', 'none',
                    '--force']
            t0 = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit('distsim sweep exited %d'
                                 % os.waitstatus_to_exitcode(status))
            if jobs not in best or wall < best[jobs][0]:
                best[jobs] = (wall, usage.ru_utime + usage.ru_stime)
    return best[1], best[2]


def flagship(prog, jobs):
    """Requests per second of the flagship: `jobs` replications run by as
    many workers, so that one worker measures a core and two the machine.
    Requests are counted over the whole run, warm-up included."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'shop')
        argv = [prog, 'run', FLAGSHIP, '-q', '--jobs', str(jobs),
                '--replications', str(jobs), '--charts', 'none', '-o', out]
        best = None
        for _ in range(2):
            wall, _, code = run_timed(argv)
            if code not in (0, 1):
                raise SystemExit('distsim exited %d' % code)
            best = wall if best is None else min(best, wall)
        with open(os.path.join(out, 'summary.json')) as f:
            summary = json.load(f)
    scale = summary['scenario']['duration_s'] / (
        summary['scenario']['duration_s'] - summary['scenario']['warmup_s'])
    metrics = summary['metrics']
    requests = jobs * scale * sum(m['mean'] for m in metrics
                                  if m['scope'].startswith('client ') and
                                  m['name'] == 'arrived')
    events = jobs * sum(m['mean'] for m in metrics
                        if m['scope'] == 'engine' and m['name'] == 'events')
    return requests, events, best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--variant', default='release')
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    os.chdir(root)
    build = os.path.join('build', args.variant)
    prog = os.path.join(build, 'distsim')
    missed = 0
    for bench in ('bench_engine', 'bench_lincheck'):
        path = os.path.join(build, 'bench', bench)
        if os.path.exists(path):
            missed += subprocess.run([path]).returncode != 0
            sys.stdout.flush()
    res = pipeline(prog)
    f1, wall1, rss1, n1 = res[0]
    f10, wall10, rss10, n10 = res[1]
    rate = n10 / wall10
    ok_rate = rate >= TARGET_CUSTOMERS_PER_S
    print('pipeline M/M/1 (YAML, models, statistics, outputs and charts), '
          'one core: %.2f M customers/s at 10x (%.0f customers in %.2f s); '
          'target >= %.1f M %s'
          % (rate / 1e6, n10, wall10, TARGET_CUSTOMERS_PER_S / 1e6,
             'met' if ok_rate else 'MISSED'))
    print('  at 1x: %.2f M customers/s (%.0f customers in %.2f s), the '
          'fixed cost of loading and drawing weighing ten times more'
          % (n1 / wall1 / 1e6, n1, wall1))
    ratio = rss10 / rss1
    ok_mem = ratio < TARGET_MEMORY_RATIO
    print('pipeline peak memory: %.1f MiB at 1x, %.1f MiB at 10x the run '
          'length (%.0f vs %.0f customers): ratio %.2f; target < %.1f %s'
          % (rss1 / 1024, rss10 / 1024, n1, n10, ratio,
             TARGET_MEMORY_RATIO, 'met' if ok_mem else 'MISSED'))
    for jobs in (1, 2):
        requests, events, wall = flagship(prog, jobs)
        ok_flag = requests / wall >= TARGET_REQUESTS_PER_S
        print('flagship %s, %s: %.0f k simulated requests/s (%.0f requests '
              'in %.2f s), %.1f events per request; target >= %.0f k on '
              'this machine %s'
              % (FLAGSHIP, 'one core' if jobs == 1 else
                 'both cores (2 replications, 2 workers)',
                 requests / wall / 1e3, requests, wall, events / requests,
                 TARGET_REQUESTS_PER_S / 1e3,
                 '(judged on both cores, below)' if jobs == 1
                 else 'met' if ok_flag else 'MISSED'))
    missed += not ok_flag
    load = os.getloadavg()[0]
    one, two = sweep_speedup(prog)
    speedup = one[0] / two[0]
    ok_sweep = speedup >= TARGET_SWEEP_SPEEDUP
    print('sweep of %s (charts off), 2 workers against 1: %.2f s against '
          '%.2f s, speed-up %.2f; target >= %.1f %s'
          % (SWEEP, two[0], one[0], speedup, TARGET_SWEEP_SPEEDUP,
             'met' if ok_sweep else 'MISSED'))
    print('  CPU time %.2f s with 1 worker, %.2f s with 2; load average '
          '%.2f on %d cores before the runs%s'
          % (one[1], two[1], load, os.cpu_count() or 1,
             ' (a busy machine: wall-clock figures are low)'
             if load > 0.5 else ''))
    missed += (not ok_rate) + (not ok_mem) + (not ok_sweep)
    return 1 if missed else 0


if __name__ == '__main__':
    sys.exit(main())
