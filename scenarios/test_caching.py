"""A caching proxy serves what the app allows it to share, and nothing else.

Runs on stacks with the proxy's cache on (`cache = true`). The caching routes of the contract
answer a fresh random token each time, so a token seen twice came from the cache; each URL
carries a marker of its own, so a case never meets another's cached answer, and /seen counts
the requests that reached the app. "Another client" is a second HTTP client with its own
cookies, as a second user is.
"""

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from harness.clients.evidence import seen_with
from harness.clients.http import client_for
from harness.clients.probes import host_header

pytestmark = pytest.mark.caching

MAX_AGE = 1  # seconds: an answer's freshness in the expiry case, kept short for CI
EXPIRY_DEADLINE = MAX_AGE + 3.0  # seconds: by then the cache must have asked the app again
POLL_EVERY = 0.2  # seconds
# Case -> (path, what the first client sends): answers no other client may be given.
NEVER_SHARED = {
    "set-cookie": ("/with-cookie", {}),
    "private": ("/private", {}),
    "no-store": ("/no-store", {}),
    "authorization": ("/cacheable", {"Authorization": "Bearer first-client-secret"}),
    "session-cookie": ("/cacheable", {"Cookie": "{session}=first-client-session"}),
}
SESSION_COOKIES = {"flask": "session", "django": "sessionid"}
# /revalidate?kind= -> what its answer says: nothing a shared cache may reuse unasked.
REVALIDATE = {
    "none": "says nothing about caching (no Cache-Control, no Expires)",
    "no-cache": "says Cache-Control: no-cache",
    "max-age-0": "says Cache-Control: public, max-age=0",
    "s-maxage-0": "says s-maxage=0, which overrides max-age=60 for a shared cache",
    "expired": "carries an Expires in the past",
}


@pytest.fixture(autouse=True)
def _cached_stack(stack):
    if not stack.spec.cache:
        pytest.skip(f"{stack.id}: the proxy's cache is off (stack setting cache = false)")


def _identity_client(stack) -> httpx.Client:
    """A client asking for answers as the app sent them: the cache alone is under test here
    (HAProxy 2.6 keeps no answer its own compression changed; test_compression.py covers
    compression)."""
    identity = {"Accept-Encoding": "identity"}
    return client_for(stack, headers=identity)


@pytest.fixture
def client(stack) -> Iterator[httpx.Client]:
    """The first user of the site."""
    with _identity_client(stack) as session:
        yield session


@pytest.fixture
def other_client(stack) -> Iterator[httpx.Client]:
    """A second client with its own (empty) cookie jar: another user of the site."""
    with _identity_client(stack) as session:
        yield session


def _marked(path: str) -> tuple[str, str]:
    marker = uuid.uuid4().hex
    return marker, f"{path}?m={marker}"


def _token(response: httpx.Response, stack, what: str) -> str:
    assert response.status_code == 200, (
        f"{stack.id}: {what} got {response.status_code}: {response.text[:200]!r}"
    )
    return response.json()["token"]


def _app_saw(client, marker: str, method: str = "GET") -> int:
    return len([e for e in seen_with(client, marker) if e["method"] == method])


def test_cacheable_answer_is_served_from_cache(stack, client, other_client):
    """For an answer that says it may be shared (public, max-age): every other client gets it
    from the cache while it is fresh, and the app sees one request."""
    marker, url = _marked("/cacheable")
    first = _token(client.get(url), stack, f"GET {url}")
    second = _token(other_client.get(url), stack, f"GET {url} (another client)")
    saw = _app_saw(client, marker)
    assert (second, saw) == (first, 1), (
        f"{stack.id}: GET {url} (Cache-Control: public, max-age=60) twice, from two clients: "
        f"tokens {first} then {second}, the app saw {saw} request(s): not served from the cache"
    )


def test_max_age_is_honoured(stack, client):
    """At each side of max-age: before it ends the answer comes from the cache, after it the
    app is asked again."""
    marker, url = _marked("/cacheable")
    url += f"&max_age={MAX_AGE}"
    started = time.monotonic()
    first = _token(client.get(url), stack, f"GET {url}")
    again = _token(client.get(url), stack, f"GET {url}")
    fresh_for = time.monotonic() - started
    assert again == first, (
        f"{stack.id}: GET {url} again after {fresh_for:.2f} s got a new answer: not cached"
    )
    latest = again
    while latest == first and time.monotonic() - started < EXPIRY_DEADLINE:
        time.sleep(POLL_EVERY)  # sleep-ok: the property is the passing of max-age itself
        latest = _token(client.get(url), stack, f"GET {url}")
    waited = time.monotonic() - started
    assert latest != first, (
        f"{stack.id}: GET {url} still served the cached answer {waited:.1f} s after it was "
        f"made, past its max-age of {MAX_AGE} s (app saw {_app_saw(client, marker)} request(s))"
    )


