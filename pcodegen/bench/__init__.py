"""pcodegen.bench."""
