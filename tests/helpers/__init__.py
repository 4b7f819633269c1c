"""Helpers shared by the tests and the long-running benchmarks."""
