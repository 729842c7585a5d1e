#!/usr/bin/env python3
"""The benchmark's baseline: the script a support engineer would write to do syncdoctor's job.

It walks a bundle folder, json-loads each Graph page, each NDJSON line, regex-parses agent trace
files, puts every record into SQLite (python's sqlite3) as a row with the columns of syncdoctor's
`events` table (docs/index-schema.md), one transaction per file, and then runs the patterns of
every signature (signatures/<group>/*.yaml, read with a small line-based reader since the standard
library has no YAML parser) over every stored event with `re`, applying the same rules as
syncdoctor's matcher (applies_to, all/any items of field: pattern pairs), stores the matches and
counts them per signature and job.

Straightforward on purpose: no multiprocessing, no precompiled combined regexes, no FTS index,
no dedupe, no provisioning_steps/audit child tables and no report (syncdoctor does all of those,
so this baseline does less work than syncdoctor, not more).

Usage: baseline.py BUNDLE_DIR --db FILE [--signatures DIR]
Prints one JSON line to stdout: {"files", "events", "matches", "signatures_fired", ...}.
"""

import argparse
import datetime
import glob
import json
import os
import re
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SIGNATURES = os.path.normpath(os.path.join(HERE, "..", "..", "signatures"))

COLUMNS = ("source_id", "line", "offset", "time", "time_inferred", "kind", "level", "record_id",
           "job_id", "cycle_id", "change_id", "correlation_id", "activity", "actor",
           "source_identity", "target_identity", "source_object_id", "target_object_id",
           "error_code", "reason", "message", "raw", "content_key")
SCHEMA = """
CREATE TABLE sources(id INTEGER PRIMARY KEY, path TEXT NOT NULL, format TEXT NOT NULL,
                     records INTEGER NOT NULL DEFAULT 0);
CREATE TABLE events(
  id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES sources(id), line INTEGER NOT NULL,
  offset INTEGER NOT NULL, time INTEGER, time_inferred INTEGER NOT NULL DEFAULT 0, kind TEXT NOT NULL,
  level TEXT, record_id TEXT, job_id TEXT, cycle_id TEXT, change_id TEXT, correlation_id TEXT,
  activity TEXT, actor TEXT, source_identity TEXT, target_identity TEXT, source_object_id TEXT,
  target_object_id TEXT, error_code TEXT, reason TEXT, message TEXT, raw TEXT,
  content_key INTEGER NOT NULL DEFAULT 0);
CREATE TABLE matches(signature TEXT NOT NULL, scope TEXT NOT NULL, event_id INTEGER NOT NULL);
"""
INSERT = "INSERT INTO events(%s) VALUES (%s)" % (", ".join(COLUMNS), ", ".join("?" * len(COLUMNS)))

# ------------------------------------------------------------------------------------------------
# Signatures


def _scalar(text):
    """A YAML scalar as the signature files write patterns: 'single quoted' ('' is a quote)."""
    text = text.strip()
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    if text.startswith('"') and text.endswith('"'):
        return json.loads(text)
    return text


def _flow_map(text):
    """{a: 'x', b: 'y, z'} -> {'a': 'x', 'b': 'y, z'} (values single-quoted or plain)."""
    out, i, body = {}, 0, text.strip()[1:-1]
    while i < len(body):
        while i < len(body) and body[i] in " ,":
            i += 1
        if i >= len(body):
            break
        colon = body.index(":", i)
        key = body[i:colon].strip()
        i = colon + 1
        while body[i] == " ":
            i += 1
        if body[i] == "'":
            j = i + 1
            while True:
                j = body.index("'", j)
                if j + 1 < len(body) and body[j + 1] == "'":
                    j += 2
                    continue
                break
            out[key] = body[i + 1:j].replace("''", "'")
            i = j + 1
        else:
            j = body.find(",", i)
            j = len(body) if j < 0 else j
            out[key] = body[i:j].strip()
            i = j
    return out


