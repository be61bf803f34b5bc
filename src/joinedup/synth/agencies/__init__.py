"""One writer per agency extract, each in that agency's own layout."""

from joinedup.synth.agencies.care import SocialCare
from joinedup.synth.agencies.education import EducationConcerns
from joinedup.synth.agencies.health import HealthAttendances
from joinedup.synth.agencies.hotel import HotelRegister
from joinedup.synth.agencies.missing import MissingEpisodes
from joinedup.synth.agencies.police import PoliceIncidents, PoliceStops
from joinedup.synth.agencies.roads import AnprReads, TaxiLicences
from joinedup.synth.events import (
    AnprRead,
    Attendance,
    CareEntry,
    EduConcern,
    HotelStay,
    Incident,
    Licence,
    MissingEpisode,
    Stop,
)

# Happening class -> the writer that records it. Order is the order of manifest files.
WRITERS = {
    Incident: PoliceIncidents,
    Stop: PoliceStops,
    MissingEpisode: MissingEpisodes,
    CareEntry: SocialCare,
    Attendance: HealthAttendances,
    EduConcern: EducationConcerns,
    AnprRead: AnprReads,
    HotelStay: HotelRegister,
    Licence: TaxiLicences,
}

__all__ = ["WRITERS"]
