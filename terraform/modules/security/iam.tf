# Two roles that the ECS tasks of this environment assume (the compute component puts their ARNs into the
# task definitions):
#   task execution role - used by the ECS agent: pull images, write logs (AWS's managed policy), and fetch
#                         the secrets the task definition injects: SSM parameters under parameter_path and
#                         the Secrets Manager secrets in secret_arns.
#   task role           - used by the application: ECS Exec's SSM channels, and read access to the
#                         parameters under parameter_path, nothing else.

locals {
  # "/svc/env/" -> arn:...:parameter/svc/env/* (every parameter below the path) and .../svc/env (the path itself,
  # for GetParametersByPath).
  parameter_path_arn = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${trimsuffix(var.parameter_path, "/")}"
  parameter_arns     = ["${local.parameter_path_arn}/*"]

  # Decrypting is only ever allowed through the service that owns the encrypted value, for these values only.
  kms_key_arns = length(var.kms_key_arns) > 0 ? var.kms_key_arns : ["arn:${local.partition}:kms:${local.region}:${local.account_id}:key/*"]
}

# The execution role is assumed by the ECS and Fargate agents, with the plain trust policy AWS documents for
# it; the task role carries the confused-deputy conditions AWS documents for task roles (only ECS acting for
# this account, in this region).
data "aws_iam_policy_document" "task_execution_assume" {
  statement {
    sid     = "EcsTasks"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "task_assume" {
  statement {
    sid     = "EcsTasksOfThisAccount"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

# --- Task execution role -----------------------------------------------------------------------------------

resource "aws_iam_role" "task_execution" {
  name               = "${var.prefix}-ecs-task-execution"
  description        = "ECS task execution role of ${var.prefix}: pull images, write logs, inject its parameters and secrets"
  assume_role_policy = data.aws_iam_policy_document.task_execution_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "task_execution_managed" {
  role       = aws_iam_role.task_execution.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "task_execution" {
  statement {
    sid       = "ReadEnvironmentParameters"
    actions   = ["ssm:GetParameters", "ssm:GetParameter"]
    resources = local.parameter_arns
  }

  statement {
    sid       = "DecryptEnvironmentParameters"
    actions   = ["kms:Decrypt"]
    resources = local.kms_key_arns

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:PARAMETER_ARN"
      values   = local.parameter_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.secret_arns) > 0 ? [1] : []

    content {
      sid       = "ReadInjectedSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = var.secret_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.secret_arns) > 0 ? [1] : []

    content {
      sid       = "DecryptInjectedSecrets"
      actions   = ["kms:Decrypt"]
      resources = local.kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "kms:EncryptionContext:SecretARN"
        values   = var.secret_arns
      }
    }
  }
}

resource "aws_iam_role_policy" "task_execution" {
  name   = "inject-parameters-and-secrets"
  role   = aws_iam_role.task_execution.id
  policy = data.aws_iam_policy_document.task_execution.json
}

# --- Task role ---------------------------------------------------------------------------------------------

resource "aws_iam_role" "task" {
  name               = "${var.prefix}-ecs-task"
  description        = "ECS task role of ${var.prefix}: ECS Exec channels and read access to its own parameters"
  assume_role_policy = data.aws_iam_policy_document.task_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "task" {
  statement {
    sid = "EcsExecChannels"
    actions = [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]
    # These actions have no resource types: IAM accepts only "*" for them.
    resources = ["*"]
  }

  statement {
    sid       = "ReadEnvironmentParameters"
    actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
    resources = concat([local.parameter_path_arn], local.parameter_arns)
  }

  statement {
    sid       = "DecryptEnvironmentParameters"
    actions   = ["kms:Decrypt"]
    resources = local.kms_key_arns

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:PARAMETER_ARN"
      values   = local.parameter_arns
    }
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "ecs-exec-and-parameters"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}
