"""The benchmark suite of the scale targets: ``python -m bench`` (``make bench``).

Solves seeded generated institutions of 50 to 1,000 fathers for 60 seconds
each, one fresh process per instance, and the national problem (10 regions of
3 institutions of 200 fathers) side by side on the local process pool or Ray;
checks every roster with the validator, compares it with first-come-first-served,
and writes results.md, results.csv and gap_time.png to ``--out``.

    python -m bench [--quick] [--sizes 50,100,200,400,1000 | --no-institutions]
        [--time-limit 60] [--national | --no-national] [--regions 10]
        [--executor local|ray] [--ray-address ADDR] [--deterministic]
        [--region-time-limit 40] [--busy] [--out bench/results]

``--busy`` keeps one CPU-bound process running beside every solve, as a
second user of the machine would.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.prover import BUSY
from bench.report import this_machine, write_results
from bench.suite import Figures, InstanceSpec, measure_alone, national_specs, run_national
from scheduler.catalogue import argument_errors

ROOT = Path(__file__).resolve().parents[1]
SIZES = (50, 100, 200, 400, 1000)
QUICK_SIZES = (50, 400)


def _sizes(text: str) -> list[int]:
    """Give the institution sizes of a comma-separated list; argparse reports a bad one."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        message = f"--sizes: not a list of whole numbers: {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"--sizes: each size must be 1 or more: {text!r}")
    return sizes


def _positive(text: str) -> float:
    """Give a positive number of seconds; argparse reports a bad one."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def _count(text: str) -> int:
    """Give a whole number of 1 or more; argparse reports a bad one."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    """Give the command's argument parser."""
    found = argparse.ArgumentParser(
        prog="python -m bench", description=(__doc__ or "").splitlines()[0]
    )
    found.add_argument(
        "--quick",
        action="store_true",
        help="a few minutes: 50 and 400 fathers for 30 s, 4 regions for 20 s each",
    )
    found.add_argument("--sizes", type=_sizes, help="institution sizes (default 50,...,1000)")
    found.add_argument(
        "--no-institutions", action="store_true", help="no single institutions: the national only"
    )
    found.add_argument("--time-limit", type=_positive, help="seconds per institution (60)")
    found.add_argument("--seed", type=int, default=1)
    found.add_argument("--workers", type=_count, default=2, help="CP-SAT workers per institution")
    national = found.add_mutually_exclusive_group()
    national.add_argument("--national", dest="national", action="store_true", default=True)
    national.add_argument("--no-national", dest="national", action="store_false")
    found.add_argument("--regions", type=_count, help="regions of the national problem (10)")
    found.add_argument("--region-institutions", type=_count, default=3)
    found.add_argument("--region-fathers", type=_count, default=200, help="fathers per institution")
    found.add_argument("--region-time-limit", type=_positive, help="seconds per region (40)")
    found.add_argument("--executor", choices=["local", "ray", "serial"], default="local")
    found.add_argument(
        "--ray-address", help="an existing Ray cluster (with --executor ray; default: start one)"
    )
    found.add_argument(
        "--deterministic",
        action="store_true",
        help="regions on CP-SAT's deterministic clock: the same rosters on every executor",
    )
    found.add_argument("--pool", type=_count, help="regions solved at once (all cores)")
    found.add_argument("--busy", action="store_true", help="a CPU-bound process beside each solve")
    found.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    return found


@contextmanager
def beside(busy: bool) -> Iterator[None]:
    """Keep one CPU-bound process running while the block runs, where ``busy``."""
    process = subprocess.Popen([sys.executable, "-c", BUSY]) if busy else None
    try:
        yield
    finally:
        if process is not None:
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> int:
    """Run the suite, write the results and print where; give the exit code (2 on bad options)."""
    args = parser().parse_args(argv)
    if args.ray_address is not None and args.executor != "ray":
        parser().error("--ray-address: names a Ray cluster, so it needs --executor ray")
    if args.no_institutions and args.sizes:
        parser().error("--sizes: names institutions, which --no-institutions leaves out")
    sizes = [] if args.no_institutions else args.sizes or list(QUICK_SIZES if args.quick else SIZES)
    limit = args.time_limit or (30.0 if args.quick else 60.0)
    regions = args.regions or (4 if args.quick else 10)
    region_limit = args.region_time_limit or (20.0 if args.quick else 40.0)
    specs = [InstanceSpec(n, seed=args.seed, time_limit=limit, workers=args.workers) for n in sizes]
    regional = national_specs(
        regions,
        args.region_institutions,
        args.region_fathers,
        region_limit,
        args.seed,
        args.deterministic,
    )
    # A week the generator refuses is reported before anything runs, named by its option.
    for option, spec in [("--sizes", s) for s in specs] + [
        ("--region-fathers/--region-institutions", s) for s in (regional if args.national else [])
    ]:
        for name, text in argument_errors(spec.fathers, spec.institutions, spec.week).items():
            parser().error(f"{option}: {name} {text}")
    # Ray's workers and the spawned pool must import the bench package from this checkout.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    machine = this_machine()
    institutions: list[Figures] = []
    for spec in specs:
        with beside(args.busy):
            figures = measure_alone(spec)
        institutions.append(figures)
        print(
            f"{figures.name}: {figures.status}, valid {figures.valid}, gap {figures.gap}, "
            f"wall {figures.wall_seconds:.1f} s, first roster {figures.first_roster_seconds} s",
            flush=True,
        )
    national = None
    if args.national:
        try:
            with beside(args.busy):
                national = run_national(regional, args.executor, args.pool, args.ray_address)
        except ConnectionError as error:
            parser().error(
                f"--ray-address: cannot reach a Ray cluster at {args.ray_address!r} ({error})"
            )
        for region in national.regions:
            print(
                f"{region.name}: {region.status}, valid {region.valid}, gap {region.gap}, "
                f"wall {region.wall_seconds:.1f} s, digest {region.digest[:12]}",
                flush=True,
            )
        print(
            f"national: {national.fathers} fathers in {len(national.regions)} regions, "
            f"{national.describe()}, peak {national.peak_mib:.0f} MiB",
            flush=True,
        )
    command = shlex.join(["python", "-m", "bench", *(sys.argv[1:] if argv is None else argv)])
    for path in write_results(institutions, national, machine, command, args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
