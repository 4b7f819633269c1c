"""pcodegen: prototype parallel LLVM code generation.

The package has one module per pipeline stage:
load -> graph -> partition -> split -> execute -> combine -> validate -> report.
"""

__version__ = "0.1.0"
