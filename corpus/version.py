"""docket's version, as installed."""

from __future__ import annotations

from importlib import metadata

try:
    DOCKET_VERSION = metadata.version("docket")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    DOCKET_VERSION = "0.1.0"
