"""Shared test set-up: Hypothesis profiles.

Pick one with ``HYPOTHESIS_PROFILE=<name> pytest``; without it, ``ci`` is used when
the ``CI`` environment variable is set (as on most CI services) and ``default``
otherwise.

* ``default``: no deadline (timings on shared CI machines vary), 100 examples.
* ``ci``: as ``default``, plus derandomized, so a CI run is reproducible.
* ``thorough``: 10x the examples, for a long local run before a release.

Tests that need a minimum number of examples (the gradient properties over
hundreds of random graphs) set ``max_examples`` themselves.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("ci", settings.get_profile("default"), derandomize=True)
settings.register_profile("thorough", settings.get_profile("default"), max_examples=1000)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)
