"""Admin accounts (issue 22): a store manager sees and changes only their store — in the
lists, on the pages, by URL — a chain admin sees every store, each change names who made
it, and a disabled account is signed out at its next request."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner
from sqlalchemy import func, select

from bot.app import create_app
from bot.demo import seed_demo
from bot.web.passwords import hash_password
from storage.models import AdminUser, Customer, ServiceTicket, Staff, Store
from storage.repos import admin_users, optouts
from tests.test_admin_auth import _hidden, login

PASSWORD = "manager-pass-1"


async def _store(services, code: str) -> Store:
    async with services.db.session() as s:
        return await s.scalar(select(Store).where(Store.code == code))


async def _add_manager(services, username: str, code: str) -> None:
    store = await _store(services, code)
    async with services.db.transaction() as s:
        await admin_users.add(
            s,
            username=username,
            password_hash=hash_password(PASSWORD),
            role="store_manager",
            store_id=store.id,
        )


async def _one_ticket_per_store(services) -> dict[str, ServiceTicket]:
    """A ticket of each demo store (made here if the demo world has none there)."""
    out: dict[str, ServiceTicket] = {}
    async with services.db.transaction() as s:
        for code in ("S001", "S002"):
            store = await s.scalar(select(Store).where(Store.code == code))
            customer = await s.scalar(
                select(Customer).where(Customer.store_id == store.id).order_by(Customer.id)
            )
            t = ServiceTicket(
                number=f"R20261125-9{len(out)}01",
                kind="repair",
                status="open",
                customer_id=customer.id,
                store_id=store.id,
                category="空调",
                symptom="不制冷",
                address="上海市徐汇区漕溪北路1号",
                phone="13800000000",
            )
            s.add(t)
            await s.flush()
            out[code] = t
    return out


@pytest.fixture
async def world(services):
    await seed_demo(services)
    await _add_manager(services, "zhang", "S001")
    tickets = await _one_ticket_per_store(services)
    client = TestClient(TestServer(create_app(services)))
    await client.start_server()
    yield client, tickets
    await client.close()


async def test_a_store_manager_sees_only_their_store(world, services):
    client, tickets = world
    assert (await login(client, "zhang", PASSWORD)).status == 303
    listing = await (await client.get("/admin/tickets")).text()
    assert tickets["S001"].number in listing
    assert tickets["S002"].number not in listing
    assert (await client.get(f"/admin/tickets/{tickets['S002'].id}")).status == 404
    assert (await client.get(f"/admin/tickets/{tickets['S001'].id}")).status == 200
    other = tickets["S002"].customer_id
    assert (await client.get(f"/admin/customers/{other}")).status == 404
    customers = await (await client.get("/admin/customers")).text()
    async with services.db.session() as s:
        theirs = await s.get(Customer, other)
    assert theirs.name not in customers
    page = await (await client.get("/admin")).text()
    assert "（店长）" in page and 'href="/admin/scrm"' not in page
    assert (await client.get("/admin/scrm")).status == 403


async def test_a_store_manager_cannot_change_another_stores_ticket(world, services):
    client, tickets = world
    assert (await login(client, "zhang", PASSWORD)).status == 303
    page = await (await client.get(f"/admin/tickets/{tickets['S001'].id}")).text()
    csrf = _hidden(page, "csrf")
    refused = await client.post(
        f"/admin/tickets/{tickets['S002'].id}/status",
        data={"csrf": csrf, "status": "cancelled"},
        allow_redirects=False,
    )
    assert refused.status == 404
    async with services.db.session() as s:
        assert (await s.get(ServiceTicket, tickets["S002"].id)).status == "open"
    moved = await client.post(
        f"/admin/tickets/{tickets['S001'].id}/status",
        data={"csrf": csrf, "status": "assigned"},
        allow_redirects=False,
    )
    assert moved.status == 303
    shown = await (await client.get(f"/admin/tickets/{tickets['S001'].id}")).text()
    assert "zhang" in shown  # who made the change, on the ticket


async def test_the_chain_admin_sees_every_store(world):
    client, tickets = world
    assert (await login(client)).status == 303
    listing = await (await client.get("/admin/tickets")).text()
    assert tickets["S001"].number in listing and tickets["S002"].number in listing
    assert (await client.get("/admin/scrm")).status == 200


async def test_a_disabled_account_is_signed_out_and_cannot_sign_in(world, services):
    client, _ = world
    assert (await login(client, "zhang", PASSWORD)).status == 303
    assert (await client.get("/admin/tickets", allow_redirects=False)).status == 200
    async with services.db.transaction() as s:
        user = await s.scalar(select(AdminUser).where(AdminUser.username == "zhang"))
        user.active = False
    gone = await client.get("/admin/tickets", allow_redirects=False)
    assert gone.status == 303 and "/admin/login" in gone.headers["Location"]
    assert (await login(client, "zhang", PASSWORD)).status == 401


def test_the_cli_creates_a_store_manager(tmp_path, monkeypatch):
    from bot.cli import main

    db = tmp_path / "cli.db"
    monkeypatch.setenv("WXBOT_DATABASE__URL", f"sqlite+aiosqlite:///{db}")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(main, ["demo", "seed"]).exit_code == 0
    made = runner.invoke(
        main, ["admin", "add", "li", "--store", "S002", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert made.exit_code == 0, made.output
    assert "门店店长" in made.output and "li" in made.output
    missing = runner.invoke(main, ["admin", "add", "wang", "--password-stdin"], input=PASSWORD)
    assert missing.exit_code != 0 and "--store" in missing.output
    listed = runner.invoke(main, ["admin", "list"])
    assert "li\t门店店长\tS002" in listed.output


async def test_a_manager_switches_care_off_by_hand_and_it_says_who(world, services):
    client, tickets = world
    assert (await login(client, "zhang", PASSWORD)).status == 303
    cid = tickets["S001"].customer_id
    page = await (await client.get(f"/admin/customers/{cid}")).text()
    assert "节日问候：接收" in page
    csrf = _hidden(page, "csrf")
    done = await client.post(
        f"/admin/customers/{cid}/optout",
        data={"csrf": csrf, "kind": "festival", "on": "0"},
        allow_redirects=False,
    )
    assert done.status == 303
    async with services.db.session() as s:
        assert "festival" in await optouts.kinds(s, cid)
    page = await (await client.get(f"/admin/customers/{cid}")).text()
    assert "节日问候：已关闭" in page
    assert "管理员 zhang" in page and "关闭节日问候" in page  # 操作记录: who and what
    other = tickets["S002"].customer_id
    refused = await client.post(
        f"/admin/customers/{other}/optout",
        data={"csrf": csrf, "kind": "all", "on": "0"},
        allow_redirects=False,
    )
    assert refused.status == 404
    async with services.db.session() as s:
        assert await optouts.kinds(s, other) == set()


async def test_a_chain_admin_creates_a_store_manager_in_the_console(world, services):
    client, tickets = world
    assert (await login(client)).status == 303
    page = await (await client.get("/admin/accounts")).text()
    assert "后台账号" in page and "zhang" in page and "门店店长" in page
    csrf = _hidden(page, "csrf")
    made = await client.post(
        "/admin/accounts",
        data={
            "csrf": csrf,
            "username": "li",
            "password": PASSWORD,
            "role": "store_manager",
            "store": "S002",
        },
        allow_redirects=False,
    )
    assert made.status == 303 and "notice=created" in made.headers["Location"]
    short = await client.post(
        "/admin/accounts",
        data={
            "csrf": csrf,
            "username": "wang",
            "password": "short",
            "role": "store_manager",
            "store": "S002",
        },
        allow_redirects=False,
    )
    assert "problem=" in short.headers["Location"]
    other = TestClient(TestServer(create_app(services)))
    await other.start_server()
    try:
        assert (await login(other, "li", PASSWORD)).status == 303
        listing = await (await other.get("/admin/tickets")).text()
        assert tickets["S002"].number in listing and tickets["S001"].number not in listing
        assert (await other.get("/admin/accounts")).status == 403
    finally:
        await other.close()


async def test_a_manager_hands_a_leaving_guide_over_from_the_console(world, services):
    client, _ = world
    assert (await login(client, "zhang", PASSWORD)).status == 303
    page = await (await client.get("/admin/staff")).text()
    assert "员工与交接" in page and "G001" in page
    assert "/admin/staff/G003/handover" not in page  # another store's guide is not listed
    csrf = _hidden(page, "csrf")
    done = await client.post(
        "/admin/staff/G001/handover",
        data={"csrf": csrf, "to": "G002", "mode": "leave"},
        allow_redirects=False,
    )
    assert done.status == 303 and "notice=" in done.headers["Location"]
    async with services.db.session() as s:
        g1 = await s.scalar(select(Staff).where(Staff.wecom_userid == "G001"))
        g2 = await s.scalar(select(Staff).where(Staff.wecom_userid == "G002"))
        left = await s.scalar(select(func.count()).where(Customer.guide_id == g1.id))
    assert not g1.active and g2.active and left == 0
    shown = await (await client.get(done.headers["Location"])).text()
    assert "已交接（离职）" in shown
    refused = await client.post(
        "/admin/staff/G003/handover",
        data={"csrf": csrf, "to": "G004", "mode": "leave"},
        allow_redirects=False,
    )
    assert refused.status == 404


async def test_a_new_password_ends_the_accounts_sessions(world, services, monkeypatch):
    client, _ = world
    assert (await login(client, "zhang", PASSWORD)).status == 303
    assert (await client.get("/admin/tickets", allow_redirects=False)).status == 200
    from bot.cli import main

    monkeypatch.setenv("WXBOT_DATABASE__URL", services.settings.database.url)
    result = await asyncio.to_thread(
        CliRunner().invoke,
        main,
        ["admin", "passwd", "zhang", "--password-stdin"],
        input="brand-new-pass-2\n",
    )
    assert result.exit_code == 0, result.output
    assert "结束了 1 个登录" in result.output
    gone = await client.get("/admin/tickets", allow_redirects=False)
    assert gone.status == 303 and "/admin/login" in gone.headers["Location"]
    assert (await login(client, "zhang", PASSWORD)).status == 401
    assert (await login(client, "zhang", "brand-new-pass-2")).status == 303
