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
from grievance.domain import CHANNELS
from grievance.errors import NotFound
from grievance.extensions import db
from workflows.i18n import N_

# A file stored this soon after filing came with the complaint itself.
WITH_FILING = timedelta(minutes=5)
KINDS = {"image/jpeg": "photo", "image/png": "photo", "image/webp": "photo"}
# Who sent a file and when, in staff words: (sender role, occasion) -> msgid; %(name)s is
# the account's name (a representative's, an intake or case officer's).
SENT = {
    ("complainant", "filing"): N_("Sent by the complainant with the complaint"),
    ("complainant", "answer"): N_("Sent by the complainant in answer to a question"),
    ("complainant", "information"): N_("Sent later by the complainant"),
    ("representative", "filing"): N_("Sent by %(name)s (representative) with the complaint"),
    ("representative", "answer"): N_("Sent by %(name)s (representative) for the member"),
    ("representative", "information"): N_("Sent later by %(name)s (representative)"),
    ("intake", "filing"): N_("Sent by %(name)s (intake officer) with the complaint"),
    ("officer", "filing"): N_("Added by %(name)s (officer)"),
    ("officer", "answer"): N_("Added by %(name)s (officer)"),
    ("officer", "information"): N_("Added by %(name)s (officer)"),
    ("partner", "filing"): N_("Sent by a partner system with the complaint"),
}
# Files stored before the sender was kept.
SENT_WITH_COMPLAINT = N_("Sent with the complaint")
SENT_LATER = N_("Sent later by the complainant")


@dataclass(frozen=True)
class Item:
    attachment: Attachment
    number: int  # 1, 2, ... in the order received
    with_complaint: bool  # filed with the complaint, or sent later
    sender_name: str = ""  # the sending account's name, when an account sent it

    @property
    def sent(self) -> str:
        """Who sent the file and on which occasion (a msgid; `sender_name` fills it)."""
        a = self.attachment
        known = SENT.get((a.sender_role or "", a.occasion or ""))
        if known is not None:
            return known
        return SENT_WITH_COMPLAINT if self.with_complaint else SENT_LATER

    @property
    def channel(self) -> str | None:
        """How it came (a msgid), when that is not plain from the case's own channel."""
        return CHANNELS.get(self.attachment.channel or "")

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
    names = _names({a.sender_id for a in rows if a.sender_id is not None})
    return [
        Item(a, n, abs(a.created_at - filed) <= WITH_FILING, names.get(a.sender_id or 0, "–"))
        for n, a in enumerate(rows, start=1)
    ]


def _names(ids: set[int]) -> dict[int, str]:
    """The senders' names, looked up only when an account sent a file."""
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {int(row.id): str(row.name) for row in rows}


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
