"""File loaders: bytes on disk to plain text lines (txt, md, html, docx, pdf), any common encoding."""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

SUPPORTED = (".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf")
MAX_BYTES = 50 * 1024 * 1024


class LoadError(Exception):
    """A file that cannot be read; the message is the reason shown in the build report."""


@dataclass
class Loaded:
    """Raw text of a file as lines; `line_pages` gives the 1-based page of each line (pdf only)."""

    lines: list[str]
    line_pages: list[int] = field(default_factory=list)
    title_hint: str = ""


def decode_bytes(data: bytes) -> str:
    """Decode text in UTF-8 (with or without BOM), UTF-16, GB18030/GBK, Big5 and other common encodings."""
    if not data:
        return ""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        # UTF-16 without BOM is the one text encoding with many NULs; anything else is binary.
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _looks_like_text(text):
                return text
        raise LoadError("二进制文件，不是文本")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Chinese files that are not UTF-8 are nearly always GB18030 (a superset of GBK/GB2312);
    # try it strictly first because charset detection on short Chinese text often guesses Big5 or cp949.
    try:
        text = data.decode("gb18030")
        if _looks_like_text(text):
            return text
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise LoadError("无法识别文本编码")
    text = str(best)
    if not _looks_like_text(text):
        raise LoadError("无法识别文本编码")
    return text


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\r\n\t\f") or ch == "\ufffd")
    return bad / len(text) < 0.01


def _split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def load_text(data: bytes) -> Loaded:
    return Loaded(_split_lines(decode_bytes(data)))


def load_html(data: bytes) -> Loaded:
    html = decode_bytes(data)
    import trafilatura

    text = trafilatura.extract(
        html, include_tables=True, include_comments=False, favor_recall=True, deduplicate=False
    )
    title = ""
    try:
        meta = trafilatura.extract_metadata(html)
        title = (meta.title or "") if meta else ""
    except Exception:  # metadata is a nicety; a page without it still loads
        title = ""
    if not text:
        # trafilatura gives up on very short pages; fall back to all visible text.
        from lxml import html as lxml_html

        try:
            tree = lxml_html.fromstring(html)
        except Exception as exc:
            raise LoadError(f"HTML 无法解析: {exc}") from exc
        for bad in tree.xpath("//script|//style|//nav|//header|//footer"):
            bad.drop_tree()
        text = tree.text_content()
    return Loaded(_split_lines(text), title_hint=title.strip())


def load_docx(data: bytes) -> Loaded:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover
        raise LoadError("读取 docx 需要 python-docx") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise LoadError(f"docx 文件损坏: {exc}") from exc
    lines: list[str] = []
    # Walk the body in order so tables stay where they stand in the text.
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    value = " ".join(cell.text.split())
                    if not cells or cells[-1] != value:  # merged cells repeat their text
                        cells.append(value)
                lines.append(" | ".join(cells))
    title = (document.core_properties.title or "").strip()
    return Loaded(lines, title_hint=title)


def load_pdf(data: bytes) -> Loaded:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover
        raise LoadError("读取 pdf 需要 pypdf") from exc
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:
                raise LoadError("pdf 已加密") from exc
        lines: list[str] = []
        pages: list[int] = []
        for number, page in enumerate(reader.pages, start=1):
            for line in _split_lines(page.extract_text() or ""):
                lines.append(line)
                pages.append(number)
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise LoadError(f"pdf 文件损坏: {exc}") from exc
    except Exception as exc:  # pypdf raises a zoo of errors on broken files
        raise LoadError(f"pdf 文件无法读取: {type(exc).__name__}: {exc}") from exc
    if not any(line.strip() for line in lines):
        raise LoadError("pdf 没有文本层（可能是扫描件，需要先做 OCR）")
    return Loaded(lines, pages)


LOADERS: dict[str, Callable[[bytes], Loaded]] = {
    ".txt": load_text,
    ".md": load_text,
    ".markdown": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".docx": load_docx,
    ".pdf": load_pdf,
}


def load_file(path: Path) -> Loaded:
    """Read one file; raises LoadError with a user-facing reason when it cannot be used."""
    suffix = path.suffix.lower()
    loader = LOADERS.get(suffix)
    if loader is None:
        raise LoadError(f"不支持的文件类型 {suffix or '(无扩展名)'}")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LoadError(f"文件过大 ({size // 1024 // 1024} MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"无法读取文件: {exc.strerror or exc}") from exc
    if not data.strip():
        raise LoadError("空文件")
    loaded = loader(data)
    if not any(line.strip() for line in loaded.lines):
        raise LoadError("没有可用的文本")
    return loaded
