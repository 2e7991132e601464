// inventory's script, copied into the image's /srv/static and served by nginx.
document.documentElement.dataset.service = "inventory";
