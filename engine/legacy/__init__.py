"""Legacy OAM: v1alpha2 files and kube-schematic definitions (entry points in pipeline)."""
