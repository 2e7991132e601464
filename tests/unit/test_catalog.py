"""The catalog's profiles, the proxy templates of every stack shape, and known incompatibilities.

No Docker: specs and rendered text only. That the rendered configs load in the real proxies
is proved by the scenario runs (and `nginx -t`, `haproxy -c`, `apache2 -t` in the base image).
"""

import itertools

import pytest

from harness.building.configs import RunValues, render_stack
from harness.known.incompatibilities import (
    CHUNKED_OVER_LIMIT,
    CHUNKED_UPLOAD,
    KNOWN,
    TIMEOUT_STATUS,
    known_incompatibilities,
)
from harness.parts import server_kit
from harness.spec.catalog import (
    DEFAULT_STACKS,
    NIGHTLY_STACKS,
    PROFILES,
    STACKS,
    balancing_variants,
    cache_variants,
    prefix_variants,
    valid_combinations,
)
from harness.spec.model import (
    Balancing,
    Framework,
    Interface,
    Protocol,
    ProxyKind,
    ServerKind,
    StackSpec,
    Suite,
    Timeouts,
    WorkerClass,
)
from harness.spec.prefix import PrefixHandling
from harness.spec.version_axes import version_axes

DEFAULT = [STACKS[name] for name in PROFILES["default"]]


def test_every_profile_names_known_valid_stacks_once():
    for name, ids in PROFILES.items():
        assert len(ids) == len(set(ids)), f"{name} repeats a stack"
        for stack_id in ids:
            spec = STACKS[stack_id]
            assert spec.problems() == [], f"{name}: {stack_id} {spec.problems()}"
            derived = spec.derived_id()
            if spec.balancing != Balancing.ROUND_ROBIN:
                suite = "" if spec.suite == Suite.BOOKWORM else f"-{spec.suite}"
                derived = f"{derived.removesuffix(suite)}-{spec.balancing}{suite}"
            assert spec.id == derived, f"{stack_id}: not its derived id"


def test_default_runs_every_proxy_server_and_mode():
    assert {s.proxy for s in DEFAULT} == set(ProxyKind)
    assert {s.server for s in DEFAULT} == set(ServerKind)
    assert {s.worker_class for s in DEFAULT if s.server == ServerKind.GUNICORN} == set(WorkerClass)
    uwsgi_protocols = server_kit(ServerKind.UWSGI).protocols
    assert {s.protocol for s in DEFAULT if s.server == ServerKind.UWSGI} == uwsgi_protocols
    assert {s.interface for s in DEFAULT if s.server == ServerKind.GRANIAN} == set(Interface)
    assert {(s.framework, s.interface) for s in DEFAULT} == {
        (Framework.FLASK, Interface.WSGI),
        (Framework.DJANGO, Interface.WSGI),
        (Framework.DJANGO, Interface.ASGI),
    }
    # Each proxy with TLS; with and without on each proxy that runs more than one stack there
    # (Caddy runs one, with TLS, in the default profile's time budget).
    assert {s.proxy for s in DEFAULT if s.tls} == set(ProxyKind)
    several = [kind for kind in ProxyKind if sum(s.proxy == kind for s in DEFAULT) > 1]
    assert {(s.proxy, s.tls) for s in DEFAULT if s.proxy in several} == set(
        itertools.product(several, (False, True))
    )
    assert {s.balancing for s in DEFAULT} == set(Balancing)


def test_ci_is_a_small_slice_of_default_covering_each_proxy():
    ci = [STACKS[name] for name in PROFILES["ci"]]
    assert 3 <= len(ci) <= len(ProxyKind) + 1
    assert set(PROFILES["ci"]) <= set(PROFILES["default"])
    assert {s.proxy for s in ci} == set(ProxyKind)
    assert {s.interface for s in ci} == set(Interface) and {s.tls for s in ci} == {False, True}


