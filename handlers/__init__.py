"""The business, one module per intent family. Where each intent goes: bot/dialog/routes.py."""
