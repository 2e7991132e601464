"""Broken variants of the proxy's cache and compression: a cache that ignores what the app
said (Cache-Control, Set-Cookie, Vary), shares answers to credentials, keys answers without
the host or query, or keeps POSTs; compression off, without Vary, on small answers or on
files compressed already. Each caching case fails on a variant of each proxy's config, but one:
no config fails test_post_is_never_cached on Apache or HAProxy, since mod_cache and HAProxy's
cache keep answers to GET (and HEAD) only, whatever they are told; nginx's proxy_cache_methods
can add POST, and its variant is here."""

from __future__ import annotations

from tests.integration.variant_model import Variant, catching

NGINX, APACHE, HAPROXY = (
    "nginx-gunicorn-gthread-flask-cache",
    "apache-gunicorn-gthread-flask-cache",
    "haproxy-gunicorn-gthread-flask-cache",
)
CACHING = "test_caching.py::"
SHARED = CACHING + "test_answer_is_never_served_to_another_client"
SHARED_MESSAGE = r"by another client got the first client's answer"
COMPRESSION = "test_compression.py::"
APACHE_SET_COOKIE_PRIVATE = (
    "    Header merge Cache-Control private \"expr=-n resp('Set-Cookie')\"\n"
)
HAPROXY_CACHE_USE = "    http-request cache-use app unless credentials\n"

FROM_CACHE_MISSED = catching(
    r"not served from the cache", CACHING + "test_cacheable_answer_is_served_from_cache"
)
HOST_LEFT_OUT = catching(
    r"the cache key leaves out the host", CACHING + "test_cache_key_includes_the_host"
)
QUERY_LEFT_OUT = catching(
    r"the cache key leaves out the query", CACHING + "test_cache_key_includes_the_query"
)
VARY_IGNORED = catching(r"the cache ignored Vary", CACHING + "test_vary_keeps_variants_apart")
MAX_AGE_PASSED = catching(r"past its max-age of 1 s", CACHING + "test_max_age_is_honoured")
ASKED_AGAIN = CACHING + "test_answer_without_shared_freshness_is_asked_of_the_app_again"
REUSED_UNASKED = r"the cache reused it without asking the app"
# The /revalidate kinds whose answers say something about caching, and all of them.
SAID_KINDS = ("no-cache", "max-age-0", "s-maxage-0", "expired")
NOTHING_SAID = catching(REUSED_UNASKED, f"{ASKED_AGAIN}[none]")
EVERY_KIND = catching(REUSED_UNASKED, *(f"{ASKED_AGAIN}[{k}]" for k in ("none", *SAID_KINDS)))

