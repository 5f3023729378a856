"""ECS CreateService's settings and Application Auto Scaling's tags, for the compute component (see the package
docstring, localenv/extensions/__init__.py)."""

from __future__ import annotations

import json


# --- ECS services and Application Auto Scaling (the compute component) -------------------------------------


def patch_ecs_services_and_appautoscaling() -> None:
    """The moto gaps the compute component (aws_ecs_service, aws_appautoscaling_target) runs into."""
    patch_ecs_create_service_settings()
    patch_appautoscaling_tags()


_ECS_SERVICE_SETTINGS_MOTO_DROPS = (
    "deploymentConfiguration",
    "healthCheckGracePeriodSeconds",
    "enableExecuteCommand",
    "enableECSManagedTags",
    "availabilityZoneRebalancing",
    "capacityProviderStrategy",
    "placementConstraints",
    "placementStrategy",
)


def patch_ecs_create_service_settings() -> None:
    """ECS CreateService: moto 5 drops deploymentConfiguration (the deployment circuit breaker among it),
    healthCheckGracePeriodSeconds, enableExecuteCommand, enableECSManagedTags, availabilityZoneRebalancing and
    the placement/capacity provider settings, so a new service read back without them: every second apply
    planned to set them again, and nothing could check the circuit breaker or ECS Exec. moto's UpdateService
    keeps whatever it is sent as attributes of the service (snake_case names, which its serializer reads), so
    CreateService now keeps these settings the same way, before its own answer is serialised."""
    from moto.core.utils import camelcase_to_underscores
    from moto.ecs.responses import EC2ContainerServiceResponse

    if getattr(EC2ContainerServiceResponse, "shipyard_patched", False):
        return
    original_create = EC2ContainerServiceResponse.create_service

    def create_service(self):
        result = original_create(self)
        service = self.ecs_backend._get_service(  # pylint: disable=protected-access
            self._get_param("cluster", "default"), self._get_param("serviceName")
        )
        for key in _ECS_SERVICE_SETTINGS_MOTO_DROPS:
            value = self._get_param(key)
            if value is not None:
                setattr(service, camelcase_to_underscores(key), value)
        return result

    EC2ContainerServiceResponse.create_service = create_service
    EC2ContainerServiceResponse.shipyard_patched = True


def patch_appautoscaling_tags() -> None:
    """Application Auto Scaling: moto 5 implements neither ListTagsForResource nor Tag/UntagResource and ignores
    the Tags of RegisterScalableTarget. The AWS provider reads a scalable target's tags right after creating
    it, got HTTP 500 and retried until its timeout: aws_appautoscaling_target "never finished creating".
    Tags are kept beside moto's scalable targets, keyed by target ARN, and dropped when the target is
    deregistered."""
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
    from moto.core.exceptions import JsonRESTError

    if getattr(ApplicationAutoScalingResponse, "shipyard_patched", False):
        return
    original_register = ApplicationAutoScalingResponse.register_scalable_target
    original_deregister = ApplicationAutoScalingResponse.deregister_scalable_target

    def tags(response) -> dict:
        backend = response.applicationautoscaling_backend
        if not hasattr(backend, "shipyard_tags"):
            backend.shipyard_tags = {}
        return backend.shipyard_tags

    def target_arns(response) -> set:
        targets = response.applicationautoscaling_backend.targets
        return {target.arn for by_resource in targets.values() for target in by_resource.values()}

    def register_scalable_target(self):
        result = original_register(self)
        arn = json.loads(result)["ScalableTargetARN"]
        tags(self).setdefault(arn, {}).update(self._get_param("Tags") or {})
        return result

    def deregister_scalable_target(self):
        before = target_arns(self)
        result = original_deregister(self)
        for arn in before - target_arns(self):
            tags(self).pop(arn, None)
        return result

    def known_arn(response) -> str:
        arn = response._get_param("ResourceARN")
        if arn not in target_arns(response):
            raise JsonRESTError("ResourceNotFoundException", f"No scalable target found for {arn}")
        return arn

    def list_tags_for_resource(self):
        return json.dumps({"Tags": dict(tags(self).get(known_arn(self), {}))})

    def tag_resource(self):
        tags(self).setdefault(known_arn(self), {}).update(self._get_param("Tags") or {})
        return json.dumps({})

    def untag_resource(self):
        current = tags(self).setdefault(known_arn(self), {})
        for key in self._get_param("TagKeys") or []:
            current.pop(key, None)
        return json.dumps({})

    for function in (
        register_scalable_target,
        deregister_scalable_target,
        list_tags_for_resource,
        tag_resource,
        untag_resource,
    ):
        setattr(ApplicationAutoScalingResponse, function.__name__, function)
    ApplicationAutoScalingResponse.shipyard_patched = True
