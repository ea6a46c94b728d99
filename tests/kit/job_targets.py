"""Job targets for the job runner's tests; they run in the job's own process."""

from __future__ import annotations

import time
from typing import Any

from api.jobs import Report


def count(payload: dict[str, Any], report: Report) -> dict[str, Any]:
    """Give ``{"counted": n}`` after reporting each step and its best result so far."""
    for step in range(1, int(payload["steps"]) + 1):
        report({"step": step}, {"counted": step})
    return {"counted": int(payload["steps"])}


def sleep(payload: dict[str, Any], report: Report) -> dict[str, Any]:
    """Give nothing useful: report once, then sleep far longer than any test waits."""
    report({"step": 1}, {"best": 1})
    time.sleep(float(payload.get("seconds", 600)))
    return {"best": 2}


def fail(payload: dict[str, Any], report: Report) -> dict[str, Any]:
    """Give nothing: raise, so the job shows as failed with the message."""
    raise RuntimeError("the week could not be read")
