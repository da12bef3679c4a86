# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Print scripts/benchmark.sh's table from the run directory it passes (file times: SIZE ROW KIND REP SECONDS CHANGED).

Per size and row: the baseline's and the playbook's median seconds with their spread (min-max over the
repetitions), the ratio of the medians, and the playbook's changed count (the re-run must say 0). The last
lines compare the sizes: each row of the largest size against the same row of the smallest.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

ROWS = [
    ('bootstrap_leave', 'fresh bootstrap, flag removal = leave (default)'),
    ('bootstrap_restart', 'fresh bootstrap, flag removal = restart'),
    ('rerun', 're-run of bootstrap.yml (changes nothing)'),
    ('rolling_restart', 'playbooks/rolling_restart.yml'),
]


def median(values):
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2.0


def cell(values):
    if not values:
        return '%19s' % '-'
    return '%6.1f (%5.1f-%5.1f)' % (median(values), min(values), max(values))


def size_key(size):
    servers, clients = size.split('+')
    return int(servers) + int(clients), int(servers)


def main(run_dir):
    runs = {}
    changed = {}
    with open(os.path.join(run_dir, 'times')) as handle:
        for line in handle:
            size, row, kind, _rep, seconds, count = line.split()
            runs.setdefault((size, row, kind), []).append(float(seconds))
            if kind == 'playbook':
                changed.setdefault((size, row), []).append(count)
    sizes = sorted(set(key[0] for key in runs), key=size_key)
    reps = max(len(values) for values in runs.values())
    print('Seconds on fresh systemd containers over SSH (playbooks: pipelining, forks = hosts), median (min-max) of '
          'up to %d repetitions' % reps)
    print('%-6s %-48s %19s %19s %6s %8s' % ('size', 'row', 'baseline', 'playbook', 'ratio', 'changed'))
    for size in sizes:
        for row, label in ROWS:
            base, play = runs.get((size, row, 'baseline'), []), runs.get((size, row, 'playbook'), [])
            if not base and not play:
                continue
            ratio = '%6.2f' % (median(play) / median(base)) if base and play else '%6s' % '-'
            counts = ','.join(changed.get((size, row), ['-']))
            print('%-6s %-48s %s %s %s %8s' % (size, label, cell(base), cell(play), ratio, counts))
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print()
        print('%s against %s, playbook medians:' % (large, small))
        for row, label in ROWS:
            play_small, play_large = runs.get((small, row, 'playbook')), runs.get((large, row, 'playbook'))
            if play_small and play_large:
                print('  %-48s %6.2f x' % (label, median(play_large) / median(play_small)))


if __name__ == '__main__':
    main(sys.argv[1])