CACHE: tuple[Variant, ...] = (
    Variant(
        name="nginx-cache-off",
        base=NGINX,
        misconfiguration="no proxy_cache in the location: nothing is cached",
        edit=("            proxy_cache app_cache;\n", ""),
        catches=FROM_CACHE_MISSED,
    ),
    Variant(
        name="nginx-cache-ignores-the-app",
        base=NGINX,
        misconfiguration="proxy_ignore_headers Cache-Control Expires Set-Cookie Vary with "
        "proxy_cache_valid 200 1m: every 200 kept a minute, whatever the app said",
        evidence="https://github.com/engintron/engintron/issues/133",
        edit=(
            "            proxy_cache_methods GET HEAD;\n",
            "            proxy_cache_methods GET HEAD;\n"
            "            proxy_ignore_headers Cache-Control Expires Set-Cookie Vary;\n"
            "            proxy_cache_valid 200 1m;\n",
        ),
        catches=(
            *catching(
                SHARED_MESSAGE, f"{SHARED}[set-cookie]", f"{SHARED}[private]", f"{SHARED}[no-store]"
            ),
            *MAX_AGE_PASSED,
            *VARY_IGNORED,
            *EVERY_KIND,
        ),
    ),
    Variant(
        name="nginx-cache-valid-keeps-every-page",
        base=NGINX,
        misconfiguration="proxy_cache_valid 200 1m: an answer that says nothing about caching "
        "(an app page) is kept a minute and given to everyone",
        evidence="https://github.com/rvolz/BicBucStriim/issues/81",
        edit=(
            "            proxy_cache_methods GET HEAD;\n",
            "            proxy_cache_methods GET HEAD;\n            proxy_cache_valid 200 1m;\n",
        ),
        catches=NOTHING_SAID,
    ),
    Variant(
        name="nginx-cache-valid-any",
        base=NGINX,
        misconfiguration="proxy_cache_valid any 1m (to cache errors too): every answer that "
        "says nothing about caching is kept and shared",
        evidence="https://github.com/hestiacp/hestiacp/issues/2035",
        edit=(
            "            proxy_cache_methods GET HEAD;\n",
            "            proxy_cache_methods GET HEAD;\n            proxy_cache_valid any 1m;\n",
        ),
        catches=NOTHING_SAID,
    ),
    Variant(
        name="nginx-cache-key-without-method",
        base=NGINX,
        misconfiguration="proxy_cache_key without $request_method while HEAD goes on as HEAD "
        "(proxy_cache_convert_head off): a HEAD's empty answer is given to GETs",
        evidence="https://nginx.org/en/docs/http/ngx_http_proxy_module.html"
        "#proxy_cache_convert_head",
        edit=(
            "proxy_cache_key $request_method:$scheme://$http_host$request_uri;",
            "proxy_cache_key $scheme://$http_host$request_uri;",
        ),
        catches=catching(
            r"the cache gave the HEAD's empty answer to a GET",
            CACHING + "test_answer_to_head_is_never_given_to_a_get",
        ),
    ),
    Variant(
        name="nginx-cache-shares-credentials",
        base=NGINX,
        misconfiguration="no proxy_cache_bypass / proxy_no_cache on Authorization and session "
        "cookies",
        evidence="https://github.com/nginx/nginx/issues/824",
        edit=(
            "            proxy_cache_bypass $credentials_sent;\n"
            "            proxy_no_cache $credentials_sent;\n",
            "",
        ),
        catches=catching(SHARED_MESSAGE, f"{SHARED}[authorization]", f"{SHARED}[session-cookie]"),
    ),
    Variant(
        name="nginx-cache-key-without-host",
        base=NGINX,
        misconfiguration="proxy_cache_key $scheme$request_uri: one host's answers serve another",
        evidence="https://github.com/usegalaxy-eu/infrastructure-playbook/pull/2016",
        edit=(
            "proxy_cache_key $request_method:$scheme://$http_host$request_uri;",
            "proxy_cache_key $request_method:$scheme$request_uri;",
        ),
        catches=HOST_LEFT_OUT,
    ),
    Variant(
        name="nginx-cache-key-without-query",
        base=NGINX,
        misconfiguration="proxy_cache_key with $uri (no query string)",
        evidence="https://github.com/SCE-Development/Clark/pull/1863",
        edit=(
            "proxy_cache_key $request_method:$scheme://$http_host$request_uri;",
            "proxy_cache_key $request_method:$scheme://$http_host$uri;",
        ),
        catches=QUERY_LEFT_OUT,
    ),
    Variant(
        name="nginx-cache-keeps-post",
        base=NGINX,
        misconfiguration="proxy_cache_methods GET HEAD POST",
        evidence="https://github.com/unbit/uwsgi/issues/1047",
        edit=("proxy_cache_methods GET HEAD;", "proxy_cache_methods GET HEAD POST;"),
        catches=catching(
            r"a POST was answered from the cache", CACHING + "test_post_is_never_cached"
        ),
    ),
    Variant(
        name="apache-cache-stores-private",
        base=APACHE,
        misconfiguration="CacheStorePrivate On: answers marked private are kept",
        edit=("CacheHeader on\n", "CacheHeader on\nCacheStorePrivate On\n"),
        catches=catching(SHARED_MESSAGE, f"{SHARED}[private]"),
    ),
    Variant(
        name="apache-cache-keeps-set-cookie",
        base=APACHE,
        misconfiguration="no `Header merge Cache-Control private` on answers that set a cookie",
        evidence="https://github.com/friendica/friendica/issues/8349",
        edit=(APACHE_SET_COOKIE_PRIVATE, ""),
        catches=catching(SHARED_MESSAGE, f"{SHARED}[set-cookie]"),
    ),
    Variant(
        name="apache-cache-shares-credentials",
        base=APACHE,
        misconfiguration="no SetEnvIf no-cache for session cookies (mod_cache itself keeps no "
        "answer to Authorization)",
        edit=("SetEnvIf Cookie ", "#SetEnvIf Cookie "),
        catches=catching(SHARED_MESSAGE, f"{SHARED}[session-cookie]"),
    ),
    Variant(
        name="apache-cache-ignores-query",
        base=APACHE,
        misconfiguration="CacheIgnoreQueryString On",
        edit=("CacheHeader on\n", "CacheHeader on\nCacheIgnoreQueryString On\n"),
        catches=QUERY_LEFT_OUT,
    ),
    Variant(
        name="apache-cache-off",
        base=APACHE,
        misconfiguration="mod_cache loaded and set up, but no CacheEnable: nothing is cached",
        edit=("    CacheEnable socache /\n", ""),
        catches=FROM_CACHE_MISSED,
    ),
    Variant(
        name="apache-cache-forced-public",
        base=APACHE,
        misconfiguration='Header set Cache-Control "public, max-age=60" on every answer, to '
        "make the cache keep more",
        edit=(
            APACHE_SET_COOKIE_PRIVATE,
            APACHE_SET_COOKIE_PRIVATE + '    Header set Cache-Control "public, max-age=60"\n',
        ),
        catches=(
            *catching(SHARED_MESSAGE, f"{SHARED}[private]", f"{SHARED}[no-store]"),
            *MAX_AGE_PASSED,
            *EVERY_KIND,
        ),
    ),
    Variant(
        name="apache-cache-default-max-age",
        base=APACHE,
        misconfiguration='Header setifempty Cache-Control "public, max-age=60": a default for '
        "answers that carry none, so every app page is shared for a minute",
        edit=(
            APACHE_SET_COOKIE_PRIVATE,
            APACHE_SET_COOKIE_PRIVATE
            + '    Header setifempty Cache-Control "public, max-age=60"\n',
        ),
        catches=NOTHING_SAID,
    ),
    Variant(
        name="apache-cache-drops-vary",
        base=APACHE,
        misconfiguration="Header unset Vary (to keep answers that vary)",
        edit=(APACHE_SET_COOKIE_PRIVATE, APACHE_SET_COOKIE_PRIVATE + "    Header unset Vary\n"),
        catches=VARY_IGNORED,
    ),
    Variant(
        name="apache-cache-key-canonical-host",
        base=APACHE,
        misconfiguration="UseCanonicalName On: mod_cache keys answers by ServerName, not by the "
        "Host the client asked for",
        edit=("ServerName localhost\n", "ServerName localhost\nUseCanonicalName On\n"),
        catches=HOST_LEFT_OUT,
    ),
    Variant(
        name="haproxy-cache-off",
        base=HAPROXY,
        misconfiguration="cache-store without cache-use: answers are kept and never served",
        edit=(HAPROXY_CACHE_USE, ""),
        catches=FROM_CACHE_MISSED,
    ),
    Variant(
        name="haproxy-cache-key-fixed-host",
        base=HAPROXY,
        misconfiguration="Host set to the app's own name before cache-use: the cache keys every "
        "site's answers under one host",
        edit=(
            HAPROXY_CACHE_USE,
            "    http-request set-header Host app.internal\n" + HAPROXY_CACHE_USE,
        ),
        catches=HOST_LEFT_OUT,
    ),
    Variant(
        name="haproxy-cache-key-without-query",
        base=HAPROXY,
        misconfiguration="set-uri %[path] before cache-use (tracking parameters dropped for a "
        "better hit rate): every query shares one answer",
        edit=(HAPROXY_CACHE_USE, "    http-request set-uri %[path]\n" + HAPROXY_CACHE_USE),
        catches=QUERY_LEFT_OUT,
    ),
    Variant(
        name="haproxy-cache-one-session-cookie",
        base=HAPROXY,
        misconfiguration="the credentials ACL names Django's session cookie only, on a Flask app",
        edit=("    acl credentials req.cook_cnt(session) gt 0\n", ""),
        catches=catching(SHARED_MESSAGE, f"{SHARED}[session-cookie]"),
    ),
    Variant(
        name="haproxy-cache-shares-credentials-and-cookies",
        base=HAPROXY,
        misconfiguration="plain cache-use and cache-store: HAProxy 2.6 keeps public answers "
        "that set a cookie or answer Authorization",
        edit=(
            HAPROXY_CACHE_USE
            + "    http-response cache-store app unless { var(txn.credentials) -m bool } || "
            "{ res.hdr(set-cookie) -m found }\n",
            "    http-request cache-use app\n    http-response cache-store app\n",
        ),
        catches=catching(SHARED_MESSAGE, f"{SHARED}[set-cookie]", f"{SHARED}[authorization]"),
    ),
    Variant(
        name="haproxy-cache-forced-public",
        base=HAPROXY,
        misconfiguration="Cache-Control overwritten to public, max-age=60 before cache-store",
        edit=(
            "    http-response cache-store app",
            '    http-response set-header Cache-Control "public, max-age=60"\n'
            "    http-response cache-store app",
        ),
        catches=(
            *catching(SHARED_MESSAGE, f"{SHARED}[private]", f"{SHARED}[no-store]"),
            *MAX_AGE_PASSED,
            *EVERY_KIND,
        ),
    ),
    Variant(
        name="haproxy-cache-default-max-age",
        base=HAPROXY,
        misconfiguration="a default Cache-Control for answers that carry none, set before "
        "cache-store: every app page is shared for a minute",
        edit=(
            "    http-response cache-store app",
            '    http-response set-header Cache-Control "public, max-age=60" '
            "unless { res.hdr(cache-control) -m found }\n"
            "    http-response cache-store app",
        ),
        catches=NOTHING_SAID,
    ),
    Variant(
        name="haproxy-cache-drops-vary",
        base=HAPROXY,
        misconfiguration="Vary deleted before cache-store (to keep answers that vary)",
        edit=(
            "    http-response cache-store app",
            "    http-response del-header Vary\n    http-response cache-store app",
        ),
        catches=VARY_IGNORED,
    ),
    Variant(
        name="nginx-gzip-careless",
        base="nginx-gunicorn-gthread-flask",
        misconfiguration="gzip_vary off, gzip_min_length 20 (nginx's defaults), gzip_types *",
        edit=(
            "    gzip_vary on;\n",
            "    gzip_vary off;\n",
        ),
        catches=catching(
            r"no Vary: Accept-Encoding",
            COMPRESSION + "test_compressible_answer_carries_vary_accept_encoding[gzip]",
            COMPRESSION + "test_compressible_answer_carries_vary_accept_encoding[identity]",
        ),
    ),
    Variant(
        name="nginx-gzip-off",
        base="nginx-gunicorn-gthread-flask",
        misconfiguration="gzip off",
        edit=("    gzip on;\n", "    gzip off;\n"),
        catches=catching(
            r"not compressed", COMPRESSION + "test_text_is_gzipped_when_the_client_accepts_it"
        ),
    ),
    Variant(
        name="nginx-gzip-everything",
        base="nginx-gunicorn-gthread-flask",
        misconfiguration="gzip_min_length 20 (the default) and gzip_types * (every type)",
        edit=("    gzip_min_length 1024;\n", "    gzip_min_length 20;\n    gzip_types *;\n"),
        catches=(
            *catching(
                r"a 200-byte answer was compressed",
                COMPRESSION + "test_small_answer_is_not_compressed",
            ),
            *catching(
                r"already compressed, compressed again",
                COMPRESSION + "test_compressed_file_is_not_compressed_again",
            ),
        ),
    ),
    Variant(
        name="haproxy-compression-normalizes-accept-encoding",
        base="haproxy-hypercorn-django-asgi",
        misconfiguration="Accept-Encoding set to gzip for every request (a cache-friendly "
        "normalization gone wrong)",
        edit=(
            "    filter compression\n",
            "    http-request set-header Accept-Encoding gzip\n    filter compression\n",
        ),
        catches=catching(
            r"compressed anyway",
            COMPRESSION + "test_text_is_not_compressed_for_a_client_that_does_not_accept_it",
        ),
    ),
)
