"""plugins/filter/component_waves.py: an environment's Terraform components, checked, then ordered into waves."""

from __future__ import annotations

import random

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.shipyard.aws.plugins.filter.component_waves import FilterModule, component_waves


def comp(name, *depends_on, **extra):
    return {"name": name, "path": f"components/{name}", "depends_on": list(depends_on), **extra}


def names(waves):
    return [[component["name"] for component in wave] for wave in waves]


def by_name(waves):
    return {component["name"]: component for wave in waves for component in wave}


def error(components, root=None):
    with pytest.raises(AnsibleFilterError) as info:
        component_waves(components, root)
    return str(info.value)


DIAMOND = [comp("a"), comp("b", "a"), comp("c", "a"), comp("d", "b", "c")]


# ordering --------------------------------------------------------------------------------------------------------


def test_the_filter_is_exposed_under_its_name():
    assert FilterModule().filters() == {"component_waves": component_waves}


def test_diamond_gives_three_waves_with_the_middle_two_together():
    assert names(component_waves(DIAMOND)) == [["a"], ["b", "c"], ["d"]]


def test_upstream_is_every_transitive_dependency_sorted():
    components = by_name(component_waves(DIAMOND))
    assert components["d"]["upstream"] == ["a", "b", "c"]
    assert components["b"]["upstream"] == ["a"]
    assert components["a"]["upstream"] == []


def test_every_dependency_is_in_an_earlier_wave():
    components = [comp("net"), comp("db", "net"), comp("cache", "net"), comp("app", "db", "cache"), comp("dns"), comp("cdn", "app", "dns")]
    waves = component_waves(components)
    wave_of = {component["name"]: index for index, wave in enumerate(waves) for component in wave}
    for component in components:
        for dependency in component["depends_on"]:
            assert wave_of[dependency] < wave_of[component["name"]]


def test_a_component_runs_in_the_wave_after_its_latest_dependency():
    # c depends on a (wave 1) and b (wave 2), so it waits for wave 3
    components = [comp("a"), comp("b", "a"), comp("c", "a", "b")]
    assert names(component_waves(components)) == [["a"], ["b"], ["c"]]


def test_independent_components_share_the_first_wave_sorted_by_name():
    assert names(component_waves([comp("zeta"), comp("alpha"), comp("mid")])) == [["alpha", "mid", "zeta"]]


def test_no_components_give_no_waves():
    assert not component_waves([])


def test_shuffled_input_gives_the_same_waves():
    components = DIAMOND + [comp("e"), comp("f", "e", "a"), comp("g", "d", "f")]
    expected = component_waves(components)
    shuffler = random.Random(1234)
    for attempt in range(20):
        shuffled = list(components)
        shuffler.shuffle(shuffled)
        assert component_waves(shuffled) == expected, f"shuffle #{attempt}: {[c['name'] for c in shuffled]}"


def test_the_input_is_not_modified():
    components = [{"name": "a", "path": "components/a"}, comp("b", "a")]
    before = [dict(component) for component in components]
    component_waves(components)
    assert components == before


# normalisation ---------------------------------------------------------------------------------------------------


def test_defaults_are_filled_in_and_upstream_added():
    assert component_waves([{"name": "network", "path": "components/network"}]) == [
        [
            {
                "name": "network",
                "path": "components/network",
                "depends_on": [],
                "inputs": {},
                "inputs_from": {},
                "enabled": True,
                "upstream": [],
            }
        ]
    ]


def test_empty_yaml_values_mean_the_defaults():
    network = component_waves([{"name": "network", "path": "n", "depends_on": None, "inputs": None, "inputs_from": None}])[0][0]
    assert (network["depends_on"], network["inputs"], network["inputs_from"]) == ([], {}, {})


def test_given_values_are_kept():
    components = [
        comp("network"),
        comp("app", "network", inputs={"desired_count": 2}, inputs_from={"vpc_id": "network.vpc_id"}, enabled=True),
    ]
    app = by_name(component_waves(components))["app"]
    assert app["inputs"] == {"desired_count": 2}
    assert app["inputs_from"] == {"vpc_id": "network.vpc_id"}
    assert app["depends_on"] == ["network"]
    assert app["upstream"] == ["network"]


@pytest.mark.parametrize("name", ["a", "network", "web_2", "api-gw", "a1"])
def test_valid_names(name):
    assert names(component_waves([comp(name)])) == [[name]]


# disabled components ---------------------------------------------------------------------------------------------


