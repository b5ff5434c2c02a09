"""The dashboard page routes: HTML at / and /shows/{id}, assets with ETags, errors in the API's shape."""

import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from query_api.web.router import ASSETS, router


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.include_router(router)
    return TestClient(app)


def test_the_page_is_served_at_the_root_and_per_show(client: TestClient) -> None:
    for path in ("/", f"/shows/{uuid.uuid4()}"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert '<canvas id="seatmap"' in response.text
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["referrer-policy"] == "no-referrer"


def test_every_asset_the_page_links_is_served(client: TestClient) -> None:
    html = client.get("/").text
    for name in ("style.css", "app.js"):
        assert f"/assets/{name}" in html
        assert client.get(f"/assets/{name}").status_code == 200
    # Modules imported by app.js are served too.
    for name in ("api.js", "charts.js", "filters.js", "format.js", "seatmap.js", "tables.js"):
        assert client.get(f"/assets/{name}").headers["content-type"].startswith("text/javascript")


def test_revalidation_answers_304(client: TestClient) -> None:
    first = client.get("/assets/app.js")
    again = client.get("/assets/app.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get("/assets/app.js", headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize("path", ["/shows/not-a-uuid", "/assets/nope.js", "/assets/index.html"])
def test_bad_paths_get_a_404_in_the_error_shape(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "path", ["/assets/..%2Frouter.py", "/assets/../router.py", "/assets/%2e%2e/__init__.py"]
)
def test_only_the_static_files_are_reachable(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert b"import" not in response.content


def test_the_python_modules_beside_the_page_are_not_assets(client: TestClient) -> None:
    assert set(ASSETS) == {
        "index.html", "style.css", "app.js", "api.js", "charts.js", "filters.js", "format.js", "seatmap.js",
        "tables.js",
    }  # fmt: skip
    assert client.get("/assets/router.py").status_code == 404


def test_no_asset_is_fetched_from_another_origin() -> None:
    for name, asset in ASSETS.items():
        text = asset.body.decode()
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "").replace("http%3A", ""), name
        assert "https://" not in text, name
