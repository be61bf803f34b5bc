"""Value normalisers, one module per value type: names, dates, plates, phones, postcodes
and addresses. Each depends only on the value and explicit hints, never on other records.
"""

from joinedup.ingest.normalise.addresses import AddressParts, normalise_address
from joinedup.ingest.normalise.dates import (
    DateError,
    parse_date,
    parse_date_of_birth,
    parse_moment,
)
from joinedup.ingest.normalise.names import NameParts, clean_name, display_name, split_full_name
from joinedup.ingest.normalise.phones import Phone, parse_phone
from joinedup.ingest.normalise.plates import (
    Plate,
    parse_plate,
    plate_from_partial,
    plate_matches,
    plate_variants,
)
from joinedup.ingest.normalise.postcodes import find_postcodes, outward, parse_postcode

__all__ = [
    "AddressParts",
    "DateError",
    "NameParts",
    "Phone",
    "Plate",
    "clean_name",
    "display_name",
    "find_postcodes",
    "normalise_address",
    "outward",
    "parse_date",
    "parse_date_of_birth",
    "parse_moment",
    "parse_phone",
    "parse_plate",
    "parse_postcode",
    "plate_from_partial",
    "plate_matches",
    "plate_variants",
    "split_full_name",
]