def test_disabled_components_are_left_out():
    components = [comp("network"), comp("cache", "network", enabled=False), comp("app", "network")]
    assert names(component_waves(components)) == [["network"], ["app"]]


def test_all_disabled_gives_no_waves():
    assert not component_waves([comp("a", enabled=False), comp("b", "a", enabled=False)])


def test_a_disabled_component_may_depend_on_another_disabled_one():
    components = [comp("a"), comp("b", enabled=False), comp("c", "b", enabled=False)]
    assert names(component_waves(components)) == [["a"]]


def test_depending_on_a_disabled_component_names_both_and_the_fix():
    message = error([comp("cache", enabled=False), comp("app", "cache")])
    assert "component 'app' depends on 'cache', which is disabled in this environment" in message
    assert "enable 'cache' or remove the dependency" in message


def test_reading_inputs_from_a_disabled_component_is_an_error():
    message = error([comp("db", enabled=False), comp("app", inputs_from={"db_url": "db.url"})])
    assert "component 'app' depends on 'db'" in message
    assert "inputs_from.db_url" in message
    assert "disabled in this environment: enable 'db' or remove the dependency" in message


def test_a_disabled_component_is_still_checked_for_its_name():
    assert "is not valid" in error([comp("a"), {"name": "Bad", "path": "x", "enabled": False}])


# shape and keys --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "a,b", {"name": "a", "path": "a"}, 3])
def test_the_input_must_be_a_list(value):
    message = error(value)
    assert "terraform_stack_components to be a list of components" in message


def test_every_component_must_be_a_mapping():
    message = error([comp("a"), "b"])
    assert "terraform_stack_components[1] is a str 'b', not a component" in message
    assert "mapping with at least name and path" in message


def test_an_unknown_key_is_named_with_the_allowed_keys():
    message = error([{"name": "app", "path": "components/app", "depends": ["net"]}])
    assert "component 'app' (terraform_stack_components[0]) has an unknown key 'depends'" in message
    assert "did you mean 'depends_on'?" in message
    assert "allowed keys are depends_on, enabled, inputs, inputs_from, name, path" in message


@pytest.mark.parametrize("missing", ["name", "path"])
def test_name_and_path_are_required(missing):
    component = {"name": "app", "path": "components/app"}
    del component[missing]
    message = error([component])
    assert f"has no {missing}: add {missing}" in message


@pytest.mark.parametrize("key, value", [("name", 3), ("name", ""), ("path", ["a"]), ("path", "")])
def test_name_and_path_must_be_non_empty_strings(key, value):
    component = {"name": "app", "path": "components/app", key: value}
    assert f"set {key} to a non-empty string" in error([component])


def test_depends_on_must_be_a_list():
    message = error([comp("network"), {"name": "app", "path": "p", "depends_on": "network"}])
    assert "component 'app' (terraform_stack_components[1]) has depends_on str 'network'" in message
    assert "depends_on: [network]" in message


def test_depends_on_entries_must_be_names():
    assert "lists int 3 in depends_on" in error([comp("app", 3)])


@pytest.mark.parametrize("key", ["inputs", "inputs_from"])
def test_inputs_and_inputs_from_must_be_mappings(key):
    message = error([comp("app", **{key: ["x"]})])
    assert f"component 'app' (terraform_stack_components[0]) has {key} list ['x']" in message
    assert "must be a mapping of Terraform variable names" in message


@pytest.mark.parametrize("value", ["false", "yes", 0, None])
def test_enabled_must_be_a_boolean(value):
    message = error([comp("app", enabled=value)])
    assert "component 'app'" in message
    assert "set enabled to true or false" in message


# names and duplicates --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["App", "1app", "-app", "_app", "my app", "app.v2", "app/x"])
def test_invalid_names_are_rejected_with_the_reason(bad):
    message = error([comp(bad)])
    assert f"has the name {bad!r}, which is not valid" in message
    assert "lowercase letters, digits, '_' and '-', starting with a letter" in message
    assert "S3 state key and a folder name" in message


def test_duplicate_names_are_named_with_both_positions():
    message = error([comp("network"), comp("app"), comp("network")])
    assert "the component name 'network' is used twice (terraform_stack_components[0] and [2])" in message
    assert "unique name" in message


def test_a_duplicate_disabled_component_is_still_a_duplicate():
    assert "used twice" in error([comp("network"), comp("network", enabled=False)])


# dependencies ----------------------------------------------------------------------------------------------------


