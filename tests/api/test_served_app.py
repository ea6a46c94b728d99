"""The application as ``gezinsrooster serve`` runs it."""

from __future__ import annotations

import gc
from pathlib import Path

from api.app import SERVED_GC_THRESHOLDS, served_app
from api.settings import Settings


def test_served_app_runs_the_collector_less_often(tmp_path: Path) -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        app = served_app(Settings(database_url=f"sqlite:///{tmp_path / 'served.db'}"))
        assert gc.get_threshold() == SERVED_GC_THRESHOLDS
        assert SERVED_GC_THRESHOLDS[0] > 700
        assert app.title == "gezinsrooster"
    finally:
        gc.set_threshold(*before)
