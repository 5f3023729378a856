"""EC2: the descriptions of security group rules that reference a group or prefix list (see the package
docstring, localenv/extensions/__init__.py)."""

from __future__ import annotations


# --- EC2 security group rules ------------------------------------------------------------------------------


def patch_security_group_rule_descriptions() -> None:
    """DescribeSecurityGroupRules returns each rule's Description in AWS. moto 5 only returns it for CIDR
    rules: for a rule that references another security group (or a prefix list) it reads the description
    from the CIDR part, which such a rule does not have, so the Terraform resources
    aws_vpc_security_group_ingress_rule/egress_rule saw a missing description after every apply and
    planned to set it again forever. Read it from where moto keeps it for those rules."""
    import inspect

    from moto.ec2.models.security_groups import SecurityGroupRule

    if getattr(SecurityGroupRule, "shipyard_patched", False):
        return
    original_init = SecurityGroupRule.__init__
    signature = inspect.signature(original_init)

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        prefix_list = signature.bind(self, *args, **kwargs).arguments.get("prefix_list_id")
        self.shipyard_prefix_list_description = (prefix_list or {}).get("Description")

    def description(self):
        return (
            self.ip_range.get("Description")
            or (self.source_group or {}).get("Description")
            or getattr(self, "shipyard_prefix_list_description", None)
        )

    SecurityGroupRule.__init__ = __init__
    SecurityGroupRule.description = property(description)
    SecurityGroupRule.shipyard_patched = True
