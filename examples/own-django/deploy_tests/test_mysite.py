"""mysite's own deployment checks, run beside deploy-harness's scenarios with its fixtures:
`harness test --stack-file stack.toml deploy_tests/`."""

import httpx


def test_home_page_is_served_by_mysite(live_stack):
    """mysite's own page answers through nginx (outside the contract's prefix)."""
    response = httpx.get(f"{live_stack.url}/", timeout=10)
    assert response.status_code == 200, f"{live_stack.id}: / gave {response.status_code}"
    assert response.json() == {"site": "mysite", "secure": False}, response.text


def test_unknown_host_is_refused(live_stack):
    """ALLOWED_HOSTS refuses a Host header mysite does not serve."""
    response = httpx.get(f"{live_stack.url}/", headers={"Host": "evil.example"}, timeout=10)
    assert response.status_code == 400, f"{live_stack.id}: evil Host got {response.status_code}"
