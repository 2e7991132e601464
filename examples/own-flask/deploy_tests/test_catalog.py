"""catalog's own deployment checks, run beside deploy-harness's scenarios with its fixtures:
`harness test --stack-file stack.toml deploy_tests/`."""

import httpx


def test_book_links_name_the_public_address(live_stack):
    """Through HAProxy, url_for(_external=True) names the host and port the client used."""
    response = httpx.get(f"{live_stack.url}/books", timeout=10)
    assert response.status_code == 200, f"{live_stack.id}: /books gave {response.status_code}"
    links = [book["url"] for book in response.json()]
    assert links == [f"{live_stack.url}/books/1", f"{live_stack.url}/books/2"], response.text


def test_unknown_host_is_refused(live_stack):
    """TRUSTED_HOSTS refuses a Host header catalog does not serve."""
    response = httpx.get(f"{live_stack.url}/books", headers={"Host": "evil.example"}, timeout=10)
    assert response.status_code == 400, f"{live_stack.id}: evil Host got {response.status_code}"
