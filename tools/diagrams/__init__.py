"""Architecture pictures generated from the inventories (make diagrams): docs/architecture.md and the README."""
