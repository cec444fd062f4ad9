"""Outbound WeChat / WeCom API clients: Official Account, WeCom app, group robots."""
