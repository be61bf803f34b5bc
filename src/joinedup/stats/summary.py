"""The plain-words summary: sentences derived only from completeness, bounds and verdicts,
so it never says more than the data allows.
"""

from __future__ import annotations

from joinedup.stats.claims import ClaimResult
from joinedup.stats.shares import TableAnalysis

# The tables a reader of a problem profile looks at first, in the order they are told.
KEY_TABLES = (
    "victims.sex",
    "victims.age_first_concern",
    "victims.in_care",
    "offenders.sex",
    "offenders.ethnicity_self_group",
    "offenders.ethnicity_officer_group",
    "offenders.nationality",
)


def pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _count(n: int) -> str:
    return f"{n:,}"


def completeness_sentence(a: TableAnalysis, noun: str) -> str:
    what = a.table.title[:1].upper() + a.table.title[1:]
    if a.withheld or a.total is None or a.recorded is None:
        return f"{what}: not published (too few {noun} to describe without identifying anyone)."
    lo, hi = a.recorded
    if a.total == 0:
        return f"{what}: there are no {noun} in scope."
    if lo == hi:
        share = pct(lo / a.total)
        return f"{what} was recorded for {_count(lo)} of {_count(a.total)} {noun} ({share})."
    return (
        f"{what} was recorded for between {_count(lo)} and {_count(hi)} of {_count(a.total)} "
        f"{noun} ({pct(lo / a.total)} to {pct(hi / a.total)})."
    )


def most_common_sentence(a: TableAnalysis, noun: str) -> str | None:
    """Which category is most common, only if that holds whatever the unrecorded are."""
    rows = [r for r in a.rows if not r.unknown and r.count is not None and r.bounds]
    if a.withheld or not a.total or not rows:
        return None
    top = max(rows, key=lambda r: r.count or 0)
    if not top.count:
        return None
    assert top.bounds is not None
    lo, hi = top.bounds
    # Over everyone the top category must beat every other one even if all the unrecorded
    # were that other; a suppressed or unlisted category could hold everyone not shown in
    # a published recorded cell.
    published = sum(r.count or 0 for r in rows)
    ceiling = (a.total - published) / a.total
    beaten = lo > ceiling and all(
        lo > (r.bounds[1] if r.bounds else 1.0) for r in rows if r is not top
    )
    name = top.category.replace("_", " ")
    share = f"between {pct(lo)} and {pct(hi)} of all {noun} were {name}"
    if beaten:
        head = name[:1].upper() + name[1:]
        return f"{head} is the most common, whatever the unrecorded are: {share}."
    among = ""
    if top.share_of_known and top.share_of_known[0] == top.share_of_known[1]:
        among = f" ({pct(top.share_of_known[0])} of those recorded)"
    return (
        f"Among those recorded the largest group is {name}{among}, but the data cannot say "
        f"it is the most common over all {noun}: {share}."
    )


def summarise(
    analyses: dict[str, TableAnalysis],
    nouns: dict[str, str],
    claims: list[ClaimResult] | tuple[ClaimResult, ...] = (),
    counts: dict[str, int | None] | None = None,
    notes: list[str] | None = None,
) -> list[str]:
    """Sentences for a profile: sizes, the key tables, the least complete, then claims."""
    out: list[str] = []
    for pop, n in (counts or {}).items():
        noun = nouns.get(pop, pop)
        out.append(
            f"{noun[:1].upper() + noun[1:]}: "
            + (
                "not published (fewer than the disclosure threshold)."
                if n is None
                else f"{_count(n)}."
            )
        )
    for key in KEY_TABLES if counts is not None else tuple(analyses):
        a = analyses.get(key)
        if a is None:
            continue
        noun = nouns.get(a.table.population, "records")
        out.append(completeness_sentence(a, noun))
        sentence = most_common_sentence(a, noun)
        if sentence:
            out.append(sentence)
    poor = [
        a for a in analyses.values() if a.recorded and a.total and a.recorded[1] / a.total < 0.5
    ]
    if counts is not None and poor:
        names = ", ".join(
            f"{a.table.title.lower()} of {nouns.get(a.table.population, 'records')}"
            f" ({pct(a.recorded[1] / a.total)})"
            for a in poor[:8]  # type: ignore[index,operator]
        )
        more = f" and {len(poor) - 8} more" if len(poor) > 8 else ""
        out.append(
            f"Recorded for fewer than half: {names}{more}. Shares of these among the "
            "recorded say little about everyone."
        )
    for c in claims:
        out.append(f'Claim "{c.claim.text}": {c.verdict}. {c.explanation}')
    out.extend(notes or [])
    return out
