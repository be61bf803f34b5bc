"""JoinedUp: join agency fragments into one POLE graph, surface leads, keep numbers honest."""

__version__ = "0.1.0"
