"""Lambda entry points. Importing any of them first checks the function's environment (cold start)."""

from functions.startup import check_environment

check_environment()
