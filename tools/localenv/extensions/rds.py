"""RDS: DbiResourceId, Performance Insights, parameter sources and ScalingConfigurationInfo (see the package
docstring, localenv/extensions/__init__.py)."""

from __future__ import annotations


# --- RDS ---------------------------------------------------------------------------------------------------


def patch_rds() -> None:
    """Four RDS gaps in moto 5 that break Terraform's aws_db_instance, aws_rds_cluster and the parameter groups:

    * Every DB instance gets the same DbiResourceId (a constant, "db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U"). The AWS
      provider keys aws_db_instance on that resource id and reads it back with the ``dbi-resource-id``
      filter; as soon as a second instance exists (another component, an Aurora instance, a test's leftover)
      the filter matches several, the provider treats "too many results" as not found and the apply fails
      with "reading RDS DB Instance (...): couldn't find resource". AWS gives each instance its own
      ``db-<26 characters>`` id; so does the emulator now.
    * CreateDBInstance ignores EnablePerformanceInsights (and its key and retention), so the instance always
      read back with Performance Insights off and every plan wanted to turn it on. Kept as AWS does.
    * DescribeDBParameters / DescribeDBClusterParameters return the parameters a group was modified with but
      without their ``Source``; the provider keeps only parameters whose Source is "user" (or that are in the
      configuration and have a Source), so every parameter looked unset after each apply. Parameters set
      through Modify*ParameterGroup are the user's in AWS: Source "user".
    * DescribeDBClusters always carries a ScalingConfigurationInfo (empty for a provisioned or Serverless v2
      cluster); AWS sends it only for Serverless v1 (engine mode "serverless"). The provider read the empty
      one as a scaling_configuration block and, on the next run, sent ModifyDBCluster with the v1 defaults.
    """
    _patch_rds_instances()
    _patch_rds_parameter_sources()
    _patch_rds_cluster_scaling_configuration_info()


def _patch_rds_instances() -> None:
    import random
    import string

    from moto.rds.models import DBInstance

    if getattr(DBInstance, "shipyard_patched", False):
        return
    original_init = DBInstance.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.dbi_resource_id = "db-" + "".join(random.choices(string.ascii_uppercase + string.digits, k=26))
        enabled = bool(kwargs.get("enable_performance_insights", False))
        # ModifyDBInstance stores EnablePerformanceInsights under this name too (DBInstance.update).
        self.enable_performance_insights = enabled
        self.performance_insights_kms_key_id = kwargs.get("performance_insights_kms_key_id") if enabled else None
        self.performance_insights_retention_period = (
            kwargs.get("performance_insights_retention_period") or 7 if enabled else None
        )

    def performance_insights_enabled(self):
        return bool(getattr(self, "enable_performance_insights", False))

    DBInstance.__init__ = __init__
    DBInstance.performance_insights_enabled = property(performance_insights_enabled)
    DBInstance.shipyard_patched = True


def _patch_rds_parameter_sources() -> None:
    from moto.rds.models import DBClusterParameterGroup, DBParameterGroup

    if getattr(DBParameterGroup, "shipyard_patched", False):
        return

    def user_source(update):
        def patched(self, new_parameters):
            new_parameters = list(new_parameters)
            update(self, new_parameters)
            for parameter in new_parameters:
                self.parameters[parameter["ParameterName"]]["Source"] = "user"

        return patched

    DBParameterGroup.update_parameters = user_source(DBParameterGroup.update_parameters)
    DBClusterParameterGroup.update_cluster_parameters = user_source(DBClusterParameterGroup.update_cluster_parameters)
    DBParameterGroup.shipyard_patched = True


def _patch_rds_cluster_scaling_configuration_info() -> None:
    from moto.rds.models import DBCluster

    if getattr(DBCluster, "shipyard_patched", False):
        return
    original = DBCluster.scaling_configuration_info

    def scaling_configuration_info(self):
        return original.fget(self) if self.scaling_configuration else None

    DBCluster.scaling_configuration_info = property(scaling_configuration_info)
    DBCluster.shipyard_patched = True
