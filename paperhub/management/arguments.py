"""Argument types the commands share: a bad value is refused by argparse with a message saying what it wants."""

import argparse
from collections.abc import Callable
from datetime import date

from paperhub.papers import periods


def day(text: str) -> date:
    """A YYYY-MM-DD date, read as the pages and the API read one (fromisoformat alone reads 20250101 and 2025-W01)."""
    try:
        return periods.parse_day(text)
    except periods.PeriodError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text[:40]!r}") from None


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An integer from `low` to `high` (no upper bound without one)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low or (high is not None and value > high):
            span = f"from {low:,} to {high:,}" if high is not None else f"{low:,} or more"
            raise argparse.ArgumentTypeError(f"{value:,} is out of range: {span}")
        return value
    return parse


#: The models whose vectors commands make and move (`--model`): the transformer and the static model.
MODELS = ("transformer", "static")
#: Earlier names, still accepted: `index embed --model dense` meant the transformer.
MODEL_ALIASES = {"dense": "transformer"}


def add_model(parser: argparse.ArgumentParser, doing: str) -> None:
    """A `--model transformer|static` option (the transformer by default) for a command that `doing` its vectors."""
    parser.add_argument("--model", type=lambda text: MODEL_ALIASES.get(text, text), choices=MODELS,
                        default="transformer",
                        help=f"whose vectors it {doing}: transformer (the default; 'dense' is an earlier name "
                             "for it) or static")
