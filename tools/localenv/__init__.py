"""The embedded local environment: the AWS emulator, a local PostgreSQL and Terraform's CLI configuration.

One implementation, used by the Makefile (``python -m localenv ...``) and by the pytest fixtures in
tests/integration, so what a developer starts with ``make local-up`` is exactly what the tests start.
"""
