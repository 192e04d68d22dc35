"""core.jobs with small workers of its own: items from SQL, states, failures, staleness, resumption."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from core import jobs

KIND = "test_job"
SEEN: list[str] = []
GATE = threading.Event()


def _worker(ctx: jobs.JobContext) -> None:
    mode = ctx.params.get("mode")
    if mode == "boom":
        raise RuntimeError("remote side unreachable")
    if mode == "wait":
        GATE.wait(10)
    for item, payload, _ in ctx.items(("pending", "failed")):
        ctx.mark_sent([item])
        SEEN.append(item)
        ctx.answer(item, "rejected" if payload == '"bad"' else "accepted", "ok")
        ctx.beat("working")
        if mode == "half" and len(SEEN) == 2:
            return       # the worker gives up after 2 items: the job ends failed, resumable


jobs.register(KIND, _worker)


@pytest.fixture(autouse=True)
def _reset():
    SEEN.clear()
    GATE.clear()
    yield
    GATE.set()


def _create(con, mode: str = "") -> int:
    items = "SELECT * FROM (VALUES ('b', 2, '\"ok\"'), ('a', 1, '\"ok\"'), ('a', 5, '\"dup\"'), ('c', 3, '\"bad\"')) " \
            "AS t(item, seq, payload)"
    return jobs.create(con, KIND, {"mode": mode}, items, ref=42)


def test_items_come_from_sql_deduplicated_and_in_order(con):
    job_id = _create(con)
    job = jobs.get(con, job_id)
    assert (job.status, job.ref, job.total, job.counts["pending"]) == ("queued", 42, 3, 3)
    assert job.resumable and not job.alive
    assert jobs.start(con, job_id) and jobs.wait(job_id, 10)
    assert SEEN == ["a", "b", "c"]              # by seq; the duplicate 'a' kept its first row
    job = jobs.get(con, job_id)
    assert job.status == "done" and job.counts["accepted"] == 2 and job.counts["rejected"] == 1
    assert job.progress == 1.0 and not job.resumable and job.phase == "working" and job.runs == 1
    assert not jobs.start(con, job_id)          # a done job is not run again
    assert jobs.by_ref(con, KIND, 42).id == job_id and [j.id for j in jobs.of_kind(con, KIND)] == [job_id]


def test_a_failing_worker_fails_the_job_with_its_reason_and_can_resume(con):
    job_id = _create(con, "boom")
    jobs.start(con, job_id)
    jobs.wait(job_id, 10)
    job = jobs.get(con, job_id)
    assert job.status == "failed" and "remote side unreachable" in job.error and job.resumable
    con.execute("UPDATE jobs SET params = '{\"mode\": \"half\"}' WHERE id = ?", [job_id])
    jobs.start(con, job_id)
    jobs.wait(job_id, 10)
    job = jobs.get(con, job_id)
    assert job.status == "failed" and job.counts["pending"] == 1 and job.error.startswith("1 item")
    con.execute("UPDATE jobs SET params = '{}' WHERE id = ?", [job_id])
    jobs.start(con, job_id)
    jobs.wait(job_id, 10)
    job = jobs.get(con, job_id)
    assert job.status == "done" and job.runs == 3 and SEEN == ["a", "b", "c"]   # nothing done twice


def test_running_job_is_not_started_twice_and_stale_detection(con):
    job_id = _create(con, "wait")
    assert jobs.start(con, job_id)
    assert not jobs.start(con, job_id)          # already running in this process
    assert jobs.get(con, job_id).alive and not jobs.get(con, job_id).stale
    jobs.request_cancel(con, job_id)
    GATE.set()
    jobs.wait(job_id, 10)
    assert jobs.get(con, job_id).status == "cancelled"
    # A job another process left running: fresh heartbeat = leave it; old heartbeat = interrupted.
    con.execute("UPDATE jobs SET status = 'running', owner = 'other', heartbeat_at = ? WHERE id = ?",
                [datetime.now(), job_id])
    assert not jobs.get(con, job_id).stale and jobs.recover(con) == [] and not jobs.start(con, job_id)
    con.execute("UPDATE jobs SET heartbeat_at = ? WHERE id = ?",
                [datetime.now() - timedelta(seconds=jobs.STALE_AFTER_S + 1), job_id])
    assert jobs.get(con, job_id).stale and jobs.recover(con) == [job_id]
    assert jobs.get(con, job_id).status == "interrupted"


def test_unknown_kind_and_unknown_state_are_refused(con):
    job_id = jobs.create(con, "nobody_runs_this", {}, "SELECT 'x' AS item, 1 AS seq, NULL AS payload")
    jobs.start(con, job_id)
    jobs.wait(job_id, 10)
    assert "no worker registered" in jobs.get(con, job_id).error
    ctx = jobs.JobContext(con, jobs.get(con, job_id))
    with pytest.raises(ValueError):
        ctx.answer("x", "lost")
