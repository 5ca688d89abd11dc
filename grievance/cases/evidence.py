"""The evidence filed with a case, for the officers who may see it.

Files live outside the web root (`grievance.intake.uploads`); staff open them through an
authorised route. Evidence can identify the complainant (a payslip carries her name), so
on confidential and restricted cases only those who may see her identity see the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from grievance.auth.models import User
from grievance.cases import policy
from grievance.cases.models import Attachment, Case
from grievance.errors import NotFound
from grievance.extensions import db

# A file stored this soon after filing came with the complaint itself.
WITH_FILING = timedelta(minutes=5)
KINDS = {"image/jpeg": "photo", "image/png": "photo", "image/webp": "photo"}


@dataclass(frozen=True)
class Item:
    attachment: Attachment
    number: int  # 1, 2, ... in the order received
    with_complaint: bool  # filed with the complaint, or sent later

    @property
    def kind(self) -> str:  # "photo", "voice" or "pdf"
        if self.attachment.is_voice:
            return "voice"
        return KINDS.get(self.attachment.content_type, "pdf")

    @property
    def received(self) -> datetime:
        return self.attachment.created_at


def may_see_files(user: User, case: Case) -> bool:
    return policy.can_see_identity(user, case)


def items(user: User, case: Case) -> list[Item]:
    """The case's files in the order received; empty for someone who may not see them."""
    if not may_see_files(user, case):
        return []
    rows = db.session.scalars(
        select(Attachment)
        .where(Attachment.case_id == case.id)
        .order_by(Attachment.created_at, Attachment.id)
    ).all()
    filed = case.created_at
    return [
        Item(a, n, abs(a.created_at - filed) <= WITH_FILING) for n, a in enumerate(rows, start=1)
    ]


def file_of(
    user: User, case: Case, attachment_id: int, *, playable: bool = False
) -> tuple[Attachment, Path, str]:
    """An attachment of this case the user may open, where its bytes are and their type.
    `playable`: a voice note's browser-playable copy, the original until the job has made
    one (or when no copy is needed or ffmpeg is absent)."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id or not may_see_files(user, case):
        raise NotFound("file")
    name, content_type = attachment.stored_name, attachment.content_type
    if playable and attachment.playable_name:
        name, content_type = attachment.playable_name, "audio/mpeg"
    path = Path(current_app.instance_path) / "uploads" / name
    if not path.is_file():
        raise NotFound("file")
    return attachment, path, content_type
