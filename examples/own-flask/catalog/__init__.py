"""catalog: a small Flask API of books, as its team deploys it behind HAProxy."""

from flask import Flask, abort, jsonify, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

import harness_contract.flask

BOOKS = {
    1: {"id": 1, "title": "The Mythical Man-Month", "author": "Frederick P. Brooks Jr."},
    2: {"id": 2, "title": "Release It!", "author": "Michael T. Nygard"},
}


def create_app():
    app = Flask(__name__)
    app.config.update(
        # Flask answers 400 to any other Host, so a forged one never reaches a built URL.
        TRUSTED_HOSTS=["localhost", "127.0.0.1", "catalog.example"],
        # The same limit as haproxy.cfg's, for a chunked body HAProxy cannot count.
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,
    )
    # Exactly one proxy (HAProxy) sets X-Forwarded-For and X-Forwarded-Proto; it passes the
    # client's Host unchanged, so X-Forwarded-Host is not trusted.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    @app.get("/")
    def index():
        return jsonify(app="catalog", books=url_for("list_books", _external=True))

    @app.get("/books")
    def list_books():
        return jsonify(
            [
                {**book, "url": url_for("get_book", book_id=book["id"], _external=True)}
                for book in BOOKS.values()
            ]
        )

    @app.get("/books/<int:book_id>")
    def get_book(book_id):
        if book_id not in BOOKS:
            abort(404)
        return jsonify(BOOKS[book_id])

    @app.get("/healthz")
    def healthz():
        """HAProxy's health check (haproxy.cfg, backend catalog)."""
        return "ok", 200, {"Content-Type": "text/plain"}

    # deploy-harness's contract routes, for its scenarios (stack.toml: contract_prefix).
    app.register_blueprint(harness_contract.flask.contract_blueprint())
    return app
