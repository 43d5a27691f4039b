"""Bad input is reported, never fatal: each malformed record becomes a RecordError with its line and reason."""

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from paperhub.papers.records import RecordError

# RecordError: also raised by PaperRecord over its limits
__all__ = ["BadRecord", "ErrorLog", "RecordError", "json_kind"]


def json_kind(value: object) -> str:
    """What a parsed JSON value is, in JSON's words ("null", "an array"), for a message about the input."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    kinds = ((int, "a number"), (float, "a number"), (str, "a string"), (list, "an array"), (dict, "an object"))
    return next((kind for cls, kind in kinds if isinstance(value, cls)), type(value).__name__)


@dataclass(frozen=True)
class BadRecord:
    """A record that was skipped: where it was (line, or page and entry for network sources) and why."""

    line: int
    reason: str
    where: str = ""

    def __str__(self) -> str:
        place = self.where or f"line {self.line}"
        return f"{place}: {self.reason}"


class ErrorLog:
    """Collects bad records: all of them to an optional file, the first few in memory for the summary."""

    def __init__(self, path: Path | None = None, keep: int = 20) -> None:
        self.count = 0
        self.first: list[BadRecord] = []
        self._keep = keep
        self._file: IO[str] | None = path.open("w", encoding="utf-8") if path else None

    def add(self, bad: BadRecord) -> None:
        self.count += 1
        if len(self.first) < self._keep:
            self.first.append(bad)
        if self._file:
            row = {k: v for k, v in asdict(bad).items() if v != ""}  # a file's records have a line, not a place
            self._file.write(json.dumps(row, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if self._file:
            self._file.close()
            self._file = None
