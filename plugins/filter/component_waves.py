# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Terraform stack components: checked as a whole, then ordered into waves that can run at the same time."""

from __future__ import annotations

import difflib
import graphlib
import os
import posixpath
import re

from ansible.errors import AnsibleFilterError

_VARIABLE = "terraform_stack_components"
_NAME = re.compile(r"[a-z][a-z0-9_-]*")
# <component>.<output>: a component name, a dot, then a Terraform identifier (the output's name).
_OUTPUT_REFERENCE = re.compile(r"([a-z][a-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)")
_REQUIRED = ("name", "path")
# An empty YAML value (``depends_on:``) means the default too.
_COLLECTIONS = {"depends_on": list, "inputs": dict, "inputs_from": dict}
_ALLOWED = tuple(sorted(_REQUIRED + tuple(_COLLECTIONS) + ("enabled",)))


def _fail(message):
    raise AnsibleFilterError(message)


def _where(index, name=None):
    """How a message points at one component: by name when it has a usable one, and always by position."""
    position = f"{_VARIABLE}[{index}]"
    if isinstance(name, str) and name:
        return f"component {name!r} ({position})"
    return position


def _describe(value):
    return f"{type(value).__name__} {value!r}"


def _suggest(word, choices):
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _known(names):
    return ", ".join(sorted(names)) if names else "(none)"


# 1. shape and keys ---------------------------------------------------------------------------------------------


def _normalise(index, component):
    if not isinstance(component, dict):
        _fail(
            f"{_VARIABLE}[{index}] is a {_describe(component)}, not a component: write every component as a mapping "
            "with at least name and path, for example {name: network, path: components/network}"
        )
    where = _where(index, component.get("name"))
    for key in component:
        if key not in _ALLOWED:
            hint = _suggest(key, _ALLOWED) if isinstance(key, str) else ""
            _fail(f"{where} has an unknown key {key!r}{hint}: the allowed keys are {', '.join(_ALLOWED)}")
    for key in _REQUIRED:
        if key not in component or component[key] is None:
            _fail(f"{where} has no {key}: add {key} (a non-empty string)")
        if not isinstance(component[key], str) or not component[key]:
            _fail(f"{where} has {key} {_describe(component[key])}: set {key} to a non-empty string")

    normalised = {"name": component["name"], "path": component["path"]}
    for key, default in _COLLECTIONS.items():
        value = component.get(key)
        normalised[key] = default() if value is None else value
    normalised["enabled"] = component.get("enabled", True)

    depends_on = normalised["depends_on"]
    if not isinstance(depends_on, list):
        _fail(
            f"{where} has depends_on {_describe(depends_on)}: depends_on must be a list of component names, "
            "for example depends_on: [network]"
        )
    for dependency in depends_on:
        if not isinstance(dependency, str):
            _fail(f"{where} lists {_describe(dependency)} in depends_on: every entry must be a component name (a string)")
    for key in ("inputs", "inputs_from"):
        mapping = normalised[key]
        if not isinstance(mapping, dict):
            _fail(f"{where} has {key} {_describe(mapping)}: {key} must be a mapping of Terraform variable names to values")
        for variable in mapping:
            if not isinstance(variable, str) or not variable:
                _fail(f"{where} has {key} key {variable!r}: every key of {key} must be a Terraform variable name (a string)")
    if not isinstance(normalised["enabled"], bool):
        _fail(f"{where} has enabled {_describe(normalised['enabled'])}: set enabled to true or false")

    normalised["depends_on"] = list(depends_on)
    normalised["inputs"] = dict(normalised["inputs"])
    normalised["inputs_from"] = dict(normalised["inputs_from"])
    return normalised


# 2. names and duplicates ---------------------------------------------------------------------------------------


def _check_names(components):
    first_index = {}
    for index, component in enumerate(components):
        name = component["name"]
        if not _NAME.fullmatch(name):
            _fail(
                f"{_where(index)} has the name {name!r}, which is not valid: use lowercase letters, digits, '_' and '-', "
                "starting with a letter, because the name becomes part of the S3 state key and a folder name"
            )
        if name in first_index:
            _fail(
                f"the component name {name!r} is used twice ({_VARIABLE}[{first_index[name]}] and [{index}]): "
                "give every component a unique name"
            )
        first_index[name] = index


# 3. references to disabled components --------------------------------------------------------------------------


