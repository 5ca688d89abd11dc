"""Alembic environment, run through Flask-Migrate (`flask db ...`)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from grievance.extensions import db

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

# Every model must be imported so autogenerate sees the whole schema.
import grievance.models  # noqa: E402,F401
import notifications.models  # noqa: E402,F401

target_metadata = db.metadata


def render_item(type_, obj, autogen_context):
    """Render our column types by their importable names."""
    if type_ == "type" and obj.__class__.__module__ == "grievance.types":
        autogen_context.imports.add("import grievance.types")
        return f"grievance.types.{obj.__class__.__name__}()"
    return False


def run_migrations_offline():
    context.configure(url=str(db.engine.url), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def skip_empty(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logging.getLogger("alembic").info("No changes in schema detected.")

    engine = db.engine
    with engine.connect() as connection:
        from grievance.search.schema import include_name

        options = {
            **current_app.extensions["migrate"].configure_args,
            "compare_type": True,
            "render_as_batch": connection.dialect.name == "sqlite",
            "render_item": render_item,
            "include_name": include_name,
            "process_revision_directives": skip_empty,
        }
        context.configure(connection=connection, target_metadata=target_metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
