"""The ids and texts of the contract: their patterns, lengths and how a refusal names them.

An id, a pseudonym (a father's or child's id, never a name), an ISO week and a
line of text each have one rule; the contract's models, the API's paths and
queries and the page's forms all check a string by it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, WithJsonSchema

ESCORTED_VISIT = "escorted_visit"
"""The entitlement a father has when his occurrence of an activity with escorts has them all."""

ID_MAX = 64
_ID_CHARS = "A-Za-z0-9_.@~-"
ID_PATTERN = rf"^[A-Za-z0-9][{_ID_CHARS}]*$"
"""An id: letters, digits and ``_ . @ ~ -``, starting with a letter or digit."""
PSEUDONYM_PATTERN = rf"^(?:[A-Za-z0-9][{_ID_CHARS}]*)?[0-9][{_ID_CHARS}]*$"
"""A father's or child's id: an id with at least one digit (``F-0001``), so never a name."""
WEEK_PATTERN = r"^[0-9]{4}-W[0-9]{2}$"
"""An ISO week, ``2027-W05``."""
TEXT_MAX = 200
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"
"""A name or label: any text on one line, without control characters."""
CULPRIT_MAX = 80


def culprit(value: str) -> str:
    """Give a value as a message quotes it: escaped (``'a\\x00b'``), long ones cut short."""
    shown = value if len(value) <= CULPRIT_MAX else value[:CULPRIT_MAX] + "..."
    return repr(shown)


@dataclass(frozen=True)
class StringRule:
    """What a string of the contract must be: a pattern, a length, and how a refusal says it."""

    pattern: str
    max_length: int
    what: str
    min_length: int = 1

    def check(self, value: str) -> str:
        """Give the value if it keeps the rule, else raise ValueError naming the culprit."""
        if len(value) > self.max_length:
            raise ValueError(f"{culprit(value)} is longer than {self.max_length} characters")
        # The pattern's '$' would let a final line break through; \Z does not.
        if not re.match(self.pattern.removesuffix("$") + r"\Z", value):
            raise ValueError(f"{culprit(value)} is not {self.what}")
        return value

    def json_schema(self) -> dict[str, Any]:
        """Give the rule as the JSON schema (and so the OpenAPI document) says it."""
        schema: dict[str, Any] = {
            "type": "string",
            "pattern": self.pattern,
            "maxLength": self.max_length,
        }
        if self.min_length:
            schema["minLength"] = self.min_length
        return schema


ID_RULE = StringRule(
    ID_PATTERN, ID_MAX, "an id (letters, digits and _ . @ ~ -, starting with a letter or digit)"
)
PSEUDONYM_RULE = StringRule(
    PSEUDONYM_PATTERN,
    ID_MAX,
    "a pseudonym (an id with at least one digit, such as 'F-0001'; never a name)",
)
ASSIGNMENT_ID_RULE = StringRule(ID_PATTERN, 3 * ID_MAX, ID_RULE.what)
WEEK_RULE = StringRule(WEEK_PATTERN, 8, "an ISO week like 2027-W05")
TEXT_RULE = StringRule(TEXT_PATTERN, TEXT_MAX, "one line of text without control characters", 0)

Id = Annotated[str, AfterValidator(ID_RULE.check), WithJsonSchema(ID_RULE.json_schema())]
"""The id of an institution, activity, room, session, volunteer, officer or stored object."""
Pseudonym = Annotated[
    str, AfterValidator(PSEUDONYM_RULE.check), WithJsonSchema(PSEUDONYM_RULE.json_schema())
]
"""The id of a father or a child."""
AssignmentId = Annotated[
    str,
    AfterValidator(ASSIGNMENT_ID_RULE.check),
    WithJsonSchema(ASSIGNMENT_ID_RULE.json_schema()),
]
"""The id of an assignment, made from the ids of what it holds."""
WeekName = Annotated[str, AfterValidator(WEEK_RULE.check), WithJsonSchema(WEEK_RULE.json_schema())]
"""An ISO week of the contract, ``2027-W05``."""
Text = Annotated[str, AfterValidator(TEXT_RULE.check), WithJsonSchema(TEXT_RULE.json_schema())]
"""A name or a label (an institution's name, a volunteer's organisation, a ward)."""
