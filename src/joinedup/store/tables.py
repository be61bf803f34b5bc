"""SQLAlchemy Core tables of the store: sources, batches, records, mentions, events, access.

Records are never edited: a correction is a new record that supersedes. Protected
characteristics live in their own table so that matching and scoring code, which reads
the mention tables, cannot reach them by accident.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = BigInteger().with_variant(Integer(), "sqlite")


class ContentHash(TypeDecorator[str]):
    """A row's SHA-256 (ingest/prepare.py), read and written as its 64 hex digits.

    The store keeps its 32 bytes (since revision 0008): the unique index every batch
    probes and extends at random keys is then half the size, so fewer of its pages are
    read and written outside the cache (docs/ingest.md, Duplicates). PostgreSQL's column
    is bytea. SQLite's is still declared as revision 0001 made it, VARCHAR(64): SQLite
    does not enforce a column's type, and a text column keeps a blob as a blob, so no
    table had to be rebuilt. Any other database keeps the hex text. Ingest's own paths
    skip this conversion: they write the bytes (ingest/writer.py) and look them up as
    they are (ingest/batch.py).
    """

    impl = String(64)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(LargeBinary())
        return dialect.type_descriptor(String(64))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if dialect.name in BINARY_HASH_DIALECTS and isinstance(value, str):
            return bytes.fromhex(value)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if isinstance(value, bytes | memoryview):
            return bytes(value).hex()
        return value


BINARY_HASH_DIALECTS = ("postgresql", "sqlite")  # where the store keeps a hash's bytes


def _where_set(column: str) -> dict[str, Any]:
    """A PostgreSQL index's condition, only the rows where `column` is set, and its mark
    (`info`): such an index is made on PostgreSQL alone (revision 0011). SQLite does not
    need it: an erasure there turns row-by-row reference checks off and checks the
    references itself, once per table (ingest/erasure.py), so ingest writes no entry."""
    return {"postgresql_where": text(f"{column} IS NOT NULL"), "info": {"only": "postgresql"}}


POSTGRESQL_ONLY = "only"  # the `info` key of an index made on PostgreSQL alone


source = Table(
    "source",
    metadata,
    Column("id", Id, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("agency", String(32), nullable=False),
)

feed_spec = Table(
    "feed_spec",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("spec_hash", String(64), nullable=False),
    Column("spec_json", Text, nullable=False),
    Column("source_id", ForeignKey("source.id"), nullable=False),
    UniqueConstraint("name", "spec_hash", name="uq_feed_spec_name_hash"),
)

ingest_batch = Table(
    "ingest_batch",
    metadata,
    Column("id", Id, primary_key=True),
    Column("source_id", ForeignKey("source.id"), nullable=False),
    Column("feed_spec_id", ForeignKey("feed_spec.id"), nullable=False),
    Column("file_name", String(500), nullable=False),
    Column("file_hash", String(64), nullable=False),
    Column("file_size", BigInteger, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_stored", Integer, nullable=False, default=0),
    Column("rows_duplicate", Integer, nullable=False, default=0),
    Column("rows_quarantined", Integer, nullable=False, default=0),
    Column("ingested_by", String(100), nullable=False),
    # Set when the batch's records were erased (ingest/erasure.py); the row itself stays.
    Column("erased_at", DateTime),
    Column("erased_by", String(100)),
    Column("erasure_reason", Text),
)

record = Table(
    "record",
    metadata,
    Column("id", Id, primary_key=True),
    Column("source_id", ForeignKey("source.id"), nullable=False),
    Column("batch_id", ForeignKey("ingest_batch.id"), nullable=False),
    Column("source_ref", String(200)),
    Column("row_number", Integer, nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("content_hash", ContentHash(), nullable=False),
    Column("event_type", String(32)),
    Column("grading_source", String(2)),
    Column("grading_intelligence", String(2)),
    Column("grading_handling", String(2)),
    Column("raw", Text, nullable=False),  # the row's fields verbatim, as JSON text
    Column("supersedes_id", ForeignKey("record.id")),
    UniqueConstraint("source_id", "content_hash", name="uq_record_source_content"),
    Index("ix_record_source_ref", "source_id", "source_ref"),
    Index("ix_record_batch", "batch_id"),
    # The references that point back at a row, indexed where set on PostgreSQL (revision
    # 0011): without them deleting a row (erasure) reads a referring table end to end.
    Index("ix_record_supersedes", "supersedes_id", **_where_set("supersedes_id")),
)

person_mention = Table(
    "person_mention",
    metadata,
    Column("id", Id, primary_key=True),
    Column("record_id", ForeignKey("record.id"), nullable=False),
    Column("slot", String(100), nullable=False),
    Column("role", String(32), nullable=False),
    Column("raw_name", Text),
    Column("forename", String(200)),
    Column("middle_names", String(200)),
    Column("surname", String(200)),
    Column("nickname", String(200)),
    Column("dob", Date),
    Column("dob_precision", String(16)),
    Column("dob_raw", String(100)),
    Column("age", Integer),
    Column("sex", String(16)),
    Column("address", Text),
    Column("postcode", String(10)),
    Column("nhs_number", String(20)),
    Column("pnc_id", String(40)),
    Column("child_ref", String(60)),
    Column("upn", String(20)),
    Column("local_id", String(60)),
    Column("licence_no", String(40)),
    Column("attributes", JSON),
    Column("raw", JSON),  # the raw values the normalised columns came from
    Column("extracted", Boolean, nullable=False, default=False),
    Column("text_field", String(100)),
    Column("span_start", Integer),
    Column("span_end", Integer),
    Index("ix_person_mention_record", "record_id"),
    # No index on surname: search finds names through its own index (migration 0007).
)

# Recorded to be counted, never an input to matching, scoring or flagging.
protected_characteristic = Table(
    "protected_characteristic",
    metadata,
    Column("id", Id, primary_key=True),
    Column("person_mention_id", ForeignKey("person_mention.id"), nullable=False),
    Column("kind", String(32), nullable=False),  # ethnicity_self, ethnicity_officer, ...
    Column("value", String(200), nullable=False),
    Column("raw", String(200)),
    Index("ix_protected_mention", "person_mention_id"),
)

vehicle_mention = Table(
    "vehicle_mention",
    metadata,
    Column("id", Id, primary_key=True),
    Column("record_id", ForeignKey("record.id"), nullable=False),
    Column("slot", String(100), nullable=False),
    Column("role", String(32), nullable=False),
    Column("raw", String(200)),
    Column("vrm", String(16)),
    Column("pattern", String(32)),
    Column("plate_format", String(20)),
    Column("make", String(60)),
    Column("model", String(60)),
    Column("colour", String(40)),
    Column("person_mention_id", ForeignKey("person_mention.id")),
    Column("extracted", Boolean, nullable=False, default=False),
    Column("text_field", String(100)),
    Column("span_start", Integer),
    Column("span_end", Integer),
    Index("ix_vehicle_mention_record", "record_id"),
    Index("ix_vehicle_mention_person", "person_mention_id", **_where_set("person_mention_id")),
    Index("ix_vehicle_mention_vrm", "vrm"),
)

phone_mention = Table(
    "phone_mention",
    metadata,
    Column("id", Id, primary_key=True),
    Column("record_id", ForeignKey("record.id"), nullable=False),
    Column("slot", String(100), nullable=False),
    Column("role", String(32), nullable=False),
    Column("raw", String(100)),
    Column("e164", String(20)),
    Column("valid", Boolean, nullable=False, default=False),
    Column("person_mention_id", ForeignKey("person_mention.id")),
    Column("extracted", Boolean, nullable=False, default=False),
    Column("text_field", String(100)),
    Column("span_start", Integer),
    Column("span_end", Integer),
    Index("ix_phone_mention_record", "record_id"),
    Index("ix_phone_mention_person", "person_mention_id", **_where_set("person_mention_id")),
    Index("ix_phone_mention_e164", "e164"),
)

location_mention = Table(
    "location_mention",
    metadata,
    Column("id", Id, primary_key=True),
    Column("record_id", ForeignKey("record.id"), nullable=False),
    Column("slot", String(100), nullable=False),
    Column("role", String(32), nullable=False),
    Column("raw", Text),
    Column("name", String(200)),
    Column("address", Text),
    Column("postcode", String(10)),
    Column("property_ref", String(40)),
    Column("place_type", String(40)),
    Column("lat", Float),
    Column("lon", Float),
    Column("person_mention_id", ForeignKey("person_mention.id")),
    Column("extracted", Boolean, nullable=False, default=False),
    Column("text_field", String(100)),
    Column("span_start", Integer),
    Column("span_end", Integer),
    Index("ix_location_mention_record", "record_id"),
    Index("ix_location_mention_person", "person_mention_id", **_where_set("person_mention_id")),
    # Only rows with a postcode (revision 0009): most have none (an ANPR camera), and
    # every look-up is by a postcode or a range of them.
    Index(
        "ix_location_mention_postcode",
        "postcode",
        sqlite_where=text("postcode IS NOT NULL"),
        postgresql_where=text("postcode IS NOT NULL"),
    ),
)

event = Table(
    "event",
    metadata,
    Column("id", Id, primary_key=True),
    Column("record_id", ForeignKey("record.id"), nullable=False, unique=True),
    Column("event_type", String(32), nullable=False),
    Column("start_at", DateTime),
    Column("start_precision", String(16)),
    Column("end_at", DateTime),
    Column("end_precision", String(16)),
    Column("location_mention_id", ForeignKey("location_mention.id")),
    Column("description", Text),
    Column("attributes", JSON),
    # No index on start_at: no reader asks for a range of times (migration 0007).
    Index("ix_event_location", "location_mention_id", **_where_set("location_mention_id")),
)

# Participations (mention -> event, with a role) are not a table: every mention of a
# record takes part in the record's event in its own role (store/participations.py).

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Id, primary_key=True),
    Column("source_id", ForeignKey("source.id"), nullable=False),
    Column("batch_id", ForeignKey("ingest_batch.id"), nullable=False),
    Column("file_name", String(500), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("source_ref", String(200)),
    Column("field", String(200)),
    Column("reason", Text, nullable=False),
    Column("content_hash", ContentHash(), nullable=False),
    Column("raw", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("resolved_at", DateTime),
    Column("resolution", Text),
    UniqueConstraint("source_id", "content_hash", name="uq_quarantine_source_content"),
)

app_user = Table(
    "app_user",
    metadata,
    Column("id", Id, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("display_name", String(200)),
    Column("role", String(32), nullable=False),
    Column("unit", String(100)),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("password_changed_at", DateTime),
)

user_session = Table(
    "user_session",
    metadata,
    Column("id", Id, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("app_user.id"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
    Column("purpose", Text),
    Column("kind", String(16), nullable=False, default="web"),  # web | api
)

audit_event = Table(
    "audit_event",
    metadata,
    Column("id", Id, primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("category", String(16), nullable=False),
    Column("action", String(64), nullable=False),
    Column("object_type", String(32)),
    Column("object_id", String(200)),
    Column("purpose", Text),
    Column("recipient", String(200)),
    Column("detail", Text),  # canonical JSON
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_at", "at"),
    Index("ix_audit_actor", "actor"),
)

MENTION_TABLES = {
    "person": person_mention,
    "vehicle": vehicle_mention,
    "phone": phone_mention,
    "location": location_mention,
}

# Resolution (joinedup.resolve): each run is versioned; entities keep their id while their
# membership is unchanged; analysts' decisions bind every later run.
resolution_run = Table(
    "resolution_run",
    metadata,
    Column("id", Id, primary_key=True),
    Column("mode", String(16), nullable=False),  # full | incremental
    Column("engine", String(16), nullable=False),  # duckdb | spark
    Column("status", String(16), nullable=False),  # running | done | failed
    Column("actor", String(100), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("model", Text),  # the person model's parameters (Splink JSON)
    Column("counts", JSON),  # mentions, entities, merges, candidate links... per kind
)

entity = Table(
    "entity",
    metadata,
    Column("id", Id, primary_key=True),
    Column("kind", String(16), nullable=False),  # person | vehicle | phone | location
    Column("label", String(200)),  # how the entity is shown: its most common name, VRM...
    Column("size", Integer, nullable=False),
    Column("created_run_id", ForeignKey("resolution_run.id"), nullable=False),
    Column("updated_run_id", ForeignKey("resolution_run.id"), nullable=False),
    Column("retired_run_id", ForeignKey("resolution_run.id")),  # null while current
    Index("ix_entity_kind_current", "kind", "retired_run_id"),
)

# The current membership: one row per resolved mention.
entity_member = Table(
    "entity_member",
    metadata,
    Column("id", Id, primary_key=True),
    Column("entity_id", ForeignKey("entity.id"), nullable=False),
    Column("mention_kind", String(16), nullable=False),
    Column("mention_id", BigInteger, nullable=False),
    Column("match_probability", Float),  # its strongest link into the entity; null alone
    Column("how", String(16), nullable=False),  # alone | identifier | model | exact | decision
    Column("run_id", ForeignKey("resolution_run.id"), nullable=False),
    UniqueConstraint("mention_kind", "mention_id", name="uq_entity_member_mention"),
    Index("ix_entity_member_entity", "entity_id"),
)

match_decision = Table(
    "match_decision",
    metadata,
    Column("id", Id, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("a_ref", String(60), nullable=False),  # as the analyst named it: person:12 or E34
    Column("b_ref", String(60), nullable=False),
    Column("a_mention_id", BigInteger, nullable=False),  # the mentions the decision binds
    Column("b_mention_id", BigInteger, nullable=False),
    Column("decision", String(16), nullable=False),  # same | different
    Column("reason", Text, nullable=False),
    Column("decided_by", String(100), nullable=False),
    Column("decided_at", DateTime, nullable=False),
    Column("withdrawn_at", DateTime),
    Index("ix_match_decision_a", "kind", "a_mention_id"),
    Index("ix_match_decision_b", "kind", "b_mention_id"),
)

# A partial or misread plate that could be any of several vehicles: never a silent merge.
candidate_link = Table(
    "candidate_link",
    metadata,
    Column("id", Id, primary_key=True),
    Column("run_id", ForeignKey("resolution_run.id"), nullable=False),
    Column("mention_kind", String(16), nullable=False),
    Column("mention_id", BigInteger, nullable=False),
    Column("entity_id", ForeignKey("entity.id"), nullable=False),
    Column("candidates", Integer, nullable=False),  # how many entities it could be
    Column("reason", String(200), nullable=False),
    Index("ix_candidate_link_mention", "mention_kind", "mention_id"),
    Index("ix_candidate_link_entity", "entity_id"),
)

# Scored pairs the model was unsure about, kept for `joinedup review`.
match_pair = Table(
    "match_pair",
    metadata,
    Column("id", Id, primary_key=True),
    Column("run_id", ForeignKey("resolution_run.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("a_mention_id", BigInteger, nullable=False),
    Column("b_mention_id", BigInteger, nullable=False),
    Column("match_probability", Float, nullable=False),
    Column("match_weight", Float, nullable=False),
    Column("evidence", JSON),  # per comparison: level label and match weight
    Index("ix_match_pair_run", "run_id", "kind"),
)

# Detection (joinedup.detect): each run is recorded; a flag is one lead on one subject (an
# entity, or a group of them) and keeps its identity, status and history across runs.
# Groups are flags of kind "group" whose members are in flag_member (docs/rules.md).
detection_run = Table(
    "detection_run",
    metadata,
    Column("id", Id, primary_key=True),
    Column("as_of", Date),  # only records received on or before this day; null: all
    Column("rule_set_version", String(40), nullable=False),
    Column("rules_hash", String(64), nullable=False),  # of the YAML rule files used
    Column("resolution_run_id", ForeignKey("resolution_run.id")),
    Column("status", String(16), nullable=False),  # running | done | failed
    Column("actor", String(100), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("counts", JSON),  # flags raised, new, reopened, unchanged... per kind
)

flag = Table(
    "flag",
    metadata,
    Column("id", Id, primary_key=True),
    Column("kind", String(16), nullable=False),  # adult | child | vehicle | location | group
    Column("subject_key", String(80), nullable=False),  # entity:<id> or group:<key>
    Column("entity_id", ForeignKey("entity.id")),  # null for groups
    Column("group_key", String(40)),  # null unless kind = group
    # A mention of the subject, so the flag follows its person when resolution renumbers.
    Column("anchor_mention_kind", String(16)),
    Column("anchor_mention_id", BigInteger),
    Column("rule_id", String(64), nullable=False),  # the strongest rule that raised it
    Column("rule_version", Integer, nullable=False),
    Column("rules", JSON),  # every rule that raised it: [{id, version, score}]
    Column("band", String(16)),  # children: not_at_risk | mild | moderate | significant
    Column("score", Float, nullable=False),
    Column("reason", Text, nullable=False),  # in plain words
    Column("status", String(16), nullable=False),  # new | under_review | actioned | dismissed
    Column("active", Boolean, nullable=False, default=True),  # raised by the latest run
    Column("first_raised_run_id", ForeignKey("detection_run.id"), nullable=False),
    Column("last_seen_run_id", ForeignKey("detection_run.id"), nullable=False),
    Column("evidence_fingerprint", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("kind", "subject_key", name="uq_flag_kind_subject"),
    Index("ix_flag_status", "status", "kind"),
    Index("ix_flag_entity", "entity_id"),
)

flag_evidence = Table(
    "flag_evidence",
    metadata,
    Column("id", Id, primary_key=True),
    Column("flag_id", ForeignKey("flag.id"), nullable=False),
    Column("rule_id", String(64), nullable=False),
    Column("item_kind", String(16), nullable=False),  # event | record | entity
    Column("item_id", BigInteger, nullable=False),
    Column("why", Text, nullable=False),
    Column("first_seen_run_id", ForeignKey("detection_run.id"), nullable=False),
    Column("last_seen_run_id", ForeignKey("detection_run.id"), nullable=False),
    UniqueConstraint("flag_id", "rule_id", "item_kind", "item_id", name="uq_flag_evidence_item"),
    Index("ix_flag_evidence_flag", "flag_id"),
)

flag_history = Table(
    "flag_history",
    metadata,
    Column("id", Id, primary_key=True),
    Column("flag_id", ForeignKey("flag.id"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("run_id", ForeignKey("detection_run.id")),  # set when a run made the change
    Column("from_status", String(16)),  # null when the flag was first raised
    Column("to_status", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("detail", JSON),  # e.g. the new evidence that reopened a dismissed flag
    Index("ix_flag_history_flag", "flag_id"),
)

# The members of a group flag: adults and children (and the vehicles and places that tie
# them), each core or wider by centrality in the group.
flag_member = Table(
    "flag_member",
    metadata,
    Column("id", Id, primary_key=True),
    Column("flag_id", ForeignKey("flag.id"), nullable=False),
    Column("entity_id", ForeignKey("entity.id"), nullable=False),
    Column("member_kind", String(16), nullable=False),  # adult | child | vehicle | location
    Column("role", String(16), nullable=False),  # core | wider
    Column("centrality", Float),
    Column("last_seen_run_id", ForeignKey("detection_run.id"), nullable=False),
    UniqueConstraint("flag_id", "entity_id", name="uq_flag_member_entity"),
    Index("ix_flag_member_flag", "flag_id"),
    Index("ix_flag_member_entity", "entity_id"),  # a profile's and a chart's groups
)

# Restricted records (joinedup.search.visibility, issue 7): a record marked restricted to a
# unit (e.g. a covert source, a sensitive referral) is seen only by users of that unit, on
# every page and endpoint; without a row here a record is visible to every reader.
record_restriction = Table(
    "record_restriction",
    metadata,
    Column("id", Id, primary_key=True),
    Column("record_id", ForeignKey("record.id"), nullable=False, unique=True),
    Column("unit", String(100), nullable=False),
    Column("reason", Text, nullable=False),
    Column("restricted_by", String(100), nullable=False),
    Column("restricted_at", DateTime, nullable=False),
)
