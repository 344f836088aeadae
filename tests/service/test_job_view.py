"""A batch job as the province reads it: its phase, and the filings it took."""

from __future__ import annotations

from docgen.service.jobs import BatchJob


def test_a_running_job_whose_units_are_done_is_making_the_summary():
    job = BatchJob(id="x", year=2024, status="running", done=2, total=3, units=["foshan@2", "zhuhai@1", "odd"])
    assert job.phase == "units"
    job.done = 3
    assert job.phase == "summary"  # was shown as "3/3 进行中" for the seconds the summary and archive take
    job.status = "done"
    assert job.phase == "done"
    assert job.included() == [("foshan", 2), ("zhuhai", 1), ("odd", 0)]
    assert job.as_json()["units"][0] == {"unit": "foshan", "version": 2}
