"""Writes a feed spec's mapping as the Python source of one `rows(fields, row_number)`.

The source follows `mapper.map_row` and `layout.record_rows` step by step, in their
order, with the spec's decisions taken here once: absent fields left out, literals read,
`repeat` blocks unrolled, code lists made constants. Every spec string is written with
repr(); no cell value is ever seen here. The names the source calls are
`compiled._environment`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from joinedup.feeds.spec import FeedSpec
from joinedup.ingest import layout, mapper
from joinedup.ingest.mapper import RowError, _Absent, _Block, _Field

_IDENTIFIERS = ("nhs_number", "pnc_id", "child_ref", "upn", "local_id", "licence_no")
_SPAN = "False, None, None, None"  # layout.NO_SPAN, written out
# A person's raw fields (`mapper._map_person`) in order, with the variables holding them.
_RAW_VARIABLES = (
    ("name", "raw_name"),
    ("forename", "forename_raw"),
    ("surname", "surname_raw"),
    ("nickname", "nickname_raw"),
    ("sex", "sex_raw"),
    ("address", "address_raw"),
    ("postcode", "postcode_raw"),
    ("age", "age"),
)


class _Lines:
    """Lines of Python source, indented as written."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    def __call__(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    @contextmanager
    def block(self, head: str) -> Iterator[None]:
        self(head)
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1


class _Instance:
    """One block as it occurs in a row: a fixed slot (unrolled repeats), or a loop's slot."""

    def __init__(self, block: _Block, n: int | None, fixed_slot: str | None):
        self.block = block
        self.n = n
        self.fixed_slot = fixed_slot  # None: the slot is the variable `slot`
        self.split = block.split_column is not None and not block.each and not block.repeat
        columns = list(dict.fromkeys(block.key_columns[n]))  # each column read once
        self.cells = {column: f"c{i}" for i, (column, _) in enumerate(columns)}
        self.columns = columns
        # The lay-out function's parameters, which are also its memo key.
        head = [] if fixed_slot is not None else (["slot", "sv"] if self.split else ["slot"])
        self.params = head + list(self.cells.values())

    def slot(self, suffix: str = "") -> str:
        if self.fixed_slot is not None:
            return repr(self.fixed_slot + suffix)
        return f"slot + {suffix!r}" if suffix else "slot"

    def column(self, f: _Field) -> str:
        return f.column if self.n is None else f.by_n[self.n]


