"""One module a server: each fills one `ServerKit` (harness/parts/kit.py)."""
