"""What an officer typed, as a full-text query on either backend.

Each word of the query (ICU's words of its canonical key, at most MAX_WORDS) must be found
in the narrative, the employer or facility, or the complainant's name; the name counts
only where the reader may see who complained. A Khmer word is found as a term (see
grievance.khmer.terms: wherever it occurs, in any spelling order, with or without spaces);
a Latin word or a number as the start of a term ("regist" finds "registration"), as the
substring search before it did for most typed words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    cast,
    func,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from grievance.cases.models import Case
from grievance.khmer import words
from grievance.khmer.words import is_khmer_char
from grievance.search.models import BUCKET, CaseSearch, bucket_lexeme
from grievance.search.schema import FTS_TABLE

MAX_WORDS = 8
CANDIDATES = 1000  # matches ranked for one search (the newest); more show as "1,000+"
# PostgreSQL: the newest ids are searched first, in windows reaching at least these many ids
# below the newest, then the rest
WINDOW_IDS = (20_000, 60_000, 200_000, 600_000)
# bm25 column weights on SQLite (description, concerned, names), as ts_rank's D, B, A.
FTS_WEIGHTS = (0.1, 0.4, 1.0)


@dataclass(frozen=True)
class Word:
    term: str
    prefix: bool  # Latin letters or digits: the start of a term


def parse(typed: str) -> list[Word]:
    found: list[Word] = []
    for term in dict.fromkeys(words(typed)):
        found.append(Word(term, not is_khmer_char(term[0])))
    return found[:MAX_WORDS]


def _pg_lexeme(term: str, prefix: bool, public: bool) -> str:
    quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
    if prefix:
        return quoted + (":*BD" if public else ":*")
    return quoted + (":BD" if public else "")


def tsquery(parsed: list[Word], public: bool) -> str:
    """PostgreSQL tsquery input syntax; `public` leaves out the names (weight A)."""
    return " & ".join(_pg_lexeme(w.term, w.prefix, public) for w in parsed)


def _fts_phrase(term: str, prefix: bool) -> str:
    return '"' + term.replace('"', '""') + '"' + ("*" if prefix else "")


def fts5_query(parsed: list[Word], public: bool) -> str:
    """SQLite FTS5 query syntax; `public` looks in the description and concerned columns."""
    expr = " AND ".join(_fts_phrase(w.term, w.prefix) for w in parsed)
    return "{description concerned} : (" + expr + ")" if public else expr


def narrow(
    query: Select[Any],
    parsed: list[Word],
    identity: ColumnElement[bool],
    dialect: str,
    newest: int | None = None,
) -> tuple[Select[Any], ColumnElement[Any]]:
    """`query` (over Case, selecting its id) cut to the cases the words find, and their rank
    (higher first). At most CANDIDATES cases are ranked: the newest that match (the page
    then says "1,000+"); a word found in a third of a million cases would otherwise have
    every match read and ranked for one page.

    PostgreSQL looks for them in windows of case ids, newest first (`newest`: the highest
    case id). Each document carries the lexeme of its bucket of BUCKET ids, so a window is
    the words AND any of its buckets, answered by the GIN index alone: only the window's
    matches are read, and a window is searched only if the newer ones gave fewer than
    CANDIDATES. A rare word goes through all of them on its few matches."""
    if dialect == "postgresql":
        return _postgres(query, parsed, identity, newest)
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    hits = (
        select(
            literal_column("rowid").label("case_id"),
            literal_column(f"-bm25({FTS_TABLE}, {weights})").label("rank"),
        )
        .select_from(text(FTS_TABLE))
        .where(text(f"{FTS_TABLE} MATCH :every").bindparams(every=fts5_query(parsed, False)))
        .subquery()
    )
    in_public: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(text(FTS_TABLE))
        .where(text(f"{FTS_TABLE} MATCH :public").bindparams(public=fts5_query(parsed, True)))
    )
    matched = query.join(hits, hits.c.case_id == Case.id).where(
        or_(identity, Case.id.in_(in_public))
    )
    found = (
        matched.add_columns(hits.c.rank.label("rank"))
        .order_by(Case.id.desc())
        .limit(CANDIDATES)
        .subquery()
    )
    return select(found.c.id), found.c.rank


def windows(newest: int | None) -> list[range]:
    """The buckets of ids each window searches, newest first: disjoint, and the k-th
    reaching WINDOW_IDS[k] ids below the newest case. The newest bucket is only partly
    filled (at 1,000,000 cases it holds one id): counted in buckets, the first window held
    half the ids it was meant to, and a common word needed the second one too."""
    if newest is None:
        return []
    found: list[range] = []
    top = newest // BUCKET
    for ids in WINDOW_IDS:
        lowest = max(0, (newest - ids) // BUCKET)
        if top < 0:
            break
        if lowest <= top:
            found.append(range(top, lowest - 1, -1))
            top = lowest - 1
    return found


def _postgres(
    query: Select[Any], parsed: list[Word], identity: ColumnElement[bool], newest: int | None
) -> tuple[Select[Any], ColumnElement[Any]]:
    words, public_words = tsquery(parsed, public=False), tsquery(parsed, public=True)
    every = cast(words, TSQUERY)
    doc = CaseSearch.doc
    spans = windows(newest)
    parts: list[ColumnElement[Any]] = []
    for buckets in spans:
        lexemes = " | ".join(f"'{bucket_lexeme(b)}'" for b in buckets)
        parts.append(doc.op("@@")(cast(f"({words}) & ({lexemes})", TSQUERY)))
    # The rest: every match older than the windows (a rare word's few).
    lowest = spans[-1][-1] if spans else None
    if lowest is None:
        parts.append(doc.op("@@")(every))
    elif lowest > 0:
        parts.append(and_(doc.op("@@")(every), CaseSearch.case_id < lowest * BUCKET))
    found_in = [
        query.join(CaseSearch, CaseSearch.case_id == Case.id)
        .where(matched, or_(identity, doc.op("@@")(cast(public_words, TSQUERY))))
        .add_columns(func.ts_rank(doc, every).label("rank"))
        .order_by(Case.id.desc())
        .limit(CANDIDATES)
        for matched in parts
    ]
    found = union_all(*found_in).subquery() if len(found_in) > 1 else found_in[0].subquery()
    newest_first = select(found.c.id, found.c.rank).limit(CANDIDATES).subquery()
    return select(newest_first.c.id), newest_first.c.rank
