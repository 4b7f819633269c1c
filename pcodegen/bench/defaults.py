"""The bench's defaults, cheap to import (the command line's help text shows them)."""

from pcodegen.defaults import LINK_KINDS

# Worker counts the scaling prediction covers unless told otherwise.
DEFAULT_WORKER_COUNTS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
# A bench build may also leave its objects unlinked.
LINK_CHOICES = (*LINK_KINDS, "none")
