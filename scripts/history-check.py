#!/usr/bin/env python3
"""An independent check of a load run: claimload's history (every claim and its answer, one JSON
object per line: `claimload --history FILE`) against what Redis holds. It shares no code with
the gateway or claimload: it reads Redis with redis-py and knows only the key layout written
in the Lua scripts' headers (cg:{P}:vouchers, cg:{P}:w:<W>, cg:{P}:windows, cg:{P}:meta, cg:pools).

It checks that
  - every voucher answered 201/200 exists in Redis and belongs to the person it was answered to;
  - no voucher id was answered to two requests, except a retry with the same key;
  - every retry with the same Idempotency-Key was answered the same vouchers;
  - nobody holds more than the limit in any window, across a split pool's segments;
  - in every window granted <= released and granted + left == released;
  - every voucher a person of the run holds was answered to them, or is explained by one of their
    unknown outcomes (504, 500, never answered): each unknown is resolved as granted or not. A
    voucher nothing explains means an answer said "nothing granted" (a 503, a refusal) falsely.

Usage: scripts/history-check.py --redis redis://127.0.0.1:6379 [--cluster] HISTORY...
Prints one line, "HISTORY PASS ..." or "HISTORY FAIL ...", and exits 0 or 1.
"""
import argparse
import json
import sys
from collections import Counter, defaultdict
from urllib.parse import urlparse

try:
    import redis
except ImportError:  # scripts/test.sh installs it; say what is missing otherwise
    sys.exit("history-check: the redis module is missing (python3 -m pip install redis)")

UNKNOWN = {0, 500, 504}


def connect(url, cluster):
    # A cluster URL lists its seeds: redis://host:port,host:port,... (any one will do).
    u = urlparse(url.split(",")[0])
    args = dict(host=u.hostname or "127.0.0.1", port=u.port or 6379, decode_responses=True)
    if u.username:
        args["username"] = u.username
    if u.password:
        args["password"] = u.password
    if cluster:
        return redis.cluster.RedisCluster(**args)
    return redis.Redis(db=int((u.path or "/0").strip("/") or 0), **args)


def voucher_parts(vid):
    """'<storage id>:<window>:<n>' -> (storage id, window)."""
    storage, window, _ = vid.rsplit(":", 2)
    return storage, window


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--redis", required=True)
    ap.add_argument("--cluster", action="store_true")
    ap.add_argument("history", nargs="+")
    a = ap.parse_args()
    r = connect(a.redis, a.cluster)

    lines = []
    for path in a.history:
        with open(path) as f:
            lines += [json.loads(line) for line in f if line.strip()]
    problems = []

    # What the run was told.
    acked = defaultdict(set)  # (pool, person) -> voucher ids answered to them
    answered_to = {}  # voucher id -> (person, key or request line index)
    by_key = defaultdict(list)  # (person, key) -> voucher lists of its 201/200 answers
    unknown = Counter()  # (pool, person) -> unknown outcomes
    unknown_lines = []
    for i, h in enumerate(lines):
        pool, person, key, status = h["pool"], h["person"], h.get("key"), h["status"]
        if status in (200, 201):
            for v in h["vouchers"]:
                acked[(pool, person)].add(v)
                owner = answered_to.get(v)
                tag = (person, key) if key else (person, i)
                if owner is not None and owner != tag:
                    problems.append(f"voucher {v} answered to two requests: {owner} and {tag}")
                answered_to[v] = tag
            if key:
                by_key[(person, key)].append(sorted(h["vouchers"]))
        elif status in UNKNOWN:
            unknown_lines.append((pool, person, key))
    # An unknown outcome whose key was later answered 201/200 was resolved by that retry.
    by_retry = 0
    for pool, person, key in unknown_lines:
        if key and (person, key) in by_key:
            by_retry += 1
        else:
            unknown[(pool, person)] += 1
    for (person, key), answers in sorted(by_key.items()):
        if any(x != answers[0] for x in answers):
            problems.append(f"{person} key {key} answered different vouchers: {answers}")
    retried = sum(1 for answers in by_key.values() if len(answers) > 1)

    # What Redis holds, for every pool of the run (each segment of a split one).
    pools = sorted({h["pool"] for h in lines})
    loaded = r.smembers("cg:pools")
    people = {h["person"] for h in lines}
    held = defaultdict(set)  # (pool, person) -> voucher ids in Redis
    per_window = Counter()  # (pool, window, owner) -> vouchers
    windows_checked = 0
    for pool in pools:
        storages = sorted(s for s in loaded if s == pool or s.startswith(pool + ".s")) or [pool]
        limit, per_grant = None, 1
        for sid in storages:
            meta = r.hgetall(f"cg:{{{sid}}}:meta")
            if meta.get("limit_per_window"):
                limit = int(meta["limit_per_window"])
                per_grant = int(meta.get("vouchers_per_grant") or 1)
            for vid, record in r.hscan_iter(f"cg:{{{sid}}}:vouchers", count=1000):
                owner, window = record.split("|")[0], record.split("|")[3]
                per_window[(pool, window, owner)] += 1
                if owner in people:
                    held[(pool, owner)].add(vid)
            for window in r.sscan_iter(f"cg:{{{sid}}}:windows", count=1000):
                s = r.hgetall(f"cg:{{{sid}}}:w:{window}")
                released, left, granted = (int(s.get(k, -1)) for k in ("released", "left", "granted"))
                windows_checked += 1
                if granted > released:
                    problems.append(f"{sid} {window}: oversold, granted {granted} > released {released}")
                if granted + left != released:
                    problems.append(f"{sid} {window}: granted {granted} + left {left} != released {released}")
        if limit is not None:
            for (p, window, owner), n in sorted(per_window.items()):
                if p == pool and n > limit * per_grant:
                    problems.append(f"{pool} {window}: {owner} holds {n} vouchers, limit {limit} x {per_grant}")

    # Every acknowledged voucher is in Redis, owned by its person.
    for (pool, person), vids in sorted(acked.items()):
        for v in sorted(vids - held[(pool, person)]):
            storage, _ = voucher_parts(v)
            record = r.hget(f"cg:{{{storage}}}:vouchers", v)
            owner = record.split("|")[0] if record else None
            problems.append(
                f"{v} answered to {person} is " + (f"owned by {owner}" if owner else "missing from Redis"))

    # Every voucher held and not acknowledged is one of the person's unknown outcomes.
    resolved_granted = 0
    for (pool, person), vids in sorted(held.items()):
        extra = len(vids - acked[(pool, person)])
        if extra == 0:
            continue
        allowed = unknown[(pool, person)] * max(1, per_grant)
        resolved_granted += min(extra, allowed) // max(1, per_grant)
        if extra > allowed:
            problems.append(
                f"{person} holds {extra} vouchers of {pool} no answer acknowledged and "
                f"{unknown[(pool, person)]} unknown outcomes explain")
    total_unknown = sum(unknown.values())

    summary = (
        f"{len(lines)} answers, {sum(len(v) for v in acked.values())} vouchers acknowledged, "
        f"{total_unknown + by_retry} unknown outcomes ({by_retry} answered by a retry with the key; of the rest, "
        f"found granted in Redis {resolved_granted}, not granted {total_unknown - resolved_granted}), "
        f"{retried} keys answered more than once, {windows_checked} windows")
    if problems:
        shown = "; ".join(problems[:10]) + (f"; ... {len(problems)} in all" if len(problems) > 10 else "")
        print(f"HISTORY FAIL {shown} | {summary}")
        return 1
    print(f"HISTORY PASS {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
