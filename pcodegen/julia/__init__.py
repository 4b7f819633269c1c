"""pcodegen.julia."""
