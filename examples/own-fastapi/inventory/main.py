"""inventory: a small FastAPI service, as its team deploys it behind nginx."""

from fastapi import FastAPI, HTTPException, Request, WebSocket, WebSocketDisconnect
from starlette.middleware.trustedhost import TrustedHostMiddleware

from harness_contract.asgi import ContractMiddleware

ITEMS = {
    "widget": {"sku": "widget", "name": "Widget", "in_stock": 12},
    "gadget": {"sku": "gadget", "name": "Gadget", "in_stock": 0},
}

app = FastAPI(title="inventory", docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/")
def index(request: Request):
    return {"service": "inventory", "items": str(request.url_for("get_item", sku="widget"))}


@app.get("/items/{sku}")
def get_item(sku: str):
    if sku not in ITEMS:
        raise HTTPException(status_code=404, detail=f"no item {sku!r}")
    return ITEMS[sku]


@app.websocket("/ws/stock")
async def stock(websocket: WebSocket):
    """Answers each SKU sent with its stock level."""
    await websocket.accept()
    try:
        while True:
            sku = await websocket.receive_text()
            await websocket.send_json({"sku": sku, "in_stock": ITEMS.get(sku, {}).get("in_stock")})
    except WebSocketDisconnect:
        pass


# deploy-harness's contract routes below /_harness, for its scenarios (stack.toml:
# contract_prefix), inside our own Host check: the middleware added last runs first.
app.add_middleware(ContractMiddleware)
app.add_middleware(
    TrustedHostMiddleware, allowed_hosts=["localhost", "127.0.0.1", "inventory.example"]
)
