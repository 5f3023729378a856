"""The configuration reference generated from the roles' argument specs and the inventories (make docs): docs/configuration.md."""
