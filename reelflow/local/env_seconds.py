"""Local mode's durations that the environment may set (a schedule's interval, a connection limit)."""

import os


def seconds_from_env(name: str, default: float) -> float:
    """The seconds in the environment variable `name`, or `default` when it is unset or empty."""
    return float(os.environ.get(name) or default)
