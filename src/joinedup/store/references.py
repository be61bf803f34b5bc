"""A batch's foreign keys checked once per key, instead of once per row.

PostgreSQL checks a foreign key with a trigger per inserted row: at ingest volumes
(about ten references per record) those triggers were almost half of the server's work.
Where the role may set `session_replication_role` (a superuser, or a role granted
`SET ON PARAMETER session_replication_role`), the batch turns the per-row triggers off
for its own inserts (`relax_row_checks`) and then checks every reference of the rows it
wrote in one query per foreign key (`check_references`): a row pointing at nothing fails
the batch, which rolls back whole, as a trigger would have. Parents that existed before
the batch are locked `FOR KEY SHARE`, as the triggers lock them, so that no other
transaction can delete what the batch points at before it commits. Where the role may
not, nothing changes: the triggers check each row.

SQLite checks a reference with one index look-up per row, about a tenth of an ingest's
inserts. An ingest's transaction there turns them off before it begins (SQLite can only
outside a transaction: `write_transaction(..., row_checks=False)`), checks its rows here
the same way before it commits, and turns them on again after; every other write keeps
them (`PRAGMA foreign_keys=ON`, store/engine.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Table, exists, func, literal, or_, select, text
from sqlalchemy.exc import DBAPIError

log = logging.getLogger("joinedup.store")


class BrokenReference(RuntimeError):
    """Rows written by a batch point at rows that do not exist."""


def relax_row_checks(conn: Connection) -> bool:
    """PostgreSQL: turn per-row foreign-key triggers off for the rest of this transaction.

    Returns True when they are off: the caller must then call `check_references` for
    every row it writes, and `restore_row_checks` once it has written them. Returns
    False, changing nothing, where the role may not set the parameter. On SQLite, says
    whether the transaction began with them off (`write_transaction(row_checks=False)`).
    """
    if conn.dialect.name == "sqlite":
        return not conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
    if conn.dialect.name != "postgresql":
        return False
    try:
        with conn.begin_nested():
            conn.execute(text("SET LOCAL session_replication_role = replica"))
    except DBAPIError as exc:  # InsufficientPrivilege: keep the triggers
        log.info("foreign keys checked per row (session_replication_role: %s)", exc.orig)
        return False
    return True


def restore_row_checks(conn: Connection) -> None:
    """PostgreSQL: the triggers back for the rest of the transaction (SQLite's foreign keys
    come back when its transaction ends: write_transaction)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL session_replication_role = origin"))


def check_references(
    conn: Connection, since: Mapping[Table, int], until: Mapping[Table, int]
) -> None:
    """Check every foreign key of the rows with since[table] <= id < until[table].

    Raises BrokenReference naming the table, column and how many rows point at nothing.
    A parent table whose batch ids are all present (counted once) vouches for every
    reference into that range, so only references outside it are looked up one by one.
    On PostgreSQL the parents from outside the batch (rows of a table not in `since`, and
    older rows a table's own rows point at, as a correction points at what it corrects)
    are locked FOR KEY SHARE until commit, as the per-row triggers would lock them.
    """
    # One pass over the batch's rows of each table first: how many there are (all its ids
    # present: the range vouches for references into it) and each reference column's
    # lowest and highest value. A column whose values all fall in a dense range of the
    # batch's own ids (a mention's record) needs nothing more; one whose values are all
    # one parent (a batch's records all name one source) needs that one looked up.
    passes = {table: _pass(conn, table, since[table], until[table]) for table in since}
    dense = {table: n == until[table] - since[table] for table, (n, _) in passes.items()}
    postgres = conn.dialect.name == "postgresql"
    for table, first in since.items():
        c = table.alias("c")
        fks = _references(table)
        bounds = passes[table][1]
        for fk in fks:
            ptable = fk.column.table
            p = ptable.alias("p")
            ref, key = c.c[fk.parent.name], p.c[fk.column.name]
            low, high = bounds[fk.parent.name]
            if low is None:
                continue  # no row of the batch references anything here
            if dense.get(ptable) and since[ptable] <= low and high < until[ptable]:
                continue  # every reference is to a row of the batch, all present
            if low == high:
                _check_one(
                    conn,
                    table,
                    fk,
                    p,
                    key,
                    low,
                    lock=postgres and _outside(ptable, table, since, low, first),
                )
                continue
            where = [c.c.id >= first, c.c.id < until[table], ref.is_not(None)]
            if dense.get(ptable):
                where.append(or_(ref < since[ptable], ref >= until[ptable]))
            # Each parent once: a batch's records all name one source and one batch.
            refs = select(ref.label("ref")).where(*where).distinct().subquery("r")
            broken = conn.execute(
                select(func.count()).select_from(refs).where(~exists().where(key == refs.c.ref))
            ).scalar_one()
            if broken:
                raise BrokenReference(
                    f"{table.name} rows written by this batch name {broken}"
                    f" {fk.parent.name} value(s) that are not in {ptable.name}:"
                    " nothing was written"
                )
            if postgres and (ptable not in since or ptable is table):
                # Rows of tables written by the batch are its own, unseen by others: only
                # parents from outside it (a source, a corrected record) need the lock.
                lock = select(literal(1)).select_from(p).where(key.in_(select(refs.c.ref)))
                if ptable is table:
                    lock = lock.where(key < first)
                conn.execute(lock.with_for_update(read=True, key_share=True, of=p))


def _references(table: Table) -> list[Any]:
    return sorted(table.foreign_keys, key=lambda k: k.parent.name)


def _pass(
    conn: Connection, table: Table, first: int, until: int
) -> tuple[int, dict[str, tuple[Any, Any]]]:
    """How many rows have ids in [first, until), and each reference column's lowest and
    highest value among them, in one query."""
    if until <= first:
        return 0, {fk.parent.name: (None, None) for fk in table.foreign_keys}
    fks = _references(table)
    cols = [table.c[fk.parent.name] for fk in fks]
    row = conn.execute(
        select(
            func.count(), *[func.min(col) for col in cols], *[func.max(col) for col in cols]
        ).where(table.c.id >= first, table.c.id < until)
    ).one()
    n = len(cols)
    return int(row[0]), {fk.parent.name: (row[1 + i], row[1 + n + i]) for i, fk in enumerate(fks)}


def _outside(
    ptable: Table, table: Table, since: Mapping[Table, int], value: Any, first: int
) -> bool:
    """Whether the parent a batch's rows point at is not one of the batch's own rows."""
    if ptable is table:
        return bool(value < first)
    return ptable not in since


def _check_one(
    conn: Connection, table: Table, fk: Any, p: Any, key: Any, value: Any, *, lock: bool
) -> None:
    """Every reference of a column is `value`: that parent must exist (locked, from outside)."""
    query = select(literal(1)).select_from(p).where(key == value)
    if lock:
        query = query.with_for_update(read=True, key_share=True, of=p)
    if conn.execute(query).first() is None:
        raise BrokenReference(
            f"{table.name} rows written by this batch name 1 {fk.parent.name} value(s)"
            f" that are not in {fk.column.table.name}: nothing was written"
        )
