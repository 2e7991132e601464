"""One module a proxy: each fills one `ProxyKit` (harness/parts/kit.py)."""
