"""Loki Dashboard: the real-time control room for autonomous Loki Mode runs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("loki-dashboard")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"
