"""Benchmark only (benchmarks/subsidies_lookup.py): the project's settings, unchanged, with a
urlconf that adds the anchor view beside the app's own URLs. Never used by the app."""

from kpitracker.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.lookup_anchor_urls"
