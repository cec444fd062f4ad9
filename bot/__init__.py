"""wxbot: the after-sales service bot for WeChat Official Accounts and WeCom."""

__version__ = "0.1.0"
