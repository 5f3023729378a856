"""playbooks/infra.yml writes the application's own secrets (shipyard_app_parameters) to SSM Parameter Store as
SecureString, from Ansible Vault or environment variables, and never prints them."""

from __future__ import annotations

from helpers import REPO_ROOT, run_playbook

JWT = "jwt-from-the-environment-7f3a"
MONGO = "mongodb+srv://app:pw-9c1e@cluster0.example.net/bookmarks"
NO_COMPONENTS = {"terraform_stack_components": []}


def test_parameters_are_written_as_secure_strings_and_never_printed(aws, boto, tmp_path):
    env = {"JWT_SECRET": JWT, "MONGODB_URI": MONGO}
    extra = {**NO_COMPONENTS, "terraform_stack_work_dir": str(tmp_path)}
    first = run_playbook("playbooks/infra.yml", "-vvv", aws_port=aws.port, env=env, extra_vars=extra, json_report=False)
    assert first.rc == 0, first.output[-3000:]
    ssm = boto("ssm")
    for name, value in (("JWT_SECRET", JWT), ("MONGODB_URI", MONGO)):
        parameter = ssm.get_parameter(Name=f"/bookmark-manager/local/{name}", WithDecryption=True)["Parameter"]
        assert parameter["Type"] == "SecureString"
        assert parameter["Value"] == value
    assert JWT not in first.output and MONGO not in first.output
    assert "pw-9c1e" not in first.output

    again = run_playbook("playbooks/infra.yml", aws_port=aws.port, env=env, extra_vars=extra)
    assert again.rc == 0
    assert again.stats["changed"] == 0


def test_a_missing_value_fails_before_anything_is_written(aws, tmp_path):
    # Staging takes the values from Vault or the environment; with neither, the run stops and names them.
    extra = {**NO_COMPONENTS, "terraform_stack_work_dir": str(tmp_path),
             "shipyard_aws_endpoint_url": aws.endpoint, "shipyard_aws_access_key": "shipyard-local-access-key",
             "shipyard_aws_secret_key": "shipyard-local-secret-key", "vault_jwt_secret": JWT}
    run = run_playbook("playbooks/infra.yml", inventory="inventories/staging", aws_port=aws.port,
                       env={"MONGODB_URI": ""}, extra_vars=extra)
    assert run.rc != 0
    message = run.failure()["msg"]
    assert "MONGODB_URI" in message and "JWT_SECRET" not in message
    assert "vault" in message.lower()
    assert [r for r in aws.requests() if r["service"] == "ssm"] == [], "nothing was written"


def test_infra_on_an_environment_without_a_state_bucket_says_to_bootstrap_first(aws, tmp_path):
    graph = [{"name": "a", "path": "a", "inputs": {"seed": "x"}}]
    run = run_playbook("playbooks/infra.yml", aws_port=aws.port, extra_vars={
        "terraform_stack_components": graph, "terraform_stack_work_dir": str(tmp_path),
        "terraform_stack_components_root": str(REPO_ROOT / "tests" / "integration" / "terraform" / "diamond")})
    assert run.rc != 0
    message = run.failure()["msg"]
    assert "bookmark-manager-local-tfstate" in message and "playbooks/bootstrap.yml" in message
    assert not (tmp_path / "data" / "local" / "a" / "terraform.tfstate").exists(), "no Terraform command ran"