def _referenced_component(reference):
    """The component part of an inputs_from value, or None when the value is malformed (checked later)."""
    if isinstance(reference, str) and "." in reference:
        return reference.split(".", 1)[0]
    return None


def _check_disabled_references(enabled, disabled):
    for component in enabled:
        name = component["name"]
        for dependency in component["depends_on"]:
            if dependency in disabled:
                _fail(
                    f"component {name!r} depends on {dependency!r}, which is disabled in this environment: "
                    f"enable {dependency!r} or remove the dependency"
                )
        for variable, reference in component["inputs_from"].items():
            source = _referenced_component(reference)
            if source in disabled:
                _fail(
                    f"component {name!r} depends on {source!r} (inputs_from.{variable} = {reference!r}), "
                    f"which is disabled in this environment: enable {source!r} or remove the dependency"
                )


# 4-6. unknown dependencies, self-dependency, cycles -------------------------------------------------------------


def _check_unknown_dependencies(enabled, every_name):
    for component in enabled:
        for dependency in component["depends_on"]:
            if dependency not in every_name:
                _fail(
                    f"component {component['name']!r} depends on {dependency!r}, which is not a component"
                    f"{_suggest(dependency, every_name)}: fix the name in depends_on or add a component "
                    f"{dependency!r}; the known components are {_known(every_name)}"
                )


def _check_self_dependencies(enabled):
    for component in enabled:
        name = component["name"]
        if name in component["depends_on"]:
            _fail(f"component {name!r} depends on itself: remove {name!r} from its depends_on")


def _sorter(by_name):
    """A TopologicalSorter fed in name order, so cycles found and waves produced do not depend on input order."""
    sorter = graphlib.TopologicalSorter()
    for name in sorted(by_name):
        sorter.add(name, *sorted(set(by_name[name]["depends_on"])))
    return sorter


def _cycle_message(cycle):
    members = cycle[:-1]  # graphlib repeats the first node at the end
    start = members.index(min(members))
    members = members[start:] + members[:start]
    ring = members + members[:1]
    edges = ", ".join(f"{after!r} depends on {before!r}" for before, after in zip(ring, ring[1:]))
    return (
        f"the components form a dependency cycle: {' -> '.join(ring)} (each arrow points to a component that depends "
        f"on the one before it), so none of them can run first: remove one of these depends_on entries: {edges}"
    )


def _waves(by_name):
    sorter = _sorter(by_name)
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        _fail(_cycle_message(list(error.args[1])))
    waves = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        waves.append(ready)
        sorter.done(*ready)
    return waves


def _upstream(by_name):
    """Every component's transitive upstream; the graph is known to be acyclic here."""
    closure = {}

    def visit(name):
        if name not in closure:
            found = set()
            for dependency in by_name[name]["depends_on"]:
                found.add(dependency)
                found |= visit(dependency)
            closure[name] = found
        return closure[name]

    for name in sorted(by_name):
        visit(name)
    return closure


# 7. inputs_from --------------------------------------------------------------------------------------------------


def _check_inputs_from(enabled, upstream, every_name):
    for component in enabled:
        name = component["name"]
        for variable, reference in component["inputs_from"].items():
            setting = f"inputs_from.{variable}"
            match = _OUTPUT_REFERENCE.fullmatch(reference) if isinstance(reference, str) else None
            if match is None:
                _fail(
                    f"component {name!r} has {setting} = {reference!r}, which is not of the form "
                    "'<component>.<output>': write it as, for example, 'network.vpc_id'"
                )
            if variable in component["inputs"]:
                _fail(
                    f"component {name!r} sets the variable {variable!r} in both inputs and inputs_from, so its value "
                    f"is ambiguous: remove {variable!r} from one of them"
                )
            source, output = match.groups()
            if source == name:
                _fail(
                    f"component {name!r} has {setting} = {reference!r}, which reads its own output: a component cannot "
                    f"feed itself; set {variable!r} in inputs instead, or read it from an upstream component"
                )
            if source not in every_name:
                _fail(
                    f"component {name!r} has {setting} = {reference!r}, but {source!r} is not a component"
                    f"{_suggest(source, every_name)}: fix the reference; the known components are {_known(every_name)}"
                )
            if source not in upstream[name]:
                _fail(
                    f"component {name!r} reads output {output!r} of {source!r} ({setting}), but {source!r} is not upstream "
                    f"of {name!r}, so it might not have been applied yet: add {source!r} to the depends_on of {name!r}"
                )


