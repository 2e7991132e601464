"""Readers of users' own configs: the values a proxy's or a server's file decides, as it
applies them. A kit names its reader (`read_config`); harness/spec/reading.py combines them."""