def test_an_unknown_dependency_names_both_and_lists_the_known_components():
    message = error([comp("network"), comp("database"), comp("app", "databse")])
    assert "component 'app' depends on 'databse', which is not a component" in message
    assert "did you mean 'database'?" in message
    assert "fix the name in depends_on" in message
    assert "the known components are app, database, network" in message


def test_depending_on_itself_is_an_error():
    message = error([comp("app", "app")])
    assert "component 'app' depends on itself: remove 'app' from its depends_on" in message


def test_a_cycle_lists_its_members_in_order():
    message = error([comp("a", "c"), comp("b", "a"), comp("c", "b")])
    assert "dependency cycle: a -> b -> c -> a" in message
    assert "remove one of these depends_on entries: 'b' depends on 'a', 'c' depends on 'b', 'a' depends on 'c'" in message


def test_a_two_member_cycle():
    message = error([comp("x", "y"), comp("y", "x")])
    assert "dependency cycle: x -> y -> x" in message


def test_a_cycle_below_healthy_components_names_only_its_members():
    message = error([comp("base"), comp("top"), comp("m", "base", "n"), comp("n", "m"), comp("leaf", "m", "top")])
    assert "dependency cycle: m -> n -> m" in message
    assert "base" not in message and "leaf" not in message


def test_the_cycle_message_does_not_depend_on_input_order():
    components = [comp("a", "c"), comp("b", "a"), comp("c", "b")]
    assert error(components) == error(list(reversed(components)))


# inputs_from -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["network", "network.", ".vpc_id", "network.vpc.id", "", 5, None])
def test_inputs_from_must_be_component_dot_output(bad):
    message = error([comp("network"), comp("app", "network", inputs_from={"vpc_id": bad})])
    assert f"component 'app' has inputs_from.vpc_id = {bad!r}" in message
    assert "'<component>.<output>'" in message
    assert "'network.vpc_id'" in message


def test_inputs_from_a_component_that_is_not_upstream_says_to_add_it_to_depends_on():
    message = error([comp("network"), comp("app", inputs_from={"vpc_id": "network.vpc_id"})])
    assert "component 'app' reads output 'vpc_id' of 'network' (inputs_from.vpc_id)" in message
    assert "'network' is not upstream of 'app'" in message
    assert "add 'network' to the depends_on of 'app'" in message


def test_inputs_from_a_transitive_upstream_component_is_accepted():
    components = [comp("network"), comp("db", "network"), comp("app", "db", inputs_from={"vpc_id": "network.vpc_id"})]
    assert names(component_waves(components)) == [["network"], ["db"], ["app"]]


def test_inputs_from_a_downstream_component_is_not_upstream():
    message = error([comp("network", inputs_from={"x": "app.y"}), comp("app", "network")])
    assert "'app' is not upstream of 'network'" in message
    assert "add 'app' to the depends_on of 'network'" in message


def test_inputs_from_an_unknown_component_lists_the_known_ones():
    message = error([comp("network"), comp("app", "network", inputs_from={"vpc_id": "netwrk.vpc_id"})])
    assert "component 'app' has inputs_from.vpc_id = 'netwrk.vpc_id', but 'netwrk' is not a component" in message
    assert "did you mean 'network'?" in message
    assert "the known components are app, network" in message


def test_inputs_from_its_own_output_is_an_error():
    message = error([comp("app", inputs_from={"x": "app.y"})])
    assert "component 'app' has inputs_from.x = 'app.y', which reads its own output" in message


def test_a_variable_in_both_inputs_and_inputs_from_is_ambiguous():
    message = error([comp("network"), comp("app", "network", inputs={"vpc_id": "vpc-1"}, inputs_from={"vpc_id": "network.vpc_id"})])
    assert "component 'app' sets the variable 'vpc_id' in both inputs and inputs_from" in message
    assert "ambiguous: remove 'vpc_id' from one of them" in message


# paths -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/srv/terraform/app", "~/app"])
def test_an_absolute_path_is_rejected(path):
    message = error([{"name": "app", "path": path}])
    assert f"component 'app' has the absolute path {path!r}" in message
    assert "relative to the Terraform root, for example components/app" in message


@pytest.mark.parametrize("path", ["..", "../app", "components/../../app", "components\\..\\app"])
def test_a_path_with_dot_dot_is_rejected(path):
    message = error([{"name": "app", "path": path}])
    assert f"component 'app' has the path {path!r}, which contains '..'" in message


