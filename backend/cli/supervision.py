"""`lvzhi supervision …`: QR codes, desk cards and the ratings export from the shell."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from backend.cli.console import _engine, find_department


@click.group("supervision")
def supervision_group() -> None:
    """QR supervision (码上监督): codes, desk cards, ratings."""


@supervision_group.command("codes")
def issue_codes() -> None:
    """Create the missing QR codes (every department, every public-facing post) and list them."""
    from backend.db import reading, writing
    from backend.models import saved_id
    from backend.org import queries as org_queries
    from backend.settings import load_settings
    from backend.supervision import service as supervision
    from backend.supervision.links import public_url

    base, engine = load_settings().PUBLIC_BASE_URL, _engine()
    with writing(engine) as session:
        created = supervision.issue_codes(session)
    with reading(engine) as session:
        for department in org_queries.departments_by_id(session):
            for code in supervision.codes_of_department(
                session, department_id=saved_id(department)
            ):
                label = code.post_title or "单位码"
                click.echo(f"{department.name}\t{label}\t{public_url(base, code.code)}")
    click.echo(f"新生成二维码 {created} 个")


@supervision_group.command("cards")
@click.argument("department")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def desk_cards(department: str, output: Path) -> None:
    """Write the A4 desk-card sheet (PDF) of a department, by name or number."""
    from backend.db import reading
    from backend.settings import load_settings
    from backend.supervision import service as supervision
    from backend.supervision.cards_pdf import DeskCard, desk_cards_pdf
    from backend.supervision.links import public_url

    base = load_settings().PUBLIC_BASE_URL
    with reading(_engine()) as session:
        unit = find_department(session, department)
        cards = [
            DeskCard(unit.name, person, title, public_url(base, code), code)
            for code, person, title in supervision.card_facts(session, department_id=unit.id)
        ]
    if not cards:
        raise click.ClickException(f"{unit.name} 还没有二维码：请先运行 supervision codes")
    output.write_bytes(desk_cards_pdf(cards, title=f"{unit.name} 码上监督桌牌"))
    click.echo(f"已写入 {output}（{len(cards)} 张桌牌）")


@supervision_group.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--department", default=None, help="Department name or number (default: all).")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default=None)
def export_ratings(output: Path, department: str | None, start, end) -> None:
    """Export the ratings to Excel (formula-safe text)."""
    from backend.db import reading
    from backend.settings import load_settings
    from backend.supervision.export import ratings_xlsx
    from backend.supervision.queries import RatingFilter, iter_ratings

    with reading(_engine()) as session:
        unit = find_department(session, department) if department else None
        flt = RatingFilter(
            department_id=unit.id if unit else None, start=_day(start), end=_day(end)
        )
        output.write_bytes(ratings_xlsx(iter_ratings(session, flt), zone=load_settings().timezone))
    click.echo(f"已写入 {output}")


def _day(value) -> date | None:
    return value.date() if value is not None else None