def test_nightly_is_every_valid_combination_and_holds_default():
    brute_force = set()
    modes = [(ServerKind.GUNICORN, worker) for worker in WorkerClass]
    modes += [(server, None) for server in ServerKind if server != ServerKind.GUNICORN]
    for suite, proxy, (server, worker), framework, interface, protocol, tls in itertools.product(
        Suite, ProxyKind, modes, Framework, Interface, Protocol, (False, True)
    ):
        spec = StackSpec(
            proxy=proxy,
            server=server,
            worker_class=worker,
            framework=framework,
            interface=interface,
            protocol=protocol,
            tls=tls,
            suite=suite,
        )
        if not spec.problems():
            brute_force.add(spec.id)
    nightly = set(PROFILES["nightly"])
    assert brute_force <= nightly
    assert {s.id for s in balancing_variants()} <= nightly
    assert set(PROFILES["default"]) <= nightly
    extra = {
        s.id
        for s in (*balancing_variants(), *cache_variants(), *prefix_variants(), *version_axes())
    }
    assert nightly == brute_force | extra | set(PROFILES["default"])


def test_nightly_is_deterministic():
    assert [s.id for s in valid_combinations()] == [s.id for s in valid_combinations()]
    assert PROFILES["nightly"] == tuple(s.id for s in NIGHTLY_STACKS)
    assert PROFILES["default"] == tuple(s.id for s in DEFAULT_STACKS)


def test_invalid_combinations_are_left_out():
    for spec in NIGHTLY_STACKS:
        assert not (
            spec.server == ServerKind.GUNICORN
            and spec.worker_class != WorkerClass.UVICORN
            and spec.interface == Interface.ASGI
        ), spec.id
        assert not (spec.framework == Framework.FLASK and spec.interface == Interface.ASGI)
        assert not (spec.proxy == ProxyKind.HAPROXY and spec.protocol == Protocol.UWSGI)


# -- templates of every proxy, plain and TLS, each balancing ---------------------------------

SHAPES = list(itertools.product(ProxyKind, (False, True), Balancing))


def _proxy_text(proxy, tls, balancing, **changes):
    spec = StackSpec(
        proxy=proxy,
        server=ServerKind.UVICORN,
        framework=Framework.DJANGO,
        tls=tls,
        balancing=balancing,
        **changes,
    )
    return render_stack(spec, RunValues("18080", "18443")).proxy.files[0].content


# What each proxy's config must say for each setting (a line or a fragment of one).
BALANCING = {
    ProxyKind.NGINX: {Balancing.LEAST_CONN: "least_conn;", Balancing.STICKY: "ip_hash;"},
    ProxyKind.HAPROXY: {
        Balancing.ROUND_ROBIN: "balance roundrobin",
        Balancing.LEAST_CONN: "balance leastconn",
        Balancing.STICKY: "cookie SERVERID insert indirect nocache",
    },
    ProxyKind.APACHE: {
        Balancing.ROUND_ROBIN: "lbmethod=byrequests",
        Balancing.LEAST_CONN: "lbmethod=bybusyness",
        Balancing.STICKY: "stickysession=ROUTEID",
    },
    ProxyKind.CADDY: {
        Balancing.ROUND_ROBIN: "lb_policy round_robin",
        Balancing.LEAST_CONN: "lb_policy least_conn",
        Balancing.STICKY: "lb_policy cookie lb",
    },
}
HSTS = 'Strict-Transport-Security "max-age=63072000"'
REDIRECT = {
    ProxyKind.NGINX: "return 301 https://$host:18443$request_uri;",
    ProxyKind.HAPROXY: ':18443%[capture.req.uri]" code 301',
    ProxyKind.APACHE: 'RewriteRule ^ "https://%{SERVER_NAME}:18443%1" [R=301,L,NE]',
    ProxyKind.CADDY: "redir https://{host}:18443{uri} 301",
}
FORWARDED = {
    ProxyKind.NGINX: (
        "proxy_set_header X-Forwarded-For $remote_addr;",
        "proxy_set_header X-Forwarded-Host $http_host;",
        "proxy_set_header Host $http_host;",
        "proxy_set_header X-Real-IP $remote_addr;",
    ),
    ProxyKind.HAPROXY: (
        "http-request set-header X-Forwarded-For %[src]",
        "http-request set-header X-Forwarded-Host %[req.hdr(host)]",
        "http-request set-header X-Real-IP %[src]",
    ),
    ProxyKind.APACHE: (
        'RequestHeader set X-Forwarded-For "expr=%{REMOTE_ADDR}"',
        'RequestHeader set X-Forwarded-Host "expr=%{HTTP_HOST}"',
        "ProxyPreserveHost On",
        'RequestHeader set X-Real-IP "expr=%{REMOTE_ADDR}"',
    ),
    # Caddy sets X-Forwarded-For, -Proto and -Host itself, replacing what an untrusted client
    # sent (no trusted_proxies), and keeps Host as sent.
    ProxyKind.CADDY: ("header_up X-Real-IP {remote_host}", "header_up -X_Forwarded_For"),
}
SCHEME = {
    ProxyKind.NGINX: {False: "X-Forwarded-Proto $scheme;", True: "X-Forwarded-Proto $scheme;"},
    ProxyKind.HAPROXY: {
        False: "set-header X-Forwarded-Proto http",
        True: "set-header X-Forwarded-Proto https",
    },
    ProxyKind.APACHE: {
        False: 'RequestHeader set X-Forwarded-Proto "http"',
        True: 'RequestHeader set X-Forwarded-Proto "https"',
    },
    ProxyKind.CADDY: {False: "http://:80 {", True: ":443 {"},
}


