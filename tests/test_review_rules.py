"""Assisted review rules: each flag with a case that raises it and one that does not."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlmodel import select

from backend.entries.review import FLAG_LABELS, flag_entries, flag_entry, rules
from backend.models import Duty, DutyEntry, EntryStatus, FunctionType
from tests.support.org import add_small_county

MONDAY = date(2026, 3, 2)
TUESDAY = date(2026, 3, 3)
SATURDAY = date(2026, 3, 7)
GOOD = "检查城关镇三家餐饮店后厨卫生，责令一家限期整改"
OTHER = "抽检农贸市场蔬菜样品十二批次"
CIVIL = "走访低保户五户核对收入"
CHECK = "复核上周抽检样品的登记台账"


@pytest.fixture
def county(session):
    """The small county, with one duty for 县民政局 and one for the lab institution."""
    return make_county(session)


def make_county(session) -> dict:
    """Insert the small county, with one duty for 县民政局 and one for the lab institution."""
    county = add_small_county(session)
    _market, civil, lab = county["departments"]
    for department, title in ((civil, "负责社会救助"), (lab, "负责食品抽样检验")):
        session.add(
            Duty(department_id=department.id, seq=1, title=title, function_type=FunctionType.CORE)
        )
    session.flush()
    return county


def duty_of(session, department) -> Duty:
    """Return the first duty of a department."""
    stmt = select(Duty).where(Duty.department_id == department.id).order_by(Duty.seq)
    return session.exec(stmt).first()


def add_entry(session, county, who="alice", *, day=MONDAY, hours=2.0, text=GOOD, duty=None):
    """Insert one submitted entry and return it."""
    staff = county["staff"][who]
    duty = duty or duty_of(session, county["departments"][0])
    entry = DutyEntry(
        staff_id=staff.id,
        department_id=staff.department_id,
        work_date=day,
        duty_id=duty.id,
        task_type_code="business",
        hours=hours,
        description=text,
    )
    session.add(entry)
    session.flush()
    return entry


def test_a_plain_entry_gets_no_flags(session, county):
    entry = add_entry(session, county)
    assert flag_entry(session, entry=entry) == []
    assert entry.flags == ""


def test_hours_beyond_the_task_type_standard_are_flagged(session, county):
    over = add_entry(session, county, hours=9)
    at = add_entry(session, county, "bob", hours=8, text="受理消费者投诉两件，电话回访办结")
    assert flag_entry(session, entry=over) == [rules.OVER_STANDARD]
    assert flag_entry(session, entry=at) == []
    assert over.flags == rules.OVER_STANDARD


def test_the_duty_standard_overrides_the_task_type(session, county):
    duty = duty_of(session, county["departments"][0])
    duty.standard_hours = 2
    tight = add_entry(session, county, hours=3)
    duty2 = Duty(department_id=duty.department_id, seq=9, title="x", function_type="core")
    duty2.standard_hours = 10
    session.add(duty2)
    session.flush()
    loose = add_entry(session, county, "bob", hours=9, duty=duty2, text="起草年度执法检查计划初稿")
    assert flag_entry(session, entry=tight) == [rules.OVER_STANDARD]
    assert flag_entry(session, entry=loose) == []


def test_a_day_beyond_the_limit_flags_every_entry_of_that_day(session, county):
    first = add_entry(session, county, hours=7)
    second = add_entry(session, county, hours=6, text="组织食品安全培训会，参训商户四十人")
    other_day = add_entry(
        session, county, day=TUESDAY, hours=6, text="抽检农贸市场蔬菜样品十二批次"
    )
    assert flag_entry(session, entry=first) == [rules.DAY_OVER_LIMIT]
    assert flag_entry(session, entry=second) == [rules.DAY_OVER_LIMIT]
    assert flag_entry(session, entry=other_day) == []


def test_the_daily_limit_is_configurable(session, county):
    entry = add_entry(session, county, hours=7)
    assert flag_entry(session, entry=entry, daily_limit=6) == [rules.DAY_OVER_LIMIT]


def test_the_same_text_on_another_day_is_flagged(session, county):
    add_entry(session, county, day=MONDAY)
    again = add_entry(session, county, day=TUESDAY, text=f"  {GOOD} ")
    fresh = add_entry(session, county, day=TUESDAY, text="调解消费纠纷一起，为消费者挽回损失八百元")
    assert flag_entry(session, entry=again) == [rules.REPEATED]
    assert flag_entry(session, entry=fresh) == []


def test_a_text_copied_from_a_colleague_is_flagged(session, county):
    add_entry(session, county, "alice")
    copy = add_entry(session, county, "bob")
    elsewhere = add_entry(session, county, "erin", duty=duty_of(session, county["departments"][1]))
    assert flag_entry(session, entry=copy) == [rules.COPIED]
    assert flag_entry(session, entry=elsewhere) == []


def test_an_entry_on_a_weekend_is_flagged(session, county):
    weekend = add_entry(session, county, day=SATURDAY)
    assert flag_entry(session, entry=weekend) == [rules.NON_WORKDAY]


def test_an_entry_on_a_public_holiday_is_flagged(session, county):
    holiday = add_entry(session, county, day=date(2026, 10, 1), text="国庆值守，巡查景区周边餐饮")
    assert flag_entry(session, entry=holiday) == [rules.NON_WORKDAY]


def test_a_duty_of_another_department_is_flagged(session, county):
    _market, civil, _lab = county["departments"]
    foreign = add_entry(session, county, "alice", duty=duty_of(session, civil))
    assert flag_entry(session, entry=foreign) == [rules.FOREIGN_DUTY]


def test_duties_of_the_parent_or_an_institution_are_not_foreign(session, county):
    market, civil, lab = county["departments"]
    child = add_entry(session, county, "alice", duty=duty_of(session, lab))
    parent = add_entry(
        session, county, "frank", duty=duty_of(session, market), text="复核上周抽检样品的登记台账"
    )
    own = add_entry(
        session, county, "erin", duty=duty_of(session, civil), text="走访低保户五户核对收入"
    )
    assert flag_entry(session, entry=child) == []
    assert flag_entry(session, entry=parent) == []
    assert flag_entry(session, entry=own) == []


@pytest.mark.parametrize("text", ["开会", "调研", "学习", "写材料", "处理日常事务", "", "  。。 "])
def test_bare_labels_are_too_short(text):
    assert rules.description_flag(text) == rules.SHORT


@pytest.mark.parametrize(
    "text", ["参加会议，处理日常事务，学习文件", "开会、调研、写材料等相关工作"]
)
def test_descriptions_made_of_generic_words_are_vague(text):
    assert rules.description_flag(text) == rules.VAGUE


@pytest.mark.parametrize(
    "text", [GOOD, "组织召开食品安全工作会议，部署节前检查", "起草年度执法检查计划初稿"]
)
def test_concrete_descriptions_pass(text):
    assert rules.description_flag(text) is None


def test_a_vague_text_is_not_also_reported_as_a_duplicate(session, county):
    add_entry(session, county, "alice", text="开会")
    copy = add_entry(session, county, "bob", text="开会")
    assert flag_entry(session, entry=copy) == [rules.SHORT]


def test_every_flag_has_a_chinese_label():
    assert set(FLAG_LABELS) == set(rules.FLAG_ORDER)


def test_flag_entries_flags_a_period_in_bulk_and_stores_the_flags(session, county):
    plain = add_entry(session, county)
    over = add_entry(session, county, "bob", hours=9, text="受理消费者投诉两件，电话回访办结")
    outside = add_entry(session, county, day=date(2026, 4, 1), hours=9, text="核查一家药店进货台账")
    result = flag_entries(session, start=MONDAY, end=SATURDAY)
    assert result == {plain.id: [], over.id: [rules.OVER_STANDARD]}
    session.expire_all()
    assert session.get(DutyEntry, over.id).flags == rules.OVER_STANDARD
    assert session.get(DutyEntry, outside.id).flags == ""


def test_flag_entries_keeps_to_the_departments_asked(session, county):
    _market, civil, _ = county["departments"]
    add_entry(session, county, "alice", hours=9)
    erin = add_entry(session, county, "erin", hours=9, duty=duty_of(session, civil))
    assert flag_entries(session, department_ids=[civil.id], start=MONDAY, end=MONDAY) == {
        erin.id: [rules.OVER_STANDARD]
    }


def test_flag_entries_leaves_approved_entries_as_they_were(session, county):
    entry = add_entry(session, county, hours=9)
    entry.status = EntryStatus.APPROVED
    session.flush()
    assert flag_entries(session, start=MONDAY, end=MONDAY) == {entry.id: [rules.OVER_STANDARD]}
    assert entry.flags == ""


@pytest.mark.parametrize("seed", range(4))
def test_one_entry_is_flagged_as_its_day_flags_it(session, county, seed):
    """The one-statement check of a saved entry agrees with its day's aggregates."""
    draw = random.Random(seed)
    texts = [GOOD, OTHER, CIVIL, "开会", f" {GOOD}"]
    days = [MONDAY, TUESDAY, SATURDAY, date(2026, 2, 20)]
    duties = [duty_of(session, department) for department in county["departments"]]
    made = [
        add_entry(
            session,
            county,
            draw.choice(["alice", "bob", "erin"]),
            day=draw.choice(days),
            hours=draw.choice([1.0, 3.0, 6.5, 9.0]),
            text=draw.choice(texts),
            duty=draw.choice(duties),
        )
        for _ in range(30)
    ]
    one_by_one = {entry.id: flag_entry(session, entry=entry) for entry in made}
    by_day = {day: flag_entries(session, start=day, end=day) for day in days}
    assert one_by_one == {entry.id: by_day[entry.work_date][entry.id] for entry in made}
    raised = {flag for flags in one_by_one.values() for flag in flags}
    assert {rules.REPEATED, rules.COPIED, rules.DAY_OVER_LIMIT} <= raised  # all were compared
