"""Open data: the public page that lists the files, and the files themselves (CSV and JSON) at
stable addresses. No sign-in; everyone gets the same controlled figures.

Downloads stream, and caches may keep them: each carries an ETag and Last-Modified that change
only when the figures may have (app.domain.open_data.data_version, one query), and a request
that already holds the current version gets 304 without the figures being counted."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from flask import Response, abort, current_app, render_template, request
from werkzeug.http import is_resource_modified

from app.clock import today
from app.csv_writer import csv_response
from app.domain import open_data as rules
from app.domain.disclosure import Policy
from app.extensions import db
from app.web.public import bp

# How long a cache may serve a file before asking again (with If-None-Match).
MAX_AGE_SECONDS = 3600
ROWS_PER_CHUNK = 200
FILE_PREFIX = "london-digital-apprenticeships"


def _policy() -> Policy:
    return Policy.from_config(current_app.config, controlled=True)


@bp.get("/open-data")
def open_data() -> str:
    policy = _policy()
    return render_template(
        "public/open_data.html",
        datasets=rules.DATASETS,
        dictionary=rules.DICTIONARY,
        rule_names=rules.RULE_NAMES,
        rule_texts=rules.rule_texts(policy),
        types=rules.TYPE_MEANINGS,
        licence=rules.LICENCE,
        licence_url=rules.LICENCE_URL,
        policy=policy,
    )


@bp.get("/open-data/<dataset>/csv")
def open_data_csv(dataset: str) -> Response:
    return _download(dataset, "csv")


@bp.get("/open-data/<dataset>/json")
def open_data_json(dataset: str) -> Response:
    return _download(dataset, "json")


def _download(slug: str, kind: str) -> Response:
    dataset = rules.DATASET.get(slug)
    if dataset is None:
        abort(404)
    policy = _policy()
    version = rules.data_version(db.session, policy, today=today())
    if not is_resource_modified(
        request.environ, etag=version.etag, last_modified=version.last_modified
    ):
        response = Response(status=304)
    else:
        data = rules.publish(rules.raw_open_data(db.session, today=today()), policy)
        rows = rules.rows(data, dataset, policy)
        if kind == "csv":
            response = csv_response(f"{FILE_PREFIX}-{slug}.csv", rules.COLUMN_NAMES, rows)
        else:
            metadata = rules.metadata(dataset, version, policy)
            response = Response(_json_chunks(metadata, rows), mimetype="application/json")
    response.set_etag(version.etag)
    response.last_modified = version.last_modified
    # The same file for everyone (the app still sends no-store to signed-in visitors).
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
    return response


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _json_chunks(metadata: dict[str, Any], rows: Iterable[tuple[Any, ...]]) -> Iterator[bytes]:
    """`{"metadata": {...}, "rows": [{column: value, ...}, ...]}`, a batch of rows at a time."""
    yield ('{"metadata": ' + json.dumps(metadata, ensure_ascii=False) + ', "rows": [').encode()
    batch: list[str] = []
    first = True
    for row in rows:
        item = {
            name: _json_value(value) for name, value in zip(rules.COLUMN_NAMES, row, strict=True)
        }
        batch.append(("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False))
        first = False
        if len(batch) >= ROWS_PER_CHUNK:
            yield "".join(batch).encode()
            batch = []
    yield ("".join(batch) + "\n]}\n").encode()
