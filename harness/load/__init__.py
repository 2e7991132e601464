"""Load comparisons between stacks: the same bounded locust load on each, one stack at a time."""
