"""Join the feature branches (notifications, intake, SLA, queues, tracking, oversight,
sealed TOTP seeds) into one history.

Revision ID: 9e8f7a6b5c4d
Revises: 0e0d64a1ec90, 3b9cd8d6a78f, 41c8bbe9c703, 6f1e2d9c4b7a, 7c4e2a91d5b3, d8acee8bc460, 5a7d3c2e9f10
Create Date: 2026-11-25 02:40:00

"""

revision = "9e8f7a6b5c4d"
down_revision = (
    "0e0d64a1ec90",
    "3b9cd8d6a78f",
    "41c8bbe9c703",
    "6f1e2d9c4b7a",
    "7c4e2a91d5b3",
    "d8acee8bc460",
    "5a7d3c2e9f10",
)
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
