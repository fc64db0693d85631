"""The gateway to the `helm` binary: `helm template` of a local chart, offline."""