@pytest.mark.parametrize("case", list(NEVER_SHARED))
def test_answer_is_never_served_to_another_client(stack, client, other_client, case):
    """For every answer that belongs to one client (it sets a cookie, says private or
    no-store, or answers a request with Authorization or a session cookie), no other client is
    ever given it."""
    path, sent = NEVER_SHARED[case]
    session = SESSION_COOKIES[str(stack.spec.framework)]
    sent = {name: value.format(session=session) for name, value in sent.items()}
    marker, url = _marked(path)
    first = _token(client.get(url, headers=sent), stack, f"GET {url}")
    second_response = other_client.get(url)
    second = _token(second_response, stack, f"GET {url} (another client)")
    cookie = second_response.headers.get("set-cookie")
    assert second != first, (
        f"{stack.id}: [{case}] GET {url} by another client got the first client's answer "
        f"(token {first}, Set-Cookie {cookie!r}; the app saw {_app_saw(client, marker)} "
        f"request(s)): the cache shared an answer it must keep for one client"
    )


@pytest.mark.parametrize("kind", list(REVALIDATE))
def test_answer_without_shared_freshness_is_asked_of_the_app_again(
    stack, client, other_client, kind
):
    """For answers with and without caching headers: an answer that gives a shared cache no
    freshness (no Cache-Control or Expires at all, as an app's pages by default; no-cache;
    max-age=0; s-maxage=0; an Expires in the past) is asked of the app again for the next
    client, never given from the cache unasked."""
    marker, url = _marked("/revalidate")
    url += f"&kind={kind}"
    first = _token(client.get(url), stack, f"GET {url}")
    second = _token(other_client.get(url), stack, f"GET {url} (another client)")
    assert second != first, (
        f"{stack.id}: [{kind}] GET {url} by another client got the first client's answer "
        f"(token {first}; the app saw {_app_saw(client, marker)} request(s)) though it "
        f"{REVALIDATE[kind]}: the cache reused it without asking the app"
    )


def test_vary_keeps_variants_apart(stack, client, other_client):
    """For an answer that varies (`Vary: Accept-Language`), a request in another language is
    never given it."""
    marker, url = _marked("/vary")
    english = client.get(url, headers={"Accept-Language": "en"})
    _token(english, stack, f"GET {url}")
    french = other_client.get(url, headers={"Accept-Language": "fr"})
    _token(french, stack, f"GET {url} (another client)")
    variant = french.json()["variant"]
    assert variant == "fr", (
        f"{stack.id}: GET {url} with Accept-Language fr got the answer made for {variant!r} "
        f"(Vary: Accept-Language; the app saw {_app_saw(client, marker)} request(s)): the cache "
        "ignored Vary"
    )


def test_cache_key_includes_the_host(stack, client, other_client):
    """For the same path and query under another Host, the answer is another one, asked of
    the app: the cache key holds the host."""
    marker, url = _marked("/cacheable")
    other_host = host_header(stack).replace("127.0.0.1", "localhost")
    first = _token(client.get(url), stack, f"GET {url}")
    second = _token(other_client.get(url, headers={"Host": other_host}), stack, f"GET {url}")
    assert second != first, (
        f"{stack.id}: GET {url} with Host {other_host} got the answer cached for Host "
        f"{host_header(stack)} (app saw {_app_saw(client, marker)} request(s)): the cache key "
        "leaves out the host"
    )


def test_cache_key_includes_the_query(stack, client, other_client):
    """For the same path with another query string, the answer is another one, asked of the
    app: the cache key holds the query."""
    marker, url = _marked("/cacheable")
    first = _token(client.get(f"{url}&page=1"), stack, f"GET {url}&page=1")
    second = _token(other_client.get(f"{url}&page=2"), stack, f"GET {url}&page=2")
    assert second != first, (
        f"{stack.id}: GET {url}&page=2 got the answer cached for {url}&page=1 (app saw "
        f"{_app_saw(client, marker)} request(s)): the cache key leaves out the query"
    )


def test_answer_to_head_is_never_given_to_a_get(stack, client, other_client):
    """For each method the cache keeps (GET and HEAD): an answer to a HEAD, which has no body,
    is never given to a GET of the same URL."""
    marker, url = _marked("/cacheable")
    head = client.head(url)
    try:
        got = other_client.get(url)
        answered = f"{got.status_code} with {len(got.content)} bytes"
    except httpx.RemoteProtocolError as cut:  # a Content-Length the empty body does not fill
        got, answered = None, f"a head and no body ({cut})"
    assert got is not None and got.content, (
        f"{stack.id}: HEAD {url} ({head.status_code}), then GET {url} by another client: "
        f"{answered} (the app saw {_app_saw(client, marker)} GET(s)): the cache gave the "
        "HEAD's empty answer to a GET; key answers by method too (nginx: $request_method in "
        "proxy_cache_key with proxy_cache_convert_head off)"
    )
    _token(got, stack, f"GET {url} after a HEAD")


def test_post_is_never_cached(stack, client, other_client):
    """For every POST, even to a URL whose answers say they may be shared, the request reaches
    the app and no answer comes from the cache."""
    marker, url = _marked("/cacheable")
    first = _token(client.post(url, content=b"one"), stack, f"POST {url}")
    second = _token(other_client.post(url, content=b"two"), stack, f"POST {url}")
    posts = _app_saw(client, marker, "POST")
    assert (second != first, posts) == (True, 2), (
        f"{stack.id}: POST {url} twice (answers Cache-Control: public, max-age=60): tokens "
        f"{first} then {second}, the app saw {posts} POST(s): a POST was answered from the cache"
    )
