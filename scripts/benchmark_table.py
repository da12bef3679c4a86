# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Print scripts/benchmark.sh's table from the run directory it passes: times (NAME START END) and NAME.log."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import sys

ROWS = [
    ('bootstrap_leave', 'fresh bootstrap, flag removal = leave (default)'),
    ('bootstrap_restart', 'fresh bootstrap, flag removal = restart'),
    ('rerun', 're-run of bootstrap.yml on the bootstrapped datacenter'),
    ('rolling_restart', 'playbooks/rolling_restart.yml (3 servers)'),
]
# profile_tasks' stamp under each task banner ends with the time since the playbook started
BANNER = re.compile(r'^TASK \[(?:[^:\]]+ : )?(.*)\] \*+\n.*\)\s+(\d+):(\d\d):(\d\d\.\d+) \*+ *$', re.M)
RECAP = re.compile(r'^\S+\s+: ok=\d+\s+changed=(\d+)\s', re.M)
# restart_server.yml for Node A, from its health gate to the task after its last wait
FLAG_FIRST = 'Check that the datacenter tolerates one failure before restarting'
FLAG_LAST = 'Wait until the restarted server is a voter again and caught up'


def flag_removal(log):
    """Seconds from the banner of the gate before Node A's restart to the banner after its catch-up wait."""
    banners = [(name, int(h) * 3600 + int(m) * 60 + float(s)) for name, h, m, s in BANNER.findall(log)]
    names = [name for name, elapsed in banners]
    starts = [i for i, name in enumerate(names) if name.startswith(FLAG_FIRST)]
    ends = [i for i, name in enumerate(names) if name == FLAG_LAST]
    if len(starts) != 1 or len(ends) != 1 or ends[0] + 1 >= len(banners):
        return None
    return banners[ends[0] + 1][1] - banners[starts[0]][1]


def main(run_dir):
    with open(os.path.join(run_dir, 'times')) as handle:
        seconds = dict((name, float(end) - float(start)) for name, start, end in (line.split() for line in handle))
    base = seconds[ROWS[0][0]]
    print('Wall time of each playbook on fresh systemd containers (3 servers, 1 client), SSH with pipelining')
    print('%-58s %8s %7s %8s' % ('run', 'seconds', 'ratio', 'changed'))
    for name, label in ROWS:
        with open(os.path.join(run_dir, name + '.log')) as handle:
            log = handle.read()
        changed = sum(int(count) for count in RECAP.findall(log))
        print('%-58s %8.1f %7.2f %8d' % (label, seconds[name], seconds[name] / base, changed))
        flag = flag_removal(log) if name.startswith('bootstrap_') else None
        if flag is not None:
            print('%-58s %8.1f %7.2f' % ('  of which taking the flag off Node A (restart_server.yml)', flag, flag / base))


if __name__ == '__main__':
    main(sys.argv[1])
