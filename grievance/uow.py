"""The unit of work: the one place where a transaction is committed or rolled back.

A request, a job and a command each run as one unit of work. Code below that boundary
(views, services, the engine, jobs' bodies) only adds, changes and flushes; it never
commits or rolls back. The boundary commits when the work is done and the answer is not
an error, and rolls back otherwise. Whatever must happen after the commit (a job to run,
a message to hand to a worker) is registered with `after_commit` and dropped on rollback,
so nothing leaves the process for a change that was never kept.

- Requests: `grievance.app.App` calls `finish_request` with the response's status.
- Jobs and commands: `grievance.jobs.runtime` and `transactional` wrap the function.
- Long jobs that must make progress durable part-way call `checkpoint()`.
- A view that caught a refusal and must show fresh state calls `discard()`.

`tests/test_unit_of_work.py` fails when `commit()` or `rollback()` is called anywhere else.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from grievance.extensions import db

P = ParamSpec("P")
R = TypeVar("R")
AFTER_COMMIT = "samleng.after_commit"
READ_ONLY = "samleng.read_only"


def _callbacks() -> list[Callable[[], None]]:
    return db.session().info.setdefault(AFTER_COMMIT, [])


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once this unit of work has committed; forget it on rollback."""
    _callbacks().append(callback)


def _commit() -> None:
    session = db.session()
    session.commit()
    pending = list(_callbacks())
    _callbacks().clear()
    for callback in pending:
        callback()


def _rollback() -> None:
    session = db.session()
    session.rollback()
    _callbacks().clear()


def finish_request(status: int) -> None:
    """The request boundary: keep the work of a successful answer, drop an error's."""
    if status < 400:
        _commit()
    else:
        _rollback()


def read_only() -> None:
    """Declare, before its first statement, that this unit of work only reads. On
    PostgreSQL its statements then run outside a transaction, so neither BEGIN nor COMMIT
    travels to the database: two round trips of a page that reads twice. Nothing is lost
    for a reader: under READ COMMITTED each statement sees its own snapshot anyway. A write
    in it is a bug, and raises `WriteInReadOnly` before it reaches the database."""
    session = db.session()
    bind = session.get_bind()
    if bind.dialect.name != "postgresql" or session.in_transaction():
        return
    if isinstance(bind, Connection):  # tests: one outer transaction holds every request
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    session.info[READ_ONLY] = True


class WriteInReadOnly(RuntimeError):
    """A unit of work declared read-only tried to write."""


@event.listens_for(Session, "before_flush")
def _no_flush_when_read_only(session: Session, *_: Any) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise WriteInReadOnly("a read-only unit of work tried to write")


@event.listens_for(Session, "do_orm_execute")
def _no_write_when_read_only(state: ORMExecuteState) -> None:
    if state.session.info.get(READ_ONLY) and (
        state.is_insert or state.is_update or state.is_delete
    ):
        raise WriteInReadOnly("a read-only unit of work tried to write")


@event.listens_for(Session, "after_transaction_end")
def _read_only_ends(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(READ_ONLY, None)


def discard() -> None:
    """Drop everything of this unit of work: an exception escaped, a commit failed, or a
    view refused a step after changing the case and now shows the page again with fresh
    state (the boundary would roll back anyway; this lets the page read what is true)."""
    _rollback()


def checkpoint() -> None:
    """Make a long job's progress so far durable (and release what it queued), then go
    on in a new transaction: for work that must survive a crash half-way, such as a
    message claimed before the provider is called, or one batch of an import."""
    _commit()


@contextmanager
def failure_recorded(record: Callable[[], None]) -> Iterator[None]:
    """For a long job with checkpoints: if the body raises, drop its unfinished work, let
    `record` mark the job's own row failed, make that durable, and let the error go on."""
    try:
        yield
    except Exception:
        _rollback()
        record()
        _commit()
        raise


def transactional(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func` as one unit of work: commit if it returns, roll back if it raises.
    The boundary of jobs and commands (requests have `finish_request`)."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = func(*args, **kwargs)
        except BaseException:
            _rollback()
            raise
        _commit()
        return result

    return run


def run(func: Callable[..., R], *args: Any) -> R:
    """Call `func(*args)` as one unit of work (see `transactional`)."""
    return transactional(func)(*args)
