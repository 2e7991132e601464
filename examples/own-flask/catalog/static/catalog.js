// catalog's script, served by HAProxy itself (haproxy.cfg: http-request return).
document.documentElement.dataset.app = "catalog";
