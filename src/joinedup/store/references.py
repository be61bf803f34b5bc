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

An ingest counts its rows as its chunks are laid out (`written_rows`, `add_written`):
how many each table got, their ids' range and each reference column's range, from the
tuples that go in. The check then reads back only the tables it wrote otherwise (a
batch's own feed spec and batch rows), instead of a pass over every table's new rows at
the close (0.79 s for the 1M city's ANPR file, with the workers idle).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from functools import partial
from operator import is_not, itemgetter
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


# What a batch wrote into one table, counted from the rows as they went in: how many,
# their lowest and highest id, and each reference column's lowest and highest value
# (None and None where no row holds one). `written_rows` counts one chunk's rows,
# `add_written` adds two counts up; `check_references` takes them instead of reading
# the rows back (`_pass`).
Written = tuple[int, Any, Any, dict[str, tuple[Any, Any]]]
_HELD = partial(is_not, None)


@functools.cache
def _positions(table: Table) -> tuple[int, tuple[tuple[str, int], ...]]:
    # Plain str names (a Column's name is SQLAlchemy's str subclass, which marshal refuses:
    # a worker's counts travel with its rows, ingest/prepare.py `_dumps`).
    names = [str(c.name) for c in table.c]
    return names.index("id"), tuple(
        (str(fk.parent.name), names.index(fk.parent.name)) for fk in _references(table)
    )


def written_rows(table: Table, rows: Sequence[tuple[Any, ...]]) -> Written:
    """The count `_pass` makes of rows in the store, made of rows about to be written
    (tuples in the table's column order)."""
    id_at, refs_at = _positions(table)
    ids = list(map(itemgetter(id_at), rows))
    bounds: dict[str, tuple[Any, Any]] = {}
    for name, at in refs_at:
        values = list(filter(_HELD, map(itemgetter(at), rows)))
        bounds[name] = (min(values), max(values)) if values else (None, None)
    return len(rows), min(ids, default=None), max(ids, default=None), bounds


def _lowest(x: Any, y: Any) -> Any:
    return y if x is None else x if y is None else min(x, y)


def _highest(x: Any, y: Any) -> Any:
    return y if x is None else x if y is None else max(x, y)


def add_written(a: Written, b: Written) -> Written:
    bounds = {
        name: (_lowest(low, b[3][name][0]), _highest(high, b[3][name][1]))
        for name, (low, high) in a[3].items()
    }
    return a[0] + b[0], _lowest(a[1], b[1]), _highest(a[2], b[2]), bounds


def check_references(
    conn: Connection,
    since: Mapping[Table, int],
    until: Mapping[Table, int],
    written: Mapping[Table, Written] | None = None,
) -> None:
    """Check every foreign key of the rows with since[table] <= id < until[table].

    Raises BrokenReference naming the table, column and how many rows point at nothing.
    A parent table whose batch ids are all present (counted once) vouches for every
    reference into that range, so only references outside it are looked up one by one.
    On PostgreSQL the parents from outside the batch (rows of a table not in `since`, and
    older rows a table's own rows point at, as a correction points at what it corrects)
    are locked FOR KEY SHARE until commit, as the per-row triggers would lock them.

    `written`: for the tables whose every row in the range the caller wrote itself, what
    it wrote (`written_rows`, `add_written`), so that those rows are not read back to be
    counted. Their ids must all fall in the range (the store's primary key keeps them
    distinct): then as many rows as the range has ids means every id is present.
    """
    # One pass over the batch's rows of each table first: how many there are (all its ids
    # present: the range vouches for references into it) and each reference column's
    # lowest and highest value. A column whose values all fall in a dense range of the
    # batch's own ids (a mention's record) needs nothing more; one whose values are all
    # one parent (a batch's records all name one source) needs that one looked up.
    written = written or {}
    passes = {
        table: _counted(written[table], since[table], until[table])
        if table in written
        else _pass(conn, table, since[table], until[table])
        for table in since
    }
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


def _counted(written: Written, first: int, until: int) -> tuple[int, dict[str, tuple[Any, Any]]]:
    """`_pass`'s answer from what was written: an id outside the range (which only a
    fault could give) leaves the range not vouched for (-1 rows), so that every
    reference into it is looked up in the store."""
    n, low_id, high_id, bounds = written
    if n and not (first <= low_id and high_id < until):
        return -1, bounds
    return n, bounds


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
