"""Training mode: quizzes built from the indexed documents, graded with equivalent answer forms, exported for print.

>>> quiz = generate_quiz(load_index("index"), n=5, seed=1)      # doctest: +SKIP
>>> grade_quiz(quiz, {quiz["items"][0]["id"]: "6:3:1"})["score"]  # doctest: +SKIP
"""
from __future__ import annotations

from .export import export_markdown, export_pdf
from .generate import QuizError, generate_quiz
from .grade import grade_quiz

__all__ = ["generate_quiz", "grade_quiz", "export_markdown", "export_pdf", "QuizError"]
