"""plugins/action/async_jobs.py: reading async job files the way async_status does, and the progress lines."""

from __future__ import annotations

import json

from ansible_collections.shipyard.aws.plugins.action.async_jobs import job_label, progress_line, read_job_file


def test_a_job_file_with_only_the_start_marker_is_still_running(tmp_path):
    path = tmp_path / "j1"
    path.write_text(json.dumps({"started": 1, "finished": 0, "ansible_job_id": "j1"}))
    assert read_job_file(str(path))["finished"] is False


def test_an_empty_or_half_written_job_file_is_still_running(tmp_path):
    path = tmp_path / "j2"
    path.write_text('{"changed": tr')
    assert read_job_file(str(path)) == {"finished": False}


def test_a_module_result_is_a_finished_job(tmp_path):
    path = tmp_path / "j3"
    path.write_text(json.dumps({"changed": False, "outputs": {}, "rc": 0}))
    result = read_job_file(str(path))
    assert result["finished"] is True
    assert result["rc"] == 0


def test_a_missing_job_file_is_a_failed_job_that_says_which_file(tmp_path):
    result = read_job_file(str(tmp_path / "gone"))
    assert result["failed"] is True and result["finished"] is True
    assert str(tmp_path / "gone") in result["msg"]


def test_labels_come_from_the_loop_items_name():
    assert job_label({"item": {"name": "network", "path": "network"}}, "j9") == "network"
    assert job_label({"item": "web"}, "j9") == "web"
    assert job_label({"ansible_job_id": "j9"}, "j9") == "j9"


def test_progress_lines_say_what_finished_and_how():
    assert progress_line("b", "plan", {"rc": 0}, 12.34) == "b: plan finished after 12.3s"
    assert progress_line("b", "apply", {"failed": True}, 3) == "b: apply FAILED after 3.0s"
