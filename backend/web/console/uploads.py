"""Uploaded workbooks: refused early (4xx, Chinese message) when too big or not an .xlsx.

Only the zip's directory is read here; the workbook itself is parsed later by a job.
"""

from __future__ import annotations

from flask import abort, request

from backend.excel.reader import WorkbookError, check_archive
from backend.ledger.attachments import MAX_BYTES
from backend.runtime import runtime

NO_FILE = "请选择要上传的 Excel 文件"


def uploaded_workbook(missing: str = NO_FILE) -> bytes:
    """Return the uploaded .xlsx file's bytes, or answer 400/413 with the reason."""
    settings = runtime().settings
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        abort(400, description=missing)
    if not upload.filename.lower().endswith(".xlsx"):
        abort(400, description="只支持 .xlsx 文件，请使用后台提供的模板")
    limit = settings.LVZHI_UPLOAD_MAX_BYTES
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        abort(413, description=f"文件超过 {limit / 1048576:.3g} MB，请分批导入")
    if not data:
        abort(400, description=missing)
    try:
        check_archive(data, max_uncompressed=settings.LVZHI_UPLOAD_MAX_UNZIPPED_BYTES)
    except WorkbookError as exc:
        abort(400, description=str(exc))
    return data


def uploaded_attachment() -> tuple[str, bytes]:
    """Return an uploaded report file's name and bytes, or answer 400/413 in Chinese."""
    limit = min(MAX_BYTES, runtime().settings.LVZHI_UPLOAD_MAX_BYTES)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        abort(400, description="请选择要上传的文件")
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        abort(413, description=f"文件超过 {limit / 1048576:.3g} MB，请压缩后再上传")
    if not data:
        abort(400, description="上传的文件是空的")
    return upload.filename, data
