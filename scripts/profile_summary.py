#!/usr/bin/python3
"""Sums a LibTorch Chrome trace (ropelm's ROPELM_PROFILE, i.e. the legacy CPU profiler's RecordProfile) per
operator: self time (an operator's time less the operators it called), calls, share of the profiled wall time.

Usage: scripts/profile_summary.py TRACE.json [--steps N] [--top K] [--shapes]
  --shapes: one row per operator and input shapes (ropelm's traces record them)
"""
import argparse
import collections
import json


def self_times(events):
    """(event, self microseconds) of each event: its duration less its direct children's, per thread."""
    by_thread = collections.defaultdict(list)
    for e in events:
        if e.get("ph") == "X":
            by_thread[e.get("tid")].append(e)
    out = []
    for evs in by_thread.values():
        # Parents first: earlier start, and at equal starts the longer one.
        evs.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []  # [event, children's total duration]
        def close(item):
            out.append((item[0], item[0]["dur"] - item[1]))
        for e in evs:
            while stack and e["ts"] >= stack[-1][0]["ts"] + stack[-1][0]["dur"]:
                close(stack.pop())
            if stack:
                stack[-1][1] += e["dur"]
            stack.append([e, 0.0])
        while stack:
            close(stack.pop())
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("trace")
    ap.add_argument("--steps", type=int, default=1, help="steps in the trace: times are printed per step")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--shapes", action="store_true", help="group by operator and input shapes")
    args = ap.parse_args()
    events = [e for e in json.load(open(args.trace)) if e.get("ph") == "X"]
    wall = max(e["ts"] + e["dur"] for e in events) - min(e["ts"] for e in events)
    totals, calls = collections.Counter(), collections.Counter()
    for event, us in self_times(events):
        name = event["name"]
        if args.shapes and event.get("args", {}).get("shapes"):
            name += " " + event["args"]["shapes"]
        totals[name] += us
        calls[name] += 1
    busy = sum(totals.values())
    per = 1000.0 * args.steps
    print(f"wall {wall / per:.1f} ms/step, operators' self time {busy / per:.1f} ms/step "
          f"({100 * busy / wall:.0f}% of wall; the rest is outside LibTorch's operators)")
    width = 100 if args.shapes else 58
    print(f"{'operator':<{width}} {'ms/step':>8} {'%wall':>6} {'calls/step':>10}")
    for name, us in totals.most_common(args.top):
        print(f"{name[:width]:<{width}} {us / per:8.1f} {100 * us / wall:6.1f} {calls[name] / args.steps:10.1f}")


if __name__ == "__main__":
    main()
