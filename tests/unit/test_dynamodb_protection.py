"""dynamodb_table_protection: the desired state, and DynamoDBProtection's reads and writes against fake clients."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ansible_collections.shipyard.aws.plugins.module_utils import dynamodb as dynamodb_utils
from ansible_collections.shipyard.aws.plugins.module_utils.dynamodb import DynamoDBProtection, _sse_specification
from ansible_collections.shipyard.aws.plugins.modules.dynamodb_table_protection import desired_state

TABLE_ARN = "arn:aws:dynamodb:ap-northeast-1:123456789012:table/locks"
MANAGED_KEY = "arn:aws:kms:ap-northeast-1:123456789012:key/aaaaaaaa-0000-0000-0000-000000000001"
CUSTOMER_KEY = "arn:aws:kms:ap-northeast-1:123456789012:key/cccccccc-0000-0000-0000-000000000002"


def _error(code, operation):
    return ClientError({"Error": {"Code": code, "Message": f"{code} (fake)"}}, operation)


class FakeDynamoDB:
    def __init__(self, table=None, pitr_status="DISABLED", statuses=("ACTIVE",)):
        self.table = table
        self.pitr_status = pitr_status
        self.statuses = list(statuses)
        self.calls = []

    def describe_table(self, aws_retry, TableName):
        assert aws_retry is True
        self.calls.append(("describe_table", TableName))
        if self.table is None:
            raise _error("ResourceNotFoundException", "DescribeTable")
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return {"Table": dict(self.table, TableStatus=status)}

    def describe_continuous_backups(self, aws_retry, TableName):
        assert aws_retry is True
        self.calls.append(("describe_continuous_backups", TableName))
        description = {"ContinuousBackupsStatus": "ENABLED"}
        if self.pitr_status is not None:
            description["PointInTimeRecoveryDescription"] = {"PointInTimeRecoveryStatus": self.pitr_status}
        return {"ContinuousBackupsDescription": description}

    def update_table(self, aws_retry, **kwargs):
        assert aws_retry is True
        self.calls.append(("update_table", kwargs))

    def update_continuous_backups(self, aws_retry, **kwargs):
        assert aws_retry is True
        self.calls.append(("update_continuous_backups", kwargs))

    def writes(self):
        return [call for call in self.calls if call[0].startswith("update_")]


class FakeKMS:
    def __init__(self, keys=None):
        self.keys = {"alias/aws/dynamodb": MANAGED_KEY, "alias/orders": CUSTOMER_KEY} if keys is None else keys
        self.calls = []

    def describe_key(self, aws_retry, KeyId):
        assert aws_retry is True
        self.calls.append(KeyId)
        if KeyId not in self.keys:
            raise _error("NotFoundException", "DescribeKey")
        return {"KeyMetadata": {"Arn": self.keys[KeyId], "KeyId": KeyId}}


def _table(sse=None, deletion_protection=None):
    table = {"TableName": "locks", "TableArn": TABLE_ARN}
    if sse is not None:
        table["SSEDescription"] = sse
    if deletion_protection is not None:
        table["DeletionProtectionEnabled"] = deletion_protection
    return table


def _state(encryption="aws_owned", kms_key_arn="", pitr=False, deletion_protection=False):
    return dict(
        name="locks",
        arn=TABLE_ARN,
        encryption=encryption,
        kms_key_arn=kms_key_arn,
        point_in_time_recovery=pitr,
        deletion_protection=deletion_protection,
    )


def _params(encryption=None, pitr=None, deletion_protection=None):
    return dict(
        name="locks",
        encryption=encryption,
        kms_key_id=None,
        point_in_time_recovery=pitr,
        deletion_protection=deletion_protection,
        wait=True,
        wait_timeout=600,
    )


# --- desired_state ------------------------------------------------------------------------------------------


def test_options_left_unset_keep_the_current_settings():
    current = _state("customer_managed", CUSTOMER_KEY, pitr=True, deletion_protection=True)
    desired = desired_state(_params(), current, key_arn="")
    assert desired == current
    assert desired is not current


def test_false_is_a_setting_not_an_unset_option():
    current = _state(pitr=True, deletion_protection=True)
    desired = desired_state(_params(pitr=False, deletion_protection=False), current, key_arn="")
    assert (desired["point_in_time_recovery"], desired["deletion_protection"]) == (False, False)


def test_encryption_replaces_encryption_and_key_arn_and_keeps_the_rest():
    current = _state("aws_owned", "", pitr=True, deletion_protection=False)
    desired = desired_state(_params(encryption="customer_managed"), current, key_arn=CUSTOMER_KEY)
    assert desired == _state("customer_managed", CUSTOMER_KEY, pitr=True, deletion_protection=False)
    assert current["encryption"] == "aws_owned"


def test_back_to_aws_owned_clears_the_key_arn():
    current = _state("customer_managed", CUSTOMER_KEY)
    assert desired_state(_params(encryption="aws_owned"), current, key_arn="")["kms_key_arn"] == ""


# --- _sse_specification -------------------------------------------------------------------------------------


def test_sse_specification_for_aws_owned_disables_kms_encryption():
    assert _sse_specification(_state("aws_owned")) == {"Enabled": False}


def test_sse_specification_for_aws_managed_names_no_key():
    assert _sse_specification(_state("aws_managed", MANAGED_KEY)) == {"Enabled": True, "SSEType": "KMS"}


def test_sse_specification_for_customer_managed_names_the_key():
    assert _sse_specification(_state("customer_managed", CUSTOMER_KEY)) == {
        "Enabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": CUSTOMER_KEY,
    }


# --- describe -----------------------------------------------------------------------------------------------


def test_describe_missing_table_is_none():
    assert DynamoDBProtection(FakeDynamoDB(table=None), FakeKMS()).describe("locks") is None


def test_describe_other_errors_propagate():
    class Denied(FakeDynamoDB):
        def describe_table(self, aws_retry, TableName):
            raise _error("AccessDeniedException", "DescribeTable")

    with pytest.raises(ClientError):
        DynamoDBProtection(Denied(_table()), FakeKMS()).describe("locks")


def test_describe_without_sse_description_is_aws_owned_and_asks_kms_nothing():
    kms = FakeKMS()
    assert DynamoDBProtection(FakeDynamoDB(_table()), kms).describe("locks") == _state("aws_owned", "")
    assert kms.calls == []


def test_describe_with_the_aws_dynamodb_key_is_aws_managed():
    table = _table(sse={"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": MANAGED_KEY})
    kms = FakeKMS()
    assert DynamoDBProtection(FakeDynamoDB(table), kms).describe("locks") == _state("aws_managed", MANAGED_KEY)
    assert kms.calls == ["alias/aws/dynamodb"]


def test_describe_with_another_key_is_customer_managed():
    table = _table(sse={"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": CUSTOMER_KEY})
    assert DynamoDBProtection(FakeDynamoDB(table), FakeKMS()).describe("locks") == _state(
        "customer_managed", CUSTOMER_KEY
    )


def test_describe_is_customer_managed_when_the_account_has_no_aws_dynamodb_key_yet():
    table = _table(sse={"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": CUSTOMER_KEY})
    kms = FakeKMS(keys={})
    assert DynamoDBProtection(FakeDynamoDB(table), kms).describe("locks")["encryption"] == "customer_managed"


@pytest.mark.parametrize("status", ["ENABLING", "UPDATING"])
def test_describe_counts_a_key_being_applied_as_in_use(status):
    table = _table(sse={"Status": status, "SSEType": "KMS", "KMSMasterKeyArn": CUSTOMER_KEY})
    assert DynamoDBProtection(FakeDynamoDB(table), FakeKMS()).describe("locks")["encryption"] == "customer_managed"


@pytest.mark.parametrize("status", ["DISABLED", "DISABLING"])
def test_describe_ignores_a_key_that_is_being_or_has_been_removed(status):
    table = _table(sse={"Status": status, "SSEType": "KMS", "KMSMasterKeyArn": CUSTOMER_KEY})
    described = DynamoDBProtection(FakeDynamoDB(table), FakeKMS()).describe("locks")
    assert (described["encryption"], described["kms_key_arn"]) == ("aws_owned", "")


@pytest.mark.parametrize(("status", "expected"), [("ENABLED", True), ("DISABLED", False), (None, False)])
def test_describe_maps_point_in_time_recovery(status, expected):
    dynamodb = FakeDynamoDB(_table(), pitr_status=status)
    assert DynamoDBProtection(dynamodb, FakeKMS()).describe("locks")["point_in_time_recovery"] is expected


@pytest.mark.parametrize(("flag", "expected"), [(True, True), (False, False), (None, False)])
def test_describe_maps_deletion_protection(flag, expected):
    dynamodb = FakeDynamoDB(_table(deletion_protection=flag))
    assert DynamoDBProtection(dynamodb, FakeKMS()).describe("locks")["deletion_protection"] is expected


def test_aws_managed_key_arn_is_looked_up_once():
    table = _table(sse={"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": MANAGED_KEY})
    kms = FakeKMS()
    tables = DynamoDBProtection(FakeDynamoDB(table), kms)
    tables.describe("locks")
    tables.describe("locks")
    assert tables.key_arn_for("aws_managed", None) == MANAGED_KEY
    assert kms.calls == ["alias/aws/dynamodb"]


# --- key_arn_for --------------------------------------------------------------------------------------------


def test_key_arn_for_each_encryption():
    tables = DynamoDBProtection(FakeDynamoDB(_table()), FakeKMS())
    assert tables.key_arn_for("customer_managed", "alias/orders") == CUSTOMER_KEY
    assert tables.key_arn_for("aws_managed", None) == MANAGED_KEY
    assert tables.key_arn_for("aws_owned", None) == ""
    assert tables.key_arn_for(None, None) == ""


def test_key_arn_for_aws_managed_is_empty_before_dynamodb_creates_the_key():
    assert DynamoDBProtection(FakeDynamoDB(_table()), FakeKMS(keys={})).key_arn_for("aws_managed", None) == ""


def test_key_arn_for_an_unknown_customer_key_raises_not_found():
    with pytest.raises(ClientError) as info:
        DynamoDBProtection(FakeDynamoDB(_table()), FakeKMS()).key_arn_for("customer_managed", "alias/missing")
    assert info.value.response["Error"]["Code"] == "NotFoundException"


# --- apply --------------------------------------------------------------------------------------------------


@pytest.fixture
def no_sleep(monkeypatch):
    sleeps = []
    monkeypatch.setattr(dynamodb_utils.time, "sleep", sleeps.append)
    return sleeps


def test_apply_makes_no_call_when_nothing_differs(no_sleep):
    dynamodb = FakeDynamoDB(_table())
    state = _state("customer_managed", CUSTOMER_KEY, pitr=True, deletion_protection=True)
    DynamoDBProtection(dynamodb, FakeKMS()).apply("locks", state, dict(state))
    assert dynamodb.calls == []


def test_apply_only_deletion_protection():
    dynamodb = FakeDynamoDB(_table())
    DynamoDBProtection(dynamodb, FakeKMS()).apply("locks", _state(), _state(deletion_protection=True))
    assert dynamodb.calls == [("update_table", {"TableName": "locks", "DeletionProtectionEnabled": True})]


def test_apply_only_point_in_time_recovery():
    dynamodb = FakeDynamoDB(_table())
    DynamoDBProtection(dynamodb, FakeKMS()).apply("locks", _state(pitr=True), _state(pitr=False))
    assert dynamodb.calls == [
        (
            "update_continuous_backups",
            {"TableName": "locks", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": False}},
        )
    ]


def test_apply_encryption_then_waits_until_active(no_sleep):
    dynamodb = FakeDynamoDB(_table(), statuses=("UPDATING", "UPDATING", "ACTIVE"))
    DynamoDBProtection(dynamodb, FakeKMS()).apply("locks", _state(), _state("customer_managed", CUSTOMER_KEY))
    assert dynamodb.calls[0] == (
        "update_table",
        {"TableName": "locks", "SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": CUSTOMER_KEY}},
    )
    assert dynamodb.calls[1:] == [("describe_table", "locks")] * 3
    assert no_sleep == [5, 5]


def test_apply_encryption_without_wait_does_not_poll(no_sleep):
    dynamodb = FakeDynamoDB(_table(), statuses=("UPDATING",))
    DynamoDBProtection(dynamodb, FakeKMS()).apply(
        "locks", _state("aws_managed", MANAGED_KEY), _state(), wait=False
    )
    assert dynamodb.calls == [("update_table", {"TableName": "locks", "SSESpecification": {"Enabled": False}})]


def test_apply_a_different_customer_key_is_an_encryption_change():
    dynamodb = FakeDynamoDB(_table())
    other = CUSTOMER_KEY.replace("cccccccc", "dddddddd")
    DynamoDBProtection(dynamodb, FakeKMS()).apply(
        "locks", _state("customer_managed", CUSTOMER_KEY), _state("customer_managed", other), wait=False
    )
    spec = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": other}
    assert dynamodb.writes() == [("update_table", {"TableName": "locks", "SSESpecification": spec})]


def test_apply_everything_changes_encryption_first(no_sleep):
    dynamodb = FakeDynamoDB(_table())
    DynamoDBProtection(dynamodb, FakeKMS()).apply(
        "locks", _state(), _state("aws_managed", MANAGED_KEY, pitr=True, deletion_protection=True)
    )
    assert dynamodb.writes() == [
        ("update_table", {"TableName": "locks", "SSESpecification": {"Enabled": True, "SSEType": "KMS"}}),
        ("update_table", {"TableName": "locks", "DeletionProtectionEnabled": True}),
        (
            "update_continuous_backups",
            {"TableName": "locks", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}},
        ),
    ]


def test_wait_active_times_out_with_the_table_status(no_sleep):
    dynamodb = FakeDynamoDB(_table(), statuses=("UPDATING",))
    with pytest.raises(TimeoutError, match="locks still UPDATING after -1 seconds"):
        DynamoDBProtection(dynamodb, FakeKMS()).wait_active("locks", timeout=-1)
