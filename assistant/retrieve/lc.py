"""LangChain adapter: a langchain-core BaseRetriever over the hybrid retriever, returning Documents."""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ..embed import register_langchain

register_langchain()  # the package's embedders are Embeddings wherever LangChain is in use


class PolicyRetriever(BaseRetriever):
    """Drop-in retriever for LangChain chains, over either backend (faiss or milvus: the Retriever hides which).

    >>> from assistant.pipeline import Assistant                      # doctest: +SKIP
    >>> r = PolicyRetriever(retriever=Assistant.from_settings().retriever, k=3)  # doctest: +SKIP
    >>> r.invoke("医保基金结余怎么分配")[0].metadata["section"]       # doctest: +SKIP
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    k: int = 5
    filters: dict[str, Any] | None = None
    mode: str | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.retriever.search(query, k=self.k, filters=self.filters, mode=self.mode)
        docs = []
        for h in hits:
            c = h.chunk
            docs.append(
                Document(
                    page_content=c.text,
                    id=c.id,
                    metadata={
                        "source": c.source,
                        "title": c.title,
                        "kind": c.kind,
                        "section": c.section,
                        "start": c.start,
                        "end": c.end,
                        "doc_id": c.doc_id,
                        "score": h.score,
                        "rank": h.rank,
                    },
                )
            )
        return docs
