"""File loaders: bytes on disk to plain text lines (txt, md, html, docx, pdf), any common encoding."""
from __future__ import annotations

import io
import logging
import re
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
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8", errors="strict")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise LoadError(f"无法识别文本编码（字节顺序标记与内容不符: {exc.reason}）") from exc
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
    # Chinese files that are not UTF-8 are nearly always GB18030 (a superset of GBK/GB2312) or, for
    # Traditional text, Big5 (cp950). Try both strictly first because charset detection on short Chinese
    # text often guesses wrong; GB18030 decodes almost any byte string, so the candidate that reads as
    # ordinary text (no private-use, kana or bopomofo characters) wins.
    candidates: list[tuple[float, int, str]] = []
    for order, enc in enumerate(("gb18030", "cp950")):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            candidates.append((_oddness(text), order, text))
    if candidates:
        odd, _, text = min(candidates)
        if odd < 0.02:
            return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        text = str(best)
        if _looks_like_text(text) and _oddness(text) < 0.02:
            return text
    if candidates:  # a strict Chinese decoding with unusual characters beats guessing
        return min(candidates)[2]
    raise LoadError("无法识别文本编码")


# Characters that ordinary Chinese text almost never contains but a wrong multi-byte decoding produces
# (private use area, kana, bopomofo).
_ODD_RE = re.compile("[\ue000-\uf8ff\u3040-\u30ff\u3100-\u312f\ufffd]")


def _oddness(text: str) -> float:
    return len(_ODD_RE.findall(text)) / max(1, len(text.strip()))


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\r\n\t\f") or ch == "\ufffd")
    return bad / len(text) < 0.01


def _split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def load_text(data: bytes) -> Loaded:
    return Loaded(_split_lines(decode_bytes(data)))


_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")


def load_markdown(data: bytes) -> Loaded:
    """Markdown as plain lines: ATX heading markers are dropped so "## 一、目标" reads as the heading "一、目标";
    the first level-1 heading is the title hint."""
    lines: list[str] = []
    title = ""
    for line in _split_lines(decode_bytes(data)):
        m = _MD_HEADING.match(line)
        if m:
            line = m.group(2)
            if not title and len(m.group(1)) == 1:
                title = line.strip()
        lines.append(line)
    return Loaded(lines, title_hint=title)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "cp950"}


def decode_html(data: bytes) -> str:
    """Decode an HTML page, trusting its declared <meta charset> when the bytes agree with it."""
    m = _META_CHARSET.search(data[:4096])
    if m and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        declared = m.group(1).decode("ascii").lower()
        try:
            return data.decode(_CHARSET_ALIASES.get(declared, declared))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: detect instead
    return decode_bytes(data)


# Elements that are site chrome rather than the page's text.
_CHROME_XPATH = (
    "//script|//style|//noscript|//template|//nav|//header|//footer|//aside|//form|//iframe"
    "|//*[re:test(concat(@class, ' ', @id), 'nav|menu|breadcrumb|crumb|footer|share|sidebar|toolbar|copyright', 'i')]"
)
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
               "blockquote", "pre", "dd", "dt", "ul", "ol", "td", "th"}


def _html_text_fallback(html: str) -> str:
    """Visible text of the page without its chrome, one block element a line (used when trafilatura finds
    nothing, e.g. on very short pages, or is unavailable)."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except Exception as exc:
        raise LoadError(f"HTML 无法解析: {exc}") from exc
    ns = {"re": "http://exslt.org/regular-expressions"}
    total = len(tree.text_content().strip()) or 1
    for bad in tree.xpath(_CHROME_XPATH, namespaces=ns):
        # A class such as "has-menu" on a wrapper must not take the page's text with it.
        if bad.getparent() is not None and len(bad.text_content().strip()) < total / 2:
            bad.drop_tree()
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            if el.tag.lower() in ("td", "th"):
                el.tail = " | " + (el.tail or "").lstrip("\n")
    body = tree.find("body")
    return (body if body is not None else tree).text_content()


def load_html(data: bytes) -> Loaded:
    html = decode_html(data)
    if not html.strip():
        raise LoadError("空文件")
    text = ""
    title = ""
    try:
        import trafilatura
    except ImportError as exc:  # e.g. lxml without lxml_html_clean; the plain extractor still works
        log.warning("trafilatura unavailable (%s); using the plain HTML extractor", exc)
        trafilatura = None
    if trafilatura is not None:
        try:
            text = trafilatura.extract(
                html, include_tables=True, include_comments=False, favor_recall=True, deduplicate=False
            ) or ""
        except Exception as exc:  # a page trafilatura chokes on still gets the plain extractor
            log.debug("trafilatura failed: %s", exc)
            text = ""
        try:
            meta = trafilatura.extract_metadata(html)
            title = (meta.title or "") if meta else ""
        except Exception:  # metadata is a nicety; a page without it still loads
            title = ""
    if not text:
        text = _html_text_fallback(html)
    if not title:
        m = re.search(r"<title[^>]*>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
        title = re.split(r"\s*[_|｜-]\s*", m.group(1).strip())[0] if m else ""
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
    ".md": load_markdown,
    ".markdown": load_markdown,
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
