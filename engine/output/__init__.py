"""Finishing rendered objects (labels, namespace, key order) and writing them out."""
