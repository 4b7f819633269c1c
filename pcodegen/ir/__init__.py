"""pcodegen.ir."""
