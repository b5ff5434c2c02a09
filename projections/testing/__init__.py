"""The projections' test-support API: shipped with the package, never imported by its processes.

Tests of the projections (``tests/unit/projections``, ``tests/integration``)
and the catch-up benchmark (``python -m projections.testing.bench``) use it;
no production module may import it. Test support that is not about the
projections (processes, private databases and topics) is ``tests.support``.

- ``Simulation`` (:mod:`.simulation`) plays random but valid command sequences
  and records both the events the write side would publish and what the write
  side then holds (``Truth``, :mod:`.truth`), so a read model can be compared
  with the truth without any projection code;
- :mod:`.harness` produces events to a private topic, runs projectors and
  reads the read models back;
- :mod:`.bench` measures catch-up and replay throughput.
"""

from projections.testing.simulation import Simulation
from projections.testing.truth import Truth

__all__ = ["Simulation", "Truth"]
