"""``gezinsrooster whatif``: what do we gain, and for whom, if we change the capacity?

Solves the base week and every scenario of a scenario file (by default a
second family room and the partner cap from 18 to 72 hours by 9), on a local
process pool or a Ray cluster, and writes the table (CSV, XLSX) and a chart of
each KPI against the swept parameter. Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from typing import Any, TextIO

from api.cli import add_command
from scheduler.domain import ProblemError, load_problem
from whatif.scenarios import load_scenarios

BAR_WIDTH = 30


class ProgressBar:
    """Draws ``[#####-----] 3/9 solves, 12 s`` on a terminal; plain lines every tenth elsewhere."""

    def __init__(self, stream: TextIO, label: str = "solves") -> None:
        self.stream = stream
        self.label = label
        self.began = time.monotonic()
        self.live = stream.isatty()
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        seconds = time.monotonic() - self.began
        if self.live:
            filled = BAR_WIDTH * done // max(1, total)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            end = "\n" if done == total else ""
            self.stream.write(f"\r[{bar}] {done}/{total} {self.label}, {seconds:.0f} s{end}")
        else:
            step = done * 10 // max(1, total)
            if step == self.shown and done != total:
                return
            self.shown = step
            self.stream.write(f"whatif: {done}/{total} {self.label}, {seconds:.0f} s\n")
        self.stream.flush()


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value:g} is not a positive number of seconds")
    return value


def _whatif(args: argparse.Namespace) -> int:
    from whatif.executors import make_executor
    from whatif.report import format_table, write_report
    from whatif.scenarios import default_scenarios
    from whatif.sweep import SweepOptions, buying_options, run_sweep

    missing_extras(args.executor)
    base = load_problem(args.base)
    spec = load_scenarios(args.scenarios) if args.scenarios else default_scenarios(base)
    if args.replications is not None or args.seed is not None:
        replications = spec.replications.model_copy(
            update={
                key: value
                for key, value in (("count", args.replications), ("seed", args.seed))
                if value is not None
            }
        )
        spec = spec.model_copy(update={"replications": replications})
    options = SweepOptions(
        time_limit=args.time_limit,
        solver_workers=args.solver_workers,
        deterministic=args.deterministic,
        seed=args.seed or 0,
    )
    if args.address is not None and args.executor != "ray":
        raise ProblemError(["--address: names a Ray cluster, so it needs --executor ray"])
    try:
        executor = make_executor(args.executor, args.workers, args.address)
    except ConnectionError as error:
        raise ProblemError(
            [f"--address: cannot reach a Ray cluster at '{args.address}' ({error})"]
        ) from None
    progress = None if args.quiet else ProgressBar(sys.stderr)
    with executor:
        report = run_sweep(base, spec, executor, options, progress)
    if not args.no_buy:
        from whatif.purchases import purchase_records, what_to_buy

        report.purchases = purchase_records(what_to_buy(base, buying_options(options)))
    print(format_table(report.table))
    for sweep, value in report.levels_off.items():
        if value is None:
            print(f"{sweep}: fulfilment still rises at the end of the sweep")
        else:
            print(f"{sweep}: fulfilment levels off from {value:g} (further steps add < 0.5 point)")
    for sweep, cap in report.every_escort_from.items():
        if cap is None:
            print(f"{sweep}: escorted visits still wait for partner hours at the end of the sweep")
        else:
            print(f"{sweep}: every father's escort is paid for from {cap:g} partner hours")
    if report.purchases:
        print("Wat nu kopen (duale prijzen van de relaxatie; de beste drie nagerekend):")
        for rank, item in enumerate(report.purchases, start=1):
            print(f"{rank}. {item['text']}")
    for path in write_report(report, args.out):
        print(f"wrote {path}", file=sys.stderr)
    return 0


def missing_extras(executor: str) -> None:
    """Refuse, naming the install extra, when what the run needs is not installed."""
    needed = [("matplotlib", "plot", "the charts need")]
    if executor == "ray":
        needed.append(("ray", "ray", "--executor ray needs"))
    errors = [
        f"{what} {module}, which is not installed: pip install 'gezinsrooster[{extra}]'"
        for module, extra, what in needed
        if importlib.util.find_spec(module) is None
    ]
    if errors:
        raise ProblemError(errors)


def register(subparsers: Any) -> None:
    """Add the what-if command."""
    whatif = add_command(
        subparsers,
        "whatif",
        description=(
            "Solve the base week and every scenario (default: a second family room and the "
            "partner cap from 18 to 72 hours by 9) and compare their KPIs with the base."
        ),
    )
    whatif.add_argument("base", help="the base week (a problem JSON file)")
    whatif.add_argument("scenarios", nargs="?", help="a scenario file (YAML or JSON)")
    whatif.add_argument(
        "--executor",
        choices=["local", "ray", "serial"],
        default="local",
        help="where the solves run: a local process pool (default), Ray, or this process",
    )
    whatif.add_argument(
        "--address", help="the address of an existing Ray cluster (with --executor ray)"
    )
    whatif.add_argument(
        "--workers", type=_positive, help="solves at the same time (default: all cores)"
    )
    whatif.add_argument(
        "--solver-workers",
        type=_positive,
        help="CP-SAT workers per solve (default: the cores divided by --workers, at least 2)",
    )
    whatif.add_argument(
        "--time-limit", type=_seconds, default=10.0, help="seconds per solve (default 10)"
    )
    whatif.add_argument(
        "--deterministic",
        action="store_true",
        help="deterministic solves and no timings: every executor gives the same report",
    )
    whatif.add_argument("--replications", type=_positive, help="generated weeks per scenario")
    whatif.add_argument(
        "--seed", type=int, help="seed of the first generated week and of the solver"
    )
    whatif.add_argument("--out", default="out/whatif", help="folder for the table and charts")
    whatif.add_argument("--quiet", action="store_true", help="no progress bar")
    whatif.add_argument(
        "--no-buy",
        action="store_true",
        help="leave out what to buy next (priced by the relaxation, the best three solved)",
    )
    whatif.set_defaults(handler=_whatif)