@pytest.mark.parametrize(("proxy", "tls", "balancing"), SHAPES)
def test_proxy_config_carries_balancing_forwarding_and_tls(proxy, tls, balancing):
    text = _proxy_text(proxy, tls, balancing)
    assert "{{ public_" not in text and "{%" not in text
    if balancing in BALANCING[proxy]:
        assert BALANCING[proxy][balancing] in text
    # Sticky builds on round-robin, so only the other policies' own lines must be absent.
    others = [
        fragment
        for other, fragment in BALANCING[proxy].items()
        if other not in (balancing, Balancing.ROUND_ROBIN)
    ]
    assert not any(fragment in text for fragment in others)
    for fragment in (*FORWARDED[proxy], SCHEME[proxy][tls]):
        assert fragment in text
    assert (HSTS in text) == tls
    assert (REDIRECT[proxy] in text) == tls


@pytest.mark.parametrize("proxy", list(ProxyKind))
def test_proxy_config_carries_limits_and_timeouts(proxy):
    text = _proxy_text(proxy, False, Balancing.ROUND_ROBIN)
    expected = {
        ProxyKind.NGINX: (
            "client_max_body_size 1048576;",
            "large_client_header_buffers 4 8192;",
            "proxy_connect_timeout 1s;",
            "proxy_read_timeout 3s;",
            "proxy_read_timeout 5s;",  # WebSocket routes
            "alias /srv/static/;",
        ),
        ProxyKind.HAPROXY: (
            "gt 1048576",
            "[^\\r\\n]{8191,}",
            "timeout connect 1s",
            "timeout server 3s",
            "timeout tunnel 5s",
            "use-service lua.static if { path_beg /static/ }",
        ),
        ProxyKind.APACHE: (
            "LimitRequestBody 1048576",
            "LimitRequestFieldSize 8189",
            "connectiontimeout=1 timeout=3",
            "timeout=5 retry=1 upgrade=websocket",
            'Alias /static/ "/srv/static/"',
            "ProxyPass /static/ !",
        ),
        ProxyKind.CADDY: (
            "max_size 1048576",
            "max_header_size 32768",
            "dial_timeout 1s",
            "response_header_timeout 3s",
            "read_timeout 5s",  # WebSocket routes
            "root * /srv/static",
        ),
    }[proxy]
    for fragment in expected:
        assert fragment in text, fragment


@pytest.mark.parametrize("proxy", list(ProxyKind))
def test_tls_versions_follow_the_spec(proxy):
    text = _proxy_text(proxy, True, Balancing.ROUND_ROBIN, tls_min_version="1.3")
    assert {
        ProxyKind.NGINX: "ssl_protocols TLSv1.3;",
        ProxyKind.HAPROXY: "ssl-min-ver TLSv1.3",
        ProxyKind.APACHE: "SSLProtocol -all +TLSv1.3",
        ProxyKind.CADDY: "protocols tls1.3 tls1.3",
    }[proxy] in text


def test_nginx_http2_directive_follows_the_suite():
    bookworm = _proxy_text(ProxyKind.NGINX, True, Balancing.ROUND_ROBIN)
    trixie = _proxy_text(ProxyKind.NGINX, True, Balancing.ROUND_ROBIN, suite=Suite.TRIXIE)
    assert "listen 443 ssl http2;" in bookworm and "http2 on;" not in bookworm
    assert "listen 443 ssl;" in trixie and "http2 on;" in trixie


