"""The Official Account's safe-mode envelope: AES open and seal with one cipher per process.

wechatpy's ``WeChatCrypto`` builds a new AES cipher for every message and checks the
``msg_signature`` again after the webhook has checked it (constant time, bot/security.py).
Here wechatpy's own ``PrpCrypto`` (AES-CBC, PKCS#7, the AppId check) is built once, and
the reply's envelope is the one ``WeChatCrypto.encrypt_message`` writes, signed the same
way (sha1 over the sorted token, timestamp, nonce and ciphertext).
"""

from __future__ import annotations

import os

from wechatpy.crypto import PrpCrypto, WeChatCrypto

from bot import security

_SEALED = (
    "<xml>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n"
    "<MsgSignature><![CDATA[{signature}]]></MsgSignature>\n"
    "<TimeStamp>{timestamp}</TimeStamp>\n<Nonce><![CDATA[{nonce}]]></Nonce>\n</xml>"
)


class _Prp(PrpCrypto):
    def get_random_string(self) -> str:
        """The 16 random characters before the message (WeChat's format): from the OS."""
        return os.urandom(8).hex()


class MpEnvelope:
    """Open a message's ``Encrypt`` (its signature already verified) and seal a reply."""

    def __init__(self, token: str, encoding_aes_key: str, app_id: str) -> None:
        self.token = token
        self.app_id = app_id
        key = WeChatCrypto(token, encoding_aes_key, app_id).key  # wechatpy derives the key
        self._prp = _Prp(key)

    def open(self, encrypted: str) -> str:
        """The plaintext XML; wechatpy's ``InvalidAppIdException`` for another account's."""
        return self._prp.decrypt(encrypted, self.app_id)

    def seal(self, xml: str, nonce: str, timestamp: str) -> str:
        """The encrypted passive reply, as WeChat expects it."""
        encrypt = self._prp.encrypt(xml, self.app_id).decode("ascii")
        signature = security.sha1_signature(self.token, timestamp, nonce, encrypt)
        return _SEALED.format(
            encrypt=encrypt, signature=signature, timestamp=timestamp, nonce=nonce
        )
