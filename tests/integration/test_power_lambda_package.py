"""Module shipyard.aws.power_lambda_package: the power function's zip, the same bytes while the code is the same."""

from __future__ import annotations

import base64
import hashlib
import zipfile

from helpers import REPO_ROOT, run_playbook

PLAYBOOK = "tests/integration/playbooks/power_lambda_package.yml"
MODULE_UTILS = REPO_ROOT / "plugins" / "module_utils"


def package(dest, *args):
    run = run_playbook(PLAYBOOK, *args, extra_vars={"package_dest": str(dest)})
    assert run.rc == 0, run.output[-3000:]
    return run.result_of("Package")


def test_the_zip_holds_the_collections_power_code_with_fixed_timestamps(tmp_path):
    result = package(tmp_path / "power.zip")

    with zipfile.ZipFile(tmp_path / "power.zip") as archive:
        entries = archive.infolist()
        assert [entry.filename for entry in entries] == ["power.py", "power_lambda.py"]
        for entry in entries:
            assert archive.read(entry) == (MODULE_UTILS / entry.filename).read_bytes()
            assert entry.date_time == (1980, 1, 1, 0, 0, 0)
    data = (tmp_path / "power.zip").read_bytes()
    assert result["sha256"] == hashlib.sha256(data).hexdigest()
    assert result["code_sha256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_a_second_run_elsewhere_writes_the_same_bytes_and_the_same_file_is_unchanged(tmp_path):
    first = package(tmp_path / "a.zip")
    elsewhere = package(tmp_path / "b.zip")
    again = package(tmp_path / "a.zip")

    assert (first["changed"], elsewhere["changed"], again["changed"]) == (True, True, False)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_check_mode_writes_nothing_and_says_it_would(tmp_path):
    result = package(tmp_path / "power.zip", "--check", "--diff")

    assert result["changed"] is True
    assert result["diff"]["before"] == {"sha256": None}
    assert not (tmp_path / "power.zip").exists()


def test_a_missing_folder_is_named(tmp_path):
    run = run_playbook(PLAYBOOK, extra_vars={"package_dest": str(tmp_path / "nowhere" / "power.zip")})

    assert f"The folder of dest ({tmp_path / 'nowhere'}) does not exist" in run.failure_message()
