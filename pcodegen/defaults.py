"""Defaults and limits that the library uses and the command line shows, in one module
that is cheap to import (click reads them for its help text at start-up)."""

DEFAULT_STRATEGY = "pcodegen"
# The default partition count (`--parts auto`): one partition per this much predicted (or
# measured) O2 work, from 2 to AUTO_MAX_PARTS; with `--cost size`, per this many size units
# (SQLite: 32 partitions either way, each about 0.5 s of work).
AUTO_PARTITION_SECONDS = 0.5
AUTO_PARTITION_COST = 14_000
AUTO_MAX_PARTS = 64
# What a unit costs (`pcodegen.cost`, default the calibrated model): "size" (1 + instructions + blocks), "model"
# (predicted seconds, calibrated) or "profile:FILE" (measured seconds).
DEFAULT_COST = "model"
# How the system C compiler driver links the objects.
LINK_KINDS = ("shared", "exe")


def auto_parts_rule() -> str:
    """`--parts auto` in words, from the constants above."""
    return (f"one per {AUTO_PARTITION_COST:,} size units, or per {AUTO_PARTITION_SECONDS:g} s of predicted "
            "compile time with --cost model|profile:FILE")
