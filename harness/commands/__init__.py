"""The `harness` commands, their exit codes and progress output."""
