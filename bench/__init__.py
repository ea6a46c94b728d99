"""Benchmarks of the roster engine: the scale suite (``python -m bench``) and one-off scripts.

``bench.suite`` measures one seeded generated instance per child process and the
national problem region by region; ``bench.report`` writes the tables and the
plot to ``bench/results/``.
"""
