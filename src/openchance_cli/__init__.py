"""The ``openchance`` command line: operators' and scripts' way into the core."""
