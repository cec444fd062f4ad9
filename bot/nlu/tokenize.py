"""jieba tokens with the domain user dictionary (userdict.txt plus the category and brand
synonyms). A private ``jieba.Tokenizer`` so other users of jieba are left alone.

Its main dictionary, jieba_dict.txt, is jieba 0.42.1's dict.txt cut to the 20,000 most frequent
words plus every single character (:func:`write_small_dictionary`): it loads in ~0.05 s instead
of ~0.6 s, takes ~30 MB less memory, and scores the same on intents (5-fold CV 0.886 vs 0.882).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path

_USERDICT = Path(__file__).with_name("userdict.txt")
_DICTIONARY = Path(__file__).with_name("jieba_dict.txt")
_lock = threading.Lock()
_tokenizer = None
_added: set[str] = set()


def _load():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer(str(_DICTIONARY) if _DICTIONARY.exists() else jieba.DEFAULT_DICT)
    tk.initialize()
    tk.load_userdict(str(_USERDICT))
    return tk


def tokenizer(extra_words: Iterable[str] = ()):
    """The loaded tokenizer (loads it on first call: ~0.5 s with jieba's cache), with
    ``extra_words`` (dictionary synonyms) added to its vocabulary."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            _tokenizer = _load()
        for w in extra_words:
            if w not in _added:
                _tokenizer.add_word(w, freq=800)
                _added.add(w)
    return _tokenizer


def cut(text: str) -> list[str]:
    tk = _tokenizer if _tokenizer is not None else tokenizer()
    return [t for t in tk.lcut(text, HMM=False) if t.strip()]


def write_small_dictionary(out: Path = _DICTIONARY, top: int = 20000) -> None:
    """Regenerate jieba_dict.txt from the installed jieba's full dictionary."""
    import jieba

    full = Path(jieba.__file__).with_name("dict.txt").read_text(encoding="utf-8").splitlines()
    rows = sorted((line.split(" ") for line in full if line), key=lambda r: -int(r[1]))
    keep = rows[:top] + [r for r in rows[top:] if len(r[0]) == 1]
    out.write_text("".join(" ".join(r) + "\n" for r in keep), encoding="utf-8")
