"""Ports for every outside system, each with an embedded default and a real engine at scale."""