def test_dots_inside_a_folder_name_are_allowed():
    assert names(component_waves([{"name": "app", "path": "components/app..v2"}])) == [["app"]]


def test_paths_that_exist_under_root_are_accepted(tmp_path):
    (tmp_path / "components" / "network").mkdir(parents=True)
    (tmp_path / "components" / "app").mkdir(parents=True)
    waves = component_waves([comp("network"), comp("app", "network")], root=str(tmp_path))
    assert names(waves) == [["network"], ["app"]]


def test_a_missing_directory_under_root_names_the_component_and_the_full_path(tmp_path):
    (tmp_path / "components" / "network").mkdir(parents=True)
    message = error([comp("network"), comp("app", "network")], root=str(tmp_path))
    assert f"component 'app' has path 'components/app', but the directory {tmp_path / 'components' / 'app'} does not exist" in message
    assert "fix path, or create that directory" in message


def test_a_file_where_the_directory_should_be_is_rejected(tmp_path):
    (tmp_path / "components").mkdir()
    (tmp_path / "components" / "app").write_text("not a directory")
    assert "does not exist" in error([comp("app")], root=str(tmp_path))


def test_a_disabled_component_need_not_exist_under_root(tmp_path):
    (tmp_path / "components" / "network").mkdir(parents=True)
    waves = component_waves([comp("network"), comp("cache", "network", enabled=False)], root=str(tmp_path))
    assert names(waves) == [["network"]]


def test_a_root_that_is_not_a_directory_is_rejected(tmp_path):
    message = error([comp("app")], root=str(tmp_path / "nowhere"))
    assert f"the Terraform root {str(tmp_path / 'nowhere')!r} is not an existing directory" in message


def test_without_root_paths_are_not_looked_up():
    assert names(component_waves([comp("app")])) == [["app"]]


# checking order --------------------------------------------------------------------------------------------------


# Each case breaks one stage and every later one; the error must come from the earliest stage.
@pytest.mark.parametrize(
    "components, expected",
    [
        pytest.param([comp("Bad", "Bad", extra=1)], "unknown key 'extra'", id="keys before names"),
        pytest.param([comp("Bad", "Bad"), comp("ok", "ghost")], "is not valid", id="names before dependencies"),
        pytest.param([comp("a"), comp("a", "a")], "used twice", id="duplicates before self-dependency"),
        pytest.param([comp("off", enabled=False), comp("app", "off", "ghost")], "disabled in this environment", id="disabled before unknown"),
        pytest.param([comp("app", "app", "ghost")], "which is not a component", id="unknown before self"),
        pytest.param([comp("a", "a"), comp("b", "c"), comp("c", "b")], "depends on itself", id="self before cycle"),
        pytest.param([comp("b", "c", inputs_from={"x": "bad"}), comp("c", "b")], "dependency cycle", id="cycle before inputs_from"),
        pytest.param([{"name": "app", "path": "/abs", "inputs_from": {"x": "ghost.y"}}], "'ghost' is not a component", id="inputs_from before paths"),
    ],
)
def test_checks_run_in_the_documented_order(components, expected):
    assert expected in error(components)


def test_nothing_is_returned_when_only_the_last_component_is_wrong(tmp_path):
    # a valid first wave must not hide an error further down: the filter checks everything before returning
    (tmp_path / "components" / "network").mkdir(parents=True)
    assert "does not exist" in error([comp("network"), comp("app", "network")], root=str(tmp_path))


def test_inputs_from_an_output_the_upstream_does_not_declare_fails_before_any_run(tmp_path):
    (tmp_path / "components" / "network").mkdir(parents=True)
    (tmp_path / "components" / "network" / "outputs.tf").write_text(
        'output "vpc_id" {\n  value = "v"\n}\n\noutput "private_subnet_ids" {\n  value = []\n}\n')
    (tmp_path / "components" / "app").mkdir(parents=True)
    graph = [comp("network"), comp("app", "network", inputs_from={"vpc": "network.vpc"})]
    message = error(graph, root=str(tmp_path))
    assert "component 'app': inputs_from vpc reads 'network.vpc', but network declares no output 'vpc'" in message
    assert "did you mean 'vpc_id'?" in message
    assert "its outputs: private_subnet_ids, vpc_id" in message
    graph[1]["inputs_from"] = {"vpc": "network.vpc_id"}
    assert names(component_waves(graph, root=str(tmp_path))) == [["network"], ["app"]]