def load_signature(path):
    """Reads id, applies_to and match (all/any lists of {field: pattern}) from one YAML file."""
    sig = {"id": None, "applies_to": [], "all": [], "any": [], "path": path}
    section, block, item = None, None, None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            indent = len(line) - len(line.lstrip(" "))
            if indent == 0:
                section, block, item = None, None, None
                key, _, value = line.partition(":")
                if key == "id":
                    sig["id"] = _scalar(value)
                elif key == "applies_to":
                    sig["applies_to"] = [v.strip() for v in value.strip()[1:-1].split(",")]
                elif key == "match":
                    section = "match"
                continue
            if section != "match":
                continue
            if indent == 2 and stripped in ("all:", "any:"):
                block = stripped[:-1]
                continue
            if stripped.startswith("- "):
                body = stripped[2:].strip()
                item = _flow_map(body) if body.startswith("{") else {}
                if not body.startswith("{"):
                    key, _, value = body.partition(":")
                    item[key.strip()] = _scalar(value)
                sig[block].append(item)
            elif item is not None:            # another pair of the same block item
                key, _, value = stripped.partition(":")
                item[key.strip()] = _scalar(value)
    return sig


def compile_signatures(directory):
    sigs = []
    for path in sorted(glob.glob(os.path.join(directory, "*", "*.yaml"))):
        sig = load_signature(path)
        if not sig["id"] or not (sig["all"] or sig["any"]):
            sys.exit("baseline.py: error: %s: no id or no match items" % path)
        for block in ("all", "any"):
            # RE2 and Python's re agree on the syntax these files use.
            sig[block] = [[(field, re.compile(pattern)) for field, pattern in item.items()]
                          for item in sig[block]]
        sigs.append(sig)
    if not sigs:
        sys.exit("baseline.py: error: no signatures under %s" % directory)
    return sigs


def item_holds(item, ev):
    for field, rx in item:
        if not rx.search(ev.get(field) or ""):
            return False
    return True


def signature_fires(sig, ev):
    for item in sig["all"]:
        if not item_holds(item, ev):
            return False
    if sig["any"]:
        for item in sig["any"]:
            if item_holds(item, ev):
                return True
        return False
    return True

# ------------------------------------------------------------------------------------------------
# Records to rows


def to_ms(text):
    if not text:
        return None
    try:
        text = text.replace("Z", "+00:00")
        # fromisoformat takes at most 6 fractional digits; Graph and Azure Monitor write 7.
        m = re.match(r"^(.*\.\d{6})\d*(.*)$", text)
        if m:
            text = m.group(1) + m.group(2)
        return int(datetime.datetime.fromisoformat(text).timestamp() * 1000)
    except ValueError:
        return None


def pick(obj, *keys):
    if not isinstance(obj, dict):
        return None
    for k in keys:
        v = obj.get(k)
        if v not in (None, ""):
            return v
    return None


def identity_name(o):
    return pick(o, "displayName", "Name") or pick((o or {}).get("details") or {}, "DisplayName",
                                                  "UserPrincipalName") or pick(o, "id", "Id")


STEP_STATUS = {0: "success", 1: "failure", 2: "skipped", 3: "warning"}


def provisioning_row(source_id, line, offset, rec, raw):
    env = rec if isinstance(rec.get("properties"), dict) and rec.get("category") else None
    p = rec["properties"] if env else rec
    status = pick(p, "provisioningStatusInfo") or {}
    level = pick(status, "status", "Status")
    err = pick(status, "errorInformation", "ErrorInformation") or {}
    if level is None and env:
        level = env.get("resultType")
    error_code = pick(err, "errorCode")
    message = " ".join(x for x in (pick(err, "reason"), pick(err, "additionalDetails")) if x)
    if not message:
        parts = []
        for s in p.get("provisioningSteps") or []:
            st = s.get("status")
            st = STEP_STATUS.get(st, st) if isinstance(st, int) else (st or "").lower()
            if st in ("failure", "skipped", "warning"):
                d = s.get("description") or ""
                skip = (s.get("details") or {}).get("SkipReason")
                parts.append(d + (" SkipReason=" + skip if skip else ""))
        message = "; ".join(parts)
    t = to_ms(p.get("activityDateTime")) or (to_ms(env.get("time")) if env else None)
    src, tgt = p.get("sourceIdentity") or {}, p.get("targetIdentity") or {}
    return (source_id, line, offset, t, 0, "provisioning", (level or "").lower() or None,
            pick(p, "id") or (env or {}).get("identity"), p.get("jobId"), p.get("cycleId"),
            p.get("changeId"), p.get("correlationId") or (env or {}).get("correlationId"),
            (p.get("provisioningAction") or p.get("action") or "").lower() or None,
            identity_name(p.get("initiatedBy")), identity_name(src), identity_name(tgt),
            pick(src, "id", "Id"), pick(tgt, "id", "Id"), error_code, pick(err, "errorCategory"),
            message, raw, 0)


