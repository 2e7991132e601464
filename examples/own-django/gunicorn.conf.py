# mysite's gunicorn settings.
bind = "0.0.0.0:8000"
workers = 2
worker_class = "gthread"
threads = 4
timeout = 8
graceful_timeout = 5
keepalive = 5
# nginx is the only peer; mysite applies its X-Real-IP itself (mysite/middleware.py), so
# gunicorn trusts no forwarded header from anyone (its default).
forwarded_allow_ips = "127.0.0.1"
limit_request_field_size = 8192
accesslog = "-"
errorlog = "-"
control_socket = "/tmp/gunicorn.ctl"
