"""A store manager's view: the rows of one store (``store_id``), or every store's (None).

Each admin query applies one of these instead of its own filter, so that what a manager
sees is decided in one place: a customer belongs to a store by ``customers.store_id``; what
hangs off a customer (trade-ins, orders, messages, ratings) follows the customer; a ticket
belongs to its own store, else its customer's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from storage.models import ChannelIdentity, Customer, ServiceTicket


def customers_of(store_id: int) -> Select[Any]:
    return select(Customer.id).where(Customer.store_id == store_id)


def senders_of(store_id: int) -> Select[Any]:
    """The WeChat ids (openid / userid) of the store's customers."""
    return (
        select(ChannelIdentity.external_id)
        .join(Customer, Customer.id == ChannelIdentity.customer_id)
        .where(Customer.store_id == store_id)
    )


def tickets_of(store_id: int) -> Select[Any]:
    return (
        select(ServiceTicket.id)
        .join(Customer, Customer.id == ServiceTicket.customer_id)
        .where(func.coalesce(ServiceTicket.store_id, Customer.store_id) == store_id)
    )


def by_customer(q: Select[Any], column: Any, store_id: int | None) -> Select[Any]:
    """``q`` limited to rows whose ``column`` (a customer id) is one of the store's."""
    return q if store_id is None else q.where(column.in_(customers_of(store_id)))


def by_sender(q: Select[Any], column: Any, store_id: int | None) -> Select[Any]:
    return q if store_id is None else q.where(column.in_(senders_of(store_id)))


def by_ticket(q: Select[Any], column: Any, store_id: int | None) -> Select[Any]:
    return q if store_id is None else q.where(column.in_(tickets_of(store_id)))


def by_store(q: Select[Any], column: Any, store_id: int | None) -> Select[Any]:
    return q if store_id is None else q.where(column == store_id)