def audit_row(source_id, line, offset, rec, raw):
    init = rec.get("initiatedBy") or {}
    user, app = init.get("user"), init.get("app")
    actor = pick(user, "userPrincipalName", "displayName", "id") if user else \
        pick(app, "displayName", "servicePrincipalName", "appId")
    targets = rec.get("targetResources") or []
    details = rec.get("additionalDetails") or []
    code = next((d.get("value") for d in details if (d.get("key") or "").lower() == "errorcode"), None)
    message = "; ".join([rec.get("resultReason") or ""] +
                        ["%s=%s" % (d.get("key"), d.get("value")) for d in details])
    return (source_id, line, offset, to_ms(rec.get("activityDateTime")), 0, "audit",
            (rec.get("result") or "").lower() or None, rec.get("id"), None, None, None,
            rec.get("correlationId"), rec.get("activityDisplayName"), actor, None,
            "; ".join(pick(t, "userPrincipalName", "displayName", "id") or "" for t in targets) or None,
            None, targets[0].get("id") if targets else None, code or None, rec.get("category"),
            message, raw, 0)


def json_records(path):
    """(line, offset, record, raw) for a Graph page or array (json.load), or NDJSON (by name)."""
    if path.endswith((".ndjson", ".jsonl")):
        with open(path, encoding="utf-8") as f:
            offset = 0
            for n, line in enumerate(f, 1):
                if line.strip():
                    yield n, offset, json.loads(line), line.rstrip("\n")
                offset += len(line)
        return
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if isinstance(doc, dict):
        items = doc.get("value", doc.get("records", [doc]))
    else:
        items = doc
    for rec in items:
        yield 1, 0, rec, json.dumps(rec)


TRACE_HEADER = re.compile(r"^(\S.*?) (Critical|Error|Warning|Information|Verbose|Start|Stop|Suspend|"
                          r"Resume|Transfer): (-?\d+) : (.*)$")
TRACE_FOOTER = re.compile(r"^\s+(ProcessId|LogicalOperationStack|ThreadId|DateTime|Timestamp|Callstack)=(.*)$")


def trace_rows(source_id, path, rel):
    rows = []
    cur = None

    def flush():
        if cur:
            rows.append((source_id, cur["line"], 0, to_ms(cur["time"]), 0, "trace", cur["level"],
                         "%s:%d" % (rel, cur["line"]), None, None, None, None, cur["source"], None, None,
                         None, None, None, None, None, "\n".join(cur["msg"]).rstrip(),
                         "".join(cur["raw"]), 0))

    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            text = line.rstrip("\r\n")
            m = TRACE_HEADER.match(text)
            if m:
                flush()
                cur = {"line": n, "source": m.group(1), "level": m.group(2), "msg": [m.group(4)],
                       "raw": [line], "time": None}
                continue
            if cur is None:
                cur = {"line": n, "source": None, "level": None, "msg": [], "raw": [], "time": None}
            cur["raw"].append(line)
            fm = TRACE_FOOTER.match(text)
            if fm:
                if fm.group(1) == "DateTime":
                    cur["time"] = fm.group(2).strip()
            else:
                cur["msg"].append(text)
    flush()
    return rows


