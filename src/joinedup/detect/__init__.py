"""Detection: versioned YAML rules that turn conduct in the records into flags on children,
adults, vehicles and places, and group leads, each with its evidence.

Import from here: `detect` (a pure pass), `run_detection` (writes flags), `leads_as_of`
(what evaluate reads).
"""

from joinedup.detect.engine import Detection, detect
from joinedup.detect.evaluate_hook import leads_as_of

__all__ = ["Detection", "detect", "leads_as_of"]
