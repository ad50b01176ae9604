"""Measure the spread of the learning tests' quality over CPU kernel sets and seeds.

Every test that trains and asserts a quality bound does so through the ``margin`` fixture
(``tests/conftest.py``), which marks it ``learns`` and, when ``$RNAGRAPH_MARGINS_OUT`` is set,
records each measured value beside its bound. This script runs ``pytest -m learns`` once per
kernel set and seed (``$RNAGRAPH_TEST_SEED``) in subprocesses and prints, per test and metric,
the bound and the min / median / max of the measured values. It exits 1 when a bound sits within
``--safety`` of the worst value measured (or is crossed), so the bounds in the tests can be set
below the measured minimum with a stated margin.

Kernel sets imitate other CPUs on one machine (the issue's three): ``native`` (whatever this
CPU offers), ``avx2`` and ``sse``.

    python tools/margins.py                        # 3 kernel sets x seeds 0-4, one job
    python tools/margins.py --seeds 0 1 2 --jobs 2 --markdown tools/margins.md
    python tools/margins.py --from runs.jsonl      # summarise stored records only
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

KERNELS: dict[str, dict[str, str]] = {
    "native": {},
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2",
             "ONEDNN_MAX_CPU_ISA": "AVX2"},
    "sse": {"ATEN_CPU_CAPABILITY": "default", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
            "ONEDNN_MAX_CPU_ISA": "SSE41"},
}
_KERNEL_VARS = ("ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA")


def run_one(kernels: str, seed: int, paths: list[str], extra: list[str],
            out_dir: Path) -> tuple[str, int, int, list[dict]]:
    """One ``pytest -m learns`` run under a kernel set and seed: ``(kernels, seed, exit code,
    records)``; each record gains the kernel set's name."""
    out = out_dir / f"{kernels}-{seed}.jsonl"
    out.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in _KERNEL_VARS}
    env.update(KERNELS[kernels], RNAGRAPH_TEST_SEED=str(seed), RNAGRAPH_MARGINS_OUT=str(out))
    # a module that does not import (another part mid-edit) must not stop the learning tests
    cmd = [sys.executable, "-m", "pytest", "-q", "-m", "learns", "-p", "no:randomly",
           "--continue-on-collection-errors", *extra, *paths]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    recs = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    for r in recs:
        r["kernels"] = kernels
    if proc.returncode not in (0, 1):      # 1: some bound failed, which is a measurement too
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-15:])
        print(f"[{kernels} seed {seed}] pytest exited {proc.returncode}:\n{tail}",
              file=sys.stderr)
    return kernels, seed, proc.returncode, recs


