"""The synthetic city: agency extracts in each agency's own layout, and the ground truth.

Nothing in the pipeline imports this package; it only ever reads the files it writes.
"""

from joinedup.synth.city import CityStats, generate_city

__all__ = ["CityStats", "generate_city"]
