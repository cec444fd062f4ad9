"""The address a booking form offers (「还是上门到 … 吗？」): the customer's latest ticket with
one, read for every customer of a batch at the first ask, and never stale after a booking."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import event

from storage.repos import expected, identities, tickets

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


async def test_one_statement_for_the_batch_and_a_new_booking_is_seen(services):
    db = services.db
    async with db.transaction() as s:
        ids = await identities.create_customers(s, "mp", "wxapp", ["o-a", "o-b", "o-c"], NOW)
        a, b, c = ids["o-a"], ids["o-b"], ids["o-c"]
        day = date(2026, 12, 4)
        await tickets.create(
            s, kind="repair", customer_id=a, local_day=day, now=NOW, address="旧地址1号"
        )
        await tickets.create(
            s, kind="repair", customer_id=a, local_day=day, now=NOW, address="新地址2号"
        )
        await tickets.create(s, kind="install", customer_id=a, local_day=day, now=NOW)  # none
        await tickets.create(
            s, kind="repair", customer_id=b, local_day=day, now=NOW, address="乙家3号"
        )

    statements: list[str] = []
    engine = (db.inline_engine or db.engine).sync_engine

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        async with db.transaction(short=True) as s:
            expected.expect(s, [a, b, c])  # the batch's customers
            assert await tickets.last_address(s, a) == "新地址2号"
            assert await tickets.last_address(s, b) == "乙家3号"
            assert await tickets.last_address(s, c) is None
            assert len(statements) == 1  # one read for all three
            await tickets.create(
                s,
                kind="repair",
                customer_id=c,
                local_day=date(2026, 12, 4),
                now=NOW,
                address="丙家4号",
            )
            assert await tickets.last_address(s, c) == "丙家4号"
    finally:
        event.remove(engine, "before_cursor_execute", seen)
