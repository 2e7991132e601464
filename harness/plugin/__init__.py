"""The pytest plugin: options, fixtures, lanes, worker counts and the scenario index."""
