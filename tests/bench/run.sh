#!/bin/sh
# The side-by-side benchmark of issue #6: syncdoctor analyze (--jobs 1 and 2, and a re-analyse),
# a plain Python script doing the same job, lnav's headless load, and the floor (cat, simdjson),
# on one generated bundle. See docs/performance.md ("Side-by-side benchmark") and run.py.
#
#   tests/bench/run.sh [--size-mb 1024] [--keep DIR] [--rss-check] [--help for the rest]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3
[ -x "$python" ] || python=python3
exec "$python" "$here/run.py" "$@"
