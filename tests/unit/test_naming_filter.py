"""plugins/filter/naming.py: resource names are ``{service}-{env}[-<thing>]`` and every part is checked."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.shipyard.aws.plugins.filter.naming import FilterModule, resource_name, resource_prefix


def test_prefix_joins_service_and_environment_with_a_hyphen():
    assert resource_prefix("bookmark-manager", "staging") == "bookmark-manager-staging"


def test_name_without_thing_is_the_prefix():
    assert resource_name("bookmark-manager", "staging") == "bookmark-manager-staging"


@pytest.mark.parametrize("thing", [None, ""])
def test_name_with_no_or_empty_thing_is_the_prefix(thing):
    assert resource_name("app", "prod", thing) == "app-prod"


def test_name_appends_the_thing():
    assert resource_name("bookmark-manager", "staging", "tfstate") == "bookmark-manager-staging-tfstate"


@pytest.mark.parametrize("label", ["a", "a1", "web2-api", "x-9"])
def test_lowercase_letters_digits_and_inner_hyphens_are_valid(label):
    assert resource_name(label, label, label) == f"{label}-{label}-{label}"


def test_prefix_of_exactly_40_characters_is_accepted():
    service, env = "s" * 20, "e" * 19  # 20 + 1 + 19 = 40
    assert len(resource_prefix(service, env)) == 40


def test_prefix_over_40_characters_is_rejected_with_its_length():
    with pytest.raises(AnsibleFilterError, match=r"is 41 characters long.*within 40"):
        resource_prefix("s" * 20, "e" * 20)


def test_over_long_prefix_is_rejected_by_resource_name_too():
    with pytest.raises(AnsibleFilterError, match="characters long"):
        resource_name("s" * 30, "e" * 30, "bucket")


@pytest.mark.parametrize(
    "bad",
    ["Staging Env", "staging env", "Staging", "stag_ing", "-staging", "staging-", "1staging", "stag.ing"],
)
def test_invalid_environment_names_are_rejected(bad):
    with pytest.raises(AnsibleFilterError) as info:
        resource_prefix("app", bad)
    message = str(info.value)
    assert f"the environment name {bad!r} is not a valid name" in message
    assert "shipyard_env" in message


def test_message_for_staging_env_is_exact_about_the_part():
    with pytest.raises(AnsibleFilterError) as info:
        resource_prefix("app", "Staging Env")
    assert "the environment name 'Staging Env' is not a valid name" in str(info.value)
    assert "no spaces, no capitals" in str(info.value)


@pytest.mark.parametrize("bad", ["My App", "MyApp", "my_app", "-app", "app-"])
def test_invalid_service_names_are_rejected_naming_shipyard_service(bad):
    with pytest.raises(AnsibleFilterError) as info:
        resource_prefix(bad, "staging")
    message = str(info.value)
    assert f"the service name {bad!r} is not a valid name" in message
    assert "shipyard_service" in message
    assert "shipyard_env" not in message


@pytest.mark.parametrize("bad", ["Logs", "access logs", "access_logs", "-logs", "logs-"])
def test_invalid_thing_is_rejected_as_resource_suffix_without_a_variable(bad):
    with pytest.raises(AnsibleFilterError) as info:
        resource_name("app", "staging", bad)
    message = str(info.value)
    assert f"the resource suffix {bad!r} is not a valid name" in message
    assert "(set by" not in message


@pytest.mark.parametrize("bad", [None, 7, ["staging"], True])
def test_non_string_environment_is_rejected(bad):
    with pytest.raises(AnsibleFilterError, match=r"the environment name is empty or not a string .*shipyard_env"):
        resource_prefix("app", bad)


def test_empty_service_is_rejected():
    with pytest.raises(AnsibleFilterError, match=r"the service name is empty or not a string \(''\).*shipyard_service"):
        resource_prefix("", "staging")


def test_non_string_thing_is_rejected():
    with pytest.raises(AnsibleFilterError, match="the resource suffix is empty or not a string"):
        resource_name("app", "staging", 3)


def test_service_is_checked_before_environment():
    with pytest.raises(AnsibleFilterError, match="service name"):
        resource_prefix("Bad App", "Bad Env")


def test_trailing_newline_in_a_name_is_rejected():
    with pytest.raises(AnsibleFilterError):
        resource_prefix("app", "staging\n")


def test_filter_module_exposes_both_filters():
    filters = FilterModule().filters()
    assert filters["resource_name"] is resource_name
    assert filters["resource_prefix"] is resource_prefix
