"""1,000 respondents × 25 questions through the encrypted callback path, then the results.

Run: `.venv/bin/python benchmarks/surveys.py [respondents]`. Starts our app under gunicorn (2 sync
workers, SQLite WAL), sends every member's `问卷 N`, 25 answers and `确认` as encrypted callbacks
over HTTP (8 clients; each member's messages stay in order on one client), checks that every
answer was stored, then times the results aggregation (target < 1 s) and the Excel export. The
bare verify-decrypt-encrypt app answers a sample of the same callbacks as the baseline.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session, func, select

from backend.db import make_engine
from backend.migrate import upgrade_database
from backend.models import Conversation, SurveyAnswer, SurveyResponse
from backend.surveys.export import export_xlsx
from backend.surveys.results import survey_results
from benchmarks.harness import BENCH_WECOM, closed_loop, free_port, gunicorn
from bot.crypto import CallbackCrypto
from bot.messages import build_text_callback
from tests.support.org import add_many_staff, add_small_county
from tests.support.surveys import add_self_evaluation

CLIENTS = 8
TARGET_SECONDS = 1.0
RUNS = 5


def answers_for(rng: random.Random) -> list[str]:
    """Return 25 plausible answers (the fixture's kinds in order)."""
    singles = [str(rng.choice([1, 1, 2, 2, 3, 4])) for _ in range(10)]
    ratings = [str(rng.randint(3, 5)) for _ in range(5)]
    tens = [str(rng.randint(6, 10)) for _ in range(3)]
    scores = [str(rng.randint(70, 100)) for _ in range(3)]
    multiple = [" ".join(map(str, sorted(rng.sample([1, 2, 3], rng.randint(1, 3))))) for _ in "ab"]
    return singles + ratings + tens + scores + multiple + ["跳过", f"建议{rng.randint(1, 99)}"]


def prepare(url: str, respondents: int) -> tuple[int, list[str]]:
    """Create the county, the members and the published survey; return (survey id, userids)."""
    engine = make_engine(url)
    upgrade_database(engine)
    with Session(engine) as session:
        add_small_county(session)
        userids = add_many_staff(session, respondents)
        survey = add_self_evaluation(session, now=datetime.now().astimezone())
        survey.closes_at = datetime.now().astimezone() + timedelta(days=7)
        session.commit()
        survey_id = survey.id
    engine.dispose()
    return survey_id, userids


def conversation_bodies(survey_id: int, userids: list[str]) -> list[tuple[str, dict]]:
    """Encrypt every member's 27 messages, round by round (member i always on client i % 8)."""
    crypto = CallbackCrypto(
        BENCH_WECOM["WECOM_TOKEN"], BENCH_WECOM["WECOM_AES_KEY"], BENCH_WECOM["WECOM_CORP_ID"]
    )
    rng = random.Random(6)
    scripts = [[f"问卷 {survey_id}", *answers_for(rng), "确认"] for _ in userids]
    bodies, msg_id, stamp = [], 70_000_000, int(time.time())
    for round_index in range(len(scripts[0])):
        for userid, script in zip(userids, scripts, strict=True):
            msg_id += 1
            plain = build_text_callback(BENCH_WECOM["WECOM_CORP_ID"], userid,
                                        script[round_index], msg_id, 1000002, stamp)  # fmt: skip
            bodies.append(crypto.encrypt_callback(plain, 1000002))
    return bodies


def check_stored(url: str, respondents: int) -> tuple[int, int, int]:
    """Return (responses, answer rows, conversations left open)."""
    engine = make_engine(url)
    with Session(engine) as session:
        count = lambda table: session.exec(select(func.count()).select_from(table)).one()  # noqa: E731
        found = count(SurveyResponse), count(SurveyAnswer), count(Conversation)
    engine.dispose()
    return found


def time_results(url: str, survey_id: int) -> tuple[float, float, float | None]:
    """Return the median seconds of the aggregation and of the export, and the score."""
    from backend.models import Survey

    engine = make_engine(url)
    aggregation, exports = [], []
    with Session(engine) as session:
        survey = session.get(Survey, survey_id)
        for _ in range(RUNS):
            started = time.perf_counter()
            results = survey_results(session, survey=survey)
            aggregation.append(time.perf_counter() - started)
        started = time.perf_counter()
        export_xlsx(session, results)
        exports.append(time.perf_counter() - started)
    engine.dispose()
    return statistics.median(aggregation), statistics.median(exports), results.scores[0].score


def run(respondents: int = 1000) -> None:
    """Benchmark and print the figures."""
    with tempfile.TemporaryDirectory(prefix="lvzhi-bench-surveys-") as folder:
        url = f"sqlite:///{Path(folder) / 'surveys.db'}"
        survey_id, userids = prepare(url, respondents)
        bodies = conversation_bodies(survey_id, userids)
        env = {**BENCH_WECOM, "DATABASE_URL": url}
        ours_port, bare_port = free_port(), free_port()
        ours = gunicorn("backend:create_app()", ours_port, env)
        bare = gunicorn("benchmarks.bare_echo:app", bare_port, env)
        try:
            base = "http://127.0.0.1:{}/wecom/callback"
            sample = bodies[: min(len(bodies), 5000)]
            bare_result = closed_loop("bare echo (sample)", base.format(bare_port), sample, CLIENTS)
            result = closed_loop("survey callbacks", base.format(ours_port), bodies, CLIENTS)
        finally:
            ours.terminate()
            bare.terminate()
        _report(url, survey_id, respondents, result, bare_result)


def _report(url, survey_id, respondents, result, bare_result) -> None:
    responses, answers, left = check_stored(url, respondents)
    aggregation, export_seconds, score = time_results(url, survey_id)
    print(f"survey benchmark: {respondents} respondents × 25 questions, gunicorn 2 sync workers, "
          f"SQLite WAL, {CLIENTS} clients")  # fmt: skip
    print("  " + bare_result.line())
    print("  " + result.line())
    print(f"  throughput ratio lvzhi/bare: {result.rate / bare_result.rate:.0%}")
    print(f"  stored: {responses} responses (expected {respondents}), {answers} answer rows, "
          f"{left} unfinished conversations; department score {score}")  # fmt: skip
    verdict = "OK" if aggregation < TARGET_SECONDS else "TOO SLOW"
    print(f"  results aggregation: {aggregation * 1000:.1f} ms median of {RUNS} "
          f"(target < {TARGET_SECONDS:.0f} s: {verdict})")  # fmt: skip
    print(f"  Excel export of every response: {export_seconds:.2f} s")
    if responses != respondents or left or result.errors:
        raise SystemExit("not every response was stored")


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