def summarise(recs: list[dict], safety: float) -> tuple[list[dict], bool]:
    """Per (test, metric): bound, side, n, min / median / max and the slack (worst value minus
    bound for an 'above' bound, bound minus worst for 'below'). ``ok`` is False when any slack
    is below ``safety``."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in recs:
        groups.setdefault((r["test"], r["metric"]), []).append(r)
    rows, ok = [], True
    for (test, metric), rs in sorted(groups.items()):
        vals = [r["value"] for r in rs]
        bounds = {r["bound"] for r in rs}
        side = rs[0]["side"]
        bound = min(bounds) if side == "above" else max(bounds)
        worst = min(vals) if side == "above" else max(vals)
        slack = worst - bound if side == "above" else bound - worst
        worst_run = next(r for r in rs if r["value"] == worst)
        row = {"test": test, "metric": metric, "side": side, "bound": bound, "n": len(vals),
               "min": min(vals), "median": statistics.median(vals), "max": max(vals),
               "slack": slack, "worst": f"{worst_run['kernels']}/{worst_run['seed']}",
               "flag": "" if slack >= safety else ("FAIL" if slack <= 0 else "TIGHT")}
        ok &= slack >= safety
        rows.append(row)
    return rows, ok


def table(rows: list[dict]) -> str:
    head = ("| test | metric | bound | min | median | max | slack | worst (kernels/seed) | n | |\n"
            "|---|---|---|---|---|---|---|---|---|---|\n")
    body = "".join(
        f"| {r['test'].removeprefix('tests/')} | {r['metric']} | "
        f"{'>' if r['side'] == 'above' else '<'} {r['bound']:g} | {r['min']:.4f} | "
        f"{r['median']:.4f} | {r['max']:.4f} | {r['slack']:+.4f} | {r['worst']} | {r['n']} | "
        f"{r['flag']} |\n" for r in rows)
    return head + body


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", default=["tests"],
                    help="test files or folders to search for learning tests (default: tests)")
    ap.add_argument("--kernels", nargs="+", default=list(KERNELS), choices=list(KERNELS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    ap.add_argument("--jobs", type=int, default=1, help="pytest processes at once")
    ap.add_argument("--safety", type=float, default=0.02,
                    help="least slack between a bound and the worst measured value, in the "
                         "metric's units (default 0.02)")
    ap.add_argument("--records", type=Path, help="also write all records here (JSON lines)")
    ap.add_argument("--from", dest="from_", type=Path, nargs="+",
                    help="summarise these stored records instead of running pytest")
    ap.add_argument("--bounds", type=Path,
                    help="take each bound from these records instead (a later run, e.g. one "
                         "seed, after the bounds were set from the spread of --from)")
    ap.add_argument("--markdown", type=Path, help="write the table, with date, machine and "
                                                  "command, to this file")
    ap.add_argument("-k", dest="keyword", help="pytest -k expression to run a subset")
    args = ap.parse_args(argv)

    failed_runs = []
    if args.from_:
        recs = [json.loads(line) for path in args.from_
                for line in path.read_text().splitlines() if line]
    else:
        extra = ["-k", args.keyword] if args.keyword else []
        recs = []
        with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(args.jobs) as pool:
            jobs = [pool.submit(run_one, k, s, args.paths, extra, Path(tmp))
                    for k in args.kernels for s in args.seeds]
            for job in jobs:
                kernels, seed, code, got = job.result()
                print(f"{kernels:>6} seed {seed}: {len(got)} records, pytest exit {code}",
                      flush=True)
                if code not in (0, 1):
                    failed_runs.append(f"{kernels}/{seed}")
                recs += got
    if not recs:
        print("no records: no learning test ran", file=sys.stderr)
        return 2
    if args.bounds:
        later = {(r["test"], r["metric"]): r for r in
                 map(json.loads, args.bounds.read_text().splitlines()) if r}
        missing = sorted({(r["test"], r["metric"]) for r in recs} - set(later))
        if missing:
            print(f"--bounds lacks {len(missing)} (test, metric): {missing[:3]}", file=sys.stderr)
            return 2
        for r in recs:
            b = later[(r["test"], r["metric"])]
            r["bound"], r["side"] = b["bound"], b["side"]
    if args.records:
        args.records.write_text("".join(json.dumps(r) + "\n" for r in recs))
    rows, ok = summarise(recs, args.safety)
    text = table(rows)
    print(text)
    verdict = ("every bound is at least {s} below the worst value" if ok else
               "some bound is within {s} of the worst value (TIGHT) or crossed (FAIL)")
    verdict = verdict.format(s=args.safety)
    print(verdict)
    if args.markdown:
        kernels = sorted({r["kernels"] for r in recs})
        seeds = sorted({r["seed"] for r in recs})
        cmd = "python tools/margins.py " + " ".join(argv if argv is not None else sys.argv[1:])
        args.markdown.write_text(
            "# Learning-test margins\n\n"
            f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on "
            f"{platform.processor() or platform.machine()} ({_cpu_name()}), torch threads 1, "
            f"kernel sets {', '.join(kernels)} x seeds {', '.join(map(str, seeds))}.\n\n"
            f"Command: `{cmd.strip()}`\n\n"
            "slack: the worst measured value minus the bound ('>' bounds) or the bound minus "
            "the worst value ('<' bounds); the tests' bounds sit below the minimum with at "
            f"least {args.safety} to spare.\n\n" + text + "\n" + verdict + "\n")
    return 0 if ok and not failed_runs else 1


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.platform()


if __name__ == "__main__":
    sys.exit(main())
