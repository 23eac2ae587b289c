"""The HTTP API (FastAPI): ask, search, documents, health, and OpenAI-compatible chat completions."""
from __future__ import annotations

import logging
import os
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import openai_compat
from .errors import PARSE_ERROR, BodyLimit, CatchAll, error_response, validation_message

log = logging.getLogger("assistant.api")

QUESTION_EXAMPLE = "医保基金结余按什么比例分配？"
FILTERS_DOC = "检索范围（可选）：{\"source\": [文档], \"kind\": [类型], \"region\": 地区}，省略的项不限制"


class Filters(BaseModel):
    """Restrict retrieval to some documents, kinds or a region; omitted fields do not restrict."""

    model_config = ConfigDict(extra="forbid")
    source: list[str] | None = Field(None, description="文档的 source 或 doc_id 列表")
    kind: list[str] | None = Field(None, description="文档类型列表，如 方案、解读、讲话")
    region: str | None = Field(None, description="地区")

    @field_validator("source", "kind", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    def to_dict(self) -> dict[str, Any] | None:
        d = {k: v for k, v in self.model_dump().items() if v}
        return d or None


class AskRequest(BaseModel):
    question: str = Field(..., description="问题（中文）", examples=[QUESTION_EXAMPLE])
    history: Any = Field(
        None,
        description="此前的对话，形如 [{\"role\": \"user\", \"content\": \"…\"}, {\"role\": \"assistant\", \"content\": \"…\"}]",
        examples=[[{"role": "user", "content": "乡镇卫生院分多少结余？"}]],
    )
    filters: Filters | None = Field(None, description=FILTERS_DOC)
    id: str | int | None = Field(None, description="调用方自定义的编号，原样返回")


class SearchRequest(BaseModel):
    query: str = Field(..., description="检索内容", examples=["医保结余分配比例"])
    k: int | None = Field(None, ge=1, le=50, description="返回条数（1–50）")
    filters: Filters | None = Field(None, description=FILTERS_DOC)
    mode: Literal["bm25", "dense", "hybrid"] | None = Field(None, description="检索方式，默认按设置")


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    """OpenAI chat-completions request; sampling parameters are accepted and ignored (answers are extractive)."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(openai_compat.MODEL_ID, description="任意模型名均可；回复中原样返回")
    messages: list[ChatMessage] = Field(..., min_length=1)
    stream: bool = False
    filters: Filters | None = Field(None, description="扩展字段。" + FILTERS_DOC)


def create_app(assistant, settings) -> FastAPI:
    """The FastAPI application over one Assistant."""
    from ..pipeline import QueryError, validate_history
    from ..store import IndexError_

    app = FastAPI(
        title="政策问答助手 API",
        version="1",
        description="基于已收录政策文件的问答与检索。回答附编号引文，引文可在原文中逐字核对。"
        "另提供与 OpenAI 兼容的 /v1/chat/completions 接口。错误统一为 {\"error\": {\"message\": …}}。",
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(CatchAll)  # innermost of ours: sees only what no exception handler took
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    if getattr(settings, "api_key", ""):
        from .guard import ApiKey

        app.add_middleware(ApiKey, key=settings.api_key)  # added last = runs first, before any body is read

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return error_response(422, validation_message(exc.errors()), "invalid_request_error")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        messages = {404: "没有这个接口。", 405: "该接口不支持这种请求方法。"}
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code not in messages else None
        if detail and not any("\u4e00" <= ch <= "\u9fff" for ch in detail):
            detail = PARSE_ERROR if exc.status_code == 400 else None  # FastAPI's own English texts
        return error_response(exc.status_code, detail or messages.get(exc.status_code, "请求有误。"))

    @app.exception_handler(QueryError)
    async def _query(request: Request, exc: QueryError):
        return error_response(400, str(exc), "invalid_request_error")

    @app.exception_handler(IndexError_)
    async def _index(request: Request, exc: IndexError_):
        return error_response(503, str(exc), "index_error")

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return error_response(500, "服务器内部错误，请稍后重试；如反复出现请联系管理员。", "server_error")

    def filters_of(f: Filters | None) -> dict[str, Any] | None:
        return f.to_dict() if f else None

    @app.get("/healthz", summary="健康检查", tags=["系统"])
    def healthz() -> dict[str, Any]:
        index = assistant.index
        return {
            "status": "ok",
            "documents": len(index.documents),
            "chunks": len(index.chunks),
            "embedder": index.manifest.get("embedder", {}).get("id", "none"),
            "build": index.path.name,
        }

    @app.post("/v1/ask", summary="提问并获得带引文的回答", tags=["问答"])
    def ask(req: AskRequest) -> dict[str, Any]:
        """返回与 `assistant ask --json` 相同的 JSON：answer（含 [n] 标记）、abstained、citations 等。"""
        return assistant.ask(req.question, history=req.history, filters=filters_of(req.filters), id=req.id).to_dict()

    @app.post("/v1/search", summary="检索相关段落", tags=["问答"])
    def search(req: SearchRequest) -> dict[str, Any]:
        hits, notices = assistant.search(req.query, k=req.k, filters=filters_of(req.filters), mode=req.mode)
        out: dict[str, Any] = {"hits": [h.to_dict() for h in hits]}
        if notices:
            out["notices"] = notices
        return out

    @app.get("/v1/documents", summary="文档列表及元数据", tags=["文档"])
    def documents() -> dict[str, Any]:
        return {"documents": assistant.documents()}

    @app.get("/v1/documents/{doc_id:path}", summary="文档规范文本（引文的 start/end 指向此文本）", tags=["文档"])
    def document(doc_id: str) -> dict[str, Any]:
        try:
            return assistant.show(doc_id)
        except QueryError:
            return error_response(404, f"索引中没有文档 {doc_id}（用 GET /v1/documents 查看文档列表）。", "not_found")

    @app.get("/v1/models", summary="模型列表（OpenAI 兼容）", tags=["OpenAI 兼容"])
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [openai_compat.model_card()]}

    @app.get("/v1/models/{model_id}", summary="模型信息（OpenAI 兼容）", tags=["OpenAI 兼容"])
    def model(model_id: str) -> dict[str, Any]:
        return openai_compat.model_card(model_id)

    @app.post("/v1/chat/completions", summary="对话补全（OpenAI 兼容，支持 stream）", tags=["OpenAI 兼容"])
    def chat_completions(req: ChatRequest):
        """回复正文为回答加编号来源；结构化引文在 `citations` 字段中。"""
        messages = [m.model_dump() for m in req.messages]
        question, history = openai_compat.split_messages(messages)
        history = validate_history(history)
        answer = assistant.ask(question, history=history, filters=filters_of(req.filters)).to_dict()
        if req.stream:
            return StreamingResponse(
                openai_compat.stream_chunks(answer, req.model),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        return openai_compat.completion(answer, req.model, question)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        from .apidocs import render_docs

        return HTMLResponse(render_docs(app.openapi()))

    return app


SETTINGS_ENV = "ASSISTANT_SERVE_SETTINGS"


def worker_app() -> FastAPI:
    """App factory for uvicorn worker processes: settings and index come from the parent via the environment."""
    import json

    from ..config import load_settings
    from ..pipeline import Assistant

    settings = load_settings(env={}, overrides=json.loads(os.environ[SETTINGS_ENV]))
    return create_app(Assistant.from_settings(settings, settings.index_dir), settings)


def serve(assistant, settings, host: str, port: int, workers: int = 1) -> None:
    """Run the API with uvicorn until interrupted.

    One process answers on one core (the answer path is mostly Python, so threads share one GIL);
    workers > 1 starts that many processes, each loading the index, to use more cores.
    """
    import uvicorn

    common = {"host": host, "port": port, "log_level": "warning", "access_log": False}
    if workers <= 1:
        uvicorn.run(create_app(assistant, settings), **common)
        return
    import dataclasses
    import json

    index_dir = str(assistant.index.path.parent.resolve())
    os.environ[SETTINGS_ENV] = json.dumps({**dataclasses.asdict(settings), "index_dir": index_dir})
    uvicorn.run("assistant.web.api:worker_app", factory=True, workers=workers, **common)
