"""docket's version: the one place it is written (pyproject.toml reads it from here).

A constant rather than ``importlib.metadata.version("docket")``: that import costs ~50 ms at the
start of every command, a tenth of a cold search.
"""

DOCKET_VERSION = "0.1.0"