def ingest_file(db, path, rel):
    with open(path, "rb") as f:
        head = f.read(4096).decode("utf-8", "replace")
    lead = head.lstrip()[:1]
    if lead in ("{", "["):
        if "$metadata#auditLogs/directoryAudits" in head or '"AuditLogs"' in head:
            fmt, make = "audit", audit_row
        elif "$metadata#auditLogs/provisioning" in head or "ProvisioningLogs" in head or "provisioningSteps" in head:
            fmt, make = "provisioning", provisioning_row
        else:
            return None
        with db:
            source_id = db.execute("INSERT INTO sources(path, format) VALUES (?, ?)", (rel, fmt)).lastrowid
            rows = []
            for line, offset, rec, raw in json_records(path):
                props = rec.get("properties") if isinstance(rec.get("properties"), dict) else rec
                rows.append(make(source_id, line, offset, props if fmt == "audit" else rec, raw))
            db.executemany(INSERT, rows)
            db.execute("UPDATE sources SET records = ? WHERE id = ?", (len(rows), source_id))
        return fmt, len(rows)
    if TRACE_HEADER.search(head.split("\n", 1)[0]) or rel.lower().endswith(".log"):
        with db:
            source_id = db.execute("INSERT INTO sources(path, format) VALUES (?, 'trace')", (rel,)).lastrowid
            rows = trace_rows(source_id, path, rel)
            db.executemany(INSERT, rows)
            db.execute("UPDATE sources SET records = ? WHERE id = ?", (len(rows), source_id))
        return "trace", len(rows)
    return None


def main():
    ap = argparse.ArgumentParser(description="the benchmark's Python baseline")
    ap.add_argument("bundle")
    ap.add_argument("--db", required=True, help="SQLite file to create (removed first)")
    ap.add_argument("--signatures", default=DEFAULT_SIGNATURES)
    args = ap.parse_args()
    began = time.time()

    sigs = compile_signatures(args.signatures)
    by_kind = {}
    for s in sigs:
        for k in s["applies_to"]:
            by_kind.setdefault(k, []).append(s)

    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(args.db + suffix):
            os.remove(args.db + suffix)
    db = sqlite3.connect(args.db)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(SCHEMA)

    files, skipped, counts = 0, [], {}
    for root, dirs, names in os.walk(args.bundle):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, args.bundle)
            got = ingest_file(db, path, rel)
            if got is None:
                skipped.append(rel)
                continue
            files += 1
            counts[got[0]] = counts.get(got[0], 0) + got[1]
    ingest_s = time.time() - began

    # The same patterns over every stored event.
    fields = ("kind", "level", "record_id", "job_id", "cycle_id", "change_id", "correlation_id",
              "activity", "actor", "source_identity", "target_identity", "error_code", "reason",
              "message", "raw")
    matches, batch = 0, []
    read = db.cursor()
    read.execute("SELECT id, source_id, %s FROM events ORDER BY id" % ", ".join(fields))
    for row in read:
        ev = dict(zip(fields, row[2:]))
        for sig in by_kind.get(ev["kind"], ()):
            if signature_fires(sig, ev):
                scope = ev["job_id"] or (str(row[1]) if ev["kind"] in ("trace", "eventlog") else "")
                batch.append((sig["id"], scope, row[0]))
        if len(batch) >= 10000:
            matches += len(batch)
            with db:
                db.executemany("INSERT INTO matches VALUES (?, ?, ?)", batch)
            batch = []
    matches += len(batch)
    with db:
        db.executemany("INSERT INTO matches VALUES (?, ?, ?)", batch)
    findings = db.execute("SELECT signature, scope, count(*) FROM matches GROUP BY signature, scope "
                          "ORDER BY signature, scope").fetchall()
    per_signature = dict(db.execute("SELECT signature, count(*) FROM matches GROUP BY signature"))
    events = db.execute("SELECT count(*) FROM events").fetchone()[0]
    db.close()
    print(json.dumps({"files": files, "skipped": skipped, "events": events, "by_kind": counts,
                      "matches": matches, "findings": len(findings), "per_signature": per_signature,
                      "signatures_fired": sorted({f[0] for f in findings}),
                      "signatures_loaded": len(sigs), "ingest_seconds": round(ingest_s, 2),
                      "seconds": round(time.time() - began, 2)}))


if __name__ == "__main__":
    main()