class _Generator:
    """Writes the source of one spec's `rows` function for one dialect's values."""

    def __init__(self, spec: FeedSpec, values: layout.Values):
        self.spec = spec
        self.plan = mapper._plan(spec)
        self.values = values
        self.memoise = values.shareable  # rows holding dicts must not be shared
        self.constants = _Lines()  # code lists
        self.head = _Lines()  # lay-out functions and their memos
        self.body = _Lines()  # the rows function
        self.code_lists: dict[str, int] = {}
        self.counter = 0
        self.event_json = "None"
        # Person blocks with one instance a row: a vehicle or phone finds its person there.
        self.fixed_persons = {
            b.slot for b in self.plan.persons if not (b.each or b.repeat or b.split_column)
        }

    # -- reading one field -------------------------------------------------------------------

    def _codes(self, name: str) -> int:
        if name not in self.code_lists:
            i = self.code_lists[name] = len(self.code_lists)
            table = self.spec.codes[name]
            direct = {k: (None if v == "ignore" else v) for k, v in table.items()}
            folded = {k.casefold(): v for k, v in table.items()}
            self.constants(f"# code list {name!r}")
            self.constants(f"CODES_{i} = {direct!r}")
            self.constants(f"FOLDED_{i} = {folded!r}")
            self.constants(f"STAR_{i} = {table.get('*')!r}")
        return self.code_lists[name]

    def read(
        self,
        w: _Lines,
        f: _Field | _Absent,
        var: str,
        cell: str | None,
        column: str,
        sv: str | None = None,
    ) -> None:
        """Lines setting `var` to what `f.read` gives (`f.get` when `sv` names the split
        value); `cell` is the variable holding the raw cell, `column` names it in errors."""
        if isinstance(f, _Absent):
            w(f"{var} = None")
            return
        if sv is not None and f.split:
            w(f"{var} = {sv}")
            return
        if f.is_literal:  # the same on every row: read once, here
            try:
                w(f"{var} = {f.read({}, None)!r}")
            except RowError as exc:
                w(f"raise RowError({exc.field!r}, {exc.reason!r})")
            return
        w(
            f"{var} = {cell}.strip() if type({cell}) is str"
            f" else as_text({cell}) if {cell} is not None else None"
        )
        longest = mapper._PLACEHOLDER_MAX  # a longer text cannot be a placeholder
        w(f"if {var} is not None and len({var}) <= {longest} and {var}.casefold() in PLACEHOLDERS:")
        w(f"    {var} = None")
        if f.default is not None:
            w(f"if {var} is None:")
            w(f"    {var} = {f.default!r}")
        if f.required:
            w(f"if {var} is None:")
            w(f"    raise RowError({column!r}, 'a value is required here but the cell is empty')")
        if f.codes is not None:
            assert f.codes_name is not None
            i = self._codes(f.codes_name)
            w(f"if {var} is not None:")
            w(
                f"    {var} = CODES_{i}[{var}] if {var} in CODES_{i} else"
                f" unlisted({var}, FOLDED_{i}, STAR_{i}, {column!r}, {f.codes_name!r})"
            )

    def read_top(self, w: _Lines, f: _Field | _Absent, var: str) -> None:
        """`read` for a field of the record or event: its cell fetched from the row."""
        if isinstance(f, _Field) and not f.is_literal:
            fetch = f"lookup(fields, {f.column!r})" if f.dotted else f"fields.get({f.column!r})"
            w(f"cell = {fetch}")
        self.read(w, f, var, "cell", f.column if isinstance(f, _Field) else "")

    def moment(self, w: _Lines, f: _Field | _Absent, moment: str, precision: str) -> None:
        """Lines setting `moment` and `precision` to `layout._date_parts(f.date(...))`, by
        `parse_moment`; DateError as `f.date` raises it."""
        if isinstance(f, _Absent):
            w(f"{moment} = {precision} = None")
            return
        self.read_top(w, f, moment)
        w(
            f"{moment}, {precision} = NO_MOMENT if {moment} is None else"
            f" parse_moment({moment}, {f.formats!r}, dayfirst={self.plan.dayfirst!r})"
        )

    def get(self, w: _Lines, inst: _Instance, name: str, var: str) -> None:
        """`f.get(src, n, sv)` of the block's field `name`."""
        f = inst.block.fields[name]
        self.read_in(w, inst, f, var, sv="sv" if inst.split else None)

    def read_in(self, w: _Lines, inst: _Instance, f: Any, var: str, sv: str | None) -> None:
        column = inst.column(f) if isinstance(f, _Field) else ""
        cell = inst.cells.get(column) if isinstance(f, _Field) and not f.is_literal else None
        self.read(w, f, var, cell, column, sv)

    def role(self, w: _Lines, inst: _Instance, fallback: str) -> None:
        """`bp.role.read(src, n) or fallback` (read: a role is never the split value)."""
        f = inst.block.role
        if isinstance(f, _Field) and f.is_literal:
            try:
                w(f"role = {f.read({}, None) or fallback!r}")
            except RowError as exc:
                w(f"raise RowError({exc.field!r}, {exc.reason!r})")
            return
        self.read_in(w, inst, f, "role", sv=None)
        w(f"role = role or {fallback!r}")

    def present(self, inst: _Instance, name: str) -> bool:
        return not isinstance(inst.block.fields[name], _Absent)

    def dict_of(self, w: _Lines, inst: _Instance, kind: str, var: str) -> list[tuple[str, str]]:
        """Lines reading a block's identifiers, protected or attributes, in order; the
        (key, variable) pairs."""
        pairs = []
        for i, (key, f) in enumerate(inst.block.dicts.get(kind, [])):
            name = f"{var}_{i}"
            self.read_in(w, inst, f, name, sv="sv" if inst.split else None)
            pairs.append((key, name))
        return pairs

    def json_object(
        self, w: _Lines, var: str, pairs: list[tuple[str, str]], truthy: bool = False
    ) -> str:
        """Lines making the JSON column of a dict of text (`mapper._dict`: the values that
        are not None, or `truthy`); the expression giving it.

        Where the dialect writes JSON as text (`layout._json`), the text is written
        directly, each key quoted here as `_json` would quote it; else the dict is made.
        """
        if not pairs:
            return repr(self.values.json(None))
        test = "" if truthy else " is not None"
        if self.values.json is not layout._json:
            w(f"{var} = {{}}")
            for key, name in pairs:
                w(f"if {name}{test}:")
                w(f"    {var}[{key!r}] = {name}")
            return f"J({var} or None)"
        w(f"{var} = []")
        for key, name in pairs:
            w(f"if {name}{test}:")
            w(f"    {var}.append({layout._quoted(key) + ': '!r} + quoted({name}))")
        return f"('{{' + ', '.join({var}) + '}}' if {var} else 'null')"

    def converted(self, kind: str, var: str) -> str:
        """`values.date(var)` or `values.datetime(var)`, written out for the dialects
        `layout.Values` knows (its converters are these expressions)."""
        convert = getattr(self.values, kind)
        if convert is layout._same:
            return var
        if convert is layout._sqlite_datetime:
            return f"({var}.isoformat(' ', 'microseconds') if {var} is not None else None)"
        if convert is layout._sqlite_date:
            return f"({var}.isoformat() if {var} is not None else None)"
        return f"{'DT' if kind == 'datetime' else 'D'}({var})"

    # -- laying out one block instance -----------------------------------------------------------

    def person(self, w: _Lines, inst: _Instance) -> None:
        """`mapper._map_person` and `layout.person_row`: (row, protected pairs, phone row
        without its owner, home row without its owner) or NO_ROWS."""
        has = {name: self.present(inst, name) for name in inst.block.fields}
        names = []
        for name, var in _RAW_VARIABLES[:4]:
            self.get(w, inst, name, var)
            if has[name]:
                names.append(var)
        w(f"if not ({' or '.join(names)}):")
        w("    return NO_ROWS")
        self.role(w, inst, "subject")
        split = has["name"]
        if split:
            w("parts = split_full_name(raw_name) if raw_name else None")
        for part, var in (("forename", "forename"), ("surname", "surname")):
            from_name = f"parts.{part} if parts else None" if split else "None"
            if has[part]:
                w(f"{var} = clean_name({var}_raw) if {var}_raw else ({from_name})")
            else:
                w(f"{var} = {from_name}")
        self.get(w, inst, "middle_names", "middle_raw")
        from_name = "(parts.middle_names if parts else None)" if split else "None"
        if has["middle_names"]:
            w(f"middle = clean_name(middle_raw) or {from_name}")
        else:
            w(f"middle = {from_name}")
        from_name = "(parts.quoted_nickname if parts else None)" if split else "None"
        w(f"nickname = nickname_raw or {from_name}")
        self.get(w, inst, "dob", "dob_raw")
        w("dob_date = dob_precision = dob_written = None")
        if has["dob"]:
            formats = inst.block.fields["dob"].formats
            with w.block("if dob_raw:"):
                with w.block("try:"):
                    w(
                        f"dob = parse_date_of_birth(dob_raw, {formats!r},"
                        f" dayfirst={self.plan.dayfirst!r})"
                    )
                with w.block("except DateError:"):
                    w("dob = ParsedDate(None, None, dob_raw)  # kept as written")
                with w.block("if dob is not None:"):
                    w("dob_written = dob.raw")
                    with w.block("if dob.value is not None:"):
                        w("dob_date = as_datetime(dob.value).date()")
                        w("dob_precision = PRECISION.get(dob.precision)")
        for name in ("sex", "address", "postcode"):
            self.get(w, inst, name, f"{name}_raw")
        w("address = normalise_address(address_raw) if address_raw else None")
        w("postcode = parse_postcode(postcode_raw) if postcode_raw else None")
        w("if postcode is None and address is not None:")
        w("    postcode = address.postcode")
        identifiers = dict(self.dict_of(w, inst, "identifiers", "identifier"))
        protected = self.dict_of(w, inst, "protected", "protected")
        attributes = self.dict_of(w, inst, "attributes", "attribute")
        self.get(w, inst, "age", "age")
        raw = [(key, var) for key, var in _RAW_VARIABLES if has[key]]
        raw_json = self.json_object(w, "raw", raw, truthy=True)
        attributes_json = self.json_object(w, "attributes", attributes)
        if has["forename"] and has["surname"]:
            joined = (
                "(forename_raw + ' ' + surname_raw if forename_raw and surname_raw"
                " else forename_raw or surname_raw or None)"
            )
        elif has["forename"] or has["surname"]:
            joined = ("forename_raw" if has["forename"] else "surname_raw") + " or None"
        else:
            joined = "None"
        w(f"written = raw_name or {joined}" if has["name"] else f"written = {joined}")
        idents = ", ".join(identifiers.get(key, "None") for key in _IDENTIFIERS)
        age = "int(age) if age and age.isdecimal() and len(age) < 4 else None"
        w("row = (")
        w(f"    {inst.slot()}, role, written, forename, middle, surname, nickname,")
        w(f"    {self.converted('date', 'dob_date')}, dob_precision, dob_written,")
        w(f"    {age if has['age'] else 'None'},")
        w("    SEX.get(sex_raw.casefold(), sex_raw) if sex_raw else None,")
        w("    address.address if address else None, postcode,")
        w(f"    {idents},")
        w(f"    {attributes_json},")
        w(f"    {raw_json},")
        w(f"    {_SPAN},")
        w(")")
        if protected:
            w("pairs = []")
            for key, name in protected:
                w(f"if {name} is not None:")
                w(f"    pairs.append(({key!r}, {name}))")
            pairs = "tuple(pairs)"
        else:
            pairs = "()"
        phone = "None"
        if has["phone"]:
            self.get(w, inst, "phone", "phone_raw")
            w("phone = None")
            with w.block("if phone_raw:"):
                w("parsed = parse_phone(phone_raw)")
                w(
                    f"phone = ({inst.slot('.phone')}, 'phone', phone_raw,"
                    " parsed.e164 if parsed else None, bool(parsed and parsed.valid))"
                )
            phone = "phone"
        home = "None"
        if has["address"] or has["postcode"]:
            w("home = None")
            with w.block("if address_raw or postcode_raw:"):
                w(
                    f"home = ({inst.slot('.address')}, 'home_address',"
                    " ', '.join([x for x in (address_raw, postcode_raw) if x]), None,"
                    " address.address if address else None, postcode, None, None, None, None)"
                )
            home = "home"
        w(f"return row, {pairs}, {phone}, {home}")

    def read_or_none(self, w: _Lines, inst: _Instance, fields: list[tuple[str, str]]) -> list[str]:
        """Read each (field, variable); the instance gives NO_ROWS when all are empty.
        Returns the variables of the fields the spec gives."""
        read = []
        for name, var in fields:
            self.get(w, inst, name, var)
            if self.present(inst, name):
                read.append(var)
        w(f"if not ({' or '.join(read) or 'None'}):")
        w("    return NO_ROWS")
        return read

    def vehicle(self, w: _Lines, inst: _Instance) -> None:
        """`mapper._map_vehicle` and `layout.vehicle_row`: the row (without its owner and
        span when the block names a person), or NO_ROWS."""
        self.read_or_none(w, inst, [(n, n) for n in ("registration", "make", "model", "colour")])
        w("plate = parse_plate(registration) if registration else None")
        self.role(w, inst, "vehicle")
        tail = "" if inst.block.person else f", None, {_SPAN}"
        w("return (")
        w(f"    {inst.slot()}, role, registration,")
        w("    plate.vrm if plate else None, plate.pattern if plate else None,")
        w("    plate.format if plate else None,")
        w("    make.upper() if make else None, model.upper() if model else None,")
        w(f"    colour.lower() if colour else None{tail},")
        w(")")

    def phone(self, w: _Lines, inst: _Instance) -> None:
        """`mapper._map_phone` and `layout.phone_row`, like `vehicle`."""
        self.get(w, inst, "number", "number")
        w("if not number:")
        w("    return NO_ROWS")
        self.role(w, inst, "phone")
        w("parsed = parse_phone(number)")
        tail = "" if inst.block.person else f", None, {_SPAN}"
        w(
            f"return ({inst.slot()}, role, number, parsed.e164 if parsed else None,"
            f" bool(parsed and parsed.valid){tail})"
        )

    def location(self, w: _Lines, inst: _Instance) -> None:
        """`mapper._map_location` and `layout.location_row`: the row, or NO_ROWS."""
        read = self.read_or_none(
            w,
            inst,
            [(n, "postcode_raw" if n == "postcode" else n) for n in mapper.LOCATION_FIELDS],
        )
        w("address_parts = normalise_address(address) if address else None")
        w("postcode = parse_postcode(postcode_raw) if postcode_raw else None")
        w("if postcode is None and address_parts is not None:")
        w("    postcode = address_parts.postcode")
        self.role(w, inst, "location")
        w("written = ', '.join([v for v in (name, address, postcode_raw) if v])")
        w("return (")
        w(f"    {inst.slot()}, role, written, name.upper() if name else None,")
        w("    address_parts.address if address_parts else None, postcode, property_ref,")
        w("    place_type,")
        for name in ("lat", "lon"):
            w(f"    to_float({name}, {name!r})," if name in read else "    None,")
        w(f"    None, {_SPAN},")
        w(")")

    # -- the row ---------------------------------------------------------------------------------

    def lay_out_function(self, kind: str, inst: _Instance) -> tuple[str, str]:
        """Write the function laying out `inst`, and its memo; their names."""
        self.counter += 1
        name, memo = f"_{kind}_{self.counter}", f"MEMO_{self.counter}"
        w = self.head
        w("")
        w("")
        with w.block(f"def {name}({', '.join(inst.params)}):"):
            w(f"# block {inst.block.slot!r}, cells {inst.cells!r}")
            getattr(self, kind)(w, inst)
        if self.memoise:
            w("")
            w(f"{memo} = Memo()")
        return name, memo

    def fetch_cells(self, w: _Lines, inst: _Instance, src: str) -> None:
        for column, dotted in inst.columns:
            var = inst.cells[column]
            w(f"{var} = lookup({src}, {column!r})" if dotted else f"{var} = {src}.get({column!r})")

    def parts_of(self, w: _Lines, inst: _Instance, function: str, memo: str) -> None:
        """Lines setting `parts` to the instance's rows, from its memo when it can."""
        key = ", ".join(inst.params)
        key = f"({key},)" if len(inst.params) == 1 else f"({key})"
        if not self.memoise:
            w(f"parts = {function}({', '.join(inst.params)})")
            return
        w(f"key = {key}")
        cells = list(inst.cells.values())
        if self.spec.format != "jsonl" and 0 < len(cells) <= 6:
            # Cells of CSV and XLSX rows are text: a test per cell is cheaper than a set's.
            text = " and ".join(f"type({c}) is str" for c in cells)
        else:
            text = "TEXT_TYPES.issuperset(map(type, key))"
        with w.block(f"if {memo}.on and {text}:"):
            w(f"{memo}.lookups += 1")
            w(f"parts = {memo}.cache.get(key)")
            w("if parts is None:")
            w(f"    parts = {memo}.miss(key, {function}, key)")
        with w.block("else:"):
            w(f"parts = {memo}.look(key, {function})")

    def instances(self, block: _Block) -> Iterator[tuple[_Instance, Callable[[_Lines], Any]]]:
        """Each instance of `block` with a function opening its loop (if any) in the body."""
        if block.each:
            inst = _Instance(block, None, None)

            @contextmanager
            def loop(w: _Lines) -> Iterator[None]:
                each = block.each
                assert each is not None
                fetch = f"lookup(fields, {each!r})" if "." in each else f"fields.get({each!r})"
                w(f"items = {fetch}")
                with w.block("if isinstance(items, list):"):
                    with w.block("for i, item in enumerate(items):"):
                        w("if not isinstance(item, dict):")
                        w("    continue")
                        w(f"slot = {block.slot + '['!r} + str(i) + ']'")
                        self.fetch_cells(w, inst, "item")
                        yield

            yield inst, loop
        elif block.repeat:
            for n, slot in enumerate(block.repeat_slots, start=1):
                inst = _Instance(block, n, slot)

                @contextmanager
                def unrolled(w: _Lines, inst: _Instance = inst) -> Iterator[None]:
                    self.fetch_cells(w, inst, "fields")
                    yield

                yield inst, unrolled
        elif block.split_column is not None:
            inst = _Instance(block, None, None)

            @contextmanager
            def split(w: _Lines) -> Iterator[None]:
                sc = block.split_column
                assert sc is not None
                self.read_top(w, sc, "cell")
                w(f"cell = (cell or '').split({block.split_on!r})")
                w("kept = [p.strip() for p in cell]")
                w("kept = [p for p in kept if p and p.casefold() not in PLACEHOLDERS]")
                with w.block("for i, sv in enumerate(kept):"):
                    w(f"slot = {block.slot + '['!r} + str(i) + ']'")
                    self.fetch_cells(w, inst, "fields")
                    yield

            yield inst, split
        else:
            inst = _Instance(block, None, block.slot)

            @contextmanager
            def single(w: _Lines) -> Iterator[None]:
                self.fetch_cells(w, inst, "fields")
                yield

            yield inst, single

    def source(self) -> str:
        plan = self.plan
        w = self.body
        w("")
        w("")
        with w.block("def rows(fields, row_number):"):
            w(f"# feed spec {self.spec.name!r}: one row's cells to its RecordRows")
            self.record_head(w)
            w("persons = []" if plan.persons or plan.free_text else "persons = ()")
            w("protected = []")
            w("locations = []")
            w("vehicles = []")
            w("phones = []")
            self.persons(w)
            self.owned(w)
            self.locations(w)
            self.event(w)
            self.record(w)
        title = (
            f"# Generated by joinedup.ingest.compiled from feed spec {self.spec.name!r}"
            f" (version {self.spec.version!r}) for {self.dialect()!r} values."
        )
        parts = [title, *self.constants.lines, *self.head.lines, *self.body.lines, ""]
        return "\n".join(parts)

    def sites(self, w: _Lines, kind: str, blocks: list[_Block]) -> Iterator[_Instance]:
        """For each instance of `blocks`, its lay-out function written and the body's
        lines so far setting `parts`; the caller writes what is done with them."""
        for block in blocks:
            for inst, opening in self.instances(block):
                function, memo = self.lay_out_function(kind, inst)
                w(f"# {kind}: {block.slot!r}")
                with opening(w):
                    self.parts_of(w, inst, function, memo)
                    with w.block("if parts is not NO_ROWS:"):
                        yield inst

    def persons(self, w: _Lines) -> None:
        """The persons, each with its protected characteristics, phone and home address;
        the position of those a vehicle or phone block names (`at_<slot>`)."""
        plan = self.plan
        named = {b.person for b in [*plan.vehicles, *plan.phones] if b.person}
        for slot in sorted(named & self.fixed_persons):
            w(f"at_{slot} = None")
        for inst in self.sites(w, "person", plan.persons):
            has = {name: self.present(inst, name) for name in ("phone", "address", "postcode")}
            w("at = len(persons)")
            w("row, pairs, phone, home = parts")
            w("persons.append(row)")
            if inst.block.dicts.get("protected"):
                w("for kind, value in pairs:")
                w("    protected.append((at, kind, value))")
            if has["phone"]:
                w("if phone is not None:")
                w(f"    phones.append(phone + (at, {_SPAN}))")
            if has["address"] or has["postcode"]:
                w("if home is not None:")
                w(f"    locations.append(home + (at, {_SPAN}))")
            if inst.block.slot in named and inst.block.slot in self.fixed_persons:
                w(f"at_{inst.block.slot} = at")

    def owned(self, w: _Lines) -> None:
        """Vehicles and phones, each with the position of the person it belongs to."""
        for kind, into in (("vehicle", "vehicles"), ("phone", "phones")):
            for inst in self.sites(w, kind, getattr(self.plan, into)):
                person = inst.block.person
                if person is None:
                    w(f"{into}.append(parts)")
                elif inst.block.slot == inst.fixed_slot and person in self.fixed_persons:
                    w(f"{into}.append(parts + (at_{person}, {_SPAN}))")
                else:
                    owner = f"owner({person!r}, {inst.slot()}, persons)"
                    w(f"{into}.append(parts + ({owner}, {_SPAN}))")

    def locations(self, w: _Lines) -> None:
        """The location blocks' locations, and where the event's first one is."""
        ev = self.plan.event
        w("event_at = None")
        for inst in self.sites(w, "location", self.plan.locations):
            if ev is not None and inst.block.slot == ev.location:
                w("if event_at is None:")
                w("    event_at = len(locations)")
            w("locations.append(parts)")

    def record(self, w: _Lines) -> None:
        """The mentions found in free text, then the record's rows (`layout._record`)."""
        plan = self.plan
        if plan.free_text:
            attributes = "event_attributes" if plan.event is not None else "None"
            w(f"text = text_mentions({plan.free_text!r}, fields, {attributes}, VALUES)")
            with w.block("if text is not None:"):
                w("persons += text[0]")
                w("locations += text[1]")
                w("vehicles += text[2]")
                w("phones += text[3]")
        if plan.event is not None:
            w("event = (")
            start, end = self.converted("datetime", "start"), self.converted("datetime", "end")
            w(f"    event_type, {start}, start_precision, {end}, end_precision,")
            w(f"    event_at, description, {self.event_json},")
            w(")")
        else:
            w("event = event_type = None")
        w("return (")
        w(f"    source_ref, row_number, {self.converted('datetime', 'received')}, event_type,")
        w("    grading_parts.source if grading_parts else None,")
        w("    grading_parts.intelligence if grading_parts else None,")
        w("    grading_parts.handling if grading_parts else None,")
        w("    tuple(persons), tuple(protected), tuple(locations), tuple(vehicles),")
        w("    tuple(phones), event,")
        w(")")

    def dialect(self) -> str:
        v = self.values
        if v.date is not v.datetime:
            return "sqlite"
        return "postgresql" if v.shareable else "other"

    def record_head(self, w: _Lines) -> None:
        """`mapper._record_head`: reference, received date and grading, in its order."""
        plan = self.plan
        self.read_top(w, plan.source_ref, "source_ref")
        if plan.source_ref_given:
            w("if source_ref is None:")
            w(
                f"    raise RowError({plan.source_ref.ref_column!r},"
                " 'the record has no reference (ID) of its own')"
            )
        with w.block("try:"):
            self.moment(w, plan.received_at, "received", "received_precision")
        with w.block("except DateError as exc:"):
            w(f"raise RowError({plan.received_at.ref_column!r}, str(exc)) from None")
        if isinstance(plan.grading, _Field):
            self.read_top(w, plan.grading, "grading_text")
            w("grading_parts = grading(grading_text)")
        else:
            w("grading_parts = None")

    def event(self, w: _Lines) -> None:
        """`mapper._event_facts`, in its order."""
        ev = self.plan.event
        if ev is None:
            return
        w("# event")
        with w.block("try:"):
            self.moment(w, ev.start, "start", "start_precision")
            self.moment(w, ev.end, "end", "end_precision")
        with w.block("except DateError as exc:"):
            w(f"raise RowError({ev.error_column!r}, str(exc)) from None")
        self.read_top(w, ev.type, "event_type")
        if not (ev.type.is_literal and ev.type.literal is not None):
            w("if event_type is None:")
            w(f"    raise RowError({ev.type.ref_column!r}, 'the event type is empty')")
        self.read_top(w, ev.description, "description")
        pairs = []
        for i, (key, f) in enumerate(ev.attributes):
            self.read_top(w, f, f"event_attribute_{i}")
            pairs.append((key, f"event_attribute_{i}"))
        if self.plan.free_text:  # dates found in the text may join the attributes
            w("event_attributes = {}")
            for key, name in pairs:
                w(f"if {name} is not None:")
                w(f"    event_attributes[{key!r}] = {name}")
            self.event_json = "J(event_attributes or None)"
        else:
            self.event_json = self.json_object(w, "event_attributes", pairs)


def source(spec: FeedSpec, values: layout.Values) -> str:
    """The Python source of `spec`'s rows function for `values`' dialect."""
    return _Generator(spec, values).source()
