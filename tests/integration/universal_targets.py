"""What EventBridge Scheduler does with a universal target (``arn:aws:scheduler:::aws-sdk:<service>:<apiAction>``),
replayed against the emulator: the schedule's Input is the API's request, its member names matched to the operation's
input shape in botocore's model without regard to case (so ``DbClusterIdentifier`` and ``DBClusterIdentifier`` both
reach StopDBCluster, and a misspelt name fails), then the call is made.

AWS: "The parameters and shape of the JSON you set in Input are determined by the service API your schedule invokes"
(EventBridge Scheduler User Guide, Using universal targets). The emulator has no scheduler that fires, so the tests
fire each created schedule through this.
"""

from __future__ import annotations

import json

from botocore import xform_name

UNIVERSAL_PREFIX = "arn:aws:scheduler:::aws-sdk:"


class UnknownMember(ValueError):
    pass


def parse_target(arn: str) -> tuple[str, str]:
    """(boto3 service name, operation name) of a universal target ARN."""
    assert arn.startswith(UNIVERSAL_PREFIX), f"{arn} is not a universal target"
    service, action = arn[len(UNIVERSAL_PREFIX):].split(":", 1)
    return service, action[0].upper() + action[1:]


def matched(shape, value):
    """``value`` with its member names spelt as ``shape`` spells them, recursively."""
    if shape.type_name == "structure":
        members = {name.lower(): name for name in shape.members}
        result = {}
        for key, item in value.items():
            if key.lower() not in members:
                raise UnknownMember(f"{key!r} is not a member of {shape.name} (members: {', '.join(shape.members)})")
            name = members[key.lower()]
            result[name] = matched(shape.members[name], item)
        return result
    if shape.type_name == "list":
        return [matched(shape.member, item) for item in value]
    return value


def fire(session_client, target: dict) -> dict:
    """Call the target's API with its Input, as the scheduler would; ``session_client(service)`` gives a boto3 client."""
    service, operation = parse_target(target["Arn"])
    client = session_client(service)
    shape = client.meta.service_model.operation_model(operation).input_shape
    request = matched(shape, json.loads(target.get("Input") or "{}"))
    return getattr(client, xform_name(operation))(**request)
