"""Who is writing to the app: a WeCom userid → the staff member and their store."""

from __future__ import annotations

from dataclasses import dataclass

from bot.context import Services
from storage.models import Store
from storage.repos import staff as staff_repo


@dataclass(frozen=True)
class Who:
    id: int
    userid: str
    name: str
    role: str  # guide|engineer|manager
    store_id: int
    store_name: str
    admin: bool  # listed in work.group_admins

    @property
    def is_engineer(self) -> bool:
        return self.role in ("engineer", "manager")


async def who(services: Services, userid: str) -> Who | None:
    """The active staff member with this userid, or None."""
    async with services.db.session() as s:
        staff = await staff_repo.by_userid(s, userid)
        if staff is None or not staff.active:
            return None
        store = await s.get(Store, staff.store_id)
        return Who(
            id=staff.id,
            userid=staff.wecom_userid,
            name=staff.name,
            role=staff.role,
            store_id=staff.store_id,
            store_name=store.name if store else "",
            admin=staff.wecom_userid in services.settings.work.group_admins,
        )
