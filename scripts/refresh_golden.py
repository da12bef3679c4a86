# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rewrite the golden consul.json files of tests/unit/plugins/plugin_utils/test_agent_config.py from the code as it is.

Run it only after a deliberate change of the configuration the role writes, then review `git diff tests/unit/fixtures`:

    source scripts/env.sh && python3 scripts/refresh_golden.py
"""

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(REPO, '.cache', 'collections'), os.path.join(REPO, 'tests', 'unit', 'plugins', 'plugin_utils')]

import test_agent_config as golden  # noqa: E402  pylint: disable=wrong-import-position


def main():
    changed = []
    for case in sorted(golden.CASES):
        path = os.path.join(golden.GOLDEN, case + '.json')
        text = golden.golden_text(case)
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            with open(path, 'w') as handle:
                handle.write(text)
            changed.append(case)
    print('rewrote %d of %d golden files%s' % (len(changed), len(golden.CASES), ': ' + ', '.join(changed) if changed else ''))


if __name__ == '__main__':
    main()
