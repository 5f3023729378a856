"""EventBridge Scheduler: what moto 5's scheduler backend does differently from AWS in ways a module could trip over
(see the package docstring, localenv/extensions/__init__.py)."""

from __future__ import annotations


def patch_scheduler() -> None:
    """Three differences from AWS, for shipyard.aws.scheduler_schedule:

    * UpdateSchedule ignores ActionAfterCompletion, so a schedule could never be switched to (or from) DELETE after
      its creation. AWS's UpdateSchedule replaces the whole schedule, so an omitted value goes back to the default
      (GetSchedule then answers NONE; moto answers nothing, which means the same).
    * CreateSchedule into a group that does not exist fails with a KeyError (an HTTP 500 the SDKs retry); AWS answers
      ResourceNotFoundException.
    * CreateScheduleGroup with the name of an existing group replaces it, schedules and all; AWS answers
      ConflictException.
    """
    from moto.core.exceptions import JsonRESTError
    from moto.scheduler.models import EventBridgeSchedulerBackend
    from moto.scheduler.responses import EventBridgeSchedulerResponse

    if getattr(EventBridgeSchedulerBackend, "shipyard_patched", False):
        return

    class ScheduleGroupExists(JsonRESTError):
        code = 409

    original_create_schedule = EventBridgeSchedulerBackend.create_schedule
    original_create_schedule_group = EventBridgeSchedulerBackend.create_schedule_group
    original_update_schedule = EventBridgeSchedulerResponse.update_schedule

    def create_schedule(self, *args, **kwargs):
        self.get_schedule_group(kwargs.get("group_name"))  # ResourceNotFoundException for a missing group
        return original_create_schedule(self, *args, **kwargs)

    def create_schedule_group(self, name, tags):
        if name in self.schedule_groups:
            raise ScheduleGroupExists("ConflictException", f"Schedule group {name} already exists.")
        return original_create_schedule_group(self, name, tags)

    def update_schedule(self):
        answer = original_update_schedule(self)
        name = self.uri.split("?")[0].split("/")[-1]
        schedule = self.scheduler_backend.get_schedule(self._get_param("GroupName"), name)
        schedule.action_after_completion = self._get_param("ActionAfterCompletion")
        return answer

    EventBridgeSchedulerBackend.create_schedule = create_schedule
    EventBridgeSchedulerBackend.create_schedule_group = create_schedule_group
    EventBridgeSchedulerResponse.update_schedule = update_schedule
    EventBridgeSchedulerBackend.shipyard_patched = True
