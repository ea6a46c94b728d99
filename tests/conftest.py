"""Shared pytest fixtures: every week in fixtures/ as a loaded Problem.

Each fixture gives a fresh Problem (tests may change it); the file is read and
decoded once per session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from scheduler.domain import Problem, parse_problem, read_json

ROOT = Path(__file__).resolve().parent.parent
FIXTURES_DIR = ROOT / "fixtures"


#: The xdist group of the modules that use Ray: one worker runs them all, so one cluster starts.
RAY_GROUP = "ray"


# Before xdist's own hook, which reads the groups to name each test's work unit.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the modules for the workers, the slowest first; each module, and Ray's, an xdist group.

    ``make test`` runs ``--dist loadfile --no-loadscope-reorder``: each module
    goes whole to one worker (its server, browser or Ray cluster starts once),
    in the order given here, the groups with the most tests marked ``slow``
    first, so that the quick modules fill in at the end. Under ``--dist
    loadgroup`` the modules with a test marked ``ray`` also share one worker.
    """
    groups: dict[str, list[pytest.Item]] = {}
    for item in items:
        groups.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    for module, found in list(groups.items()):
        if any(item.get_closest_marker("ray") for item in found):
            groups.setdefault(RAY_GROUP, []).extend(groups.pop(module))

    def slow(group: str) -> int:
        return sum(item.get_closest_marker("slow") is not None for item in groups[group])

    items[:] = []
    for group in sorted(groups, key=slow, reverse=True):
        for item in groups[group]:
            item.add_marker(pytest.mark.xdist_group(group))
            items.append(item)


@cache
def _decoded(name: str) -> Any:
    return read_json(FIXTURES_DIR / name)


def load_fixture(name: str) -> Problem:
    """Give a fresh Problem of the fixture file ``name`` (like ``"tiny.json"``)."""
    return parse_problem(_decoded(name))


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[Any]:
    """Start one Ray cluster for the whole session: a head and a worker node, 1 CPU each.

    Both nodes run on this machine, each its own raylet with its own workers, as
    two machines of a real cluster would; this process joins it as the driver,
    so every ``RayExecutor`` of the session uses it. The nodes' workers import
    this checkout. Gives the cluster (``ray.cluster_utils.Cluster``).
    """
    ray = pytest.importorskip("ray")
    from ray.cluster_utils import Cluster

    with pytest.MonkeyPatch.context() as patch:
        paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        patch.setenv("PYTHONPATH", os.pathsep.join(paths))
        cluster = Cluster(
            initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False}
        )
        cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, include_dashboard=False, logging_level="WARNING")
    yield cluster
    ray.shutdown()
    cluster.shutdown()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """Give the folder that holds the fixture weeks."""
    return FIXTURES_DIR


@pytest.fixture
def tiny() -> Problem:
    """Give fixtures/tiny.json: four fathers at PI Veenhuizen, checkable by hand."""
    return load_fixture("tiny.json")


@pytest.fixture
def veenhuizen() -> Problem:
    """Give fixtures/veenhuizen.json: PI Veenhuizen (Esserheem), 125 fathers, a wing of 14."""
    return load_fixture("veenhuizen.json")


@pytest.fixture
def leeuwarden() -> Problem:
    """Give fixtures/leeuwarden.json: PI Leeuwarden, 125 fathers, a wing of 12, a family day."""
    return load_fixture("leeuwarden.json")


@pytest.fixture
def region_noord() -> Problem:
    """Give fixtures/region-noord.json: both institutions sharing one partner cap of 36 hours."""
    return load_fixture("region-noord.json")


@pytest.fixture
def tiny_templates() -> Problem:
    """Give fixtures/tiny-templates.json: tiny's fathers in 2027-W17, sessions from templates."""
    return load_fixture("tiny-templates.json")


@pytest.fixture
def edge_holiday() -> Problem:
    """Give fixtures/edge-holiday.json: week 2027-W17, every room closed on King's Day (Tuesday)."""
    return load_fixture("edge-holiday.json")


@pytest.fixture
def edge_cap_zero() -> Problem:
    """Give fixtures/edge-cap-zero.json: a partner cap of 0 hours, so no volunteer can serve."""
    return load_fixture("edge-cap-zero.json")


@pytest.fixture
def edge_timeout_all_week() -> Problem:
    """Give fixtures/edge-timeout-all-week.json: wing father F-0003 on time-out all week."""
    return load_fixture("edge-timeout-all-week.json")
