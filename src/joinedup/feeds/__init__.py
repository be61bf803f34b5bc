"""Feed specs: YAML files that map an agency's columns and codes onto POLE."""

from joinedup.feeds.loader import SpecError, builtin_specs, get_spec, load_spec, spec_json
from joinedup.feeds.spec import FeedSpec, FieldRef

__all__ = [
    "FeedSpec",
    "FieldRef",
    "SpecError",
    "builtin_specs",
    "get_spec",
    "load_spec",
    "spec_json",
]
