#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: async_jobs
short_description: Wait for several async jobs at once, report each as it finishes, and remove their job files
version_added: 0.1.0
description:
  - Waits for the jobs that a task started with C(async) and C(poll=0) (one per loop item), all at the same time,
    and prints one line per job the moment it finishes, in the order they finish, not the order they were started.
  - Returns every job's result in the order of O(jobs), shaped like the results of a loop over M(ansible.builtin.async_status)
    (each result's C(item) is the job entry it came from), so a failed job never stops the others from being waited for.
  - Removes each job's results file after reading it. Those files hold the module's arguments and return values in
    clear text (for M(community.general.terraform), variables and outputs, sensitive ones included), and
    M(ansible.builtin.async_status) leaves them behind.
  - This is an action plugin; it runs on the controller. For a local connection it reads the job files directly,
    otherwise it runs M(ansible.builtin.async_status) on the host.
author:
  - shipyard.aws maintainers (@shipyard-aws)
options:
  jobs:
    description:
      - The registered C(results) of the async task (each entry has C(ansible_job_id)).
      - Entries without C(ansible_job_id) (skipped items) are returned as they are.
    type: list
    elements: dict
    required: true
  labels:
    description:
      - One name per entry of O(jobs), used in the progress lines. Defaults to C(item.name) of each entry, or its job id.
    type: list
    elements: str
  phase:
    description: What the jobs do, for the progress lines (for example V(plan) or V(apply)).
    type: str
    default: job
  timeout:
    description: Seconds to wait for all jobs; a job still running then is reported as failed (and left running).
    type: int
    default: 3600
  poll_interval:
    description: Seconds between looks at the jobs that are still running.
    type: float
    default: 1
  cleanup:
    description: Remove each job's results file once it has been read.
    type: bool
    default: true
notes:
  - Set the same C(ansible_async_dir) on this task as on the task that started the jobs.
seealso:
  - module: ansible.builtin.async_status
attributes:
  action:
    support: full
    description: Runs on the controller as an action plugin.
  async:
    support: none
    description: It is the waiting itself.
  check_mode:
    support: full
    description: It only waits and reads; in check mode it waits for jobs the same way.
  diff_mode:
    support: none
    description: Nothing to diff.
"""

EXAMPLES = r"""
- name: Start every plan
  community.general.terraform:
    project_path: "{{ item.path }}"
    state: planned
    plan_file: "{{ item.name }}.tfplan"
  loop: "{{ components }}"
  async: 3600
  poll: 0
  register: plan_jobs
  no_log: true

- name: Wait for the plans, a line for each as it finishes
  shipyard.aws.async_jobs:
    jobs: "{{ plan_jobs.results }}"
    phase: plan
  register: plans
  no_log: true
"""

RETURN = r"""
job_results:
  description:
    - One result per job, in the order of O(jobs); each is the job's own result plus C(item), C(finished), C(seconds)
      (since the wait began) and, for a finished job, C(finished_at) (the Unix time the wait saw it finished).
    - Deliberately not named C(results), which Ansible treats as loop items and prints even under C(no_log).
  returned: always
  type: list
  elements: dict
failed_jobs:
  description: The labels of the jobs that failed or timed out.
  returned: always
  type: list
  elements: str
"""
