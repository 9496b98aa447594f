"""Produce reports as files and post them to group chats through the outbox (the I/O edge)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from backend.outbox.rules import GroupRoute
from backend.outbox.service import OutgoingContent, enqueue_group_post
from backend.reports import county as county_reports
from backend.reports import data, monthly, monthly_xlsx, texts, weekly
from backend.reports.periods import Period
from backend.settings import Settings

File = tuple[str, bytes]


@dataclass(frozen=True)
class ReportOptions:
    """The report settings: administrators' group, missing-days list, low reporting rate."""

    admin_chat: str = ""
    list_missing: bool = True
    low_reporting_rate: float = 0.8

    @classmethod
    def from_settings(cls, settings: Settings) -> ReportOptions:
        """Read the options from the shared settings."""
        return cls(
            settings.LVZHI_ADMIN_CHAT,
            settings.LVZHI_WEEKLY_LIST_MISSING,
            settings.LVZHI_LOW_REPORTING_RATE,
        )

    @property
    def admin_target(self) -> GroupRoute | None:
        """Return the route of the administrators' group, or None."""
        channel, _, target = self.admin_chat.partition(":")
        return GroupRoute(channel, target) if target else None


# --- files (also what the console's download buttons call) --------------------------------


def weekly_files(
    session: Session, *, department_id: int, period: Period, options: ReportOptions
) -> list[File]:
    """Render a department's weekly summary: the chart image and the markdown text."""
    report = data.department_report(session, department_id=department_id, period=period)
    return weekly_files_of(report, options=options)


def weekly_files_of(
    report: data.DepartmentReport, *, options: ReportOptions, image: bytes | None = None
) -> list[File]:
    """Name the weekly image (rendered here unless given) and markdown of a loaded report."""
    names = {"department": report.name, "key": report.period.key}
    markdown = weekly.weekly_markdown(report, list_missing=options.list_missing)
    return [
        (texts.FILE_WEEKLY_IMAGE.format(**names), image or weekly.weekly_image(report)),
        (texts.FILE_WEEKLY_TEXT.format(**names), markdown.encode()),
    ]


def monthly_files(
    session: Session, *, department_id: int, period: Period, today: date, options: ReportOptions
) -> list[File]:
    """Render a department's monthly report (PDF) and the data behind it (XLSX)."""
    report = data.department_report(
        session, department_id=department_id, period=period, monthly=True
    )
    return monthly_files_of(report, today=today, options=options)


def monthly_files_of(
    report: data.DepartmentReport, *, today: date, options: ReportOptions
) -> list[File]:
    """Render the PDF report and XLSX data of a loaded monthly report (pure)."""
    pdf = monthly.monthly_pdf(report, today=today, low_threshold=options.low_reporting_rate)
    names = {"department": report.name, "key": report.period.key}
    return [
        (texts.FILE_DEPT_MONTHLY.format(**names), pdf),
        (texts.FILE_DEPT_DATA.format(**names), monthly_xlsx.monthly_xlsx(report)),
    ]


def county_files(session: Session, *, period: Period, today: date) -> list[File]:
    """Render the administrators' files: ranking, core-function report (or 通报), and data."""
    return county_files_of(data.county_report(session, period=period), today=today)


def county_files_of(county: data.CountyReport, *, today: date) -> list[File]:
    """Render the files of a loaded county report (pure)."""
    key = county.period.key
    files = [(texts.FILE_COUNTY.format(key=key), county_reports.ranking_pdf(county, today=today))]
    if county.period.kind in ("half", "year"):
        files.append(
            (texts.FILE_NOTICE.format(key=key), county_reports.notice_pdf(county, today=today))
        )
    files.append((texts.FILE_CORE.format(key=key), county_reports.core_pdf(county, today=today)))
    files.append((texts.FILE_COUNTY_DATA.format(key=key), county_reports.county_xlsx(county)))
    return files


def report_download(
    session: Session,
    *,
    kind: str,
    period: Period,
    today: date,
    options: ReportOptions,
    department_id: int | None = None,
) -> File:
    """Return (filename, bytes) of one report file for a download button.

    It only reads: call it in `backend.db.reading` so it never holds the write lock.

    kind: "weekly_image", "monthly_pdf", "monthly_xlsx" (need department_id), "county_pdf",
    "core_pdf", "notice_pdf", "county_xlsx".
    """
    if kind.startswith(("weekly", "monthly")):
        if department_id is None:
            raise ValueError("请选择部门")
        if kind == "weekly_image":
            return weekly_files(
                session, department_id=department_id, period=period, options=options
            )[0]
        files = monthly_files(
            session, department_id=department_id, period=period, today=today, options=options
        )
        return files[0] if kind == "monthly_pdf" else files[1]
    return _county_file(session, kind, period, today)


def _county_file(session: Session, kind: str, period: Period, today: date) -> File:
    prefixes = {
        "county_pdf": texts.FILE_COUNTY,
        "core_pdf": texts.FILE_CORE,
        "notice_pdf": texts.FILE_NOTICE,
        "county_xlsx": texts.FILE_COUNTY_DATA,
    }
    if kind not in prefixes:
        raise ValueError(f"未知的报告类型：{kind}")
    if kind == "notice_pdf" and period.kind not in ("half", "year"):
        raise ValueError("通报只按半年或全年生成")
    wanted = prefixes[kind].format(key=period.key)
    return next(f for f in county_files(session, period=period, today=today) if f[0] == wanted)


# --- posting ------------------------------------------------------------------------------


def post_files(
    session: Session,
    *,
    target: GroupRoute,
    files: list[File],
    note: str | None = None,
    dedupe: str | None = None,
) -> int:
    """Queue files (images as images, .md as markdown) and an optional note to one group.

    A bot group gets its images and files through its message-push key, or a note instead.
    """
    contents = [_content(name, blob) for name, blob in files]
    if note:
        contents.append(OutgoingContent("markdown", {"content": note}))
    for index, content in enumerate(contents):
        key = None if dedupe is None else f"{dedupe}#{index}"
        enqueue_group_post(session, route=target, content=content, dedupe_key=key)
    return len(contents)


def _content(name: str, blob: bytes) -> OutgoingContent:
    if name.endswith(".png"):
        return OutgoingContent("image", {}, blob, name)
    if name.endswith(".md"):
        return OutgoingContent("markdown", {"content": blob.decode()})
    return OutgoingContent("file", {}, blob, name)
