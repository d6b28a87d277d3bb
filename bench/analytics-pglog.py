#!/usr/bin/env python3
"""bench/analytics-pglog.py: the Postgres-log side of bench/analytics.sh.

  analytics-pglog.py slow LOGFILE START END DBNAME   > entries.json
      The statements that log_min_duration_statement logged for database DBNAME between byte
      offsets START and END of LOGFILE, as a JSON list of {ms, kind, text, params}. kind is
      "statement" (simple protocol), "execute", "parse" or "bind" (extended protocol); params
      are the bound values as SQL literals (from the DETAIL line), or null.
  analytics-pglog.py summary ENTRIES.json
      One line per distinct statement text: how many were logged, their median and maximum
      duration, and the text (shortened).
  analytics-pglog.py explain ENTRIES.json DATABASE_URL
      EXPLAIN (ANALYZE, BUFFERS) of each distinct statement (executed with psql, one at a time;
      statements with parameters are PREPAREd with the logged values, like the driver does),
      printed with a header naming the statement and its logged duration.

Only standard-library Python; psql must be on PATH for explain.
"""

import json
import re
import statistics
import subprocess
import sys

# "... LOG:  duration: 12.345 ms  execute <unnamed>: SELECT ..." (the prefix before LOG is
# log_line_prefix; it must contain %d, as Debian's default '%m [%p] %q%u@%d ' does).
DURATION = re.compile(
    r"^(?P<prefix>.*?)\bLOG:  duration: (?P<ms>[0-9.]+) ms  "
    r"(?P<kind>statement|execute|parse|bind)(?: (?P<name>[^:]*))?: (?P<text>.*)$"
)
DETAIL = re.compile(r"^(?P<prefix>.*?)\bDETAIL:  parameters: (?P<params>.*)$")
PID = re.compile(r"\[(\d+)\]")
PARAM = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")


def read_span(path, start, end):
    with open(path, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        if size < start:  # rotated or truncated: read what there is
            start = 0
        end = min(end, size)
        f.seek(start)
        data = f.read(max(0, end - start))
    return data.decode("utf-8", errors="replace").splitlines()


def slow(path, start, end, db):
    entries = []
    last_by_pid = {}
    current = None
    marker = "@" + db + " "
    for line in read_span(path, int(start), int(end)):
        if line.startswith("\t"):
            if current is not None:
                current["text"] += "\n" + line[1:]
            continue
        current = None
        m = DURATION.match(line)
        if m:
            if marker not in m.group("prefix") + " ":
                continue
            pid = (PID.search(m.group("prefix")) or [None, None])[1]
            current = {
                "ms": float(m.group("ms")),
                "kind": m.group("kind"),
                "text": m.group("text"),
                "params": None,
            }
            entries.append(current)
            last_by_pid[pid] = current
            continue
        d = DETAIL.match(line)
        if d and marker in d.group("prefix") + " ":
            pid = (PID.search(d.group("prefix")) or [None, None])[1]
            e = last_by_pid.get(pid)
            if e is not None and e["params"] is None:
                params = {int(n): v for n, v in PARAM.findall(d.group("params"))}
                e["params"] = [params.get(i, "NULL") for i in range(1, max(params, default=0) + 1)]
    json.dump(entries, sys.stdout)


def normalized(text):
    return " ".join(text.split())


def group(entries):
    groups = {}
    for e in entries:
        if e["kind"] in ("parse", "bind"):
            key = e["kind"] + ": " + normalized(e["text"])
        else:
            key = normalized(e["text"])
        groups.setdefault(key, []).append(e)
    return sorted(groups.items(), key=lambda kv: -len(kv[1]))


def short(text, n=260):
    return text if len(text) <= n else text[: n - 1] + "…"


def summary(path):
    entries = json.load(open(path))
    if not entries:
        print("    (none)")
        return
    for text, es in group(entries):
        ms = sorted(e["ms"] for e in es)
        print(
            f"    {len(es):6d} x  median {statistics.median(ms):8.1f} ms  max {ms[-1]:8.1f} ms  "
            f"{short(text)}"
        )


def explain(path, url):
    entries = json.load(open(path))
    seen = set()
    for text, es in group(entries):
        if text.startswith(("parse: ", "bind: ")) or text in seen:
            continue
        seen.add(text)
        e = max(es, key=lambda e: e["ms"])
        body = e["text"].rstrip().rstrip(";")
        if e["params"]:
            script = (
                f"PREPARE analytics_bench_stmt AS {body};\n"
                f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE analytics_bench_stmt({', '.join(e['params'])});\n"
                "DEALLOCATE analytics_bench_stmt;\n"
            )
        else:
            script = f"EXPLAIN (ANALYZE, BUFFERS) {body};\n"
        print(f"  -- statement (logged {e['ms']:.1f} ms, {len(es)}x): {short(normalized(body), 600)}")
        if e["params"]:
            print(f"  -- parameters: {short(', '.join(e['params']), 600)}")
        try:
            out = subprocess.run(
                ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url],
                input=script, capture_output=True, text=True, timeout=120,
            )
            text_out = out.stdout if out.returncode == 0 else out.stdout + out.stderr
        except subprocess.TimeoutExpired:
            text_out = "EXPLAIN timed out after 120 s\n"
        for line in text_out.rstrip("\n").splitlines():
            print("    " + line)
        print()


def main(argv):
    if len(argv) == 6 and argv[1] == "slow":
        slow(*argv[2:])
    elif len(argv) == 3 and argv[1] == "summary":
        summary(argv[2])
    elif len(argv) == 4 and argv[1] == "explain":
        explain(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
