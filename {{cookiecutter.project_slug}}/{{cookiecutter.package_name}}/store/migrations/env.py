"""Alembic's environment: migrate through the connection the caller passes."""

# alembic.context is a proxy that gets its members when alembic runs this file
# pylint: disable=no-member
from alembic import context

from {{ cookiecutter.package_name }}.store.tables import Base

context.configure(
    connection=context.config.attributes['connection'],
    target_metadata=Base.metadata,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
