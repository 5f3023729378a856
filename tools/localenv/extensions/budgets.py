"""AWS Budgets: subscribers, UpdateBudget, UpdateNotification and tags (see the package docstring,
localenv/extensions/__init__.py)."""

from __future__ import annotations

import json


# --- AWS Budgets: subscribers, updates and tags ------------------------------------------------------------


def patch_budgets_subscribers_updates_and_tags() -> None:
    """The Terraform resource aws_budgets_budget reads each notification's subscribers
    (DescribeSubscribersForNotification) and the budget's tags (ListTagsForResource), and changes a budget with
    UpdateBudget, UpdateNotification, Create/Update/DeleteSubscriber and Tag/UntagResource. moto 5 implements none
    of them (it keeps the subscribers given with a notification but cannot return them), so the provider retried
    the missing operation until it timed out. Serve them from moto's own budget model; tags are kept beside it."""
    import time

    from moto.budgets.exceptions import NotFoundException
    from moto.budgets.responses import BudgetsResponse

    if getattr(BudgetsResponse, "shipyard_patched", False):
        return

    def identity(notification: dict) -> tuple:
        return (
            notification.get("NotificationType"),
            notification.get("ComparisonOperator"),
            float(notification.get("Threshold", 0)),
            notification.get("ThresholdType", "PERCENTAGE"),
        )

    def budget(response):
        account_id, name = response._get_param("AccountId"), response._get_param("BudgetName")
        found = response.backend.budgets[account_id].get(name)
        if found is None:
            raise NotFoundException(f"Unable to get budget: {name} - the budget doesn't exist.")
        return found

    def notification(response, key="Notification"):
        wanted = identity(response._get_param(key))
        for candidate in budget(response).notifications:
            if identity(candidate.details) == wanted:
                return candidate
        raise NotFoundException("Unable to find the notification - the notification doesn't exist.")

    def tags(response) -> dict:
        if not hasattr(response.backend, "shipyard_tags"):
            response.backend.shipyard_tags = {}
        return response.backend.shipyard_tags

    def arn(response, name: str) -> str:
        return f"arn:{response.partition}:budgets::{response._get_param('AccountId')}:budget/{name}"

    original_create, original_delete = BudgetsResponse.create_budget, BudgetsResponse.delete_budget

    def create_budget(self):
        result = original_create(self)
        resource_tags = self._get_param("ResourceTags") or []
        tags(self)[arn(self, self._get_param("Budget")["BudgetName"])] = {t["Key"]: t["Value"] for t in resource_tags}
        return result

    def delete_budget(self):
        result = original_delete(self)
        tags(self).pop(arn(self, self._get_param("BudgetName")), None)
        return result

    def update_budget(self):
        new = dict(self._get_param("NewBudget"))
        account_id = self._get_param("AccountId")
        current = self.backend.budgets[account_id].get(new["BudgetName"])
        if current is None:
            raise NotFoundException(f"Unable to update budget: {new['BudgetName']} - the budget doesn't exist.")
        new.setdefault("TimePeriod", current.budget.get("TimePeriod"))
        current.budget = new
        current.budget["LastUpdatedTime"] = time.time()
        return json.dumps({})

    def describe_subscribers_for_notification(self):
        return json.dumps({"Subscribers": list(notification(self).subscribers)})

    def update_notification(self):
        notification(self, "OldNotification").details = self._get_param("NewNotification")
        return json.dumps({})

    def create_subscriber(self):
        notification(self).subscribers.append(self._get_param("Subscriber"))
        return json.dumps({})

    def delete_subscriber(self):
        target = notification(self)
        target.subscribers = [s for s in target.subscribers if s != self._get_param("Subscriber")]
        return json.dumps({})

    def update_subscriber(self):
        target = notification(self)
        old, new = self._get_param("OldSubscriber"), self._get_param("NewSubscriber")
        target.subscribers = [new if s == old else s for s in target.subscribers]
        return json.dumps({})

    def list_tags_for_resource(self):
        current = tags(self).get(self._get_param("ResourceARN"), {})
        return json.dumps({"ResourceTags": [{"Key": k, "Value": v} for k, v in current.items()]})

    def tag_resource(self):
        current = tags(self).setdefault(self._get_param("ResourceARN"), {})
        current.update({t["Key"]: t["Value"] for t in self._get_param("ResourceTags") or []})
        return json.dumps({})

    def untag_resource(self):
        current = tags(self).setdefault(self._get_param("ResourceARN"), {})
        for key in self._get_param("ResourceTagKeys") or []:
            current.pop(key, None)
        return json.dumps({})

    for function in (
        create_budget,
        delete_budget,
        update_budget,
        describe_subscribers_for_notification,
        update_notification,
        create_subscriber,
        delete_subscriber,
        update_subscriber,
        list_tags_for_resource,
        tag_resource,
        untag_resource,
    ):
        setattr(BudgetsResponse, function.__name__, function)
    BudgetsResponse.shipyard_patched = True
