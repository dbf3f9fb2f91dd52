"""Universities as tenants, in one place: a session bound to a university sees only its rows.

Every row of a :class:`~api.service.storage.models.Tenant` table belongs to one university. A
request's session is bound to the caller's university (:func:`bind`, in ``deps.get_principal``
and wherever a secret token names the university: feeds, links, check-in codes); from then on
every ORM query of that session (``select``, ``Session.get``, ORM ``update`` and ``delete``) gets
``university_id = <that university>`` for every tenant table it touches, through SQLAlchemy's
``with_loader_criteria`` (``do_orm_execute``), and every new tenant row gets the university
(``before_flush``). So another university's term, plan, job, link, record or item is simply not
found: the routes answer 404 as for an id that does not exist, without a check of their own.

A session that is not bound (the service itself: migrations, job processes, the province's
summary) sees every university and must name the university of every row it adds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from api.service.storage.models import Tenant

KEY = "frontline_university_id"


def bind(session: Session, university_id: str | None) -> None:
    """From now on ``session`` sees (and adds rows to) ``university_id`` only; None: every one."""
    session.info[KEY] = university_id


def bound(session: Session) -> str | None:
    value = session.info.get(KEY)
    return str(value) if value is not None else None


@event.listens_for(Session, "do_orm_execute")
def _only_the_bound_university(state: ORMExecuteState) -> None:
    university = state.session.info.get(KEY)
    if university is None or not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        return  # the parent row was filtered already
    state.statement = state.statement.options(
        with_loader_criteria(Tenant, lambda cls: cls.university_id == university, include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _new_rows_belong_to_the_bound_university(session: Session, _context: Any, _instances: Any) -> None:
    university = session.info.get(KEY)
    for row in session.new:
        if not isinstance(row, Tenant):
            continue
        if row.university_id is None:
            if university is None:
                raise RuntimeError(f"{type(row).__name__} without a university (the session is bound to none)")
            row.university_id = university
        elif university is not None and row.university_id != university:
            raise RuntimeError(f"{type(row).__name__} of {row.university_id} added in a session of {university}")
