from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app


async def test_healthz_answers_ok_with_a_migrated_database(services):
    async with TestClient(TestServer(create_app(services))) as client:
        resp = await client.get("/healthz")
        assert resp.status == 200
        assert (await resp.json())["database"] == "ok"
