"""The migrations build exactly the tables the models describe: a column, index or constraint
added to a model without its migration (or the reverse) would show up only on a real server
upgrading its database, so the difference is checked here."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from facilitator.extensions import db


def test_the_migrated_database_has_the_models_tables(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
