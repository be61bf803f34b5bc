"""Quality figures against a synthetic city's ground truth: ingest, resolution, detection.

report = evaluate_store(conn, load_truth("city/truth"))
failures = check_thresholds(report)
"""

from joinedup.evaluate.report import evaluate as evaluate_store
from joinedup.evaluate.thresholds import available_stages, check, check_thresholds
from joinedup.evaluate.truth import Truth, TruthError, load_truth

__all__ = [
    "Truth",
    "TruthError",
    "available_stages",
    "check",
    "check_thresholds",
    "evaluate_store",
    "load_truth",
]
