"""Is a message only a reply to a care message (收到, 谢谢祝福, 同乐, 新年快乐)? Such a reply is
thanked, never acted on: the NLU reports it as ``thanks`` whatever the classifier guessed
(「收到提醒了」 is not an unsubscribe), and the dialog answers it (bot/dialog/policy.py)."""

from __future__ import annotations

import re

# A reply to a care message, nothing more: thanked back.
_ACK_WORDS = (
    r"收到了?|已收到|好的?|好嘞|好滴|好哒|嗯+|恩+|哦+|噢+|ok|okay|👌|👍|🙏|知道了?|晓得了?|了解了?"
    r"|明白了?|懂了|行|可以|谢谢?|谢啦|多谢|感谢|辛苦了?|祝福|问候|提醒|惦记|关心|挂念|你们?"
    r"|您|大家|也|都|同乐|同喜|同祝|彼此彼此|一样|节日|新年|春节|过年|中秋|国庆|端午|元宵|冬至|元旦"
    r"|圣诞|生日|七夕|节|快乐|安康|好|吉祥|如意|平安|健康|幸福|发财|恭喜|万事|顺意|阖家|身体|祝|同"
    r"|\[[^\]]{1,4}\]|[🌹🎉😊❤️💐🧧🏮]"
)
_ACK = re.compile(rf"(?:{_ACK_WORDS}|[了啊呀呢吧哈啦的哦噢喔，,。.!！~～\s])+", re.I)

# ...and says it is one (收到, 祝福, 同乐, a festival); "好的" / "谢谢" alone go their usual way.
_ACK_MARK = re.compile(
    r"收到|知道|晓得|了解|明白|祝福|问候|提醒|惦记|关心|挂念|同乐|同喜|同祝|彼此|快乐|安康|新年|过年"
    r"|春节|中秋|国庆|端午|元宵|冬至|元旦|圣诞|吉祥|如意|发财|恭喜|\[[^\]]{1,4}\]|[🌹🎉🙏👌👍]"
)


def is_acknowledgement(text: str) -> bool:
    t = (text or "").strip().lower()
    return 0 < len(t) <= 30 and bool(_ACK.fullmatch(t)) and bool(_ACK_MARK.search(t))
