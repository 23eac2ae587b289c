"""Answer feedback (useful / not useful + comment) kept in a local SQLite file under settings.data_dir."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path
from typing import Any

RATINGS = ("useful", "not_useful")
MAX_COMMENT = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    session TEXT NOT NULL DEFAULT '',
    rating TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    abstained INTEGER NOT NULL DEFAULT 0,
    citations TEXT NOT NULL DEFAULT '[]'
)
"""


class FeedbackError(ValueError):
    """Feedback that cannot be stored; the message is Chinese and shown to the user."""


class FeedbackStore:
    """One row per rated answer; a later comment or a changed mind updates the same row.

    >>> store = FeedbackStore(":memory:")                                      # doctest: +SKIP
    >>> fid = store.add("问题", {"answer": "答", "citations": []}, "useful")    # doctest: +SKIP
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        # A single connection guarded by a lock: gradio calls handlers from worker threads,
        # and feedback is too infrequent for a connection pool to matter.
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False)
        with self._lock, self._conn:
            self._conn.execute(_SCHEMA)

    @classmethod
    def from_settings(cls, settings) -> "FeedbackStore":
        return cls(Path(settings.data_dir) / "feedback.sqlite3")

    def add(self, question: str, answer: dict[str, Any], rating: str, comment: str = "", session: str = "") -> int:
        """Store a rating for an answer (Answer.to_dict() form); returns the row id."""
        rating = _check_rating(rating)
        comment = _check_comment(comment)
        row = (
            time.strftime("%Y-%m-%dT%H:%M:%S"),
            session or "",
            rating,
            comment,
            str(question),
            str(answer.get("answer", "")),
            int(bool(answer.get("abstained"))),
            json.dumps(answer.get("citations", []), ensure_ascii=False),
        )
        with self._lock, self._conn:
            cur = self._conn.execute(
                "INSERT INTO feedback (created_at, session, rating, comment, question, answer, abstained, citations)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cur.lastrowid)

    def update(self, feedback_id: int, rating: str | None = None, comment: str | None = None) -> None:
        """Change the rating and/or comment of an existing row."""
        sets, args = [], []
        if rating is not None:
            sets.append("rating = ?")
            args.append(_check_rating(rating))
        if comment is not None:
            sets.append("comment = ?")
            args.append(_check_comment(comment))
        if not sets:
            return
        with self._lock, self._conn:
            cur = self._conn.execute(f"UPDATE feedback SET {', '.join(sets)} WHERE id = ?", (*args, int(feedback_id)))
            if cur.rowcount == 0:
                raise FeedbackError("找不到这条反馈记录。")

    def all(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Most recent rows first, citations decoded."""
        with self._lock, closing(self._conn.cursor()) as cur:
            cur.execute("SELECT * FROM feedback ORDER BY id DESC LIMIT ?", (int(limit),))
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r)) for r in cur.fetchall()]
        for r in rows:
            r["citations"] = json.loads(r["citations"])
            r["abstained"] = bool(r["abstained"])
        return rows

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _check_rating(rating: str) -> str:
    if rating not in RATINGS:
        raise FeedbackError("评价只能是“有用”或“没用”。")
    return rating


def _check_comment(comment: Any) -> str:
    text = "" if comment is None else str(comment).strip()
    if len(text) > MAX_COMMENT:
        raise FeedbackError(f"补充说明过长（最多 {MAX_COMMENT} 字）。")
    return text
