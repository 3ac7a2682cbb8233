"""Migrations: an empty database upgrades to head, and head is exactly the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select

from monitor.db import make_engine, require_current_schema, schema_state, session_scope, upgrade
from monitor.errors import SchemaError
from monitor.models import Base, Contact


def test_empty_database_upgrades_to_head_with_no_difference_from_the_models(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    with pytest.raises(SchemaError, match="the database is empty"):
        require_current_schema(engine)
    upgrade(engine)
    current, head = schema_state(engine)
    assert current == head
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    upgrade(engine)  # a second upgrade is a no-op
    engine.dispose()


def test_the_revision_the_code_checks_for_is_the_head_of_the_migrations() -> None:
    from alembic.script import ScriptDirectory

    from monitor.db import MIGRATIONS, SCHEMA_HEAD

    script = ScriptDirectory(str(MIGRATIONS))
    assert script.get_heads() == [SCHEMA_HEAD]


def test_an_outdated_schema_is_refused_with_the_command_that_fixes_it(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0007")
    with pytest.raises(
        SchemaError, match=r"at revision 0007, the code needs 0008: run `monitor db upgrade`"
    ):
        require_current_schema(engine)
    upgrade(engine)
    require_current_schema(engine)
    engine.dispose()


def test_instants_come_back_utc_aware_and_naive_ones_are_refused(engine: Engine) -> None:
    almaty = timezone(timedelta(hours=6))
    with session_scope(engine) as session:
        session.add(
            Contact(
                key="c",
                name="C",
                email="c@example.org",
                language="en",
                timezone="UTC",
                created_at=datetime(2016, 8, 20, 9, 0, tzinfo=almaty),
                updated_at=datetime(2016, 8, 20, 3, 0, tzinfo=UTC),
            )
        )
    with session_scope(engine) as session:
        contact = session.scalars(select(Contact)).one()
        assert contact.created_at == datetime(2016, 8, 20, 3, 0, tzinfo=UTC)
        assert contact.created_at.tzinfo is UTC
    with pytest.raises(Exception, match="naive datetime"), session_scope(engine) as session:
        session.add(
            Contact(
                key="d",
                name="D",
                email="d@example.org",
                language="en",
                timezone="UTC",
                created_at=datetime(2016, 8, 20, 9, 0),
                updated_at=datetime(2016, 8, 20, 9, 0),
            )
        )
        session.flush()
