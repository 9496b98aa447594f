"""Finding a department by what an administrator types on the command line."""

from __future__ import annotations

import pytest

from backend.org import queries
from tests.support.org import add_small_county


def test_a_department_is_found_by_name_short_name_or_id(session):
    market = add_small_county(session)["departments"][0]
    market.short_name = "市场局"
    session.flush()
    for wanted in (market.name, market.short_name, str(market.id), f"０{market.id}"):
        found = queries.department_called(session, wanted=wanted)
        assert found is not None and found.id == market.id, wanted


@pytest.mark.parametrize("wanted", ["²", "9" * 30, "-1", "", "  ", "县不存在局"])
def test_anything_else_finds_nothing_and_never_fails(session, wanted):
    add_small_county(session)
    assert queries.department_called(session, wanted=wanted) is None
