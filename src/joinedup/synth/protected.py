"""True ethnicity and nationality by name origin, and each agency's own code for them.

Recorded to be counted, never to select: the generator draws offenders and victims
without looking at these fields.
"""

from __future__ import annotations

import random

from joinedup.synth.rng import Picker

# origin -> (canonical ethnicity, weight)
_ETHNICITY = {
    "english": (("white_british", 93), ("white_irish", 2), ("mixed_white_asian", 2),
                ("mixed_white_black_caribbean", 3)),
    "south_asian": (("asian_pakistani", 70), ("asian_bangladeshi", 12), ("asian_indian", 15),
                    ("mixed_white_asian", 3)),
    "eastern_european": (("white_other", 100),),
    "african": (("black_african", 92), ("mixed_white_black_african", 8)),
    "caribbean": (("black_caribbean", 80), ("mixed_white_black_caribbean", 20)),
    "middle_eastern": (("arab", 35), ("other", 65)),
}  # fmt: skip
_NATIONALITY = {
    "english": (("British", 98), ("Irish", 2)),
    "south_asian": (("British", 85), ("Pakistani", 11), ("Bangladeshi", 2), ("Indian", 2)),
    "eastern_european": (("Polish", 55), ("Romanian", 30), ("Lithuanian", 8), ("Slovak", 7)),
    "african": (("British", 55), ("Nigerian", 20), ("Somali", 15), ("Ghanaian", 10)),
    "caribbean": (("British", 90), ("Jamaican", 10)),
    "middle_eastern": (("Iraqi", 45), ("British", 30), ("Iranian", 15), ("Syrian", 10)),
}

# Police self-defined ethnicity (16+1), officer-defined IC codes, DfE and NHS codes.
POLICE_SDE = {
    "white_british": "W1", "white_irish": "W2", "white_other": "W9",
    "mixed_white_black_caribbean": "M1", "mixed_white_black_african": "M2",
    "mixed_white_asian": "M3", "asian_indian": "A1", "asian_pakistani": "A2",
    "asian_bangladeshi": "A3", "black_caribbean": "B1", "black_african": "B2",
    "arab": "O9", "other": "O9",
}  # fmt: skip
POLICE_IC = {
    "white_british": "IC1", "white_irish": "IC1", "white_other": "IC1",
    "mixed_white_black_caribbean": "IC3", "mixed_white_black_african": "IC3",
    "mixed_white_asian": "IC4", "asian_indian": "IC4", "asian_pakistani": "IC4",
    "asian_bangladeshi": "IC4", "black_caribbean": "IC3", "black_african": "IC3",
    "arab": "IC6", "other": "IC6",
}  # fmt: skip
DFE = {
    "white_british": "WBRI", "white_irish": "WIRI", "white_other": "WOTH",
    "mixed_white_black_caribbean": "MWBC", "mixed_white_black_african": "MWBA",
    "mixed_white_asian": "MWAS", "asian_indian": "AIND", "asian_pakistani": "APKN",
    "asian_bangladeshi": "ABAN", "black_caribbean": "BCRB", "black_african": "BAFR",
    "arab": "OOTH", "other": "OOTH",
}  # fmt: skip
NHS = {
    "white_british": "A", "white_irish": "B", "white_other": "C",
    "mixed_white_black_caribbean": "D", "mixed_white_black_african": "E",
    "mixed_white_asian": "F", "asian_indian": "H", "asian_pakistani": "J",
    "asian_bangladeshi": "K", "black_caribbean": "M", "black_african": "N",
    "arab": "S", "other": "S",
}  # fmt: skip
# Code lists for specs: agency code -> canonical label.
SDE_LABELS = {
    "W1": "white_british", "W2": "white_irish", "W9": "white_other",
    "M1": "mixed_white_black_caribbean", "M2": "mixed_white_black_african",
    "M3": "mixed_white_asian", "M9": "mixed_other", "A1": "asian_indian",
    "A2": "asian_pakistani", "A3": "asian_bangladeshi", "A9": "asian_other",
    "B1": "black_caribbean", "B2": "black_african", "B9": "black_other",
    "O1": "chinese", "O9": "other", "NS": "not_stated",
}  # fmt: skip
IC_LABELS = {
    "IC1": "white_north_european", "IC2": "white_south_european", "IC3": "black",
    "IC4": "asian", "IC5": "chinese_japanese_se_asian", "IC6": "arab_north_african",
    "IC9": "unknown", "IC0": "unknown",
}  # fmt: skip
DFE_LABELS = {
    "WBRI": "white_british", "WIRI": "white_irish", "WOTH": "white_other",
    "MWBC": "mixed_white_black_caribbean", "MWBA": "mixed_white_black_african",
    "MWAS": "mixed_white_asian", "AIND": "asian_indian", "APKN": "asian_pakistani",
    "ABAN": "asian_bangladeshi", "BCRB": "black_caribbean", "BAFR": "black_african",
    "OOTH": "other", "REFU": "not_stated", "NOBT": "not_stated",
}  # fmt: skip
NHS_LABELS = {
    "A": "white_british", "B": "white_irish", "C": "white_other",
    "D": "mixed_white_black_caribbean", "E": "mixed_white_black_african",
    "F": "mixed_white_asian", "H": "asian_indian", "J": "asian_pakistani",
    "K": "asian_bangladeshi", "L": "asian_other", "M": "black_caribbean",
    "N": "black_african", "S": "other", "Z": "not_stated", "99": "not_stated",
}  # fmt: skip


class Protected:
    def __init__(self) -> None:
        self._eth = {o: Picker([e for e, _ in v], [w for _, w in v]) for o, v in _ETHNICITY.items()}
        self._nat = {
            o: Picker([e for e, _ in v], [w for _, w in v]) for o, v in _NATIONALITY.items()
        }

    def ethnicity(self, rng: random.Random, origin: str) -> str:
        return self._eth[origin].pick(rng)

    def nationality(self, rng: random.Random, origin: str, kind: str) -> str:
        if kind == "child" and rng.random() < 0.85:
            return "British"
        return self._nat[origin].pick(rng)
