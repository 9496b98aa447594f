"""Uploaded files of a round and the ledger: self-assessment and rectification reports.

A file is kept only when its first bytes match its extension (a renamed executable is
refused), its name is reduced to a safe base name, and it is within the size limit.
"""

from __future__ import annotations

import posixpath
import re

from sqlmodel import Session, col, select

from backend.ledger.errors import LedgerError
from backend.models.evaluation import Attachment, AttachmentKind

MAX_FILES_PER_OWNER = 20
MAX_BYTES = 20 * 1024 * 1024
_ZIP = (b"PK\x03\x04",)
SIGNATURES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
}
ERR_NO_FILE = "请选择要上传的文件"
ERR_TYPE = "只支持 PDF、Word（.docx）、Excel（.xlsx）和图片（.jpg、.png）文件"
ERR_CONTENT = "文件内容与扩展名不符，请上传原始文件"
ERR_TOO_MANY = "每项最多上传 {limit} 个文件，请先删除不需要的文件"
ERR_MISSING = "文件不存在"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\"'<>:;|?*\\/]+")


def safe_filename(raw: str) -> str:
    """Return a display-safe base name (no path, no control or quote characters)."""
    base = posixpath.basename(str(raw or "").replace("\\", "/"))
    cleaned = _UNSAFE.sub("_", base).strip(" .") or "file"
    stem, dot, ext = cleaned.rpartition(".")
    return (stem[:190] + dot + ext[:10]) if dot else cleaned[:200]


def content_type(filename: str, data: bytes) -> str:
    """Return the file's content type, or raise when its type or first bytes are not allowed."""
    if not data:
        raise LedgerError(ERR_NO_FILE)
    ext = posixpath.splitext(filename.lower())[1]
    if ext not in SIGNATURES:
        raise LedgerError(ERR_TYPE)
    kind, magic = SIGNATURES[ext]
    if not data.startswith(magic):
        raise LedgerError(ERR_CONTENT)
    return kind


def save_attachment(
    session: Session,
    *,
    kind: AttachmentKind,
    department_id: int,
    filename: str,
    data: bytes,
    round_id: int | None = None,
    finding_id: int | None = None,
    account=None,
) -> Attachment:
    """Store one uploaded file for a unit's round or a finding."""
    name = safe_filename(filename)
    media = content_type(name, data)
    owned = attachments(
        session, kind=kind, department_id=department_id, round_id=round_id, finding_id=finding_id
    )
    if len(owned) >= MAX_FILES_PER_OWNER:
        raise LedgerError(ERR_TOO_MANY.format(limit=MAX_FILES_PER_OWNER))
    row = Attachment(
        round_id=round_id,
        department_id=department_id,
        finding_id=finding_id,
        kind=kind,
        filename=name,
        content_type=media,
        size=len(data),
        data=data,
        account_id=getattr(account, "id", None),
    )
    session.add(row)
    session.flush()
    return row


def attachments(
    session: Session,
    *,
    kind: AttachmentKind,
    department_id: int,
    round_id: int | None = None,
    finding_id: int | None = None,
) -> list[Attachment]:
    """Return the files of one owner (a unit's round, or a finding), oldest first."""
    query = select(Attachment).where(
        Attachment.kind == kind, Attachment.department_id == department_id
    )
    if finding_id is not None:
        query = query.where(Attachment.finding_id == finding_id)
    elif round_id is not None:
        query = query.where(Attachment.round_id == round_id)
    return list(session.exec(query.order_by(col(Attachment.uploaded_at), col(Attachment.id))))


def attachment(session: Session, *, attachment_id: int) -> Attachment:
    """Return one stored file, or raise 404."""
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise LedgerError(ERR_MISSING, 404)
    return row


def delete_attachment(session: Session, *, attachment_id: int) -> Attachment:
    """Delete one stored file and return what it was."""
    row = attachment(session, attachment_id=attachment_id)
    session.delete(row)
    session.flush()
    return row