def test_uwsgi_protocol_configs():
    spec = StackSpec(
        proxy=ProxyKind.NGINX,
        server=ServerKind.UWSGI,
        framework=Framework.FLASK,
        protocol=Protocol.UWSGI,
    )
    nginx = render_stack(spec).proxy.files[0].content
    assert 'uwsgi_param HTTP_TRANSFER_ENCODING "" if_not_empty;' in nginx
    assert "location /ws/" not in nginx
    apache = render_stack(spec.with_changes(proxy=ProxyKind.APACHE)).proxy.files[0].content
    assert 'BalancerMember "uwsgi://app-1:8000"' in apache and "mod_proxy_uwsgi.so" in apache
    assert "balancer://ws" not in apache


def test_haproxy_ships_its_static_file_service():
    spec = StackSpec(proxy=ProxyKind.HAPROXY, server=ServerKind.DAPHNE, framework=Framework.DJANGO)
    config, lua = render_stack(spec).proxy.files
    assert "lua-load /etc/harness/haproxy-static.lua" in config.content
    assert lua.path == "/etc/harness/haproxy-static.lua"
    assert 'local root = "/srv/static"' in lua.content
    assert 'core.register_service("static", "http"' in lua.content


# -- known incompatibilities ----------------------------------------------------------------


def test_incompatibilities_match_by_spec_fields_and_scenario():
    apache_uwsgi = STACKS["apache-uwsgi-flask"]
    assert known_incompatibilities(apache_uwsgi, CHUNKED_UPLOAD)
    assert not known_incompatibilities(apache_uwsgi, "test_correctness.py::test_methods_reach_app")
    over_http = apache_uwsgi.with_changes(protocol=Protocol.HTTP)
    assert not known_incompatibilities(over_http, CHUNKED_UPLOAD)
    haproxy_django = STACKS["haproxy-gunicorn-sync-django"]
    assert known_incompatibilities(haproxy_django, CHUNKED_UPLOAD)
    assert not known_incompatibilities(STACKS["haproxy-daphne-django-asgi-tls"], CHUNKED_UPLOAD)


def test_incompatibilities_match_nested_fields_and_parameters():
    apache = STACKS["apache-daphne-django-asgi"]
    assert known_incompatibilities(apache, f"{TIMEOUT_STATUS}[GET]")
    declared = apache.with_changes(timeouts=Timeouts(timeout_status=502))
    assert not known_incompatibilities(declared, f"{TIMEOUT_STATUS}[POST]")
    assert known_incompatibilities(apache, CHUNKED_OVER_LIMIT)
    content_length = CHUNKED_OVER_LIMIT.replace("[chunked]", "[content-length]")
    assert not known_incompatibilities(apache, content_length)


def test_every_incompatibility_gives_evidence_and_matches_a_built_in_stack():
    for entry in KNOWN:
        assert len(entry.reason) > 80, entry
        for scenario in entry.scenarios:
            assert any(entry.matches(spec, scenario) for spec in STACKS.values()), entry


def test_every_built_in_stack_renders_its_configs():
    for spec in STACKS.values():
        rendered = render_stack(spec, RunValues("18080", "18443"))
        assert rendered.proxy.files and rendered.app.command, spec.id
        for file in (*rendered.proxy.files, *rendered.app.files):
            assert "{{ public_" not in file.content and "{%" not in file.content, spec.id


def test_prefix_family_runs_on_few_stacks():
    """The prefix family's speed budget: one prefixed stack in default, each proxy nightly."""
    assert [s.id for s in DEFAULT if s.prefix] == ["nginx-uvicorn-django-asgi-prefix"]
    nightly = [STACKS[name] for name in PROFILES["nightly"] if STACKS[name].prefix]
    assert {s.proxy for s in nightly} == set(ProxyKind)
    assert {s.prefix_handling for s in nightly} == {
        PrefixHandling.FORWARDED,
        PrefixHandling.ADDED_ROOT,
        PrefixHandling.SERVER_ROOT,
    }
    assert all(s.scenario_families == ("prefix",) for s in nightly)
