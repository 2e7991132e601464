"""inventory's own deployment checks, run beside deploy-harness's scenarios with its fixtures:
`harness test --stack-file stack.toml deploy_tests/`."""

import json

import httpx
from websockets.sync.client import connect


def test_item_links_name_the_public_address(live_stack):
    """Through nginx, url_for names the host and port the client used (uvicorn's proxy headers)."""
    response = httpx.get(f"{live_stack.url}/", timeout=10)
    assert response.status_code == 200, f"{live_stack.id}: / gave {response.status_code}"
    assert response.json()["items"] == f"{live_stack.url}/items/widget", response.text


def test_stock_websocket_answers_through_nginx(live_stack):
    """/ws/stock upgrades through nginx's WebSocket location and answers each SKU."""
    url = live_stack.url.replace("http://", "ws://", 1) + "/ws/stock"
    with connect(url, open_timeout=10) as websocket:
        websocket.send("widget")
        answer = json.loads(websocket.recv(timeout=10))
    assert answer == {"sku": "widget", "in_stock": 12}, f"{live_stack.id}: {answer}"