# 8. paths --------------------------------------------------------------------------------------------------------


def _check_root(root):
    if root is None:
        return None
    if isinstance(root, os.PathLike):
        root = os.fspath(root)
    if not isinstance(root, str) or not root:
        _fail(f"component_waves: root must be a directory path (a string), got {_describe(root)}")
    if not os.path.isdir(root):
        _fail(f"component_waves: the Terraform root {root!r} is not an existing directory: fix the root argument")
    return root


def _check_paths(enabled, root):
    for component in enabled:
        name, path = component["name"], component["path"]
        if posixpath.isabs(path) or os.path.isabs(path) or path.startswith("~"):
            _fail(
                f"component {name!r} has the absolute path {path!r}: write path relative to the Terraform root, "
                f"for example components/{name}"
            )
        if ".." in re.split(r"[\\/]", path):
            _fail(
                f"component {name!r} has the path {path!r}, which contains '..': write a path inside the Terraform root "
                f"without '..', for example components/{name}"
            )
        if root is not None:
            full = os.path.join(root, path)
            if not os.path.isdir(full):
                _fail(
                    f"component {name!r} has path {path!r}, but the directory {full} does not exist: "
                    "fix path, or create that directory with the component's Terraform code"
                )


_OUTPUT_BLOCK = re.compile(r'^\s*output\s+"([A-Za-z_][A-Za-z0-9_-]*)"', re.M)


def declared_outputs(directory):
    """The outputs a Terraform root declares (``output "name" {`` in its .tf files); None when it has no .tf files."""
    names, found = set(), False
    for entry in sorted(os.listdir(directory)):
        if entry.endswith(".tf"):
            found = True
            with open(os.path.join(directory, entry), encoding="utf-8") as handle:
                names.update(_OUTPUT_BLOCK.findall(handle.read()))
    return names if found else None


def _check_declared_outputs(enabled, root):
    """An inputs_from that names an output its component does not declare is a typo: say so before any run.
    (At run time an output that is declared but null is simply absent from the state, and the input is left out.)"""
    by_name = {component["name"]: component for component in enabled}
    for component in enabled:
        for variable, reference in sorted(component["inputs_from"].items()):
            source, output = _OUTPUT_REFERENCE.fullmatch(reference).groups()
            declared = declared_outputs(os.path.join(root, by_name[source]["path"]))
            if declared is not None and output not in declared:
                _fail(
                    f"component {component['name']!r}: inputs_from {variable} reads {reference!r}, but {source} declares "
                    f"no output {output!r}{_suggest(output, declared)}; its outputs: {_known(declared)}"
                )


# the filter ------------------------------------------------------------------------------------------------------


def component_waves(components, root=None):
    """Check terraform_stack_components and return its enabled components as waves, in dependency order.

    Each wave is a list of normalised component dicts, sorted by name, that only depend on components in
    earlier waves; each dict gains ``upstream``, the sorted names of all its transitive dependencies.
    Disabled components are checked for shape, name and uniqueness only, then left out.
    """
    if not isinstance(components, list):
        _fail(
            f"component_waves expects {_VARIABLE} to be a list of components, got {type(components).__name__}: "
            "write it as a YAML list of mappings with name and path"
        )
    normalised = [_normalise(index, component) for index, component in enumerate(components)]
    _check_names(normalised)

    every_name = {component["name"] for component in normalised}
    enabled = [component for component in normalised if component["enabled"]]
    disabled = every_name - {component["name"] for component in enabled}
    _check_disabled_references(enabled, disabled)
    _check_unknown_dependencies(enabled, every_name)
    _check_self_dependencies(enabled)

    by_name = {component["name"]: component for component in enabled}
    order = _waves(by_name)
    upstream = _upstream(by_name)
    _check_inputs_from(enabled, upstream, every_name)
    root = _check_root(root)
    _check_paths(enabled, root)
    if root is not None:
        _check_declared_outputs(enabled, root)

    waves = []
    for wave in order:
        waves.append([dict(by_name[name], upstream=sorted(upstream[name])) for name in wave])
    return waves


class FilterModule:
    def filters(self):
        return {
            "component_waves": component_waves,
        }
