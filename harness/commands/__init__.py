"""The `harness` commands: the top floor, imported by no other part of harness."""
