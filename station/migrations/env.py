"""Alembic environment: always run on a connection handed in by station.db.migrate."""
from __future__ import annotations

from alembic import context

from station.models import Base

config = context.config
target_metadata = Base.metadata


def _include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # The FTS tables are managed by hand in migrations.
    return not (type_ == "table" and name and name.startswith("search_"))


connection = config.attributes.get("connection")
if connection is None:  # command-line use: alembic -x db=path
    from station.db.engine import make_engine

    engine = make_engine(context.get_x_argument(as_dictionary=True).get("db", ":memory:"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True, include_object=_include_object)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, include_object=_include_object,
                      transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()
