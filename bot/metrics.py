"""Prometheus metrics, one registry per app so tests do not collide."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.metrics import MetricWrapperBase


class Metrics:
    def __init__(self) -> None:
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "wxbot_http_requests", "HTTP requests", ["route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "wxbot_http_request_seconds",
            "HTTP request latency",
            ["route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.messages = Counter(
            "wxbot_messages",
            "Inbound messages by channel and intent",
            ["channel", "intent"],
            registry=self.registry,
        )
        self.sends = Counter(
            "wxbot_sends",
            "Outgoing sends by channel and result",
            ["channel", "result"],
            registry=self.registry,
        )
        self.duplicates = Counter(
            "wxbot_duplicate_messages",
            "Retries answered from the stored reply",
            ["channel"],
            registry=self.registry,
        )

    def of(self, metric: MetricWrapperBase, *values: str) -> Any:
        """``metric.labels(*values)``, kept: every request counts on a few label sets, and
        prometheus_client checks and locks on each ``labels`` call."""
        key = (id(metric), values)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*values)
        return child
