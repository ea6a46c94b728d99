"""The base of every contract model, and the moment type the contract writes times in.

``scheduler.domain`` and ``scheduler.history`` both build on these, so that
the week and the weeks before it are checked alike (docs/design.md section 5).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from scheduler.week import TZ


class ProblemError(ValueError):
    """Input that cannot be a week's facts; ``messages`` name each field and culprit."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def _local(moment: datetime) -> datetime:
    """Give the moment with an offset: a time written without one is Amsterdam wall-clock time."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=TZ)


LocalDateTime = Annotated[datetime, AfterValidator(_local)]
"""A moment of the contract; always aware, so any two compare without error."""


class Contract(BaseModel):
    """Base of every contract model: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


def field_name(loc: tuple[int | str, ...]) -> str:
    """Give a pydantic error location as the contract names a field: ``fathers[12].id``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def validation_messages(error: ValidationError) -> list[str]:
    """Give one ``field: what is wrong`` line per pydantic error."""
    messages: list[str] = []
    for item in error.errors():
        location = field_name(tuple(item["loc"]))
        text = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "missing":
            text = "is required"
        elif item["type"] == "extra_forbidden":
            text = "is not a field of the contract"
        for line in text.split("\n"):
            if location and not line.startswith(location):
                messages.append(f"{location}: {line}")
            else:
                messages.append(line)
    return messages


def read_json(path: str | Path) -> Any:
    """Give the decoded JSON of a file, or raise ProblemError saying where it breaks."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ProblemError([f"{path}: cannot be read ({error.strerror})"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ProblemError(
            [f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"]
        ) from None
