"""Mermaid text for the component graph and the network layout of one environment."""

from __future__ import annotations

import ipaddress

from diagrams.inventory import inputs, waves

ENDPOINTS_NONE = "none"


def _label(text: str) -> str:
    return '"' + str(text).replace('"', "'") + '"'


def component_graph(graph: list[dict]) -> str:
    lines = ["flowchart LR"]
    for number, wave in enumerate(waves(graph), start=1):
        lines.append(f'  subgraph wave{number}["wave {number}"]')
        lines.extend(f"    {c['name']}[{_label(c['name'])}]" for c in wave)
        lines.append("  end")
    for component in graph:
        feeds: dict[str, list[str]] = {}
        for variable, reference in sorted((component.get("inputs_from") or {}).items()):
            feeds.setdefault(reference.split(".", 1)[0], []).append(variable)
        for upstream in component.get("depends_on") or []:
            names = feeds.get(upstream)
            arrow = f" -- {_label(', '.join(names))} --> " if names else " --> "
            lines.append(f"  {upstream}{arrow}{component['name']}")
    return "\n".join(lines)


def subnets(network: dict) -> tuple[list[str], list[str]]:
    """The network module's layout: public subnets in the lower half of the VPC, private in the upper half."""
    vpc = ipaddress.ip_network(str(network.get("vpc_cidr", "10.0.0.0/16")))
    newbits = int(network.get("subnet_newbits", 8))
    count = int(network.get("az_count", 2))
    every = list(vpc.subnets(prefixlen_diff=newbits))
    offset = 2 ** (newbits - 1)
    return [str(every[i]) for i in range(count)], [str(every[offset + i]) for i in range(count)]


def network_layout(graph: list[dict]) -> str:
    names = {c["name"] for c in graph}
    network, security = inputs(graph, "network"), inputs(graph, "security")
    compute, database = inputs(graph, "compute"), inputs(graph, "database")
    public, private = subnets(network)
    nat = network.get("nat_gateway_mode", "none")
    tasks_public = compute.get("tasks_in_public_subnets", True)
    endpoints = network.get("interface_endpoints") or []
    allowed = security.get("allowed_cidr_blocks") or []
    engine = "Aurora PostgreSQL Serverless v2" if database.get("engine") == "aurora" else "RDS PostgreSQL"
    tasks = _label("ECS Fargate tasks: web, api" + (" (public IPs)" if tasks_public else ""))

    lines = ["flowchart TB", '  internet(("Internet"))']
    if "edge" in names:
        lines.append(f"  edge[{_label('CloudFront + WAF (us-east-1), Route53')}]")
    lines.append(f'  subgraph vpc[{_label("VPC " + str(network.get("vpc_cidr", "10.0.0.0/16")))}]')
    lines.append(f'    subgraph public[{_label("public subnets " + ", ".join(public))}]')
    waf = " + WAF" if security.get("enable_waf") else ""
    lines.append(f"      alb[{_label('ALB' + waf)}]")
    if nat != "none":
        lines.append(f"      nat[{_label('NAT gateway (' + str(nat) + ')')}]")
    if tasks_public:
        lines.append(f"      tasks[{tasks}]")
    lines.append("    end")
    lines.append(f'    subgraph private[{_label("private subnets " + ", ".join(private))}]')
    if not tasks_public:
        lines.append(f"      tasks[{tasks}]")
    if "database" in names:
        lines.append(f"      db[({_label(engine)})]")
    if endpoints:
        lines.append(f"      endpoints[{_label('interface endpoints: ' + ', '.join(endpoints))}]")
    lines.append("    end")
    lines.append(f"    s3gw[{_label('S3 gateway endpoint')}]")
    lines.append("  end")
    if "storage" in names:
        lines.append(f"  assets[({_label('S3 assets bucket')})]")

    ingress = "allowed CIDRs: " + ", ".join(str(c) for c in allowed) if allowed else "HTTP/HTTPS"
    if "edge" in names:
        lines += ["  internet --> edge", f"  edge -- {_label(ingress)} --> alb"]
        if "storage" in names:
            lines.append(f"  edge -- {_label('origin access control')} --> assets")
    else:
        lines.append(f"  internet -- {_label(ingress)} --> alb")
    lines.append(f"  alb -- {_label('/api/* to api, the rest to web')} --> tasks")
    if "database" in names:
        lines.append(f"  tasks -- {_label('5432, from the tasks group only')} --> db")
    if nat != "none":
        lines.append("  tasks --> nat --> internet")
    if endpoints:
        lines.append("  tasks -.-> endpoints")
    lines.append("  tasks -.-> s3gw")
    return "\n".join(lines)
