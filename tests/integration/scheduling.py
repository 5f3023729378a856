"""What the scheduling tests share: the local inventory's ECS cluster with its web and api services (the fixture
``local_services`` in conftest.py creates them), read back with boto3."""

from __future__ import annotations

PREFIX = "bookmark-manager-local"
CLUSTER = f"{PREFIX}-cluster"
SERVICES = {"web": 2, "api": 1}


def create_ec2_service(ecs, cluster: str, name: str, desired: int = 2) -> str:
    """A bare service on the EC2 launch type (no network configuration): what the power tests act on. Returns its ARN."""
    task_definition = ecs.register_task_definition(
        family=name, containerDefinitions=[{"name": name, "image": "nginx:1", "memory": 128, "essential": True}],
    )["taskDefinition"]["taskDefinitionArn"]
    return ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=task_definition, desiredCount=desired,
                              launchType="EC2")["service"]["serviceArn"]


def create_services(boto) -> list[str]:
    """The cluster's web (2 tasks) and api (1 task, scaled by Application Auto Scaling between 1 and 4) services."""
    ecs = boto("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    definition = ecs.register_task_definition(
        family=f"{PREFIX}-app", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "app", "image": "example/app:1", "essential": True, "memory": 512}],
    )["taskDefinition"]["taskDefinitionArn"]
    subnet = boto("ec2").describe_subnets()["Subnets"][0]["SubnetId"]
    for name, count in SERVICES.items():
        ecs.create_service(cluster=CLUSTER, serviceName=name, taskDefinition=definition, desiredCount=count, launchType="FARGATE",
                           networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": []}})
    boto("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs", ResourceId=f"service/{CLUSTER}/api", ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=1, MaxCapacity=4)
    return list(SERVICES)


def desired_counts(boto) -> dict:
    described = boto("ecs").describe_services(cluster=CLUSTER, services=["web", "api"])["services"]
    return {service["serviceName"]: service["desiredCount"] for service in described}


def api_capacity(boto) -> tuple:
    target = boto("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[f"service/{CLUSTER}/api"])["ScalableTargets"][0]
    return target["MinCapacity"], target["MaxCapacity"]
