// chatsite's script, collected by `manage.py collectstatic` and served by nginx.
document.documentElement.dataset.site = "chatsite";
