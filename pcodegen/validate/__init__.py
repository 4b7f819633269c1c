"""pcodegen.validate."""
