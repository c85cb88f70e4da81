#!/usr/bin/env python3
"""Mutation test of the run-file readers: damages a real run file many ways (byte flips in
the metadata-rich head and tail, flips anywhere, truncations) and runs `sweet report` and
`sweet gradients` on each mutant with a timeout. Counts hangs (past the timeout), crashes
(killed by a signal), clean errors (status 1 with one line naming the file) and successes.
A damaged file must never hang or crash a reader.

    python3 tests/robustness/mutate_run_file.py --sweet build/app/sweet --run RUN.h5 \
        [--mutants 200] [--timeout 30] [--seed 1] [--jobs 2]

Exit status 0 when there are no hangs and no crashes.
"""
import argparse
import concurrent.futures
import os
import random
import subprocess
import sys
import tempfile
import time


def mutate(data: bytes, rng: random.Random, kind: int) -> bytes:
    b = bytearray(data)
    if kind == 0:  # a few flips where HDF5 keeps its metadata
        for _ in range(rng.randint(1, 8)):
            span = min(len(b), 8192)
            at = rng.randrange(span) if rng.random() < 0.5 else len(b) - 1 - rng.randrange(span)
            b[at] ^= rng.randint(1, 255)
    elif kind == 1:  # flips anywhere
        for _ in range(rng.randint(1, 16)):
            b[rng.randrange(len(b))] ^= rng.randint(1, 255)
    else:  # truncation
        del b[rng.randrange(len(b)):]
    return bytes(b)


def run_case(sweet, command, path, timeout):
    args = [sweet, command, path]
    started = time.monotonic()
    try:
        p = subprocess.run(args, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang", timeout, ""
    elapsed = time.monotonic() - started
    err = p.stderr.decode(errors="replace")
    if p.returncode < 0 or p.returncode > 1:
        return "crash", elapsed, err[-300:]
    if p.returncode == 1:
        lines = [l for l in err.splitlines() if l.strip()]
        ok = len(lines) == 1 and path in lines[0]
        return ("error" if ok else "unclear-error"), elapsed, err[-300:]
    return "ok", elapsed, ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sweet", required=True)
    ap.add_argument("--run", required=True)
    ap.add_argument("--mutants", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    data = open(args.run, "rb").read()
    rng = random.Random(args.seed)
    counts, slowest, examples = {}, 0.0, {}
    with tempfile.TemporaryDirectory() as tmp:
        cases = []
        for i in range(args.mutants):
            path = os.path.join(tmp, f"mutant-{i:04d}.h5")
            with open(path, "wb") as f:
                f.write(mutate(data, rng, i % 3))
            cases += [("report", path), ("gradients", path)]
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = {pool.submit(run_case, args.sweet, c, p, args.timeout): (c, p) for c, p in cases}
            for future in concurrent.futures.as_completed(futures):
                outcome, elapsed, err = future.result()
                counts[outcome] = counts.get(outcome, 0) + 1
                slowest = max(slowest, elapsed)
                if outcome not in ("ok", "error"):
                    examples.setdefault(outcome, (futures[future], err))
                done = sum(counts.values())
                if done % 50 == 0:
                    print(f"  {done}/{len(cases)}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
                          file=sys.stderr, flush=True)
        total = time.monotonic() - started
    print(f"{len(cases)} cases ({args.mutants} mutants x report, gradients) in {total:.0f} s: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + f"; slowest {slowest:.2f} s")
    for outcome, ((command, path), err) in examples.items():
        print(f"  e.g. {outcome}: sweet {command} {os.path.basename(path)}: {err.strip()[-200:]}")
    return 1 if counts.get("hang", 0) or counts.get("crash", 0) else 0


if __name__ == "__main__":
    sys.exit(main())
