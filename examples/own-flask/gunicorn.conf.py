# catalog's gunicorn settings.
bind = "0.0.0.0:8000"
workers = 2
worker_class = "gthread"
threads = 4
timeout = 8
graceful_timeout = 5
# As long as HAProxy's `timeout http-keep-alive`; HAProxy closes its side after each response
# (option http-server-close), so it never reuses a connection gunicorn is closing.
keepalive = 5
# HAProxy is the only peer; werkzeug's ProxyFix applies its X-Forwarded-* (catalog/__init__.py),
# so gunicorn trusts no forwarded header from anyone.
forwarded_allow_ips = "127.0.0.1"
# gunicorn's default, written out: a header line of 8190 bytes, its CRLF included.
limit_request_field_size = 8190
accesslog = "-"
errorlog = "-"
# gunicorn's control socket would go into /srv/catalog, which the app user cannot write.
control_socket = "/tmp/gunicorn.ctl"
