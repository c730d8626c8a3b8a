""" ${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""
# Alembic names revision files and their variables; alembic.op is a proxy.
# pylint: disable=invalid-name,no-member
import sqlalchemy as sa
from alembic import op
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    """ apply this revision """
    ${upgrades if upgrades else "pass"}


def downgrade():
    """ undo this revision """
    ${downgrades if downgrades else "pass"}
