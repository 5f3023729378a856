# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The power schedule of the roles ecs_schedule and aurora_schedule, checked and turned into cron expressions and
savings (module_utils/power_windows.py holds the logic)."""

from __future__ import annotations

import datetime

from ansible.errors import AnsibleFilterError

from ansible_collections.shipyard.aws.plugins.module_utils import power_windows


def power_schedule(settings, prefix="schedule", today=None):
    try:
        day = datetime.date.fromisoformat(str(today)) if today else datetime.date.today()
        return power_windows.plan(dict(settings), prefix, day)
    except power_windows.ScheduleError as error:
        raise AnsibleFilterError(str(error)) from None
    except (KeyError, TypeError, ValueError) as error:
        raise AnsibleFilterError(f"power_schedule: the settings are incomplete or of the wrong type ({error})") from None


class FilterModule:
    def filters(self):
        return {"power_schedule": power_schedule}
