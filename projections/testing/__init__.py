"""Event streams for tests and benchmarks: a small model of the write side.

``Simulation`` plays random but valid command sequences and records both the
events the write side would publish and what the write side then holds, so a
read model can be compared with the truth without any projection code.
"""

from projections.testing.simulation import Simulation
from projections.testing.truth import Truth

__all__ = ["Simulation", "Truth"]
