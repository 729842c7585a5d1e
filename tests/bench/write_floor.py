#!/usr/bin/env python3
"""The write floor: what SQLite alone takes to write the rows of an existing syncdoctor index.

Copies every row of INDEX (built by `syncdoctor ingest` or `analyze --db`) into a new database
with the same schema and the settings syncdoctor loads with (16 KiB pages, WAL, synchronous=OFF,
a 32 MB page cache, a checkpoint every 64 MB), in one transaction per slice of events as the
ingest commits one per file, then fills the full-text index and checkpoints. No parsing, no
matching, no report: only the inserts. Whatever an implementation of DESIGN.md's data model does,
it cannot store the same rows faster than this on one writer.

    tests/bench/write_floor.py INDEX [--slices 34] [--keep OUT]

Prints the wall and CPU seconds of each phase. Python standard library only (its sqlite3 module
runs the statements; the time is spent inside SQLite).
"""
import argparse
import os
import resource
import sqlite3
import sys
import tempfile
import time

CHILD_TABLES = ["provisioning_steps", "modified_properties", "target_resources",
                "additional_details"]


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("index")
    ap.add_argument("--slices", type=int, default=34,
                    help="transactions to split the events into (default 34: the files of the "
                         "1 GB benchmark bundle)")
    ap.add_argument("--keep", help="write the copy here and keep it (default: a temporary file)")
    a = ap.parse_args()
    src = sqlite3.connect("file:%s?mode=ro" % a.index, uri=True)
    version = src.execute("PRAGMA user_version").fetchone()[0]
    if version != 3:
        sys.exit("write_floor.py: %s: schema version %d; this script copies version 3" % (
            a.index, version))
    schema = [r[0] for r in src.execute(
        "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'events_fts_%' "
        "AND type <> 'view' ORDER BY rowid")]
    n = src.execute("SELECT coalesce(max(id), 0) FROM event_rows").fetchone()[0]
    src.close()

    out = a.keep or os.path.join(tempfile.mkdtemp(prefix="sd-floor-"), "floor.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(out + suffix):
            os.remove(out + suffix)
    db = sqlite3.connect(out, isolation_level=None)
    db.execute("PRAGMA page_size=16384")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-32768")
    db.execute("PRAGMA wal_autocheckpoint=4096")
    for sql in schema:
        db.execute(sql)
    db.execute("ATTACH ? AS s", ("file:%s?mode=ro" % a.index,))

    phases = []

    def phase(name, fn):
        w0, c0 = time.monotonic(), cpu()
        fn()
        phases.append((name, time.monotonic() - w0, cpu() - c0))

    def rows():
        db.execute("INSERT INTO sources SELECT * FROM s.sources")
        step = n // a.slices + 1
        for i in range(a.slices):
            lo, hi = i * step, (i + 1) * step
            db.execute("BEGIN")
            db.execute("INSERT INTO event_rows SELECT * FROM s.event_rows WHERE id > ? AND id <= ?",
                       (lo, hi))
            # The raw text blocks of these events (a block at the edge of two slices once).
            db.execute("INSERT OR IGNORE INTO raw_blocks SELECT * FROM s.raw_blocks WHERE id IN "
                       "(SELECT raw_block FROM s.event_rows WHERE id > ? AND id <= ?)", (lo, hi))
            for t in CHILD_TABLES + ["matches"]:
                db.execute("INSERT INTO %s SELECT * FROM s.%s WHERE event_id > ? AND event_id <= ?"
                           % (t, t), (lo, hi))
            db.execute("COMMIT")

    def fts():
        db.execute("BEGIN")
        db.execute("INSERT INTO events_fts(rowid, message) SELECT id, message FROM event_rows")
        db.execute("COMMIT")

    def checkpoint():
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    phase("events, raw text, child tables, matches (%d transactions)" % a.slices, rows)
    phase("full-text index", fts)
    phase("checkpoint", checkpoint)
    db.close()
    size = os.path.getsize(out) / 2**20
    total_w = sum(p[1] for p in phases)
    total_c = sum(p[2] for p in phases)
    print("write floor for %s (%d events), copy %.0f MB" % (a.index, n, size))
    for name, w, c in phases:
        print("  %-60s %7.2f s wall %7.2f s CPU" % (name, w, c))
    print("  %-60s %7.2f s wall %7.2f s CPU" % ("total", total_w, total_c))
    if not a.keep:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(out + suffix):
                os.remove(out + suffix)
        os.rmdir(os.path.dirname(out))


if __name__ == "__main__":
    main()
