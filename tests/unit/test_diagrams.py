"""tools/diagrams: the architecture pictures are generated from the inventories and kept current."""

from __future__ import annotations

from diagrams.__main__ import main, render
from diagrams.inventory import components
from diagrams.mermaid import component_graph, network_layout, subnets


def test_the_committed_pictures_match_the_inventories():
    assert main(["--check"]) == 0, "run `make diagrams` and commit the result"


def test_subnets_follow_the_network_modules_layout():
    # terraform/modules/network: cidrsubnet(vpc, newbits, i) public, upper half of the VPC private.
    assert subnets({"vpc_cidr": "10.0.0.0/16", "az_count": 2}) == (["10.0.0.0/24", "10.0.1.0/24"],
                                                                   ["10.0.128.0/24", "10.0.129.0/24"])


def test_the_component_graph_shows_waves_and_the_outputs_on_each_edge():
    text = component_graph([
        {"name": "network", "path": "network"},
        {"name": "security", "path": "security", "depends_on": ["network"], "inputs_from": {"vpc_id": "network.vpc_id"}},
    ])
    assert 'subgraph wave1["wave 1"]' in text and 'subgraph wave2["wave 2"]' in text
    assert 'network -- "vpc_id" --> security' in text


def test_staging_has_no_nat_and_public_tasks_production_has_nat_private_tasks_and_edge():
    staging, production = network_layout(components("staging")), network_layout(components("production"))
    assert "NAT gateway" not in staging and "(public IPs)" in staging
    assert "NAT gateway (per_az)" in production and "(public IPs)" not in production
    assert "CloudFront" in production and "CloudFront" not in staging
    assert "Aurora" in production and "RDS PostgreSQL" in staging


def test_render_replaces_only_the_marked_blocks():
    text = "a\n<!-- BEGIN generated:x -->\nold\n<!-- END generated:x -->\nb"
    assert render(text, {"x": "new"}) == "a\n<!-- BEGIN generated:x -->\nnew\n<!-- END generated:x -->\nb"
    assert render(text, {}) == text
