"""The national problem's regions on a Ray cluster of two nodes and on the local pool."""

from __future__ import annotations

from typing import Any

import pytest

from bench.__main__ import main
from bench.suite import national_specs, run_national


@pytest.mark.ray
@pytest.mark.slow
def test_regions_on_a_two_node_cluster_give_the_local_pools_rosters(ray_cluster: Any) -> None:
    """In deterministic mode the cluster and the local pool give the very same region rosters.

    Two regions of one 10-father institution, each solved on one CPU: each
    node has one CPU, so the regions run on both at once, and the run counts
    the cluster's two CPUs and both nodes. Their solves prove every tier in
    a few CPU-seconds; the time limit leaves the wall clock (the solve's
    safety net) room for a machine busy with other work, so it does not cut
    them short and the roster depends on the model alone.
    """
    import ray

    specs = national_specs(2, 1, 10, time_limit=60.0, seed=1, deterministic=True)
    on_ray = run_national(specs, "ray")
    local = run_national(specs, "local", 2)
    assert [r.digest for r in on_ray.regions] == [r.digest for r in local.regions]
    assert len({r.digest for r in local.regions}) == len(specs)
    assert all(r.valid and r.status == "optimal" for r in on_ray.regions + local.regions)
    nodes = {node["NodeID"] for node in ray.nodes() if node["Alive"]}
    assert len(nodes) == 2
    assert {r.node for r in on_ray.regions} == nodes
    assert (on_ray.cpus, on_ray.workers, on_ray.nodes) == (2, 2, 2)
    assert local.nodes == 1
    assert "on 2 CPUs (local x2, 1 node);" in local.describe()
    assert on_ray.cpu_seconds > 0
    assert "on 2 CPUs (ray x2, 2 nodes); CPU-seconds of the solves" in on_ray.describe()


def test_a_ray_address_without_ray_exits_2_naming_the_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--ray-address with the local pool is refused before anything runs."""
    with pytest.raises(SystemExit) as stopped:
        main(["--no-institutions", "--ray-address", "127.0.0.1:6379"])
    assert stopped.value.code == 2
    assert "--ray-address: names a Ray cluster, so it needs --executor ray" in (
        capsys.readouterr().err
    )


def test_sizes_with_no_institutions_exits_2_naming_the_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--sizes names institutions, which --no-institutions leaves out: refused, exit 2."""
    with pytest.raises(SystemExit) as stopped:
        main(["--no-institutions", "--sizes", "50"])
    assert stopped.value.code == 2
    assert "--sizes: names institutions, which --no-institutions leaves out" in (
        capsys.readouterr().err
    )
