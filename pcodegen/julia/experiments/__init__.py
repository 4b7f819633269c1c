"""Julia's three failed approaches to parallel codegen, as experiments that run in a
child process and print a verdict (`pcodegen experiment NAME`)."""

EXPERIMENTS = ("approach1", "approach2", "approach3")
