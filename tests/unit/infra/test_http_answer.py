"""What an app answered, as a middleware notes it: started or not, the status, the route template."""

from types import SimpleNamespace

from starlette.types import Message

from infra.http.answer import Answer, route_template


async def test_the_status_is_the_started_responses_and_every_message_is_passed_on() -> None:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    answer = Answer(send)
    start = {"type": "http.response.start", "status": 404, "headers": []}
    body = {"type": "http.response.body", "body": b"{}"}
    await answer.send(start)
    await answer.send(body)

    assert (answer.started, answer.status) == (True, 404)
    assert sent == [start, body]


async def test_before_any_answer_the_status_is_a_server_error() -> None:
    async def send(message: Message) -> None:
        raise AssertionError("nothing is sent")

    answer = Answer(send)
    assert (answer.started, answer.status) == (False, 500)


def test_the_route_template_is_the_matched_routes_path_or_none() -> None:
    assert route_template({"route": SimpleNamespace(path="/v1/shows/{show_id}")}) == "/v1/shows/{show_id}"
    assert route_template({"path": "/v1/shows/123"}) is None
