"""Weekly summaries, monthly reports and notices (通报): figures in, PNG / PDF / XLSX bytes out.

Interface for other areas:

- `backend.reports.service.report_download(session, *, kind, period, today, options,
  department_id=None) -> (filename, bytes)`: one file for a console download button. `kind`:
  "weekly_image", "monthly_pdf", "monthly_xlsx" (need department_id), "county_pdf", "core_pdf",
  "county_xlsx", "notice_pdf" (half-year or annual periods only). Periods come from
  `backend.reports.periods.parse_period(kind, text, today=)` ("2026-W47", "2026-10", "2026-H1",
  "2026"); options from `service.ReportOptions.from_settings(settings)`.
  It only reads: call it in `backend.db.reading`, which never takes SQLite's write lock.
- `service.weekly_files` / `monthly_files` / `county_files`: every file of a report;
  `*_files_of(report)` render already loaded data (pure).
- Scheduled posting: `scheduled/reports.py`; chat requests: `backend.reports.requests`. Every job
  loads in `reading`, renders outside any transaction, then claims its run key and queues
  the files in one short write transaction (`posting.publish`), so chat callbacks never wait for
  a report being rendered.
"""
