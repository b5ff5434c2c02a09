"""Routes of the dashboard page: ``/``, ``/shows/{show_id}`` and its assets under ``/assets/``.

The page is public (it holds no data); the data comes from the JSON endpoints,
which the page calls with the viewer key the user gives it. Assets are read
once at import and served with strong ETags, so a reload costs 304s only.
"""

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

# The page's files sit beside this module, so the package data patterns (*.html, *.js, *.css) ship them.
STATIC_DIR = Path(__file__).resolve().parent
_MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
# Everything the page needs comes from this origin; the key may sit in the URL, so no referrer leaves.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    # Browsers may keep a copy but revalidate each time: an upgrade is visible on the next load.
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


def _load_assets(directory: Path = STATIC_DIR) -> dict[str, Asset]:
    assets = {}
    for path in sorted(directory.iterdir()):
        media_type = _MEDIA_TYPES.get(path.suffix)
        if media_type is None or not path.is_file():
            continue
        body = path.read_bytes()
        etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
        assets[path.name] = Asset(body, media_type, etag)
    return assets


ASSETS = _load_assets()
router = APIRouter(include_in_schema=False)


def _not_found(message: str) -> Response:
    body = orjson.dumps({"error": {"code": "not_found", "message": message}})
    return Response(body, status_code=404, media_type="application/json")


def _serve(request: Request, name: str) -> Response:
    asset = ASSETS.get(name)
    if asset is None:
        return _not_found(f"no asset {name!r}")
    headers = {**SECURITY_HEADERS, "ETag": asset.etag}
    presented = request.headers.get("if-none-match", "")
    if asset.etag in (tag.strip().removeprefix("W/") for tag in presented.split(",")):
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


@router.get("/")
async def dashboard_page(request: Request) -> Response:
    """The live sales dashboard (HTML)."""
    return _serve(request, "index.html")


@router.get("/shows/{show_id}")
async def show_page(request: Request, show_id: str) -> Response:
    """The dashboard focused on one show's seat map (HTML)."""
    try:
        uuid.UUID(show_id)
    except ValueError:
        return _not_found("a show id is a UUID")
    return _serve(request, "index.html")


@router.get("/assets/{name}")
async def asset(request: Request, name: str) -> Response:
    """A static file of the page (JS, CSS)."""
    if name == "index.html":
        return _not_found("the page is served at /")
    return _serve(request, name)
