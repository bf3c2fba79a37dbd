"""Test data factories, one module per domain: plain typed async functions."""
