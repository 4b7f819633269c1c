"""pcodegen.parallel."""
